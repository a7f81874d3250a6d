import * as pulumi from "@pulumi/pulumi";
import type { ClientKind } from "../config";
import { P2P_PORT, RPC_PORT, WS_PORT, type WorkloadSpec } from "../platform/workload";
import { CONFIG_DIR, PASSWORD_PATH, SPEC_PATH, authorityWorkload, type AuthorityNodeInput, type ClientProfile } from "./profile";

const CONFIG_PATH = `${CONFIG_DIR}/authority.toml`;
const RESERVED_PEERS_PATH = `${CONFIG_DIR}/reserved_peers`;
const KEYS_DIR = "/consortium/keys";

export interface AuthorityTomlInput {
    readonly dataPath: string;
    readonly address: string;
    readonly onlyStaticPeers: boolean;
    readonly corsOrigins: readonly string[];
    readonly rpcApis: readonly string[];
}

const tomlList = (items: readonly string[]) => `[${items.map((item) => JSON.stringify(item)).join(", ")}]`;

/**
 * The seed's authority.toml (parity-deploy's authority_round.toml) with what it lacked: force sealing,
 * explicit keys and base paths, and RPC limited to the read/transaction APIs (no personal, signer or
 * parity_set APIs on a consortium node).
 */
export function renderAuthorityToml(input: AuthorityTomlInput): string {
    const cors = input.corsOrigins.length > 0 ? tomlList(input.corsOrigins) : `["none"]`;
    return [
        "[parity]",
        `chain = "${SPEC_PATH}"`,
        `base_path = "${input.dataPath}"`,
        `keys_path = "${KEYS_DIR}"`,
        "",
        "[account]",
        `password = ["${PASSWORD_PATH}"]`,
        "",
        "[network]",
        `port = ${P2P_PORT}`,
        `reserved_peers = "${RESERVED_PEERS_PATH}"`,
        ...(input.onlyStaticPeers ? ["reserved_only = true", "discovery = false"] : []),
        "",
        "[rpc]",
        `interface = "all"`,
        `port = ${RPC_PORT}`,
        `cors = ${cors}`,
        `hosts = ["all"]`,
        `apis = ${tomlList(input.rpcApis)}`,
        "",
        "[websockets]",
        `interface = "all"`,
        `port = ${WS_PORT}`,
        `origins = ["all"]`,
        `hosts = ["all"]`,
        `apis = ${tomlList(input.rpcApis)}`,
        "",
        "[mining]",
        `engine_signer = "${input.address}"`,
        `reseal_on_txs = "none"`,
        "force_sealing = true",
        "",
    ].join("\n");
}

export function renderReservedPeers(staticPeers: readonly string[]): string {
    return staticPeers.map((enode) => `${enode}\n`).join("");
}

export interface ParityFamilyTraits {
    readonly kind: ClientKind;
    /** The image's own data directory, owned by its non-root user, so a fresh volume inherits that owner. */
    readonly dataPath: string;
    readonly runAs: { readonly uid: number; readonly gid: number };
    readonly dockerTest: readonly string[];
    readonly rpcApis: readonly string[];
    readonly executable: string;
}

/** Parity 2.4.5 and OpenEthereum 3.3.5 share the configuration format; images and paths differ. */
export function parityFamilyProfile(traits: ParityFamilyTraits): ClientProfile {
    return {
        kind: traits.kind,
        authorityWorkload(input: AuthorityNodeInput): WorkloadSpec {
            const tomlInput = pulumi.output(input.address).apply((address) => ({
                dataPath: traits.dataPath,
                address,
                onlyStaticPeers: input.onlyStaticPeers,
                corsOrigins: input.corsOrigins,
                rpcApis: traits.rpcApis,
            }));
            return authorityWorkload(input, {
                configPath: CONFIG_PATH,
                configFiles: [
                    { key: "authority.toml", path: CONFIG_PATH, content: tomlInput.apply(renderAuthorityToml), encoding: "utf8", kind: "config" },
                    {
                        key: "reserved_peers",
                        path: RESERVED_PEERS_PATH,
                        content: pulumi.output(input.staticPeers).apply(renderReservedPeers),
                        encoding: "utf8",
                        kind: "config",
                    },
                ],
                // Keys are looked up in <keys_path>/<spec name>.
                keystoreDir: `${KEYS_DIR}/${input.chainName}`,
                // The devp2p key is read from <base_path>/network/key as hex text.
                nodeKey: { path: `${traits.dataPath}/network/key`, encoding: "hex" },
                dataPath: traits.dataPath,
                runAs: traits.runAs,
                dockerTest: traits.dockerTest,
                executable: traits.executable,
                shell: "/bin/sh",
            });
        },
    };
}
