import * as pulumi from "@pulumi/pulumi";
import type { ClientKind } from "../chain/config";
import { P2P_PORT, RPC_PORT, WS_PORT, type WorkloadSpec } from "../platform/workload";
import { AUTHORITY_LOOPBACK_METHODS, parityApis } from "../rpcGateway/methods";
import { CONFIG_DIR, PASSWORD_PATH, SPEC_PATH, authorityWorkload, rpcNodeWorkload, type AuthorityNodeInput, type ClientProfile, type ReadinessTarget, type RpcNodeInput } from "./profile";

const CONFIG_PATH = `${CONFIG_DIR}/authority.toml`;
const RESERVED_PEERS_PATH = `${CONFIG_DIR}/reserved_peers`;
const KEYS_DIR = "/consortium/keys";

export interface AuthorityTomlInput {
    readonly kind: ClientKind;
    readonly dataPath: string;
    readonly onlyStaticPeers: boolean;
    /** An authority seals with this signer and serves JSON-RPC on loopback; absent: an RPC node. */
    readonly signer?: string;
    /** An RPC node's apis and browser origins. */
    readonly rpc?: { readonly apis: readonly string[]; readonly corsOrigins: readonly string[] };
}

const tomlList = (items: readonly string[]) => `[${items.map((item) => JSON.stringify(item)).join(", ")}]`;

/** An authority's JSON-RPC, on loopback for its own health check. */
const AUTHORITY_APIS = parityApis(AUTHORITY_LOOPBACK_METHODS);

/**
 * The seed's authority.toml (parity-deploy's authority_round.toml) with what it lacked: force sealing, explicit keys
 * and base paths, no IPC, no NAT probing, no hardware wallets and (Parity) no auto-update. Every key is in the
 * `deny_unknown_fields` structs of bin/oe/cli/mod.rs (OpenEthereum 3.3.5) and parity/cli/mod.rs (Parity 2.4.5):
 * `[rpc] interface`, `[websockets] disable`, `[ipc] disable`, `[network] nat`, `[parity] auto_update` (Parity only),
 * `[account] disable_hardware` (Parity only).
 * - an authority: the signer from the keystore, JSON-RPC on loopback with eth and net only, no WebSocket;
 * - an RPC node: no signer, JSON-RPC and WebSocket on every interface with the apis of `rpc.methods` (never personal,
 *   signer, parity, parity_set, parity_accounts or traces).
 */
export function renderAuthorityToml(input: AuthorityTomlInput): string {
    const parity = input.kind === "parity";
    const rpc = input.rpc;
    const cors = rpc && rpc.corsOrigins.length > 0 ? tomlList(rpc.corsOrigins) : `["none"]`;
    return [
        "[parity]",
        `chain = "${SPEC_PATH}"`,
        `base_path = "${input.dataPath}"`,
        // An RPC node has no keystore; the default keys path, below base_path, is one the client can create.
        ...(input.signer ? [`keys_path = "${KEYS_DIR}"`] : []),
        ...(parity ? [`auto_update = "none"`] : []),
        "",
        ...(input.signer || parity ? ["[account]"] : []),
        ...(input.signer ? [`password = ["${PASSWORD_PATH}"]`] : []),
        ...(parity ? ["disable_hardware = true"] : []),
        ...(input.signer || parity ? [""] : []),
        "[network]",
        `port = ${P2P_PORT}`,
        `nat = "none"`,
        `reserved_peers = "${RESERVED_PEERS_PATH}"`,
        ...(input.onlyStaticPeers ? ["reserved_only = true", "discovery = false"] : []),
        "",
        "[rpc]",
        ...(rpc
            ? [`interface = "all"`, `port = ${RPC_PORT}`, `cors = ${cors}`, `hosts = ["all"]`, `apis = ${tomlList(rpc.apis)}`]
            : [`interface = "local"`, `port = ${RPC_PORT}`, `hosts = ["none"]`, `apis = ${tomlList(AUTHORITY_APIS)}`]),
        "",
        "[websockets]",
        ...(rpc ? [`interface = "all"`, `port = ${WS_PORT}`, `origins = ["all"]`, `hosts = ["all"]`, `apis = ${tomlList(rpc.apis)}`] : ["disable = true"]),
        "",
        "[ipc]",
        "disable = true",
        "",
        ...(input.signer ? ["[mining]", `engine_signer = "${input.signer}"`, `reseal_on_txs = "none"`, "force_sealing = true", ""] : []),
    ].join("\n");
}

/**
 * An RPC node's apis: those of `rpc.methods`, and always `net`, whose net_peerCount its readiness probe reads
 * (net_version, net_listening and net_peerCount tell nothing of anyone's keys or transactions).
 */
export function rpcNodeApis(methods: readonly string[]): string[] {
    return [...new Set([...parityApis(methods), "net"])];
}

export function renderReservedPeers(staticPeers: readonly string[]): string {
    return staticPeers.map((enode) => `${enode}\n`).join("");
}

export interface ParityFamilyTraits {
    readonly kind: ClientKind;
    /** The client's base path, where the data volume is mounted. */
    readonly dataPath: string;
    /**
     * Where Docker mounts the data volume instead, at or above dataPath: a folder the image has and its user owns,
     * which a fresh volume takes the owner of. Kubernetes sets the owner with fsGroup.
     */
    readonly dockerVolumePath?: string;
    readonly runAs: { readonly uid: number; readonly gid: number };
    /** Folders it writes outside its base path (the data volume), besides the keys folder of an authority. */
    readonly scratchPaths: readonly string[];
    readonly executable: string;
}

