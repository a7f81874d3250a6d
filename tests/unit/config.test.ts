import { DEFAULT_GATEWAY_LIMITS } from "../../components/rpcGateway/nginx";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, DEFAULT_IMAGES, parseConfig, type RawConfig } from "../../components/config";
import { installMocks, settle, useConfig } from "../helpers/pulumiMocks";

const VALID: RawConfig = {
    platform: "docker",
    chain: { name: "home", networkId: 17, stepDuration: 2 },
    authorities: [{ name: "a1" }, { name: "a2", org: "acme" }],
};
const ENODE = `enode://${"ab".repeat(64)}@peer.example.org:30303`;
const EXTERNAL = { name: "ext", address: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb", enode: ENODE, allowFrom: ["203.0.113.7/32"] };

function errorOf(raw: RawConfig): string {
    try {
        parseConfig(raw);
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
    }
    throw new Error("expected a ConfigError");
}

const withChain = (chain: Record<string, unknown>): RawConfig => ({ ...VALID, chain: { ...(VALID.chain as object), ...chain } });

describe("image references: any registry (with a port), a tag or a digest", () => {
    test.each([
        "nethermind/nethermind:1.36.1",
        "registry.acme.example:5000/mirror/nethermind/nethermind:1.36.1",
        `nethermind/nethermind@sha256:${"ab".repeat(32)}`,
        `nethermind/nethermind:1.36.1@sha256:${"ab".repeat(32)}`,
        "localhost:5000/nethermind:1.36.1",
    ])("accepts %s", (image) => {
        expect(parseConfig({ ...VALID, client: { kind: "nethermind", image } }).client.image).toBe(image);
    });
});

describe("bad input is refused with a message naming the key and what is allowed", () => {
    test.each<[string, RawConfig, string]>([
        ["no authorities", { ...VALID, authorities: [] }, "consortium:authorities must list at least one authority"],
        ["authorities missing", { ...VALID, authorities: undefined }, "consortium:authorities must list at least one authority"],
        ["duplicate names", { ...VALID, authorities: [{ name: "a1" }, { name: "a1" }] }, "consortium:authorities names 'a1' twice"],
        ["duplicate across external", { ...VALID, externalAuthorities: [{ ...EXTERNAL, name: "a1" }] }, "consortium:authorities names 'a1' twice"],
        ["name not a DNS label", { ...VALID, authorities: [{ name: "Node_1" }] }, "consortium:authorities[0].name must be a DNS label"],
        ["unknown authority key", { ...VALID, authorities: [{ name: "a1", role: "x" }] }, "consortium:authorities[0].role is not a known key; allowed keys of authorities[0]: name, org"],
        ["address not hex", { ...VALID, externalAuthorities: [{ ...EXTERNAL, address: "0x1234" }] }, "consortium:externalAuthorities[0].address must be a 20-byte hex address starting with 0x"],
        [
            "address with a bad checksum",
            { ...VALID, externalAuthorities: [{ ...EXTERNAL, address: "0xD41c057fd1c78805AAC12B0A94a405c0461A6FBb" }] },
            "consortium:externalAuthorities[0].address has an invalid EIP-55 checksum; use the checksummed or the all-lowercase form",
        ],
        ["enode without id", { ...VALID, externalAuthorities: [{ ...EXTERNAL, enode: "enode://abc@host:30303" }] }, "consortium:externalAuthorities[0].enode must be enode://<128 hex characters>@<host>:<port>"],
        ["enode without port", { ...VALID, externalAuthorities: [{ ...EXTERNAL, enode: `enode://${"ab".repeat(64)}@host` }] }, "consortium:externalAuthorities[0].enode must be enode://<128 hex characters>@<host>:<port>"],
        ["enode port out of range", { ...VALID, externalAuthorities: [{ ...EXTERNAL, enode: `enode://${"ab".repeat(64)}@host:70000` }] }, "consortium:externalAuthorities[0].enode has port 70000; a port is between 1 and 65535"],
        ["precompilesFromBlock text", withChain({ precompilesFromBlock: "later" }), "consortium:chain.precompilesFromBlock must be 0 (the default: from genesis) or never (keeps a chain launched without these precompile rules as it is); a later block is not offered, because the genesis lock cannot see the chain's height and a block already passed would fork it (got 'later')"],
        ["precompilesFromBlock at a later block", withChain({ precompilesFromBlock: 2_000_000 }), "consortium:chain.precompilesFromBlock must be 0 (the default: from genesis) or never"],
        ["stepDuration zero", withChain({ stepDuration: 0 }), "consortium:chain.stepDuration must be a positive integer number of seconds, at most 3600 (got 0)"],
        ["stepDuration fractional", withChain({ stepDuration: 1.5 }), "consortium:chain.stepDuration must be a positive integer number of seconds"],
        ["stepDuration text", withChain({ stepDuration: "fast" }), "consortium:chain.stepDuration must be a positive integer number of seconds"],
        ["gasLimit too low", withChain({ gasLimit: 4999 }), "consortium:chain.gasLimit must be an integer between 5000 and 9223372036854775807 (got 4999)"],
        ["gasLimit too high", withChain({ gasLimit: "9223372036854775808" }), "consortium:chain.gasLimit must be an integer between 5000 and 9223372036854775807"],
        ["gasLimit negative", withChain({ gasLimit: -1 }), "consortium:chain.gasLimit must be an integer between 5000"],
        ["networkId zero", withChain({ networkId: 0 }), "consortium:chain.networkId must be a positive integer up to 4503599627370476 (got 0)"],
        ["networkId negative", withChain({ networkId: -17 }), "consortium:chain.networkId must be a positive integer"],
        ["chainId fractional", withChain({ chainId: 1.5 }), "consortium:chain.chainId must be a positive integer"],
        ["chainId too large", withChain({ chainId: 2 ** 53 }), "consortium:chain.chainId must be a positive integer up to 4503599627370476"],
        ["chain missing", { ...VALID, chain: undefined }, "consortium:chain is required"],
        ["chain name", withChain({ name: "home chain!" }), "consortium:chain.name must be 1 to 64 letters, digits, '_' or '-'"],
        ["unknown chain key", withChain({ stepduration: 2 }), "consortium:chain.stepduration is not a known key; allowed keys of chain:"],
        ["account address", withChain({ accounts: { "0xnope": "1" } }), "consortium:chain.accounts.0xnope must be a 20-byte hex address"],
        ["account balance", withChain({ accounts: { "0xd41c057fd1c78805aac12b0a94a405c0461a6fbb": "1e18" } }), "must be a balance in wei as a decimal string below 2^256 (got '1e18')"],
        ["unknown client kind", { ...VALID, client: { kind: "geth" } }, "consortium:client.kind must be one of nethermind, openethereum, parity (got 'geth')"],
        ["unknown platform", { ...VALID, platform: "nomad" }, "consortium:platform must be one of docker, kubernetes (got 'nomad')"],
        ["platform missing", { ...VALID, platform: undefined }, "consortium:platform must be one of docker, kubernetes (got nothing)"],
        ["kubernetes without namespace", { ...VALID, platform: "kubernetes", kubernetes: {} }, "consortium:kubernetes.namespace must be a non-empty string"],
        ["kubernetes bad DNS address", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns", dns: { addresses: ["169.254.20.10"] } } }, "consortium:kubernetes.dns.addresses[0] must be an IPv4 CIDR block such as 169.254.20.10/32 (got '169.254.20.10')"],
        ["kubernetes bad DNS port", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns", dns: { ports: [0] } } }, "consortium:kubernetes.dns.ports[0] must be a port from 1 to 65535 (got 0)"],
        ["kubernetes bad nonRootNodes", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns", nonRootNodes: "maybe" } }, "consortium:kubernetes.nonRootNodes must be true or false (got 'maybe')"],
        ["kubernetes bad spread", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns", authoritySpread: "some" } }, "consortium:kubernetes.authoritySpread must be one of required, preferred (got 'some')"],
        ["kubernetes bad quantity", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns", storageSize: "lots" } }, "consortium:kubernetes.storageSize must be a Kubernetes quantity"],
        ["createNamespace not boolean", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns", createNamespace: "no" } }, "consortium:kubernetes.createNamespace must be true or false (got 'no')"],
        ["rpc.authority, which authorities no longer serve", { ...VALID, rpc: { authority: "a1" } }, "consortium:rpc.authority is no longer used: authorities serve JSON-RPC on loopback only"],
        ["no RPC node", { ...VALID, rpc: { nodes: 0 } }, "consortium:rpc.nodes must be a number of RPC nodes from 1 to 16 (got 0)"],
        ["too many RPC nodes", { ...VALID, rpc: { nodes: 17 } }, "consortium:rpc.nodes must be a number of RPC nodes from 1 to 16 (got 17)"],
        ["an unknown method", { ...VALID, rpc: { methods: ["eth_chainId", "eth_getBalanse"] } }, "consortium:rpc.methods names 'eth_getBalanse', not a method this program serves; did you mean eth_getBalance?"],
        ["a signer-changing method", { ...VALID, rpc: { methods: ["parity_setEngineSigner"] } }, "consortium:rpc.methods must not include 'parity_setEngineSigner': parity_* includes parity_setEngineSigner"],
        ["a node-account method", { ...VALID, rpc: { methods: ["eth_sendTransaction"] } }, "consortium:rpc.methods must not include 'eth_sendTransaction': eth_sendTransaction* sends from a node's own accounts"],
        ["a method far from any known one", { ...VALID, rpc: { methods: ["zzz_nothing"] } }, "consortium:rpc.methods names 'zzz_nothing', not a method this program serves; known methods: eth_blockNumber, eth_call"],
        ["an empty method list", { ...VALID, rpc: { methods: [] } }, "consortium:rpc.methods must name at least one method"],
        ["an external authority on Kubernetes without allowFrom", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns" }, externalAuthorities: [{ name: "ext", address: EXTERNAL.address, enode: ENODE }] }, "consortium:externalAuthorities[0].allowFrom is required on Kubernetes"],
        ["allowFrom that is not a CIDR", { ...VALID, externalAuthorities: [{ ...EXTERNAL, allowFrom: ["peer.example.org"] }] }, "consortium:externalAuthorities[0].allowFrom must list IPv4 CIDR blocks such as 203.0.113.7/32 (got 'peer.example.org')"],
        ["allowFrom that admits the internet", { ...VALID, externalAuthorities: [{ ...EXTERNAL, allowFrom: ["0.0.0.0/0"] }] }, "consortium:externalAuthorities[0].allowFrom must not admit '0.0.0.0/0'"],
        ["an advertised p2p host that is not a host", { ...VALID, authorities: [{ name: "a1", org: "acme", p2p: { host: "p2p acme" } }, { name: "a2", org: "globex" }] }, "consortium:authorities[0].p2p.host must be a DNS host name (lowercase) or an IPv4 address"],
        ["a NodePort without its port", { ...VALID, platform: "kubernetes", kubernetes: { namespace: "ns" }, authorities: [{ name: "a1", p2p: { host: "p2p.acme.example", serviceType: "NodePort" } }, { name: "a2" }] }, "consortium:authorities[0].p2p.nodePort is required with serviceType NodePort"],
        ["a node port outside Kubernetes' range", { ...VALID, authorities: [{ name: "a1", p2p: { host: "p2p.acme.example", nodePort: 80 } }, { name: "a2" }] }, "consortium:authorities[0].p2p.nodePort must be a Kubernetes node port (30000 to 32767) (got 80)"],
        ["two authorities on one Docker p2p host port", { ...VALID, authorities: [{ name: "a1", p2p: { host: "203.0.113.5" } }, { name: "a2", p2p: { host: "203.0.113.5" } }] }, "consortium:authorities[1].p2p.hostPort 30303 is already published by authorities[0].p2p.hostPort"],
        ["a Docker p2p host port taken by RPC", { ...VALID, authorities: [{ name: "a1", p2p: { host: "203.0.113.5", hostPort: 8545 } }, { name: "a2" }] }, "consortium:authorities[0].p2p.hostPort 8545 is already published by rpc.docker.hostPort"],
        ["a CORS origin that is not an origin", { ...VALID, rpc: { corsOrigins: ["dapp.example.org/path"] } }, "consortium:rpc.corsOrigins must list browser origins such as https://app.example.org"],
        ["extra args that open RPC modules", { ...VALID, client: { extraArgs: ["--JsonRpc.EnabledModules=[Eth,Parity]"] } }, "consortium:client.extraArgs must not include '--JsonRpc.EnabledModules'"],
        ["extra args that unlock an account", { ...VALID, client: { kind: "openethereum", extraArgs: ["--unlock", "0x00"] } }, "consortium:client.extraArgs must not include '--unlock'"],
        ["a key in extra args", { ...VALID, client: { extraArgs: ["--secret", `0x${"ab".repeat(32)}`] } }, "consortium:client.extraArgs must not hold key material"],
        ["rpc same ports", { ...VALID, rpc: { docker: { hostPort: 9000, wsHostPort: 9000 } } }, "consortium:rpc.docker.wsHostPort must differ from rpc.docker.hostPort"],
        ["rpc service type", { ...VALID, rpc: { kubernetes: { serviceType: "ExternalName" } } }, "consortium:rpc.kubernetes.serviceType must be one of ClusterIP, NodePort, LoadBalancer"],
        ["password too short", { ...VALID, keystore: { passwordLength: 8 } }, "consortium:keystore.passwordLength must be an integer from 16 to 128 (got 8)"],
        ["protect not boolean", { ...VALID, protect: "yes" }, "consortium:protect must be true or false (got 'yes')"],
        ["validator set after genesis first", withChain({ validatorSets: [{ fromBlock: 5, validators: ["a1", "a2"] }] }), "consortium:chain.validatorSets[0].fromBlock must be 0"],
        [
            "validator sets out of order",
            withChain({ validatorSets: [{ fromBlock: 0, validators: ["a1"] }, { fromBlock: 0, validators: ["a1", "a2"] }] }),
            "consortium:chain.validatorSets[1].fromBlock must be greater than the previous set's fromBlock 0",
        ],
        ["validator set unknown name", withChain({ validatorSets: [{ fromBlock: 0, validators: ["a1", "a2", "zz"] }] }), "names 'zz', which is not in authorities or externalAuthorities"],
        ["authority in no validator set", withChain({ validatorSets: [{ fromBlock: 0, validators: ["a1"] }] }), "consortium:chain.validatorSets must include authority 'a2'"],
        ["only external authorities", { ...VALID, authorities: [], externalAuthorities: [EXTERNAL] }, "consortium:authorities must list at least one authority run by this stack"],
    ])("%s", (_label, raw, message) => {
        expect(errorOf(raw)).toContain(message);
    });

    test("all issues are reported at once", () => {
        const message = errorOf({ ...VALID, platform: "nomad", client: { kind: "geth" }, chain: { name: "x", networkId: 0, stepDuration: 0 } });
        expect(message.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(4);
    });

    test("a config error stops the program before any resource is registered", async () => {
        const registrations = await installMocks();
        useConfig({ "consortium:platform": "docker", "consortium:chain": { name: "x", networkId: 17, stepDuration: 0 }, "consortium:authorities": [{ name: "a1" }] });
        const { runProgram } = await import("../../components/program");
        expect(() => runProgram()).toThrow("consortium:chain.stepDuration must be a positive integer");
        await settle();
        expect(registrations).toEqual([]);
    });
});

describe("defaults", () => {
    test("chainId defaults to networkId, gasLimit to the seed's 40,000,000, client to Nethermind, RPC to the first authority", () => {
        const config = parseConfig(VALID);
        expect(config.chain.chainId).toBe(17);
        expect(config.chain.gasLimit).toBe(40_000_000n);
        expect(config.client).toEqual({ kind: "nethermind", image: DEFAULT_IMAGES.nethermind, extraArgs: [] });
        expect(config.rpc.nodes).toEqual(["rpc-node-1"]);
        expect(config.rpc.methods).toContain("eth_sendRawTransaction");
        expect(config.rpc.methods).not.toContain("txpool_content");
        expect(config.rpc.docker).toEqual({ bindAddress: "127.0.0.1", hostPort: 8545, wsHostPort: 8546 });
        expect(config.keystore.passwordLength).toBe(24);
        expect(config.protect).toBe(true);
        expect(config.chain.validatorSets).toEqual([{ fromBlock: 0, validators: ["a1", "a2"] }]);
    });

    test("each client kind has its pinned image", () => {
        expect(parseConfig({ ...VALID, client: { kind: "parity" } }).client.image).toBe("parity/parity:v2.4.5");
        expect(parseConfig({ ...VALID, client: { kind: "openethereum" } }).client.image).toBe("openethereum/openethereum:v3.3.5");
    });

    test("lowercase addresses are accepted and checksummed", () => {
        const config = parseConfig({ ...VALID, externalAuthorities: [{ ...EXTERNAL, address: EXTERNAL.address.toLowerCase() }] });
        expect(config.externalAuthorities[0].address).toBe(EXTERNAL.address);
    });

    test("external authorities count as validators", () => {
        const config = parseConfig({ ...VALID, externalAuthorities: [EXTERNAL] });
        expect(config.chain.validatorSets[0].validators).toEqual(["a1", "a2", "ext"]);
    });
});

describe("the committed stacks", () => {
    test.each(["dev", "acme-prod"])("stacks/Pulumi.%s.yaml is valid and holds no secret", (stack) => {
        const text = readFileSync(path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`), "utf8");
        const values = parse(text).config as Record<string, unknown>;
        const raw: RawConfig = Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith("consortium:")).map(([key, value]) => [key.slice("consortium:".length), value]));
        // The committed dev stack works as it is: its PoCo admin is generated by the program.
        const parsed = parseConfig(raw);
        if (stack === "dev") {
            expect(parsed.poco?.admin).toBeUndefined();
            expect(parsed.bridge?.validators).toEqual([{ name: "dev" }]);
        }
        expect(text).not.toMatch(/secure:|privateKey|password:/i);
    });

    test("the Kubernetes stack has 5 authorities across 3 organisations, one of them external", () => {
        const values = parse(readFileSync(path.join(__dirname, "..", "..", "stacks", "Pulumi.acme-prod.yaml"), "utf8")).config;
        const config = parseConfig(Object.fromEntries(Object.entries(values).map(([key, value]) => [key.slice("consortium:".length), value])));
        expect(config.platform).toBe("kubernetes");
        expect(config.authorities.length + config.externalAuthorities.length).toBe(5);
        expect(config.externalAuthorities).toHaveLength(1);
        expect(new Set([...config.authorities.map((authority) => authority.org), "initech"]).size).toBe(3);
    });
});

describe("foreign chain and bridge settings", () => {
    const POCO = { poco: { admin: EXTERNAL.address }, chain: { name: "home", networkId: 17, stepDuration: 2, accounts: { [EXTERNAL.address]: "1" } } };
    const BRIDGED: RawConfig = { ...VALID, ...POCO, foreign: { local: { chainId: 18 } }, bridge: { home: {} } }; // an empty bridge object means no bridge
    const withBridge = (bridge: Record<string, unknown>, extra: RawConfig = {}): RawConfig => ({ ...BRIDGED, ...extra, bridge });
    const bridgeError = (raw: RawConfig, secrets = { pocoAdminKey: true }) => {
        try {
            parseConfig(raw, secrets);
        } catch (error) {
            return (error as Error).message;
        }
        throw new Error("expected a ConfigError");
    };

    test("defaults: one validator per member, a majority of signatures, RLC's 9 decimals and the pinned TokenBridge images", () => {
        const config = parseConfig(BRIDGED, { pocoAdminKey: true });
        expect(config.bridge!.validators).toEqual([{ name: "a1" }, { name: "acme" }]);
        expect(config.bridge!.requiredSignatures).toBe(2);
        expect(config.bridge!.home).toMatchObject({ minPerTx: 500_000_000n, maxPerTx: 100_000n * 10n ** 9n, dailyLimit: 1_000_000n * 10n ** 9n, gasPrice: 10n ** 9n });
        expect(config.bridge!.images).toEqual({
            contracts: "poanetwork/tokenbridge-contracts:5.6.0",
            oracle: "poanetwork/tokenbridge-oracle:2.7.0-rc2",
            rabbitmq: expect.stringMatching(/^rabbitmq:\d/),
            redis: expect.stringMatching(/^redis:\d/),
        });
        expect(config.foreign).toEqual({ kind: "local", chainId: 18, stepDuration: 2, authority: "foreign-authority", docker: { hostPort: 9545, wsHostPort: 9546 } });
    });

    test.each<[string, RawConfig, string]>([
        ["required signatures above the validators", withBridge({ requiredSignatures: 3 }), "consortium:bridge.requiredSignatures must be between 1 and the 2 bridge validators (got 3)"],
        ["zero required signatures", withBridge({ requiredSignatures: 0 }), "consortium:bridge.requiredSignatures must be between 1 and the 2 bridge validators"],
        ["min above max", withBridge({ home: { minPerTx: "200", maxPerTx: "100" } }), "consortium:bridge.home limits must satisfy 0 < minPerTx < maxPerTx < dailyLimit (got 200 < 100 < 1000000)"],
        ["max above daily", withBridge({ foreign: { maxPerTx: "2000000" } }), "consortium:bridge.foreign limits must satisfy 0 < minPerTx < maxPerTx < dailyLimit"],
        ["zero min", withBridge({ foreign: { minPerTx: "0" } }), "consortium:bridge.foreign limits must satisfy 0 < minPerTx"],
        ["too many decimals", withBridge({ home: { minPerTx: "0.0000000001" } }), "consortium:bridge.home.minPerTx has more than the token's 9 decimals"],
        ["not an amount", withBridge({ home: { dailyLimit: "lots" } }), "consortium:bridge.home.dailyLimit must be a token amount such as \"1000\" or \"0.5\""],
        ["zero gas price", withBridge({ home: { gasPriceGwei: "0" } }), "consortium:bridge.home.gasPriceGwei must be greater than zero"],
        ["bad validator address", withBridge({ validators: [{ name: "v1" }, { name: "v2", address: "0x12" }] }), "consortium:bridge.validators[1].address must be a 20-byte hex address"],
        ["bad owner", withBridge({ owner: "0xD41c057fd1c78805AAC12B0A94a405c0461A6FBb" }), "consortium:bridge.owner has an invalid EIP-55 checksum"],
        ["duplicate validators", withBridge({ validators: [{ name: "v1" }, { name: "v1" }] }), "consortium:bridge.validators names 'v1' twice"],
        ["only external validators", withBridge({ validators: [{ name: "v1", address: EXTERNAL.address }] }), "consortium:bridge.validators must include at least one validator run by this stack"],
        ["latest image", withBridge({ images: { oracle: "poanetwork/tokenbridge-oracle:latest" } }), "consortium:bridge.images.oracle must be pinned to a version or digest, not latest"],
        ["same chain id", { ...BRIDGED, foreign: { local: { chainId: 17 } } }, "consortium:foreign.local.chainId must differ from the home chain's chain id 17"],
        ["external same chain id", { ...BRIDGED, foreign: { external: { rpcUrl: "https://x.example", chainId: 17, token: EXTERNAL.address } } }, "consortium:foreign.external.chainId must differ from the home chain's chain id 17"],
        ["external without key", { ...BRIDGED, foreign: { external: { rpcUrl: "https://x.example", chainId: 1, token: EXTERNAL.address } } }, "consortium:foreignDeployerKey is required with foreign.external"],
        ["external bad token", { ...BRIDGED, foreign: { external: { rpcUrl: "https://x.example", chainId: 1, token: "RLC" } } }, "consortium:foreign.external.token must be a 20-byte hex address"],
        ["both kinds", { ...BRIDGED, foreign: { local: { chainId: 18 }, external: { rpcUrl: "https://x.example", chainId: 1, token: EXTERNAL.address } } }, "consortium:foreign must set exactly one of local"],
        ["bridge without foreign", { ...VALID, ...POCO, bridge: { requiredSignatures: 1 } }, "consortium:bridge needs consortium:foreign"],
        ["foreign without bridge", { ...VALID, ...POCO, foreign: { local: { chainId: 18 } } }, "consortium:foreign is only used by the bridge"],
        ["local without poco", { ...VALID, foreign: { local: { chainId: 18 } }, bridge: { home: {} } }, "consortium:foreign.local deploys the foreign chain's own RLC with the PoCo admin"],
        ["foreign authority named like a home one", { ...BRIDGED, foreign: { local: { chainId: 18, authority: "a1" } } }, "consortium:foreign.local.authority 'a1' is already the name of a home authority"],
        ["foreign ports equal to home", { ...BRIDGED, foreign: { local: { chainId: 18, docker: { hostPort: 8545, wsHostPort: 9999 } } } }, "consortium:foreign.local.docker host ports 8545/9999 must differ from the home chain's rpc.docker ports"],
        ["ui without image", withBridge({ ui: { hostPort: 3000 } }), "consortium:bridge.ui.image is required: the UI image you built from the TokenBridge monorepo's ui/Dockerfile"],
        ["ui image without tag", withBridge({ ui: { image: "tokenbridge-ui" } }), "consortium:bridge.ui.image must be pinned to a version or digest, not an implicit latest (got 'tokenbridge-ui')"],
        ["client image with spaces", { ...VALID, client: { kind: "nethermind", image: "nethermind/nethermind 1.36" } }, "consortium:client.image must be an image reference such as nethermind/nethermind:1.36.1 or one pinned by digest"],
        ["client image latest", { ...VALID, client: { kind: "nethermind", image: "nethermind/nethermind:latest" } }, "consortium:client.image must be pinned to a version or digest, not latest"],
    ])("%s", (_what, raw, message) => {
        expect(bridgeError(raw)).toContain(message);
    });

    test("an external foreign chain with the deployer key set is accepted", () => {
        const config = parseConfig({ ...BRIDGED, foreign: { external: { rpcUrl: "https://x.example", chainId: 1, token: EXTERNAL.address } } }, { pocoAdminKey: true, foreignDeployerKey: true });
        expect(config.foreign).toEqual({ kind: "external", rpcUrl: "https://x.example", chainId: 1, token: EXTERNAL.address });
    });
});

describe("permissioning", () => {
    const withPermissioning = (permissioning: Record<string, unknown>): RawConfig => ({ ...VALID, permissioning });

    test("defaults: enforced roles, static peers only, an authenticated gateway with one reader per member", () => {
        const config = parseConfig(withPermissioning({ transactors: ["0x9858effd232b4033e47d90003d41ec34ecaeda94"] }));
        expect(config.permissioning).toEqual({
            open: false,
            roles: { admins: [], deployers: [], transactors: ["0x9858EfFD232B4033E47d90003D41EC34EcaEda94"], senders: [] },
            onlyStaticPeers: true,
            rpc: { access: "gateway", readers: ["a1", "acme"], image: "nginx:1.27.3-alpine", limits: DEFAULT_GATEWAY_LIMITS },
            readinessTimeoutSeconds: 600,
        });
    });

    test.each<[string, unknown, string]>([
        ["a limit of zero", { requestsPerSecond: 0 }, "consortium:permissioning.rpc.limits.requestsPerSecond must be a whole number from 1 to 100000 (requests per second per member) (got 0)"],
        ["an unknown limit", { requestsPerMinute: 10 }, "consortium:permissioning.rpc.limits.requestsPerMinute is not a known key"],
        ["an address limit below a member's", { requestsPerSecond: 100, addressRequestsPerSecond: 10 }, "consortium:permissioning.rpc.limits.addressRequestsPerSecond must be at least requestsPerSecond (100)"],
        ["a batch bound of zero", { maxBatch: 0 }, "consortium:permissioning.rpc.limits.maxBatch must be a whole number from 1 to 10000 (calls in one batch request) (got 0)"],
    ])("gateway limits: %s", (_label, limits, message) => {
        expect(errorOf(withPermissioning({ rpc: { limits } }))).toContain(message);
    });

    test("absent or empty: an open chain, nothing permissioned", () => {
        expect(parseConfig(VALID).permissioning).toBeUndefined();
        expect(parseConfig(withPermissioning({})).permissioning).toBeUndefined();
    });

    test.each<[string, RawConfig, string]>([
        ["a bad address", withPermissioning({ deployers: ["0x12"] }), "consortium:permissioning.deployers[0] must be a 20-byte hex address"],
        ["a list that is not a list", withPermissioning({ admins: "0x9858EfFD232B4033E47d90003D41EC34EcaEda94" }), "consortium:permissioning.admins must be a list of addresses"],
        ["an address twice", withPermissioning({ senders: [EXTERNAL.address, EXTERNAL.address.toLowerCase()] }), "consortium:permissioning.senders lists an address twice"],
        ["an unknown role", withPermissioning({ readers: [] }), "consortium:permissioning.readers is not a known key; allowed keys of permissioning: open, admins, deployers, transactors, senders"],
        ["an unknown access", withPermissioning({ rpc: { access: "public" } }), "consortium:permissioning.rpc.access must be one of gateway, none, open (got 'public')"],
        ["readers without a gateway", withPermissioning({ rpc: { access: "none", readers: ["acme"] } }), "consortium:permissioning.rpc.readers applies to access gateway only"],
        ["the operator's name as a reader", withPermissioning({ rpc: { readers: ["operator"] } }), "consortium:permissioning.rpc.readers 'operator' is the name of pulumi up's own credential"],
        ["a reader named twice", withPermissioning({ rpc: { readers: ["acme", "acme"] } }), "consortium:permissioning.rpc.readers names a reader twice"],
        ["an unpinned gateway image", withPermissioning({ rpc: { image: "nginx:latest" } }), "consortium:permissioning.rpc.image must be pinned to a version or digest, not latest"],
        ["bridge users without a bridge", withPermissioning({ bridgeUsers: [EXTERNAL.address] }), "consortium:permissioning.bridgeUsers applies to the bridge"],
        ["an authority named like the gateway", { ...VALID, authorities: [{ name: "rpc-gateway" }], permissioning: { open: true } }, "consortium:authorities 'rpc-gateway' names the RPC gateway"],
    ])("%s", (_what, raw, message) => {
        expect(errorOf(raw)).toContain(message);
    });
});

describe("poco.admin", () => {
    const base: RawConfig = {
        platform: "docker",
        chain: { name: "c", networkId: 4242, stepDuration: 5 },
        authorities: [{ name: "authority-1" }, { name: "authority-2" }, { name: "authority-3" }],
    };

    test("'generated' needs no key and no funding: the program makes and funds the admin", () => {
        expect(parseConfig({ ...base, poco: { admin: "generated" } }).poco).toMatchObject({ salt: `0x${"00".repeat(32)}` });
        expect(parseConfig({ ...base, poco: { admin: "generated" } }).poco?.admin).toBeUndefined();
    });

    test("'generated' with a pocoAdminKey set is refused: two admins", () => {
        expect(() => parseConfig({ ...base, poco: { admin: "generated" } }, { pocoAdminKey: true })).toThrow(
            "consortium:pocoAdminKey is set, but poco.admin is 'generated': remove the secret, or set poco.admin to the address of its key",
        );
    });

    test("no admin at all says what is allowed", () => {
        expect(() => parseConfig({ ...base, poco: { salt: `0x${"11".repeat(32)}` } })).toThrow(
            "consortium:poco.admin is required: the admin's address (funded in chain.accounts, its key the secret pocoAdminKey), or 'generated' for a key the program generates",
        );
    });
});
