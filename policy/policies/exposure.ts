import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { containersOf, isChainNode, labelsOf, podTemplate, selects, TYPES, type ResourceView } from "../resources";
import { settingsOf } from "../settings";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const EXTERNAL_SERVICE_TYPES = new Set(["LoadBalancer", "NodePort"]);

const rpcSchema: PolicyConfigSchema = {
    properties: {
        rpcPorts: {
            type: "array",
            items: { type: "integer" },
            default: [8545, 8546],
            description: "The nodes' JSON-RPC and WebSocket ports.",
        },
        allowLoopback: {
            type: "boolean",
            default: true,
            description: "Whether a node may publish RPC on the Docker host's loopback address (reachable from that host only).",
        },
    },
};

interface RpcSettings {
    readonly rpcPorts: number[];
    readonly allowLoopback: boolean;
}

const USE_GATEWAY = "Route RPC through the authenticating gateway (permissioning.rpc.access: gateway) or keep it private.";

/** Docker: a node container (authority or RPC node) publishing an RPC port on an address other hosts can reach. */
function dockerExposures(container: ResourceView, settings: RpcSettings): string[] {
    if (container.type !== TYPES.dockerContainer || !isChainNode(container)) return [];
    return ((container.props.ports ?? []) as { internal: number; external?: number; ip?: string }[])
        .filter((port) => settings.rpcPorts.includes(Number(port.internal)))
        .filter((port) => !(settings.allowLoopback && LOOPBACK.has(port.ip ?? "")))
        .map(
            (port) =>
                `node container '${container.name}' publishes its RPC port ${port.internal} on ${port.ip || "0.0.0.0"}:${port.external ?? port.internal} ` +
                `without authentication. ${USE_GATEWAY}`,
        );
}

/** Kubernetes Services that send traffic straight to node pods (authorities or RPC nodes), by name and namespace. */
function authorityServices(resources: readonly ResourceView[]): Map<string, ResourceView> {
    const authorityPods = resources.filter((resource) => podTemplate(resource) && isChainNode(resource)).map((resource) => ({ namespace: resource.props.metadata?.namespace, labels: labelsOf(resource) }));
    const services = new Map<string, ResourceView>();
    for (const service of resources.filter((resource) => resource.type === TYPES.service)) {
        const namespace = service.props.metadata?.namespace;
        if (authorityPods.some((pod) => pod.namespace === namespace && selects(service.props.spec?.selector, pod.labels))) {
            services.set(`${namespace}/${service.props.metadata?.name}`, service);
        }
    }
    return services;
}

const servesRpc = (service: ResourceView, settings: RpcSettings) =>
    ((service.props.spec?.ports ?? []) as { port: number; targetPort?: number | string; name?: string }[]).some(
        (port) => settings.rpcPorts.includes(Number(port.targetPort ?? port.port)) || port.name === "rpc" || port.name === "ws",
    );

function kubernetesExposures(resources: readonly ResourceView[], settings: RpcSettings): { message: string; urn: string }[] {
    const services = authorityServices(resources);
    const found: { message: string; urn: string }[] = [];
    for (const service of services.values()) {
        const type = service.props.spec?.type ?? "ClusterIP";
        if ((EXTERNAL_SERVICE_TYPES.has(type) || (service.props.spec?.externalIPs ?? []).length > 0) && servesRpc(service, settings)) {
            found.push({ urn: service.urn, message: `Service '${service.props.metadata?.name}' (${type}) exposes node RPC outside the cluster without authentication. ${USE_GATEWAY}` });
        }
    }
    for (const ingress of resources.filter((resource) => resource.type === TYPES.ingress)) {
        const namespace = ingress.props.metadata?.namespace;
        const backends = [
            ingress.props.spec?.defaultBackend?.service?.name,
            ...((ingress.props.spec?.rules ?? []) as any[]).flatMap((rule) => (rule.http?.paths ?? []).map((path: any) => path.backend?.service?.name)),
        ].filter(Boolean);
        for (const backend of new Set(backends)) {
            const service = services.get(`${namespace}/${backend}`);
            if (service && servesRpc(service, settings)) {
                found.push({ urn: ingress.urn, message: `Ingress '${ingress.props.metadata?.name}' routes to node RPC (Service '${backend}') without authentication. ${USE_GATEWAY}` });
            }
        }
    }
    return found;
}

export const rpcRequiresAuthentication: StackValidationPolicy = {
    name: "rpc-requires-authentication",
    description: "No node's RPC endpoint (an authority's or an RPC node's) is reachable from outside without authentication.",
    enforcementLevel: "mandatory",
    configSchema: rpcSchema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<RpcSettings>(args, rpcSchema);
        for (const resource of args.resources) {
            for (const message of dockerExposures(resource, settings)) reportViolation(message, resource.urn);
        }
        for (const { message, urn } of kubernetesExposures(args.resources, settings)) reportViolation(message, urn);
    },
};

/** Names that say an environment variable carries a key, a password or a seed. */
const KEY_NAME = /(PRIVATE_?KEY|MNEMONIC|SEED_?PHRASE|PASSPHRASE|PASSWORD|KEYSTORE|SECRET_?KEY)/i;
/** A 32-byte hex value: what a private key looks like. */
const KEY_VALUE = /^(0x)?[0-9a-fA-F]{64}$/;

export const noKeysInEnvironment: ResourceValidationPolicy = {
    name: "no-keys-in-environment",
    description: "Key material reaches containers as files from secrets, never as environment variables (visible to every process, to docker inspect and in crash dumps).",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        for (const container of containersOf(args)) {
            for (const entry of container.env) {
                const namedKey = KEY_NAME.test(entry.name);
                if (!namedKey && !(typeof entry.value === "string" && KEY_VALUE.test(entry.value))) continue;
                reportViolation(
                    `container '${container.name}' gets ${namedKey ? "key material" : "a key-like value"} in environment variable ${entry.name}` +
                        `${entry.fromSecret ? " (from a Secret)" : ""}: mount it as a file from a secret and read it there.`,
                );
            }
        }
    },
};
