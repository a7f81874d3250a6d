import { describe, type Checker } from "../config/checker";
import { suggestion } from "../config/suggest";
import { SERVICE_TYPES, type IngressConfig, type PlatformKind, type ServiceType } from "../platform/config";
import { DEFAULT_METHODS, KNOWN_METHODS, REFUSED_METHOD_PREFIXES } from "./methods";
import { CORS_ORIGIN, DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from "./nginx";

/** The RPC configuration: the RPC nodes, their methods and ports (`rpc`), and the RPC gateway's access, image and limits. */

export interface RpcConfig {
    /**
     * Names of the non-validator full nodes that serve JSON-RPC and WebSocket to users, the gateway, `pulumi up`
     * and every service; authorities serve JSON-RPC on loopback only.
     */
    readonly nodes: readonly string[];
    /** The JSON-RPC methods members may call (components/rpcGateway/methods.ts); the nodes enable only their modules. */
    readonly methods: readonly string[];
    readonly corsOrigins: readonly string[];
    readonly docker: { readonly bindAddress: string; readonly hostPort: number; readonly wsHostPort: number };
    readonly kubernetes: { readonly serviceType: ServiceType; readonly ingress?: IngressConfig };
}

/** How users read the chain over JSON-RPC. */
export const RPC_ACCESS = ["gateway", "none", "open"] as const;
export type RpcAccess = (typeof RPC_ACCESS)[number];

/** The gateway's username for `pulumi up`'s own calls; no reader may take it. */
export const OPERATOR_READER = "operator";

/** The RPC gateway's workload name (container, Service). */
export const GATEWAY_WORKLOAD = "rpc-gateway";

/** nginx, the RPC gateway's reverse proxy; Debian packages the same software for the tests. */
export const GATEWAY_IMAGE = "nginx:1.27.3-alpine";

/** Default number of RPC nodes: one on a Docker host, two on Kubernetes (one may be drained while the other serves). */
export const DEFAULT_RPC_NODES: Record<PlatformKind, number> = { docker: 1, kubernetes: 2 };
export const MAX_RPC_NODES = 16;
/** The RPC nodes' names: `rpc-node-1`, `rpc-node-2`, ... */
export const rpcNodeNames = (count: number) => Array.from({ length: count }, (_, index) => `rpc-node-${index + 1}`);
/** The local foreign chain's one RPC node. */
export const foreignRpcNodeName = (authority: string) => `${authority}-rpc`;

function parseMethods(check: Checker, raw: unknown): string[] | undefined {
    if (raw === undefined || raw === null) return [...DEFAULT_METHODS];
    const methods = check.stringList("rpc.methods", raw);
    if (!methods) return undefined;
    let valid = true;
    for (const method of methods) {
        const refused = REFUSED_METHOD_PREFIXES.find(({ prefix }) => method.startsWith(prefix));
        if (refused) {
            valid = false;
            check.fail("rpc.methods", `must not include ${describe(method)}: ${refused.prefix}* ${refused.why}; no consortium node serves it`);
        } else if (!KNOWN_METHODS.includes(method)) {
            valid = false;
            const close = suggestion(method, KNOWN_METHODS);
            check.fail("rpc.methods", `names ${describe(method)}, not a method this program serves${close || `; known methods: ${KNOWN_METHODS.join(", ")}`}`);
        }
    }
    if (methods.length === 0) return check.fail("rpc.methods", "must name at least one method (absent: the safe default list)");
    if (new Set(methods).size !== methods.length) return check.fail("rpc.methods", "names a method twice");
    return valid ? methods : undefined;
}

export function parseRpc(check: Checker, raw: unknown, platform: PlatformKind | undefined): RpcConfig | undefined {
    const record = check.object("rpc", raw, ["nodes", "methods", "corsOrigins", "docker", "kubernetes", "authority"]);
    if (!record) return undefined;
    if (record.authority !== undefined) {
        check.fail(
            "rpc.authority",
            "is no longer used: authorities serve JSON-RPC on loopback only, and rpc.nodes non-validator nodes (no signer key) serve users, the gateway and pulumi up; remove rpc.authority (rpc.nodes sets how many)",
        );
    }
    const nodeCount =
        record.nodes === undefined ? (platform ? DEFAULT_RPC_NODES[platform] : 1) : check.integer("rpc.nodes", record.nodes, 1, MAX_RPC_NODES, `a number of RPC nodes from 1 to ${MAX_RPC_NODES}`);
    const methods = parseMethods(check, record.methods);
    const corsOrigins = check.stringList("rpc.corsOrigins", record.corsOrigins);
    for (const origin of corsOrigins ?? []) {
        if (!CORS_ORIGIN.test(origin)) check.fail("rpc.corsOrigins", `must list browser origins such as https://app.example.org (scheme, host, optional port) or *; got ${describe(origin)}`);
    }

    const dockerRecord = check.object("rpc.docker", record.docker, ["bindAddress", "hostPort", "wsHostPort"]);
    const bindAddress =
        dockerRecord?.bindAddress === undefined
            ? "127.0.0.1"
            : check.string("rpc.docker.bindAddress", dockerRecord.bindAddress, /^(\d{1,3}\.){3}\d{1,3}$/, "must be an IPv4 address such as 127.0.0.1 or 0.0.0.0");
    const hostPort = dockerRecord?.hostPort === undefined ? 8545 : check.integer("rpc.docker.hostPort", dockerRecord.hostPort, 1, 65535, "a TCP port (1 to 65535)");
    const wsHostPort =
        dockerRecord?.wsHostPort === undefined ? 8546 : check.integer("rpc.docker.wsHostPort", dockerRecord.wsHostPort, 1, 65535, "a TCP port (1 to 65535)");
    if (hostPort !== undefined && hostPort === wsHostPort) check.fail("rpc.docker.wsHostPort", `must differ from rpc.docker.hostPort (both ${hostPort})`);

    const k8sRecord = check.object("rpc.kubernetes", record.kubernetes, ["serviceType", "ingress"]);
    const serviceType =
        k8sRecord?.serviceType === undefined ? "ClusterIP" : check.oneOf("rpc.kubernetes.serviceType", k8sRecord.serviceType, SERVICE_TYPES);
    let ingress: IngressConfig | undefined;
    if (k8sRecord?.ingress !== undefined) {
        const ingressRecord = check.object("rpc.kubernetes.ingress", k8sRecord.ingress, ["host", "className", "tlsSecretName"]);
        const host = check.string("rpc.kubernetes.ingress.host", ingressRecord?.host, /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a DNS host name");
        const className = ingressRecord?.className === undefined ? undefined : check.string("rpc.kubernetes.ingress.className", ingressRecord.className);
        const tlsSecretName =
            ingressRecord?.tlsSecretName === undefined ? undefined : check.string("rpc.kubernetes.ingress.tlsSecretName", ingressRecord.tlsSecretName);
        if (host) ingress = { host, ...(className ? { className } : {}), ...(tlsSecretName ? { tlsSecretName } : {}) };
    }
    if (!nodeCount || !methods || corsOrigins === undefined || !bindAddress || !hostPort || !wsHostPort || !serviceType) return undefined;
    return {
        nodes: rpcNodeNames(nodeCount),
        methods,
        corsOrigins,
        docker: { bindAddress, hostPort, wsHostPort },
        kubernetes: { serviceType, ...(ingress ? { ingress } : {}) },
    };
}

/** Bounds of each gateway limit: what nginx accepts, and no setting that turns a limit off. */
const GATEWAY_LIMIT_RANGES: Record<keyof GatewayLimits, readonly [number, number, string]> = {
    requestsPerSecond: [1, 100_000, "requests per second per member"],
    burst: [0, 1_000_000, "requests a member may send at once above its rate"],
    connectionsPerMember: [1, 10_000, "concurrent requests and WebSocket sessions per member"],
    addressRequestsPerSecond: [1, 100_000, "requests per second from one client address, before authentication"],
    addressBurst: [0, 1_000_000, "requests one address may send at once above its rate"],
    connectionsPerAddress: [1, 10_000, "concurrent connections from one client address"],
    maxBodyBytes: [1024, 64 * 1024 * 1024, "bytes of a request body"],
    maxBatch: [1, 10_000, "calls in one batch request"],
};

export function parseGatewayLimits(check: Checker, raw: unknown): GatewayLimits | undefined {
    const keys = Object.keys(GATEWAY_LIMIT_RANGES) as (keyof GatewayLimits)[];
    const record = check.object("permissioning.rpc.limits", raw, keys);
    if (!record) return undefined;
    const limits: Partial<Record<keyof GatewayLimits, number>> = {};
    for (const key of keys) {
        const [min, max, what] = GATEWAY_LIMIT_RANGES[key];
        limits[key] = record[key] === undefined ? DEFAULT_GATEWAY_LIMITS[key] : check.integer(`permissioning.rpc.limits.${key}`, record[key], min, max, `a whole number from ${min} to ${max} (${what})`);
    }
    if (keys.some((key) => limits[key] === undefined)) return undefined;
    const parsed = limits as GatewayLimits;
    if (parsed.addressRequestsPerSecond < parsed.requestsPerSecond) {
        check.fail("permissioning.rpc.limits.addressRequestsPerSecond", `must be at least requestsPerSecond (${parsed.requestsPerSecond}): a member's calls come from one address too`);
    }
    return parsed;
}
