import fc from "fast-check";
import { wordlists } from "ethers";
import { ConfigError, parseConfig, type ParseContext, type RawConfig } from "../../components/config";

/**
 * Property: whatever string field of the config a private key (or a mnemonic) is pasted into, alone
 * or inside other text, no error message contains it: no run of 64 hex digits, no piece of the key.
 */

const ADMIN = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const EXTERNAL = "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb";
const OTHER = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94";
const OWNER = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69";

/** Every section set, with a string wherever the config takes one. */
const BASE = {
    platform: "kubernetes",
    docker: { host: "unix:///var/run/docker.sock" },
    kubernetes: { namespace: "chain", context: "ctx", storageClassName: "ssd", storageSize: "10Gi", cpu: "500m", memory: "1Gi" },
    chain: {
        name: "home",
        networkId: "17",
        chainId: "17",
        stepDuration: "2",
        gasLimit: "40000000",
        accounts: { [ADMIN]: "1000", [EXTERNAL]: "5" },
        validatorSets: [{ fromBlock: 0, validators: ["a1", "a2", "ext"] }],
    },
    authorities: [{ name: "a1", org: "acme" }, { name: "a2", org: "globex" }],
    externalAuthorities: [{ name: "ext", address: EXTERNAL, enode: `enode://${"ab".repeat(64)}@peer.example.org:30303`, allowFrom: ["203.0.113.7/32"] }],
    client: { kind: "nethermind", image: "nethermind/nethermind:1.36.1", extraArgs: ["--Metrics.Enabled=false"] },
    rpc: {
        nodes: 1,
        corsOrigins: ["https://app.example"],
        docker: { bindAddress: "127.0.0.1", hostPort: "8545", wsHostPort: "8546" },
        kubernetes: { serviceType: "ClusterIP", ingress: { host: "rpc.example", className: "nginx", tlsSecretName: "rpc-tls" } },
    },
    keystore: { passwordLength: "24" },
    protect: "true",
    poco: { admin: ADMIN, rlcAddress: OWNER, metadataBaseURI: "https://nfts.example", rpcUrl: "https://rpc.example", categories: [{ name: "S", description: "{}", workClockTimeRef: "1200" }] },
    foreign: { local: { chainId: "18", authority: "foreign-authority", rpcUrl: "http://foreign.example" } },
    bridge: {
        validators: [{ name: "v1" }, { name: "v2", address: OTHER }],
        requiredSignatures: "1",
        owner: OWNER,
        token: { name: "Token", symbol: "TKN", decimals: "9" },
        home: { dailyLimit: "1000", maxPerTx: "100", minPerTx: "1", gasPriceGwei: "1" },
        foreign: { dailyLimit: "1000", maxPerTx: "100", minPerTx: "1", gasPriceGwei: "1" },
        images: { oracle: "poanetwork/tokenbridge-oracle:2.7.0-rc0" },
        funding: { home: "10", foreign: "1" },
        ui: { image: "registry.example/ui:1", ingressHost: "bridge.example", title: "Bridge" },
    },
    permissioning: {
        admins: [ADMIN],
        deployers: [OWNER],
        transactors: [OTHER],
        senders: [ADMIN],
        bridgeUsers: [OTHER],
        rpc: { access: "gateway", readers: ["acme", "globex"], image: "nginx:1.27.3-alpine" },
    },
};

type Path = readonly (string | number)[];

/** The path of every string in BASE (map keys such as chain.accounts' addresses are not values, see KEY_PATHS). */
function stringPaths(value: unknown, path: Path = []): Path[] {
    if (typeof value === "string") return [path];
    if (Array.isArray(value)) return value.flatMap((item, index) => stringPaths(item, [...path, index]));
    if (value && typeof value === "object") return Object.entries(value).flatMap(([key, inner]) => stringPaths(inner, [...path, key]));
    return [];
}
const VALUE_PATHS = stringPaths(BASE);
/** Objects whose keys a pasted secret may take: the top level (an unknown key), a section (an unknown field), a map of addresses. */
const KEY_PATHS: Path[] = [[], ["chain"], ["chain", "accounts"], ["bridge", "ui"], ["permissioning", "rpc"], ["authorities", 0]];

function withValue(path: Path, value: unknown): RawConfig {
    const copy = structuredClone(BASE) as Record<string | number, any>;
    let node = copy;
    for (const segment of path.slice(0, -1)) node = node[segment];
    node[path[path.length - 1]] = value;
    return copy;
}

function withKey(path: Path, key: string): RawConfig {
    const copy = structuredClone(BASE) as Record<string | number, any>;
    let node = copy;
    for (const segment of path) node = node[segment];
    node[key] = "1";
    return copy;
}

function messageOf(raw: RawConfig, context: ParseContext): string | undefined {
    try {
        parseConfig(raw, context);
        return undefined;
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
    }
}

