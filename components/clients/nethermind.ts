import * as pulumi from "@pulumi/pulumi";
import { IPV4_PATTERN } from "../config/checker";
import { P2P_PORT, RPC_PORT, WS_PORT, type WorkloadSpec } from "../platform/workload";
import { nethermindModules } from "../rpcGateway/methods";
import { CONFIG_DIR, PASSWORD_PATH, SECRETS_DIR, SPEC_PATH, authorityWorkload, rpcNodeWorkload, type AuthorityNodeInput, type ClientProfile, type HealthIntervals, type RpcNodeInput } from "./profile";

const DATA_PATH = "/nethermind/nethermind_db"; // a VOLUME of the official image
/**
 * Where Nethermind keeps its keys: the signer's keystore file (an authority's) and the key ring ASP.NET DataProtection
 * writes to protect every key in memory, the node key's too (ProtectedPrivateKey with KeyStoreDirectory). Writable.
 */
const KEYSTORE_DIR = "/consortium/keystore";
/** Its log files (Init.LogDirectory; by default /nethermind/logs, in the image). */
const RUN_DIR = "/consortium/run";
const NODE_KEY_PATH = `${SECRETS_DIR}/node.key`;
const CONFIG_PATH = `${CONFIG_DIR}/nethermind.json`;

export interface NethermindConfigInput {
    readonly staticPeers: readonly string[];
    readonly onlyStaticPeers: boolean;
    /** An authority seals with this signer and serves JSON-RPC on loopback; absent: an RPC node. */
    readonly signer?: { readonly address: string; readonly healthIntervals: HealthIntervals };
    /** The address other members reach it at, when it is an IPv4 address: Nethermind then asks no IP-echo service. */
    readonly externalIp?: string;
    /** An RPC node's modules, browser origins and health interval. */
    readonly rpc?: { readonly modules: readonly string[]; readonly corsOrigins: readonly string[]; readonly healthIntervals: HealthIntervals };
}

/** An authority's JSON-RPC, on loopback for its own health check: /health only. */
const AUTHORITY_MODULES = ["Health"];
/**
 * An authority that is not in every validator set is not always expected to seal, and Nethermind takes one interval;
 * without one it would use its own AuRa hint (validators × step) and call it unhealthy. Ten years stands for never.
 */
const NEVER_SECONDS = 10 * 365 * 24 * 3600;

/**
 * Nethermind's own JSON config (flags from Nethermind's AuRa validator guide; every key checked against
 * Nethermind 1.36.0's I*Config interfaces in client-audit.md §1.1):
 * - an authority: merge off, block production on, force sealing on a private chain, the signer unlocked from the
 *   keystore with a password file; JSON-RPC on 127.0.0.1 only, for its health check;
 * - an RPC node: no block production, no keystore, JSON-RPC and WebSocket on every interface with only the modules
 *   of `rpc.methods` (Subscribe for eth_subscribe over WebSocket; never Parity, Admin, Personal, Debug or Trace);
 * both with every other node as a static peer (and, in a permissioned consortium, no discovery).
 * HealthChecks' produced/processed intervals make /health answer 503 when blocks stop
 * (HealthChecksConfig.MaxIntervalWithoutProcessedBlock/ProducedBlock). NodeHealthService (Nethermind 1.36.0) also
 * requires a peer, and an authority is healthy only while it seals: the produced time is set at start and then only
 * when this node builds a block (StandardBlockProducerRunner), which it never does with a signer that fell back to the
 * node key (NodeKeyManager.LoadSignerKey) — so such an authority turns unready one interval after it starts.
 */
export function renderNethermindConfig(input: NethermindConfigInput): string {
    const signer = input.signer;
    const config = {
        Init: {
            ChainSpecPath: SPEC_PATH,
            BaseDbPath: `${DATA_PATH}/db`,
            // Every file Nethermind writes outside /nethermind, so that it runs as a non-root user on a read-only root:
            // static and trusted node lists are created at start if missing (NodesManager.EnsureFile), under /nethermind
            // by default (DiscoveryModule, GetApplicationResourcePath).
            LogDirectory: `${RUN_DIR}/logs`,
            StaticNodesPath: `${DATA_PATH}/static-nodes.json`,
            TrustedNodesPath: `${DATA_PATH}/trusted-nodes.json`,
            ...(input.onlyStaticPeers ? { DiscoveryEnabled: false } : {}),
        },
        Mining: { Enabled: signer !== undefined },
        Merge: { Enabled: false },
        ...(signer ? { Aura: { ForceSealing: true, AllowAuRaPrivateChains: true } } : {}),
        KeyStore: {
            KeyStoreDirectory: KEYSTORE_DIR,
            ...(signer ? { UnlockAccounts: [signer.address], PasswordFiles: [PASSWORD_PATH], BlockAuthorAccount: signer.address } : {}),
            EnodeKeyFile: NODE_KEY_PATH,
        },
        Network: {
            P2PPort: P2P_PORT,
            DiscoveryPort: P2P_PORT,
            StaticPeers: input.staticPeers.join(","),
            ...(input.onlyStaticPeers ? { OnlyStaticPeers: true } : {}),
            // INetworkConfig.ExternalIp: set, the node does not call public IP-echo services at start (IPResolver.cs).
            ...(input.externalIp ? { ExternalIp: input.externalIp } : {}),
        },
        Sync: { FastSync: false, SnapSync: false },
        JsonRpc: signer
            ? { Enabled: true, Host: "127.0.0.1", Port: RPC_PORT, EnabledModules: AUTHORITY_MODULES }
            : { Enabled: true, Host: "0.0.0.0", Port: RPC_PORT, WebSocketsPort: WS_PORT, EnabledModules: [...input.rpc!.modules], CorsOrigins: [...input.rpc!.corsOrigins] },
        HealthChecks: {
            Enabled: true,
            MaxIntervalWithoutProcessedBlock: (signer ?? input.rpc!).healthIntervals.processed,
            ...(signer ? { MaxIntervalWithoutProducedBlock: signer.healthIntervals.produced ?? NEVER_SECONDS } : {}),
        },
    };
    return `${JSON.stringify(config, null, 2)}\n`;
}

