import type { ResourceValidationPolicy } from "@pulumi/policy";
import { COMPONENT_LABEL } from "../../components/platform/naming";
import { HOST_DOCKER_SOCKET } from "../../components/platform/workload";
import { labelsOf, podTemplate, TYPES, type ResourceView } from "../resources";

/** The one workload that drives a Docker daemon: an iExec worker runs each task as a container. */
export const DOCKER_DAEMON_USER = "workerpool-worker";
/** The one container that may be privileged: the worker's Docker-in-Docker sidecar (components/platform/kubernetesServices.ts). */
export const DIND_CONTAINER = "dind";

/** Whether a host path mounted gives the Docker socket: the socket itself, or a folder it is in (`/run` is `/var/run`). */
export function exposesDockerSocket(hostPath: unknown): boolean {
    if (typeof hostPath !== "string") return false;
    const normal = (path: string) => `/${path.split("/").filter((part) => part !== "" && part !== ".").join("/")}`.replace(/^\/var\/run(\/|$)/, "/run$1");
    const socket = normal(HOST_DOCKER_SOCKET);
    const mounted = normal(hostPath);
    return mounted === "/" || socket === mounted || socket.startsWith(`${mounted}/`);
}

/** What in this resource reaches a Docker daemon or runs privileged, and where. */
function daemonAccess(resource: ResourceView): { privileged: string[]; socket: boolean } {
    if (resource.type === TYPES.dockerContainer) {
        const binds = [...((resource.props.volumes ?? []) as { hostPath?: string }[]).map((volume) => volume.hostPath), ...((resource.props.mounts ?? []) as { source?: string; type?: string }[]).filter((mount) => mount.type === "bind").map((mount) => mount.source)];
        return { privileged: resource.props.privileged === true ? [String(resource.props.name ?? resource.name)] : [], socket: binds.some(exposesDockerSocket) };
    }
    const spec = podTemplate(resource)?.spec;
    if (!spec) return { privileged: [], socket: false };
    const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    return {
        privileged: containers.filter((container) => container.securityContext?.privileged === true).map((container) => String(container.name)),
        socket: ((spec.volumes ?? []) as any[]).some((volume) => exposesDockerSocket(volume.hostPath?.path)),
    };
}

export const dockerDaemonConfined: ResourceValidationPolicy = {
    name: "docker-daemon-confined",
    description:
        "A Docker daemon is root on its host: only the workerpool's workers reach one (the host's or node's socket), and the only privileged container is a worker's Docker-in-Docker sidecar.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const worker = labelsOf(args)[COMPONENT_LABEL] === DOCKER_DAEMON_USER;
        const { privileged, socket } = daemonAccess(args);
        for (const name of privileged) {
            if (worker && name === DIND_CONTAINER && args.type !== TYPES.dockerContainer) continue;
            reportViolation(`container '${name}' of '${args.name}' runs privileged: only a workerpool worker's '${DIND_CONTAINER}' sidecar may (Docker-in-Docker needs it).`);
        }
        if (socket && !worker) reportViolation(`'${args.name}' mounts the Docker socket ${HOST_DOCKER_SOCKET}, which only a workerpool worker may: whoever reaches it is root on the host.`);
    },
};
