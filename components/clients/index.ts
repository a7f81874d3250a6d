import type { ClientKind } from "../chain/config";
import { nethermindProfile } from "./nethermind";
import { parityFamilyProfile } from "./parityFamily";
import type { ClientProfile } from "./profile";

export type { AuthorityNodeInput, ClientProfile, HealthIntervals, RpcNodeInput } from "./profile";

export const CLIENT_PROFILES: Record<ClientKind, ClientProfile> = {
    nethermind: nethermindProfile,
    // openethereum/openethereum:v3.3.5 (Alpine, user openethereum, uid 1000, its data directory made by the
    // Dockerfile as that user; curl and jq "installed to help create health and readiness checks", scripts/docker/alpine/Dockerfile).
    openethereum: parityFamilyProfile({
        kind: "openethereum",
        dataPath: "/home/openethereum/.local/share/io.parity.ethereum",
        runAs: { uid: 1000, gid: 1000 },
        // It writes only below its base path (bin/oe/configuration.rs directories(), crates/util/dir); /tmp for safety.
        scratchPaths: ["/tmp"],
        executable: "/home/openethereum/openethereum",
    }),
    // parity/parity:v2.4.5 (Ubuntu, user parity, uid 1000): its Dockerfile makes /home/parity but not the data
    // directory below it, so on Docker the volume is mounted at /home/parity, which gives a fresh volume that owner
    // (Docker copies an image folder's owner into a new volume only when the folder exists, client-audit.md §3, B1).
    // Its Dockerfile (scripts/docker/hub) installs curl and jq too.
    parity: parityFamilyProfile({
        kind: "parity",
        dataPath: "/home/parity/.local/share/io.parity.ethereum",
        dockerVolumePath: "/home/parity",
        runAs: { uid: 1000, gid: 1000 },
        // Below its base path too, and the updater's folder in $HOME, which auto_update none leaves unused (parity/main.rs).
        scratchPaths: ["/tmp", "/home/parity/.local/share/io.parity.ethereum-updates"],
        executable: "/bin/parity",
    }),
};

/** Default resource requests of an authority node per client. */
export const DEFAULT_RESOURCES: Record<ClientKind, { cpu: string; memory: string }> = {
    nethermind: { cpu: "500m", memory: "2Gi" },
    openethereum: { cpu: "250m", memory: "1Gi" },
    parity: { cpu: "250m", memory: "1Gi" },
};
