import * as pulumi from "@pulumi/pulumi";
import { P2P_PORT, RPC_PORT, WS_PORT, type WorkloadSpec } from "../platform/workload";
import { CONFIG_DIR, PASSWORD_PATH, SECRETS_DIR, SPEC_PATH, authorityWorkload, type AuthorityNodeInput, type ClientProfile } from "./profile";

const DATA_PATH = "/nethermind/nethermind_db"; // a VOLUME of the official image
const KEYSTORE_DIR = "/consortium/keystore";
const NODE_KEY_PATH = `${SECRETS_DIR}/node.key`;
const CONFIG_PATH = `${CONFIG_DIR}/nethermind.json`;

export interface NethermindConfigInput {
    readonly address: string;
    readonly staticPeers: readonly string[];
    readonly onlyStaticPeers: boolean;
    readonly corsOrigins: readonly string[];
}

/**
 * Nethermind's own JSON config for an AuRa authority (flags from Nethermind's AuRa validator guide):
 * merge off, block production on, force sealing on a private chain, the signer unlocked from the
 * keystore with a password file, every other authority as a static peer
 * (and, in a permissioned consortium, the only peers: no discovery, no other connections).
 */
export function renderNethermindConfig(input: NethermindConfigInput): string {
    const config = {
        Init: {
            ChainSpecPath: SPEC_PATH,
            BaseDbPath: `${DATA_PATH}/db`,
            IsMining: true,
            ...(input.onlyStaticPeers ? { DiscoveryEnabled: false } : {}),
        },
        Mining: { Enabled: true },
        Merge: { Enabled: false },
        Aura: { ForceSealing: true, AllowAuRaPrivateChains: true },
        KeyStore: {
            KeyStoreDirectory: KEYSTORE_DIR,
            UnlockAccounts: [input.address],
            PasswordFiles: [PASSWORD_PATH],
            BlockAuthorAccount: input.address,
            EnodeKeyFile: NODE_KEY_PATH,
        },
        Network: {
            P2PPort: P2P_PORT,
            DiscoveryPort: P2P_PORT,
            StaticPeers: input.staticPeers.join(","),
            ...(input.onlyStaticPeers ? { OnlyStaticPeers: true } : {}),
        },
        Sync: { FastSync: false, SnapSync: false },
        JsonRpc: {
            Enabled: true,
            Host: "0.0.0.0",
            Port: RPC_PORT,
            WebSocketsPort: WS_PORT,
            EnabledModules: ["Eth", "Net", "Web3", "Parity", "TxPool", "Health"],
            CorsOrigins: [...input.corsOrigins],
        },
        HealthChecks: { Enabled: true },
    };
    return `${JSON.stringify(config, null, 2)}\n`;
}

export const nethermindProfile: ClientProfile = {
    kind: "nethermind",
    authorityWorkload(input: AuthorityNodeInput): WorkloadSpec {
        const configInput = pulumi.all([input.address, input.staticPeers]).apply(([address, staticPeers]) => ({
            address,
            staticPeers,
            onlyStaticPeers: input.onlyStaticPeers,
            corsOrigins: input.corsOrigins,
        }));
        return authorityWorkload(input, {
            configPath: CONFIG_PATH,
            configFiles: [{ key: "nethermind.json", path: CONFIG_PATH, content: configInput.apply(renderNethermindConfig), encoding: "utf8", kind: "config" }],
            keystoreDir: KEYSTORE_DIR,
            // Nethermind reads the node key file as raw bytes, not hex text.
            nodeKey: { path: NODE_KEY_PATH, encoding: "raw" },
            dataPath: DATA_PATH,
            // The image (Ubuntu) has bash but no curl.
            dockerTest: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${RPC_PORT}`],
            executable: "/nethermind/nethermind",
            shell: "/bin/sh",
        });
    },
};
