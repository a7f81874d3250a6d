import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as random from "@pulumi/random";
import type { RpcCredentials } from "../chain/rpc";
import type { ConsortiumConfig } from "../config";
import { createServices } from "../platform";
import { RPC_PORT, SECRETS_DIR, WS_PORT, type ServiceSpec } from "../platform/workload";
import { GATEWAY_WORKLOAD, OPERATOR_READER } from "./config";
import { FORWARD_LOCATION, GATEWAY_HEALTH_PATH, GATEWAY_INTERNAL_PORT, GATEWAY_PORT, NJS_MODULE_PATH, renderGatewayConfig, renderHtpasswd } from "./nginx";
import { renderRpcFilter } from "./rpcFilter";

/** The gateway's workload name (container, Service); authorities may not take it. */
export const GATEWAY_NAME = GATEWAY_WORKLOAD;
const CONFIG_PATH = "/consortium/config/nginx.conf";
const FILTER_PATH = "/consortium/config/rpc-filter.js";
const HTPASSWD_PATH = `${SECRETS_DIR}/htpasswd`;
/** The official image's unprivileged nginx user. */
const NGINX_USER = { uid: 101, gid: 101 };
/** Docker's embedded DNS server, on every user-defined network. */
const DOCKER_DNS = "127.0.0.11";

export interface RpcGatewayArgs {
    readonly config: ConsortiumConfig;
    readonly prefix: string;
    /** Members that get a credential; `pulumi up`'s own is added. */
    readonly readers: readonly string[];
    /** DNS names of the RPC nodes behind the gateway: the first serves, the others are backups. */
    readonly nodeHosts: readonly string[];
    readonly dockerNetwork?: pulumi.Input<string>;
}

/** The gateway's workload, for either platform: nginx with its configuration and user file. */
function gatewayService(config: ConsortiumConfig, prefix: string, nodeHosts: readonly string[], htpasswd: pulumi.Input<string>, image: string): ServiceSpec {
    // The digest of a file of salted hashes of random passwords reveals nothing; it is not secret.
    const usersDigest = pulumi.unsecret(pulumi.output(htpasswd).apply((users) => createHash("sha256").update(users).digest("hex").slice(0, 16)));
    const limits = config.permissioning!.rpc.limits;
    const nginxConfig = usersDigest.apply((digest) => renderGatewayConfig({
        http: nodeHosts.map((host) => `${host}:${RPC_PORT}`),
        ws: nodeHosts.map((host) => `${host}:${WS_PORT}`),
        ...(config.platform === "docker" ? { resolver: DOCKER_DNS } : {}),
        listenPort: GATEWAY_PORT,
        internalPort: GATEWAY_INTERNAL_PORT,
        htpasswdPath: HTPASSWD_PATH,
        filterPath: FILTER_PATH,
        njsModulePath: NJS_MODULE_PATH,
        limits,
        corsOrigins: config.rpc.corsOrigins,
        runtimeDir: "/tmp",
        accessLog: "/dev/stdout",
        usersDigest: digest,
    }));
    const filter = renderRpcFilter({ methods: config.rpc.methods, maxBatch: limits.maxBatch, forwardTo: FORWARD_LOCATION });
    const { bindAddress, hostPort } = config.rpc.docker;
    return {
        name: GATEWAY_NAME,
        component: GATEWAY_NAME,
        image,
        command: ["nginx", "-e", "stderr", "-c", CONFIG_PATH, "-g", "daemon off;"],
        env: {},
        files: [
            { key: "nginx.conf", path: CONFIG_PATH, content: nginxConfig, encoding: "utf8", kind: "config" },
            { key: "rpc-filter.js", path: FILTER_PATH, content: filter, encoding: "utf8", kind: "config" },
            { key: "htpasswd", path: HTPASSWD_PATH, content: htpasswd, encoding: "utf8", kind: "secret" },
        ],
        ports: [{ name: "http", port: GATEWAY_PORT }],
        healthCheck: ["wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${GATEWAY_PORT}${GATEWAY_HEALTH_PATH}`],
        // On Kubernetes the platform's RPC Service (and Ingress) selects the gateway instead of a node.
        ...(config.platform === "docker" ? { expose: { port: GATEWAY_PORT, bindAddress, hostPort } } : {}),
        resources: { cpu: "100m", memory: "128Mi" },
        runAs: NGINX_USER,
        // Its pid file and temporary files (runtimeDir); everything else it only reads.
        scratchPaths: ["/tmp"],
        // Two on Kubernetes, so that a node drain or an update never leaves members without RPC. Limits are per
        // replica: a member may get up to twice its rate in all.
        replicas: 2,
        reaches: [{ chainNodes: prefix }],
    };
}

/**
 * The only way into the chain's JSON-RPC when the consortium is permissioned: nginx with one
 * generated credential per reading member (and one for `pulumi up` itself), limits per member and per address,
 * and the JSON-RPC method filter, in front of this stack's RPC nodes, which then publish nothing themselves.
 */
export class RpcGateway extends pulumi.ComponentResource {
    /** Reader name to password (secret). */
    public readonly credentials: pulumi.Output<Record<string, string>>;
    /** What `pulumi up` authenticates with (secret). */
    public readonly operatorCredentials: pulumi.Output<RpcCredentials>;

    constructor(name: string, args: RpcGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:rpcGateway:RpcGateway", name, {}, opts);
        const { config } = args;
        const password = (reader: string) =>
            new random.RandomPassword(`${name}-${reader}`, { length: 40, special: false }, { parent: this, protect: config.protect, retainOnDelete: config.protect }).result;
        const readerPasswords = args.readers.map((reader) => [reader, password(reader)] as const);
        const operatorPassword = password(OPERATOR_READER);
        this.credentials = pulumi.secret(pulumi.all(readerPasswords.map(([, secret]) => secret)).apply((secrets) => Object.fromEntries(args.readers.map((reader, index) => [reader, secrets[index]]))));
        this.operatorCredentials = pulumi.secret(operatorPassword.apply((secret) => ({ username: OPERATOR_READER, password: secret })));
        const htpasswd = pulumi.secret(pulumi.all([this.credentials, operatorPassword]).apply(([readers, operator]) => renderHtpasswd({ ...readers, [OPERATOR_READER]: operator })));

        const image = config.permissioning!.rpc.image;
        createServices(
            `${name}-service`,
            config,
            { prefix: args.prefix, services: [gatewayService(config, args.prefix, args.nodeHosts, htpasswd, image)], protect: config.protect, dockerNetworks: args.dockerNetwork ? [args.dockerNetwork] : [] },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
