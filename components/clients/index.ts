import type { ClientKind } from "../config";
import { nethermindProfile } from "./nethermind";
import { parityFamilyProfile } from "./parityFamily";
import type { ClientProfile } from "./profile";

export type { AuthorityNodeInput, ClientProfile } from "./profile";

const READ_AND_TRANSACT_APIS = ["web3", "eth", "net", "parity"];

export const CLIENT_PROFILES: Record<ClientKind, ClientProfile> = {
    nethermind: nethermindProfile,
    // openethereum/openethereum:v3.3.5 (Alpine, user openethereum, uid 1000): busybox nc for the health check.
    openethereum: parityFamilyProfile({
        kind: "openethereum",
        dataPath: "/home/openethereum/.local/share/io.parity.ethereum",
        runAs: { uid: 1000, gid: 1000 },
        dockerTest: ["CMD-SHELL", "nc -z 127.0.0.1 8545 || exit 1"],
        rpcApis: READ_AND_TRANSACT_APIS,
        executable: "/home/openethereum/openethereum",
    }),
    // parity/parity:v2.4.5 (Ubuntu, user parity, uid 1000): bash's /dev/tcp for the health check.
    parity: parityFamilyProfile({
        kind: "parity",
        dataPath: "/home/parity/.local/share/io.parity.ethereum",
        runAs: { uid: 1000, gid: 1000 },
        dockerTest: ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8545"],
        rpcApis: READ_AND_TRANSACT_APIS,
        executable: "/bin/parity",
    }),
};

/** Default resource requests of an authority node per client. */
export const DEFAULT_RESOURCES: Record<ClientKind, { cpu: string; memory: string }> = {
    nethermind: { cpu: "500m", memory: "2Gi" },
    openethereum: { cpu: "250m", memory: "1Gi" },
    parity: { cpu: "250m", memory: "1Gi" },
};
