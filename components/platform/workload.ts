import * as pulumi from "@pulumi/pulumi";

/**
 * A platform-neutral description of one long-running process (an authority node today; bridge
 * agents and UIs later), realised by DockerPlatform or KubernetesPlatform.
 */

/**
 * Where a file's content is kept on the platform:
 * - `shared`: identical for every workload (the chain spec), one ConfigMap on Kubernetes;
 * - `config`: this workload's non-secret configuration, a ConfigMap of its own;
 * - `secret`: key material, a Kubernetes Secret; never an environment variable.
 */
export type FileKind = "shared" | "config" | "secret";

export interface WorkloadFile {
    /** Stable identifier, used as the ConfigMap/Secret key. */
    readonly key: string;
    /** Absolute path in the container. */
    readonly path: pulumi.Input<string>;
    readonly content: pulumi.Input<string>;
    readonly encoding: "utf8" | "base64";
    readonly kind: FileKind;
}

export interface WorkloadPort {
    readonly name: string;
    readonly port: number;
    readonly protocol: "TCP" | "UDP";
    /** "p2p" ports are opened between the chain's nodes; "rpc" ports only on RPC nodes. */
    readonly role: "p2p" | "rpc";
}

export interface WorkloadSpec {
    /** Stable name: DNS name, container name, StatefulSet name. */
    readonly name: string;
    /** What the workload is, e.g. "authority"; used in labels and selectors. */
    readonly component: string;
    readonly image: string;
    /** Replaces the image's entrypoint; `args` follow it. */
    readonly entrypoint: readonly string[];
    readonly args: readonly string[];
    readonly files: readonly WorkloadFile[];
    readonly ports: readonly WorkloadPort[];
    /** Persistent chain data, mounted at this path. */
    readonly dataPath: string;
    /** Where Docker mounts the data volume instead: an image folder at or above dataPath whose owner a new volume takes. */
    readonly dockerVolumePath?: string;
    /** User and group the image runs as, when it is not root; the data volume must be writable by it. */
    readonly runAs?: { readonly uid: number; readonly gid: number };
    /**
     * On Kubernetes only, a non-root user for an image that runs as root (fsGroup gives it the volume claim, and its
     * scratch folders are emptyDirs); Docker keeps the image's user, because a new Docker volume takes the owner of the
     * image's folder, which root owns.
     */
    readonly kubernetesRunAs?: { readonly uid: number; readonly gid: number };
    /** Folders the process writes besides its data volume: on Kubernetes an emptyDir each, the root filesystem read-only. */
    readonly scratchPaths?: readonly string[];
    readonly healthCheck: {
        /**
         * Run in the container with a tool the image ships; succeeds when the node is ready (JSON-RPC over loopback,
         * where an authority's listens). Docker's HEALTHCHECK and Kubernetes' readiness probe.
         */
        readonly readiness: readonly pulumi.Input<string>[];
        /** Kubernetes' liveness probe: the p2p port accepts connections. */
        readonly livenessTcpPort: number;
    };
    readonly resources: { readonly cpu: string; readonly memory: string };
    /** This workload's RPC ports are the users' endpoint (an RPC node with no gateway in front); no other workload publishes anything. */
    readonly publicEndpoint: boolean;
    /** Its p2p port published for other members (`authorities[].p2p`): a Service of this type, or a Docker host port. */
    readonly p2pPublished?: { readonly kubernetes: { readonly serviceType: "LoadBalancer" | "NodePort"; readonly nodePort?: number }; readonly docker: { readonly bindAddress: string; readonly hostPort: number } };
}

/** Where every workload finds its secret files. */
export const SECRETS_DIR = "/consortium/secrets";

export const P2P_PORT = 30303;
export const RPC_PORT = 8545;
export const WS_PORT = 8546;

/** What an authority publishes: p2p only (its JSON-RPC listens on loopback, for its own health checks). */
export const P2P_PORTS: readonly WorkloadPort[] = [
    { name: "p2p", port: P2P_PORT, protocol: "TCP", role: "p2p" },
    { name: "discovery", port: P2P_PORT, protocol: "UDP", role: "p2p" },
];

/** What an RPC node publishes: p2p to the authorities, JSON-RPC and WebSocket to the gateway, users and services. */
export const RPC_NODE_PORTS: readonly WorkloadPort[] = [
    ...P2P_PORTS,
    { name: "rpc", port: RPC_PORT, protocol: "TCP", role: "rpc" },
    { name: "ws", port: WS_PORT, protocol: "TCP", role: "rpc" },
];

/**
 * Where a service or job connects, besides name resolution and its own group: the RPC nodes of a chain this stack
 * runs (`chainNodes`: the part-of label its platform gives them), or a host outside the platform (an external
 * foreign chain). On Kubernetes each becomes an egress rule and nothing else is reachable; on Docker the networks a
 * service joins decide it.
 */
export type Reach =
    | { readonly chainNodes: string }
    | { readonly external: { readonly host: string; readonly port: number } }
    /** Another service of this stack, on one port (a database kept `privateTo` its one client). */
    | { readonly service: string; readonly port: number };

/**
 * A Docker daemon the service drives (an iExec worker runs each task as a container), with a work folder the daemon
 * resolves its bind mounts in: the same absolute path inside the service as for the daemon.
 * - Docker: the host's socket, and the host folder `workDir` at the same path.
 * - Kubernetes `dind`: a privileged Docker-in-Docker sidecar whose socket (on a shared emptyDir, no TCP listener) the
 *   service uses, both containers mounting one emptyDir at `workDir`; the sidecar's image cache on an emptyDir of its own.
 * - Kubernetes `node-socket`: the node's /var/run/docker.sock and `workDir` on the node (hostPath), for nodes that run
 *   Docker Engine.
 */
