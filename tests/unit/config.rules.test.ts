import { KNOWN_METHODS } from "../../components/rpcGateway/methods";
import { ConfigError, KNOWN_KEYS, parseConfig, type ParseContext, type RawConfig } from "../../components/config";
import { closestKey, editDistance } from "../../components/config/suggest";
import { REDACTED_MNEMONIC, REDACTED_PRIVATE_KEY, secretPlaceholder } from "../../components/config/redact";
import { installMocks, settle, useConfig } from "../helpers/pulumiMocks";

/** The rules against unknown keys, echoed secrets, colliding object names and what a consortium never wants. */

const VALID: RawConfig = {
    platform: "docker",
    chain: { name: "home", networkId: 17, stepDuration: 2 },
    authorities: [{ name: "a1" }, { name: "a2", org: "acme" }],
};
const KUBERNETES: RawConfig = { ...VALID, platform: "kubernetes", kubernetes: { namespace: "chain" } };
/** A private key (web3.js's documentation example), as someone might paste it into the wrong field. */
const KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const MNEMONIC = "abandon ability able about above absent absorb abstract absurd abuse access accident";
const NODE_ID = "ab".repeat(64);
const OTHER_NODE_ID = "cd".repeat(64);
const EXTERNAL = { name: "ext", address: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb", enode: `enode://${NODE_ID}@peer.example.org:30303`, allowFrom: ["203.0.113.7/32"] };
const ADMIN = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const OTHER = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94";
const ZERO = "0x0000000000000000000000000000000000000000";
const ALLOWED_TOP_LEVEL =
    "allowed keys of consortium: platform, docker, kubernetes, chain, authorities, externalAuthorities, client, rpc, keystore, protect, poco, foreign, bridge, permissioning, workerpool, members, pocoAdminKey, foreignDeployerKey";
const PUBLIC_IDS = "public ids: 1, 3, 4, 5, 42, 134, 17000, 42161, 421614, 560048, 11155111";
const WITH_POCO: RawConfig = { ...VALID, chain: { name: "home", networkId: 17, stepDuration: 2, accounts: { [ADMIN]: "1" } }, poco: { admin: ADMIN } };
const BRIDGED: RawConfig = { ...WITH_POCO, foreign: { local: { chainId: 18 } }, bridge: { requiredSignatures: 1 } };

function issuesOf(raw: RawConfig, context: ParseContext = {}): readonly string[] {
    try {
        parseConfig(raw, { pocoAdminKey: true, ...context });
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues;
    }
    throw new Error("expected a ConfigError");
}

const withChain = (chain: Record<string, unknown>, base: RawConfig = VALID): RawConfig => ({ ...base, chain: { ...(base.chain as object), ...chain } });

describe("unknown keys of the consortium namespace are refused, with the known keys and the closest one", () => {
    test.each<[string, RawConfig, string]>([
        ["a misspelt top-level key", { ...VALID, permisioning: { admins: [ADMIN] } }, `consortium:permisioning is not a known key; ${ALLOWED_TOP_LEVEL}; did you mean permissioning?`],
        ["a transposition", { ...VALID, birdge: {} }, `consortium:birdge is not a known key; ${ALLOWED_TOP_LEVEL}; did you mean bridge?`],
        ["a wrong case", { ...VALID, ExternalAuthorities: [] }, `consortium:ExternalAuthorities is not a known key; ${ALLOWED_TOP_LEVEL}; did you mean externalAuthorities?`],
        ["a misspelt secret", { ...VALID, pocoAdminkey: "x" }, `consortium:pocoAdminkey is not a known key; ${ALLOWED_TOP_LEVEL}; did you mean pocoAdminKey?`],
        ["a key like no other", { ...VALID, colour: "blue" }, `consortium:colour is not a known key; ${ALLOWED_TOP_LEVEL}`],
        [
            "a path set without --path",
            { ...VALID, "chain.name": "x" },
            `consortium:chain.name is not a known key; ${ALLOWED_TOP_LEVEL}; it looks like a path inside chain: set it with pulumi config set --path 'consortium:chain.name' <value>`,
        ],
        [
            "a misspelt nested key",
            withChain({ stepDuraton: 2 }),
            "consortium:chain.stepDuraton is not a known key; allowed keys of chain: name, networkId, chainId, stepDuration, gasLimit, accounts, validatorSets, precompilesFromBlock, publicChainIdAcknowledged; did you mean stepDuration?",
        ],
    ])("%s", (_what, raw, message) => {
        expect(issuesOf(raw)).toContain(message);
    });

    test("the secrets are known keys: present in the raw config, they count as set and their value is never read", () => {
        expect(() => parseConfig({ ...WITH_POCO, pocoAdminKey: { not: "parsed" } })).not.toThrow();
        expect(() => parseConfig({ ...WITH_POCO, foreignDeployerKey: "x", pocoAdminKey: "x" })).not.toThrow();
    });

    test("a secret stored in plain text is refused without printing it", () => {
        const issues = issuesOf(WITH_POCO, { plaintextSecrets: ["pocoAdminKey"] });
        expect(issues).toEqual([
            "consortium:pocoAdminKey is stored in plain text in the stack file: pulumi config rm pocoAdminKey, then pulumi config set --secret pocoAdminKey <value> (and replace the key if the file left your machine)",
        ]);
    });

    test("suggestions: within edit distance 2, transpositions count once, the closest wins", () => {
        expect(editDistance("permisioning", "permissioning")).toBe(1);
        expect(editDistance("cahin", "chain")).toBe(1);
        expect(editDistance("rpc", "poco")).toBeGreaterThan(2);
        expect(closestKey("authorites", KNOWN_KEYS)).toBe("authorities");
        expect(closestKey("proect", KNOWN_KEYS)).toBe("protect");
        expect(closestKey("dockr", KNOWN_KEYS)).toBe("docker");
        expect(closestKey("validators", KNOWN_KEYS)).toBeUndefined();
    });

    describe("loadConfig reads the whole config map", () => {
        async function runWith(values: Record<string, unknown>, secretKeys: string[] = [], program: "runProgram" | "loadConfig" = "runProgram") {
            const registrations = await installMocks();
            useConfig(
                {
                    "consortium:platform": "docker",
                    "consortium:chain": { name: "x", networkId: 17, stepDuration: 2 },
                    "consortium:authorities": [{ name: "a1" }],
                    "pulumi:disable-default-providers": ["docker", "kubernetes", "random"],
                    "kubernetes:context": "elsewhere",
                    "random:anything": "1",
                    ...values,
                },
                secretKeys,
            );
            const { runProgram } = await import("../../components/program");
            const { loadConfig } = await import("../../components/config");
            let message = "";
            try {
                if (program === "runProgram") runProgram();
                else loadConfig();
            } catch (error) {
                message = (error as Error).message;
            }
            await settle();
            return { message, registrations };
        }

        test("a misspelt key stops the program before any resource; other namespaces are not ours", async () => {
            const { message, registrations } = await runWith({ "consortium:permisioning": { admins: [ADMIN] } });
            expect(message).toBe(`Invalid stack configuration:\n  - consortium:permisioning is not a known key; ${ALLOWED_TOP_LEVEL}; did you mean permissioning?`);
            expect(registrations).toEqual([]);
        });

        test("a secret set without --secret is refused, and not printed", async () => {
            const { message, registrations } = await runWith({ "consortium:poco": { admin: ADMIN }, "consortium:chain": { name: "x", networkId: 17, stepDuration: 2, accounts: { [ADMIN]: "1" } }, "consortium:pocoAdminKey": KEY });
            expect(message).toContain("consortium:pocoAdminKey is stored in plain text in the stack file");
            expect(message).not.toContain(KEY.slice(2));
            expect(registrations).toEqual([]);
        });

        test("the same secret set with --secret is accepted", async () => {
            const { message } = await runWith({ "consortium:poco": { admin: ADMIN }, "consortium:chain": { name: "x", networkId: 17, stepDuration: 2, accounts: { [ADMIN]: "1" } }, "consortium:pocoAdminKey": KEY }, ["consortium:pocoAdminKey"], "loadConfig");
            expect(message).toBe("");
        });
    });
});

describe("no message echoes a value that looks like a private key or a mnemonic", () => {
    const redacted = (key: string, rule: string) => `consortium:${key} ${rule} (got ${REDACTED_PRIVATE_KEY})`;
    const ADDRESS_RULE = "must be a 20-byte hex address starting with 0x";
    test.each<[string, RawConfig, string]>([
        ["a key as poco.admin", { ...WITH_POCO, poco: { admin: KEY } }, redacted("poco.admin", ADDRESS_RULE)],
        ["a key without 0x as an external authority's address", { ...VALID, externalAuthorities: [{ ...EXTERNAL, address: KEY.slice(2) }] }, redacted("externalAuthorities[0].address", ADDRESS_RULE)],
        ["a key as bridge.owner", { ...BRIDGED, bridge: { owner: KEY } }, redacted("bridge.owner", ADDRESS_RULE)],
        ["a key in a permissioning address list", { ...VALID, permissioning: { transactors: [OTHER, KEY] } }, redacted("permissioning.transactors[1]", ADDRESS_RULE)],
        ["a key instead of a permissioning list", { ...VALID, permissioning: { admins: KEY } }, redacted("permissioning.admins", "must be a list of addresses")],
        ["an uppercase key as a bridge validator's address", { ...BRIDGED, bridge: { validators: [{ name: "v1" }, { name: "v2", address: KEY.toUpperCase().replace("0X", "0x") }] } }, redacted("bridge.validators[1].address", ADDRESS_RULE)],
        ["a key as an RPC method", { ...VALID, rpc: { methods: [KEY] } }, `consortium:rpc.methods names ${REDACTED_PRIVATE_KEY}, not a method this program serves; known methods: ${KNOWN_METHODS.join(", ")}`],
        ["a key inside a URL", { ...WITH_POCO, poco: { admin: ADMIN, rpcUrl: `https://node.example/${KEY.slice(2)} ` } }, redacted("poco.rpcUrl", "must be an http(s) or ws(s) URL")],
        ["a key as a validator set member", withChain({ validatorSets: [{ fromBlock: 0, validators: ["a1", "a2", KEY] }] }), `consortium:chain.validatorSets[0].validators names ${REDACTED_PRIVATE_KEY}, which is not in authorities or externalAuthorities`],
        ["a key deep in a value that would be shortened", { ...VALID, externalAuthorities: { padding: "x".repeat(70), key: KEY } }, "consortium:externalAuthorities must be a list of { name, address, enode, allowFrom? } (got <redacted: looks like a private key>)"],
        ["a mnemonic as an RPC method", { ...VALID, rpc: { methods: [MNEMONIC] } }, `consortium:rpc.methods names ${REDACTED_MNEMONIC}, not a method this program serves; known methods: ${KNOWN_METHODS.join(", ")}`],
        ["a mnemonic as a reader", { ...VALID, permissioning: { rpc: { readers: [MNEMONIC] } } }, `consortium:permissioning.rpc.readers ${REDACTED_MNEMONIC} must be a DNS label: lowercase letters, digits and '-', starting with a letter and not ending with '-'`],
    ])("%s", (_what, raw, message) => {
        const issues = issuesOf(raw);
        expect(issues).toContain(message);
        expect(issues.join("\n")).not.toContain(KEY.slice(2, 30).toLowerCase());
        expect(issues.join("\n")).not.toContain("abandon ability");
    });

    test("a key used as a map key or an unknown key name is not printed either", () => {
        expect(issuesOf(withChain({ accounts: { [KEY]: "1" } }))).toContain(`consortium:chain.accounts.${REDACTED_PRIVATE_KEY} ${ADDRESS_RULE} (got ${REDACTED_PRIVATE_KEY})`);
        expect(issuesOf({ ...VALID, [KEY]: "oops" })).toContain(`consortium:${REDACTED_PRIVATE_KEY} is not a known key; ${ALLOWED_TOP_LEVEL}`);
        expect(issuesOf(withChain({ [KEY.slice(2)]: 1 }))[0]).toMatch(/^consortium:chain\.<redacted: looks like a private key> is not a known key/);
    });

    test("a ConfigError built anywhere scrubs 64-hex runs; ordinary values are still quoted", () => {
        expect(new ConfigError([`something ${KEY} happened`]).message).toBe(`Invalid stack configuration:\n  - something 0x${REDACTED_PRIVATE_KEY} happened`);
        expect(issuesOf({ ...WITH_POCO, poco: { admin: "0x1234" } })).toContain("consortium:poco.admin must be a 20-byte hex address starting with 0x (got '0x1234')");
    });

    test("what looks like a secret", () => {
        expect(secretPlaceholder(KEY)).toBe(REDACTED_PRIVATE_KEY);
        expect(secretPlaceholder(`enode://${NODE_ID}@host:30303`)).toBe(REDACTED_PRIVATE_KEY);
        expect(secretPlaceholder("0x" + "a".repeat(63))).toBeUndefined();
        expect(secretPlaceholder(MNEMONIC)).toBe(REDACTED_MNEMONIC);
        expect(secretPlaceholder(`${MNEMONIC} ${MNEMONIC}`)).toBe(REDACTED_MNEMONIC);
        expect(secretPlaceholder("eleven words are not yet a mnemonic phrase at all okay")).toBeUndefined();
        expect(secretPlaceholder("https://nfts-metadata.iex.ec")).toBeUndefined();
    });
});

describe("platform object names cannot collide", () => {
    test.each<[string, RawConfig, ParseContext, string]>([
        [
            "an authority named like another's headless Service (Kubernetes)",
            { ...KUBERNETES, authorities: [{ name: "acme-1" }, { name: "acme-1-pods" }] },
            {},
            "consortium:authorities[1].name 'acme-1-pods' and authorities[0].name 'acme-1' both make the Kubernetes Service 'acme-1-pods' (the first's peer Service, the second's headless governing Service); platform object names must be unique: rename one of them",
        ],
        [
            "the local foreign chain's authority named like a home authority's headless Service (Kubernetes)",
            { ...KUBERNETES, ...BRIDGED, platform: "kubernetes", foreign: { local: { chainId: 18, authority: "a1-pods" } } },
            {},
            "consortium:foreign.local.authority 'a1-pods' and authorities[0].name 'a1' both make the Kubernetes Service 'a1-pods' (the first's peer Service, the second's headless governing Service); platform object names must be unique: rename one of them",
        ],
        [
            "an authority named like the stack's RPC Service (Kubernetes, stack acme)",
            { ...KUBERNETES, authorities: [{ name: "acme-rpc" }] },
            { stack: "acme" },
            "consortium:authorities[0].name 'acme-rpc' and the stack name 'acme' both make the Kubernetes Service 'acme-rpc' (the first's peer Service, the second's users' RPC Service); platform object names must be unique: rename one of them",
        ],
        [
            "an authority named like the local foreign chain's RPC Service (Kubernetes, stack acme)",
            { ...KUBERNETES, ...BRIDGED, platform: "kubernetes", authorities: [{ name: "a1" }, { name: "acme-foreign-rpc" }] },
            { stack: "acme" },
            "consortium:authorities[1].name 'acme-foreign-rpc' and the stack name 'acme' (the local foreign chain's prefix 'acme-foreign') both make the Kubernetes Service 'acme-foreign-rpc' (the first's peer Service, the second's users' RPC Service); platform object names must be unique: rename one of them",
        ],
        [
            "an authority named rpc takes the Pulumi name of the RPC Service (Kubernetes)",
            { ...KUBERNETES, authorities: [{ name: "rpc" }] },
            {},
            "consortium:authorities[0].name 'rpc' and the home chain's RPC Service both make the Pulumi resource name of a Kubernetes Service 'consortium-kubernetes-rpc' (the first's peer Service, the second's users' RPC Service); platform object names must be unique: rename one of them",
        ],
        [
            "a home authority named foreign-<the foreign chain's authority> (Docker)",
            { ...BRIDGED, authorities: [{ name: "a1" }, { name: "foreign-x" }], foreign: { local: { chainId: 18, authority: "x" } } },
            {},
            "consortium:foreign.local.authority 'x' and authorities[1].name 'foreign-x' both make the Docker container '<stack>-foreign-x' (the container of each) and the Docker volume '<stack>-foreign-x-data' (the data volume of each); platform object names must be unique: rename one of them",
        ],
    ])("%s", (_what, raw, context, message) => {
        expect(issuesOf(raw, context)).toContain(message);
    });

    test("names made from the stack name are checked only when it is known", () => {
        expect(() => parseConfig({ ...KUBERNETES, authorities: [{ name: "acme-rpc" }] })).not.toThrow();
        expect(() => parseConfig({ ...KUBERNETES, authorities: [{ name: "acme-rpc" }] }, { stack: "team" })).not.toThrow();
    });

    test("a stack name Kubernetes cannot take in object names is refused once, with the names it makes", () => {
        expect(issuesOf(KUBERNETES, { stack: "Acme_Prod" })).toEqual([
            "the stack name 'Acme_Prod' makes Kubernetes object names that Kubernetes refuses (ConfigMap 'Acme_Prod-chain', PodDisruptionBudget 'Acme_Prod-authorities', PodDisruptionBudget 'Acme_Prod-rpc-nodes', NetworkPolicy 'Acme_Prod-authority-p2p', NetworkPolicy 'Acme_Prod-node-egress', NetworkPolicy 'Acme_Prod-rpc-endpoint', Service 'Acme_Prod-rpc', NetworkPolicy 'Acme_Prod-default-deny'): " +
                "an object name is a DNS subdomain: lowercase letters, digits, '-' and '.', at most 253; a Service name is a DNS label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
        ]);
        expect(() => parseConfig(VALID, { stack: "Acme_Prod" })).not.toThrow(); // Docker takes it
    });

    test("close but distinct names pass: bridge validators x and x-request, authorities x and x-config", () => {
        const raw = { ...KUBERNETES, ...BRIDGED, platform: "kubernetes", authorities: [{ name: "x" }, { name: "x-config" }], bridge: { validators: [{ name: "x" }, { name: "x-request" }] } };
        expect(() => parseConfig(raw, { pocoAdminKey: true, stack: "acme" })).not.toThrow();
    });

    test("the duplicate-name rules are not repeated by the collision rule", () => {
        expect(issuesOf({ ...KUBERNETES, authorities: [{ name: "a1" }, { name: "a1" }] })).toEqual(["consortium:authorities names 'a1' twice; names are unique across authorities and externalAuthorities"]);
    });
});

describe("public networks' chain ids are refused unless acknowledged", () => {
    const refusal = (key: string, id: number, what: string, network: string, note: string, ack: string) =>
        `consortium:${key} ${id} is the ${what} of ${network}${note}, a public network: transactions signed for one chain are valid on the other (EIP-155) and wallets take one for the other; ` +
        `choose an id no public network uses (${PUBLIC_IDS}), or set ${ack}: true if this is deliberate`;

    test.each<[string, RawConfig, string]>([
        ["mainnet as network id (chain id defaulting to it)", withChain({ networkId: 1 }), refusal("chain.networkId", 1, "network id", "Ethereum mainnet", " (chain.chainId defaults to it)", "chain.publicChainIdAcknowledged")],
        ["Sepolia as chain id", withChain({ chainId: 11155111 }), refusal("chain.chainId", 11155111, "chain id", "Sepolia", "", "chain.publicChainIdAcknowledged")],
        ["Goerli as network id with a private chain id", withChain({ networkId: 5, chainId: 77 }), refusal("chain.networkId", 5, "network id", "Goerli", "", "chain.publicChainIdAcknowledged")],
        ["Bellecour", withChain({ networkId: 134 }), refusal("chain.networkId", 134, "network id", "iExec Bellecour", " (chain.chainId defaults to it)", "chain.publicChainIdAcknowledged")],
        ["Hoodi", withChain({ chainId: 560048 }), refusal("chain.chainId", 560048, "chain id", "Hoodi", "", "chain.publicChainIdAcknowledged")],
        ["Arbitrum Sepolia", withChain({ chainId: 421614 }), refusal("chain.chainId", 421614, "chain id", "Arbitrum Sepolia", "", "chain.publicChainIdAcknowledged")],
        ["mainnet as the local foreign chain", { ...BRIDGED, foreign: { local: { chainId: 1 } } }, refusal("foreign.local.chainId", 1, "chain id", "Ethereum mainnet", " (it is also its network id)", "foreign.local.publicChainIdAcknowledged")],
        ["an acknowledgement that is not needed", withChain({ publicChainIdAcknowledged: true }), "consortium:chain.publicChainIdAcknowledged is true, but chain.networkId 17 is no public network's id: remove it, so that a later change to a public id is refused"],
        ["an acknowledgement that is not a boolean", withChain({ networkId: 1, publicChainIdAcknowledged: "yes" }), "consortium:chain.publicChainIdAcknowledged must be true or false (got 'yes')"],
    ])("%s", (_what, raw, message) => {
        expect(issuesOf(raw)).toContain(message);
    });

    test("refused only where they apply: both ids are reported, the acknowledgement accepts them, an external foreign chain is mainnet", () => {
        expect(issuesOf(withChain({ networkId: 1, chainId: 42161 }))).toHaveLength(2);
        expect(parseConfig(withChain({ networkId: 1, chainId: 5, publicChainIdAcknowledged: true })).chain).toMatchObject({ networkId: 1, chainId: 5 });
        expect(parseConfig({ ...BRIDGED, foreign: { local: { chainId: 1, publicChainIdAcknowledged: "true" } } }, { pocoAdminKey: true }).foreign).toMatchObject({ kind: "local", chainId: 1 });
        const external = parseConfig({ ...BRIDGED, foreign: { external: { rpcUrl: "https://mainnet.example", chainId: 1, token: OTHER } } }, { pocoAdminKey: true, foreignDeployerKey: true });
        expect(external.foreign).toMatchObject({ kind: "external", chainId: 1 });
        expect(parseConfig(withChain({ networkId: 2 })).chain.networkId).toBe(2);
    });
});

describe("the zero address is refused wherever an address is configured", () => {
    const zero = (key: string) => `consortium:${key} must not be the zero address ${ZERO}: nobody holds its key and no contract lives there`;
    test.each<[string, RawConfig]>([
        ["externalAuthorities[0].address", { ...VALID, externalAuthorities: [{ ...EXTERNAL, address: ZERO }] }],
        [`chain.accounts.${ZERO}`, withChain({ accounts: { [ZERO]: "1" } })],
        ["poco.admin", { ...WITH_POCO, poco: { admin: ZERO } }],
        ["poco.rlcAddress", { ...WITH_POCO, poco: { admin: ADMIN, rlcAddress: ZERO } }],
        ["foreign.external.token", { ...BRIDGED, foreign: { external: { rpcUrl: "https://x.example", chainId: 1, token: ZERO } } }],
        ["bridge.owner", { ...BRIDGED, bridge: { owner: ZERO } }],
        ["bridge.validators[1].address", { ...BRIDGED, bridge: { validators: [{ name: "v1" }, { name: "v2", address: ZERO }] } }],
        ["permissioning.senders[0]", { ...VALID, permissioning: { senders: [ZERO] } }],
        ["permissioning.bridgeUsers[0]", { ...BRIDGED, permissioning: { bridgeUsers: [ZERO] } }],
    ])("%s", (key, raw) => {
        expect(issuesOf(raw, { foreignDeployerKey: true })).toContain(zero(key));
    });
});

describe("a validator holds no other role", () => {
    const conflict = (index: number, roles: string) =>
        `consortium:externalAuthorities[${index}].address ${EXTERNAL.address} is a validator and also ${roles}: a validator's key seals blocks and lives only on its member's node; give that role its own account (funding a validator in chain.accounts is fine)`;
    const withExternal = (raw: RawConfig): RawConfig => ({ ...raw, externalAuthorities: [EXTERNAL] });
    test.each<[string, RawConfig, string]>([
        ["poco.admin", withExternal({ ...WITH_POCO, chain: { name: "home", networkId: 17, stepDuration: 2, accounts: { [EXTERNAL.address]: "1" } }, poco: { admin: EXTERNAL.address } }), "poco.admin"],
        ["bridge.owner", withExternal({ ...BRIDGED, bridge: { owner: EXTERNAL.address } }), "bridge.owner"],
        ["a bridge validator run by another member", withExternal({ ...BRIDGED, bridge: { validators: [{ name: "v1" }, { name: "v2", address: EXTERNAL.address }] } }), "bridge.validators[1].address"],
        ["permissioning lists", withExternal({ ...VALID, permissioning: { admins: [EXTERNAL.address], transactors: [OTHER, EXTERNAL.address] } }), "permissioning.admins, permissioning.transactors"],
        ["a bridge user", withExternal({ ...BRIDGED, permissioning: { bridgeUsers: [EXTERNAL.address] } }), "permissioning.bridgeUsers"],
        ["the RLC contract", withExternal({ ...WITH_POCO, poco: { admin: ADMIN, rlcAddress: EXTERNAL.address } }), "poco.rlcAddress"],
    ])("%s", (_what, raw, roles) => {
        expect(issuesOf(raw)).toContain(conflict(0, roles));
    });

    test("funding a validator in chain.accounts is no role", () => {
        expect(() => parseConfig(withChain({ accounts: { [EXTERNAL.address]: "1" } }, { ...VALID, externalAuthorities: [EXTERNAL] }))).not.toThrow();
    });
});

describe("an external enode is another member's node", () => {
    test.each<[string, RawConfig, string]>([
        [
            "the same node id as another external authority, both entries named",
            { ...VALID, externalAuthorities: [EXTERNAL, { name: "ext2", address: OTHER, enode: `enode://${NODE_ID.toUpperCase()}@other.example.org:30303` }] },
            `consortium:externalAuthorities[1].enode has node id ${NODE_ID.slice(0, 16)}..., which externalAuthorities[0] 'ext' has too: every node has its own key, so one of the two enodes was copied from the other`,
        ],
        [
            "this stack's own authority on Docker",
            { ...VALID, externalAuthorities: [{ ...EXTERNAL, enode: `enode://${OTHER_NODE_ID}@a2:30303` }] },
            "consortium:externalAuthorities[0].enode points at a2, this stack's own authorities[1] 'a2': an external authority is a node another member runs; this stack's own nodes peer with each other without being listed",
        ],
        [
            "this stack's own authority on Kubernetes, by its full Service name",
            { ...KUBERNETES, externalAuthorities: [{ ...EXTERNAL, enode: `enode://${OTHER_NODE_ID}@a1.chain.svc.cluster.local:30303` }] },
            "consortium:externalAuthorities[0].enode points at a1.chain.svc.cluster.local, this stack's own authorities[0] 'a1': an external authority is a node another member runs; this stack's own nodes peer with each other without being listed",
        ],
        [
            "the local foreign chain's authority",
            { ...BRIDGED, externalAuthorities: [{ ...EXTERNAL, enode: `enode://${OTHER_NODE_ID}@foreign-authority:30303` }] },
            "consortium:externalAuthorities[0].enode points at foreign-authority, this stack's own foreign.local.authority 'foreign-authority': an external authority is a node another member runs; this stack's own nodes peer with each other without being listed",
        ],
    ])("%s", (_what, raw, message) => {
        expect(issuesOf(raw)).toContain(message);
    });

    test("hosts that only resemble an own authority's pass", () => {
        expect(() => parseConfig({ ...VALID, externalAuthorities: [{ ...EXTERNAL, enode: `enode://${OTHER_NODE_ID}@a1.example.org:30303` }] })).not.toThrow();
        expect(() => parseConfig({ ...KUBERNETES, externalAuthorities: [{ ...EXTERNAL, enode: `enode://${OTHER_NODE_ID}@a1.other-namespace.svc:30303` }] })).not.toThrow();
    });
});