/** Parity 2.4.5 and OpenEthereum 3.3.5 share the configuration format; images and paths differ. */
export function parityFamilyProfile(traits: ParityFamilyTraits): ClientProfile {
    const layout = (toml: pulumi.Input<string>, staticPeers: pulumi.Input<readonly string[]>) => ({
        configPath: CONFIG_PATH,
        configFiles: [
            { key: "authority.toml", path: CONFIG_PATH, content: toml, encoding: "utf8" as const, kind: "config" as const },
            { key: "reserved_peers", path: RESERVED_PEERS_PATH, content: pulumi.output(staticPeers).apply(renderReservedPeers), encoding: "utf8" as const, kind: "config" as const },
        ],
        // The devp2p key is read from <base_path>/network/key as hex text.
        nodeKey: { path: `${traits.dataPath}/network/key`, encoding: "hex" as const },
        dataPath: traits.dataPath,
        ...(traits.dockerVolumePath ? { dockerVolumePath: traits.dockerVolumePath } : {}),
        runAs: traits.runAs,
        scratchPaths: traits.scratchPaths,
        readinessProbe: parityReadiness,
        executable: traits.executable,
        shell: "/bin/sh",
    });
    const base = { kind: traits.kind, dataPath: traits.dataPath };
    return {
        kind: traits.kind,
        authorityWorkload(input: AuthorityNodeInput): WorkloadSpec {
            const toml = pulumi.output(input.address).apply((signer) => renderAuthorityToml({ ...base, onlyStaticPeers: input.onlyStaticPeers, signer }));
            // Keys are looked up in <keys_path>/<spec name>; the client also tries to save its address book there (a
            // warning only: the folder the keystore's subPath mount makes is root's).
            return authorityWorkload(input, { ...layout(toml, input.staticPeers), keystoreDir: `${KEYS_DIR}/${input.chainName}`, scratchPaths: [...traits.scratchPaths, KEYS_DIR] });
        },
        rpcNodeWorkload(input: RpcNodeInput): WorkloadSpec {
            const toml = renderAuthorityToml({ ...base, onlyStaticPeers: input.onlyStaticPeers, rpc: { apis: rpcNodeApis(input.methods), corsOrigins: input.corsOrigins } });
            return rpcNodeWorkload(input, layout(toml, input.staticPeers));
        },
    };
}

/**
 * Readiness over JSON-RPC on loopback, with the curl and jq both images ship (POSIX sh: busybox ash on Alpine, dash on
 * Ubuntu). Every node: not syncing, its head at most `processed` seconds old. An RPC node: at least one peer. An
 * authority: `eth_coinbase` is its configured signer (OpenEthereum and Parity report the engine signer there, and exit
 * at start when it cannot be unlocked: bin/oe/account_utils.rs, parity/account_utils.rs), and, when it is expected to
 * seal under the validator set active at the head, one of its last three turns' blocks (no older than three turns' seconds)
 * has it as `miner` (OpenEthereum's alias of the block's author).
 */
export function parityReadiness(target: ReadinessTarget): pulumi.Input<string>[] {
    const { processed, turns } = target.intervals;
    // The Host header curl sends (127.0.0.1:8545) is one `hosts = ["none"]` accepts (bin/oe/rpc.rs).
    const common = [
        `rpc() { curl -sf -m 3 -H 'Content-Type: application/json' -d "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"$1\\",\\"params\\":$2}" http://127.0.0.1:${RPC_PORT} | jq -r "$3"; }`,
        `[ "$(rpc eth_syncing '[]' .result)" = false ] || exit 1`,
        `set -- $(rpc eth_getBlockByNumber '["latest",false]' '.result.timestamp, .result.number')`,
        `[ $(( $(date +%s) - $1 )) -le ${processed} ] || exit 1`,
    ];
    if (target.role === "rpc-node") return ["/bin/sh", "-c", [...common, `[ $(( $(rpc net_peerCount '[]' .result) )) -gt 0 ]`].join("\n")];
    return [
        "/bin/sh",
        "-c",
        pulumi.output(target.address).apply((address) => {
            const signer = address.toLowerCase();
            if (!/^0x[0-9a-f]{40}$/.test(signer)) throw new Error(`refusing '${address}' as a signer address in a shell script`);
            const coinbase = `[ "$(rpc eth_coinbase '[]' .result)" = "${signer}" ] || exit 1`;
            if (!turns || turns.every((turn) => turn.blocks === 0)) return [...common, coinbase].join("\n");
            // Every validator set as from:blocks:seconds; the one active at the head is the latest starting at or below it.
            const sets = turns.map((turn) => `${turn.fromBlock}:${turn.blocks}:${turn.seconds}`).join(" ");
            return [
                ...common,
                coinbase,
                `n=$(( $2 )); active=-1; blocks=0; seconds=0`,
                `for set in ${sets}; do from=\${set%%:*}; rest=\${set#*:}`,
                `  if [ "$n" -ge "$from" ] && [ "$from" -gt "$active" ]; then active=$from; blocks=\${rest%%:*}; seconds=\${rest#*:}; fi`,
                "done",
                // Not in the active set: not expected to seal.
                `[ "$blocks" -gt 0 ] || exit 0`,
                `since=$(( $(date +%s) - seconds )); last=$(( n - blocks ))`,
                `while [ "$n" -gt 0 ] && [ "$n" -gt "$last" ]; do`,
                `  set -- $(rpc eth_getBlockByNumber "[\\"$(printf '0x%x' "$n")\\",false]" '.result.miner, .result.timestamp')`,
                `  [ $(( $2 )) -ge "$since" ] || exit 1`,
                `  [ "$1" = "${signer}" ] && exit 0`,
                `  n=$(( n - 1 ))`,
                "done",
                "exit 1",
            ].join("\n");
        }),
    ];
}
