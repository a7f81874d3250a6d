import type { ClientKind } from "../chain/config";
import { nethermindProfile } from "./nethermind";
import { jsonRpcReadiness, parityFamilyProfile } from "./parityFamily";
import type { ClientProfile } from "./profile";

export type { AuthorityNodeInput, ClientProfile, RpcNodeInput } from "./profile";

export const CLIENT_PROFILES: Record<ClientKind, ClientProfile> = {
    nethermind: nethermindProfile,
    // openethereum/openethereum:v3.3.5 (Alpine, user openethereum, uid 1000, its data directory made by the
    // Dockerfile as that user): busybox nc sends the readiness call.
    openethereum: parityFamilyProfile({
        kind: "openethereum",
        dataPath: "/home/openethereum/.local/share/io.parity.ethereum",
        runAs: { uid: 1000, gid: 1000 },
        readinessProbe: jsonRpcReadiness("sh", "nc 127.0.0.1 8545"),
        executable: "/home/openethereum/openethereum",
    }),
    // parity/parity:v2.4.5 (Ubuntu, user parity, uid 1000): its Dockerfile makes /home/parity but not the data
    // directory below it, so on Docker the volume is mounted at /home/parity, which gives a fresh volume that owner
    // (Docker copies an image folder's owner into a new volume only when the folder exists, client-audit.md §3, B1).
    // bash's /dev/tcp sends the readiness call.
    parity: parityFamilyProfile({
        kind: "parity",
        dataPath: "/home/parity/.local/share/io.parity.ethereum",
        dockerVolumePath: "/home/parity",
        runAs: { uid: 1000, gid: 1000 },
        readinessProbe: jsonRpcReadiness("bash", "{ exec 3<>/dev/tcp/127.0.0.1/8545; cat >&3; cat <&3; }"),
        executable: "/bin/parity",
    }),
};

/** Default resource requests of an authority node per client. */
export const DEFAULT_RESOURCES: Record<ClientKind, { cpu: string; memory: string }> = {
    nethermind: { cpu: "500m", memory: "2Gi" },
    openethereum: { cpu: "250m", memory: "1Gi" },
    parity: { cpu: "250m", memory: "1Gi" },
};
