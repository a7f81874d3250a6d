import * as pulumi from "@pulumi/pulumi";
import type { AdvertisedP2p, ClientKind } from "../chain/config";
import { P2P_PORT, P2P_PORTS, RPC_NODE_PORTS, SECRETS_DIR, type WorkloadFile, type WorkloadPort, type WorkloadSpec } from "../platform/workload";
import { AUTHORITY_COMPONENT, RPC_NODE_COMPONENT } from "../platform/naming";

export { SECRETS_DIR };

/** What every node of the chain needs, authority or RPC node. */
export interface NodeInput {
    readonly name: string;
    /** The spec's `name`; Parity and OpenEthereum look for keys in a folder of that name. */
    readonly chainName: string;
    /** Enode URLs of every other node, own and external (one input: joining N lists of N inputs is N²). */
    readonly staticPeers: pulumi.Input<readonly string[]>;
    /** Accept connections only from the static peers, and find no others (a permissioned consortium). */
    readonly onlyStaticPeers: boolean;
    readonly image: string;
    readonly extraArgs: readonly string[];
    readonly specJson: pulumi.Input<string>;
    /** 0x-prefixed 32-byte devp2p key. */
    readonly nodeKey: pulumi.Input<string>;
    readonly resources: { readonly cpu: string; readonly memory: string };
    /**
     * DNS names of the other nodes this stack runs. Clients resolve peer names once, at start,
     * and Nethermind exits on a name that does not resolve yet (a Docker container whose peer is not
     * running); the node waits for them, for a bounded time, before the client starts.
     */
    readonly waitForHosts: readonly string[];
}

/** An authority: it seals blocks with its signer key, and serves JSON-RPC on loopback only, for its own health checks. */
export interface AuthorityNodeInput extends NodeInput {
    readonly address: pulumi.Input<string>;
    /** Published for other members (authorities[].p2p). */
    readonly p2p?: AdvertisedP2p;
    readonly healthIntervals: HealthIntervals;
    readonly keys: {
        readonly keystoreFileName: pulumi.Input<string>;
        readonly keystoreJson: pulumi.Input<string>;
        readonly password: pulumi.Input<string>;
    };
}

/** When a node stops being ready: seconds without a processed block and, for a sealing authority, without one of its own. */
export interface HealthIntervals {
    readonly processed: number;
    /** For a client that can only take one interval (Nethermind): set when the authority seals in every validator set. */
    readonly produced?: number;
    /**
     * Per validator set (from its first block): how many of the latest blocks, no older than how many seconds, hold one
     * the authority sealed (three turns of the set); 0 blocks under a set it is not in, where it is not expected to seal.
     */
    readonly turns?: readonly { readonly fromBlock: number; readonly blocks: number; readonly seconds: number }[];
}

/** What a node's readiness probe checks: an authority seals as its configured signer; an RPC node follows the chain. */
export type ReadinessTarget =
    | { readonly role: "authority"; readonly address: pulumi.Input<string>; readonly intervals: HealthIntervals }
    | { readonly role: "rpc-node"; readonly intervals: HealthIntervals };

/** An RPC node: a full node with no signer key that serves the allowed methods to users, the gateway and services. */
export interface RpcNodeInput extends NodeInput {
    readonly healthIntervals: HealthIntervals;
    readonly methods: readonly string[];
    readonly corsOrigins: readonly string[];
    /** This node's RPC ports are the users' endpoint (no gateway in front). */
    readonly publicEndpoint: boolean;
}

export interface ClientProfile {
    readonly kind: ClientKind;
    authorityWorkload(input: AuthorityNodeInput): WorkloadSpec;
    rpcNodeWorkload(input: RpcNodeInput): WorkloadSpec;
}

/** Paths shared by every profile. */
export const SPEC_PATH = "/consortium/chain/spec.json";
export const CONFIG_DIR = "/consortium/config";
export const PASSWORD_PATH = `${SECRETS_DIR}/password`;

/** What distinguishes one client's authority workload from another's. */
export interface AuthorityLayout {
    /** The client's own configuration file, passed as `--config`. */
    readonly configPath: string;
    /** That file and any other non-secret per-node file. */
    readonly configFiles: readonly WorkloadFile[];
    /** Folder the client searches for the signer's keystore; absent on an RPC node, which has none. */
    readonly keystoreDir?: pulumi.Input<string>;
    /** Where and how (raw bytes or hex text) the client reads its devp2p key. */
    readonly nodeKey: { readonly path: string; readonly encoding: "raw" | "hex" };
    readonly dataPath: string;
    /** Where Docker mounts the data volume when it is not dataPath (see ParityFamilyTraits). */
    readonly dockerVolumePath?: string;
    readonly runAs?: { readonly uid: number; readonly gid: number };
    /** A flag the client is given its own address with at start, when nothing else names it. */
    readonly ownAddressFlag?: string;
    /** See WorkloadSpec: a non-root user on Kubernetes for an image that runs as root, and the folders it writes. */
    readonly kubernetesRunAs?: { readonly uid: number; readonly gid: number };
    readonly scratchPaths?: readonly string[];
    /** A command run in the container, over loopback, that succeeds when the node is ready. */
    readonly readinessProbe: (target: ReadinessTarget) => readonly pulumi.Input<string>[];
    /** The client executable (the image's own entrypoint) and a POSIX shell the image ships. */
    readonly executable: string;
    readonly shell: string;
}