/** Readiness: Nethermind's /health answers 200 (bash's /dev/tcp: the image has bash, no curl or wget). */
const HEALTH_PROBE = [
    "bash",
    "-c",
    `exec 3<>/dev/tcp/127.0.0.1/${RPC_PORT} && printf 'GET /health HTTP/1.0\\r\\nHost: 127.0.0.1:${RPC_PORT}\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ "$status" == *" 200 "* ]]`,
];

const LAYOUT = {
    configPath: CONFIG_PATH,
    // Nethermind reads the node key file as raw bytes, not hex text.
    nodeKey: { path: NODE_KEY_PATH, encoding: "raw" as const },
    dataPath: DATA_PATH,
    readinessProbe: () => HEALTH_PROBE,
    // The image runs as root; on Kubernetes it runs as the user its ASP.NET base image defines (app, APP_UID 1654,
    // dotnet-docker runtime-deps noble), the root filesystem read-only: it writes its volume, its keys folder, its logs
    // and /tmp (DataProtection's temporary files, bad-block dumps, the .NET diagnostics socket).
    kubernetesRunAs: { uid: 1654, gid: 1654 },
    scratchPaths: [KEYSTORE_DIR, RUN_DIR, "/tmp"],
    executable: "/nethermind/nethermind",
    shell: "/bin/sh",
};

/**
 * Without Network.ExternalIp Nethermind asks public IP-echo services for its address at start (IPResolver.cs: the
 * configured address first, then icanhazip.com, ipify.org, ...), which the egress policies refuse: a node that
 * advertises no IPv4 `p2p.host` is given its container address instead.
 */
const EXTERNAL_IP_FLAG = "--Network.ExternalIp";
/** Whether the start script gives the node its address: not when configured, nor when client.extraArgs already does. */
const givenOwnAddress = (input: { readonly extraArgs: readonly string[] }) =>
    input.extraArgs.some((arg) => arg.toLowerCase().startsWith(EXTERNAL_IP_FLAG.toLowerCase())) ? {} : { ownAddressFlag: EXTERNAL_IP_FLAG };
const advertisedIp = (input: AuthorityNodeInput) => (input.p2p && IPV4_PATTERN.test(input.p2p.host) ? input.p2p.host : undefined);

const configFile = (content: pulumi.Input<string>) => ({ key: "nethermind.json", path: CONFIG_PATH, content, encoding: "utf8" as const, kind: "config" as const });

export const nethermindProfile: ClientProfile = {
    kind: "nethermind",
    authorityWorkload(input: AuthorityNodeInput): WorkloadSpec {
        const content = pulumi.all([input.address, input.staticPeers]).apply(([address, staticPeers]) =>
            renderNethermindConfig({
                staticPeers,
                onlyStaticPeers: input.onlyStaticPeers,
                signer: { address, healthIntervals: input.healthIntervals },
                ...(advertisedIp(input) ? { externalIp: advertisedIp(input) } : {}),
            }),
        );
        return authorityWorkload(input, { ...LAYOUT, keystoreDir: KEYSTORE_DIR, configFiles: [configFile(content)], ...(advertisedIp(input) ? {} : givenOwnAddress(input)) });
    },
    rpcNodeWorkload(input: RpcNodeInput): WorkloadSpec {
        const content = pulumi.output(input.staticPeers).apply((staticPeers) =>
            renderNethermindConfig({ staticPeers, onlyStaticPeers: input.onlyStaticPeers, rpc: { modules: nethermindModules(input.methods), corsOrigins: input.corsOrigins, healthIntervals: input.healthIntervals } }),
        );
        return rpcNodeWorkload(input, { ...LAYOUT, configFiles: [configFile(content)], ...givenOwnAddress(input) });
    },
};