export interface DockerDaemonAccess {
    readonly workDir: string;
    readonly kubernetes: { readonly mode: "dind"; readonly image: string } | { readonly mode: "node-socket" };
}

/** Where a service finds the Docker daemon's socket, by platform and mode. */
export const HOST_DOCKER_SOCKET = "/var/run/docker.sock";
export const DIND_SOCKET_DIR = "/var/run/dind";

/**
 * A long-running process that is not a chain node (a bridge agent, its queue or database, a UI).
 * Its environment holds configuration only: key material comes as `secret` files.
 */
export interface ServiceSpec {
    readonly name: string;
    readonly component: string;
    readonly image: string;
    /** Replaces the image's entrypoint and command. */
    readonly command: readonly string[];
    readonly env: pulumi.Input<Readonly<Record<string, pulumi.Input<string>>>>;
    readonly files: readonly WorkloadFile[];
    /** Persistent data, mounted at this path (a volume on Docker, a volume claim on Kubernetes). */
    readonly dataPath?: string;
    /** TCP ports other workloads reach it on, by its name. */
    readonly ports: readonly { readonly name: string; readonly port: number }[];
    /** A command run inside the container that succeeds when the service is healthy. */
    readonly healthCheck?: readonly string[];
    /** Published to users: a host port on Docker, a Service (and Ingress with a host) on Kubernetes. */
    readonly expose?: { readonly port: number; readonly bindAddress: string; readonly hostPort: number; readonly ingressHost?: string };
    readonly resources: { readonly cpu: string; readonly memory: string };
    /** Services of one group (one bridge validator's agents) are the only ones allowed to reach its ports. */
    readonly group?: string;
    /**
     * Reached by its group only, and reaching nothing else (a validator's queue and database): on Docker it joins only
     * its group's own network, not the chains'. On Kubernetes the group's NetworkPolicy already admits only the group.
     */
    readonly groupOnly?: boolean;
    readonly runAs?: { readonly uid: number; readonly gid: number };
    /** Folders it writes besides its data: on Kubernetes an emptyDir each, the root filesystem read-only. */
    readonly scratchPaths?: readonly string[];
    /** Copies on Kubernetes (with a PodDisruptionBudget keeping all but one), for a stateless service; Docker runs one. */
    readonly replicas?: number;
    /** What it connects to (none: only its group and DNS). */
    readonly reaches?: readonly Reach[];
    /**
     * Reached by this one service only, and reaching nothing (a service's own database): on Docker an internal network
     * of the two; on Kubernetes a NetworkPolicy admitting that service's pods alone.
     */
    readonly privateTo?: string;
    /**
     * For an image whose user's uid is not known here (made by useradd without a uid): the group its files and data
     * volume are given, which its process gets as a supplemental group (Docker group_add, Kubernetes fsGroup).
     */
    readonly fileGroup?: number;
    /** The Docker daemon it drives (an iExec worker). */
    readonly dockerDaemon?: DockerDaemonAccess;
    /**
     * On Kubernetes, it reaches its group's services only on the ports `reaches` lists, not every port of the group: it
     * runs code it did not write in its network (a worker's tasks share its pod's network with Docker-in-Docker).
     */
    readonly narrowGroupEgress?: boolean;
    /** On Kubernetes, the liveness probe is a TCP connect to this port instead of the health check (which stays readiness). */
    readonly livenessTcpPort?: number;
}

/** A process run once to completion (a contract deployment). It is never run again by a later update. */
export type JobSpec = Pick<ServiceSpec, "name" | "component" | "image" | "command" | "env" | "files" | "reaches">;

/**
 * What every pod of the consortium runs with on Kubernetes: no service-account token (nothing here calls the API
 * server) and, in each container, no privilege escalation and the runtime's seccomp profile. A container whose image
 * runs as a non-root user (runAs) also drops every capability; images that start as root and drop to their own user
 * (RabbitMQ's and Redis's entrypoints, Nethermind's root process) keep the runtime's default set, which those
 * entrypoints need (setuid, chown).
 */
export const POD_HARDENING = { automountServiceAccountToken: false } as const;

export function containerHardening(runAs: { readonly uid: number; readonly gid: number } | undefined, scratchPaths?: readonly string[]) {
    return {
        securityContext: {
            allowPrivilegeEscalation: false,
            ...(runAs ? { capabilities: { drop: ["ALL"] } } : {}),
            // A workload that names every folder it writes gets a read-only root filesystem.
            ...(scratchPaths ? { readOnlyRootFilesystem: true } : {}),
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}

/** The emptyDir volumes and mounts of a workload's scratch folders, named scratch-0, scratch-1, ... */
export function scratchVolumes(scratchPaths: readonly string[] | undefined) {
    const paths = scratchPaths ?? [];
    return {
        volumes: paths.map((_, index) => ({ name: `scratch-${index}`, emptyDir: {} })),
        mounts: paths.map((mountPath, index) => ({ name: `scratch-${index}`, mountPath })),
    };
}

/** The pod security context of a user: fsGroup gives it the volumes; a volume already its own is not walked again. */
export function podUser(runAs: { readonly uid: number; readonly gid: number } | undefined) {
    return runAs ? { securityContext: { runAsUser: runAs.uid, runAsGroup: runAs.gid, fsGroup: runAs.gid, fsGroupChangePolicy: "OnRootMismatch", runAsNonRoot: true } } : {};
}