/** Seconds a node waits for its peers' names to resolve before starting its client anyway. */
export const PEER_WAIT_SECONDS = 180;

/** A POSIX sh script that waits until `hosts` resolve (or the deadline passes), then execs the client with its arguments. */
export function waitThenExec(hosts: readonly string[], executable: string, seconds = PEER_WAIT_SECONDS, ownAddressFlag?: string): string {
    for (const host of hosts) {
        if (!/^[a-z0-9.-]+$/.test(host)) throw new Error(`refusing to put host name '${host}' in a shell script`);
    }
    if (ownAddressFlag !== undefined && !/^--[A-Za-z.]+$/.test(ownAddressFlag)) throw new Error(`refusing '${ownAddressFlag}' as a flag`);
    return [
        ...(hosts.length > 0
            ? [
                  `deadline=$(( $(date +%s) + ${seconds} ))`,
                  `for host in ${hosts.join(" ")}; do`,
                  `  until getent hosts "$host" >/dev/null 2>&1 || [ "$(date +%s)" -ge "$deadline" ]; do sleep 2; done`,
                  "done",
              ]
            : []),
        ...(ownAddressFlag
            ? [
                  // The container's own IPv4 address, as its /etc/hosts names it (Docker and Kubernetes both write it there).
                  `first() { echo "$1"; }`,
                  `own=$(first $(getent ahostsv4 "$(cat /etc/hostname)"))`,
                  `[ -n "$own" ] && exec ${executable} "$@" ${ownAddressFlag} "$own"`,
              ]
            : []),
        `exec ${executable} "$@"`,
    ].join("\n");
}

/** The workload every node shares: the spec, its node key, ports, health check and resources; an authority adds its signer's keystore. */
export function nodeWorkload(
    input: NodeInput,
    layout: AuthorityLayout,
    role: { readonly component: string; readonly ports: readonly WorkloadPort[]; readonly publicEndpoint: boolean; readonly readiness: ReadinessTarget; readonly signer?: AuthorityNodeInput["keys"] },
): WorkloadSpec {
    const nodeKey = pulumi.output(input.nodeKey).apply((key) => (layout.nodeKey.encoding === "raw" ? Buffer.from(key.slice(2), "hex").toString("base64") : key.slice(2)));
    const signerFiles: WorkloadFile[] =
        role.signer && layout.keystoreDir
            ? [
                  { key: "keystore.json", path: pulumi.interpolate`${layout.keystoreDir}/${role.signer.keystoreFileName}`, content: role.signer.keystoreJson, encoding: "utf8", kind: "secret" },
                  { key: "password", path: PASSWORD_PATH, content: role.signer.password, encoding: "utf8", kind: "secret" },
              ]
            : [];
    return {
        name: input.name,
        component: role.component,
        image: input.image,
        entrypoint:
            input.waitForHosts.length > 0 || layout.ownAddressFlag
                ? [layout.shell, "-c", waitThenExec(input.waitForHosts, layout.executable, PEER_WAIT_SECONDS, layout.ownAddressFlag), input.name]
                : [layout.executable],
        args: ["--config", layout.configPath, ...input.extraArgs],
        files: [
            { key: "spec.json", path: SPEC_PATH, content: input.specJson, encoding: "utf8", kind: "shared" },
            ...layout.configFiles,
            ...signerFiles,
            { key: "node.key", path: layout.nodeKey.path, content: nodeKey, encoding: layout.nodeKey.encoding === "raw" ? "base64" : "utf8", kind: "secret" },
        ],
        ports: role.ports,
        dataPath: layout.dataPath,
        ...(layout.dockerVolumePath ? { dockerVolumePath: layout.dockerVolumePath } : {}),
        ...(layout.runAs ? { runAs: layout.runAs } : {}),
        ...(layout.kubernetesRunAs ? { kubernetesRunAs: layout.kubernetesRunAs } : {}),
        ...(layout.scratchPaths ? { scratchPaths: layout.scratchPaths } : {}),
        healthCheck: { readiness: layout.readinessProbe(role.readiness), livenessTcpPort: P2P_PORT },
        resources: input.resources,
        publicEndpoint: role.publicEndpoint,
    };
}

export function authorityWorkload(input: AuthorityNodeInput, layout: AuthorityLayout): WorkloadSpec {
    const readiness: ReadinessTarget = { role: "authority", address: input.address, intervals: input.healthIntervals };
    const workload = nodeWorkload(input, layout, { component: AUTHORITY_COMPONENT, ports: P2P_PORTS, publicEndpoint: false, readiness, signer: input.keys });
    return input.p2p ? { ...workload, p2pPublished: { kubernetes: input.p2p.kubernetes, docker: input.p2p.docker } } : workload;
}

export function rpcNodeWorkload(input: RpcNodeInput, layout: AuthorityLayout): WorkloadSpec {
    return nodeWorkload(input, layout, { component: RPC_NODE_COMPONENT, ports: RPC_NODE_PORTS, publicEndpoint: input.publicEndpoint, readiness: { role: "rpc-node", intervals: input.healthIntervals } });
}