const privateKey = fc
    .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), fc.constantFrom("lower", "upper", "mixed"))
    .map(([bytes, prefixed, casing]) => {
        let hex = Buffer.from(bytes).toString("hex");
        if (casing === "upper") hex = hex.toUpperCase();
        if (casing === "mixed") hex = [...hex].map((char, index) => (index % 3 === 0 ? char.toUpperCase() : char)).join("");
        return { hex: hex.toLowerCase(), text: prefixed ? `0x${hex}` : hex };
    });
/** Text around the pasted key: nothing, a URL, spaces, a quote, anything. */
const surrounding = fc.oneof(fc.constant(""), fc.constantFrom("https://node.example/", " ", "'", "key=", "\n"), fc.string({ maxLength: 12 }));
const context = fc.record({ pocoAdminKey: fc.boolean(), foreignDeployerKey: fc.boolean(), stack: fc.constantFrom(undefined, "acme", "Acme_Prod") }).map(
    ({ stack, ...secrets }): ParseContext => ({ ...secrets, ...(stack ? { stack } : {}) }),
);
const platform = fc.constantFrom("kubernetes", "docker");

/** Pieces of the key that a message must not hold either (a shortened quote would leak a prefix). */
const pieces = (hex: string) => Array.from({ length: hex.length - 19 }, (_, index) => hex.slice(index, index + 20));

describe("no error message ever contains a pasted private key", () => {
    test("the unchanged base config is valid, so that every message below comes from the pasted value", () => {
        expect(() => parseConfig(BASE, { pocoAdminKey: true, stack: "acme" })).not.toThrow();
        expect(() => parseConfig({ ...BASE, platform: "docker" }, { pocoAdminKey: true, stack: "acme" })).not.toThrow();
        expect(VALUE_PATHS.length).toBeGreaterThan(60);
    });

    test("in any string field, or as a key, alone, in a list or inside other text", () => {
        fc.assert(
            fc.property(
                privateKey,
                fc.oneof(
                    fc.record({ where: fc.constant("value" as const), path: fc.constantFrom(...VALUE_PATHS), before: surrounding, after: surrounding, inList: fc.boolean() }),
                    fc.record({ where: fc.constant("key" as const), path: fc.constantFrom(...KEY_PATHS), before: surrounding, after: surrounding, inList: fc.constant(false) }),
                ),
                context,
                platform,
                (key, placement, parseContext, platformKind) => {
                    const text = `${placement.before}${key.text}${placement.after}`;
                    const raw = placement.where === "value" ? withValue(placement.path, placement.inList ? [text] : text) : withKey(placement.path, text);
                    if (!(placement.where === "value" && placement.path[0] === "platform")) raw.platform = platformKind;
                    const message = messageOf(raw, parseContext);
                    if (message === undefined) return;
                    expect(message).not.toMatch(/[0-9a-fA-F]{64}/);
                    const lower = message.toLowerCase();
                    for (const piece of pieces(key.hex)) expect(lower).not.toContain(piece);
                },
            ),
            { numRuns: 400 },
        );
    });

    test("several keys in several fields at once", () => {
        fc.assert(
            fc.property(fc.array(fc.tuple(privateKey, fc.constantFrom(...VALUE_PATHS)), { minLength: 2, maxLength: 5 }), context, (placements, parseContext) => {
                let raw: RawConfig = BASE;
                for (const [key, path] of placements) {
                    const copy = raw;
                    raw = ((): RawConfig => {
                        const next = structuredClone(copy) as Record<string | number, any>;
                        let node = next;
                        for (const segment of path.slice(0, -1)) node = node[segment];
                        if (node && typeof node === "object") node[path[path.length - 1]] = key.text;
                        return next;
                    })();
                }
                const message = messageOf(raw, parseContext);
                if (message === undefined) return;
                expect(message).not.toMatch(/[0-9a-fA-F]{64}/);
            }),
            { numRuns: 200 },
        );
    });

    test("a 12- or 24-word mnemonic in any string field is not quoted", () => {
        const words = fc.array(fc.integer({ min: 0, max: 2047 }), { minLength: 12, maxLength: 12 }).chain((first) =>
            fc.constantFrom(12, 24).chain((count) => fc.array(fc.integer({ min: 0, max: 2047 }), { minLength: count - 12, maxLength: count - 12 }).map((rest) => [...first, ...rest].map((index) => wordlists.en.getWord(index)))),
        );
        fc.assert(
            fc.property(words, fc.constantFrom(...VALUE_PATHS), fc.constantFrom("", " ", "\n"), context, (phrase, path, separator, parseContext) => {
                const message = messageOf(withValue(path, `${separator}${phrase.join(" ")}`), parseContext);
                if (message === undefined) return;
                expect(message).not.toContain(phrase.slice(0, 3).join(" "));
                expect(message).not.toContain(phrase.slice(-3).join(" "));
            }),
            { numRuns: 200 },
        );
    });
});
