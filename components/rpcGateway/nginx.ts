import { createHash } from "crypto";

/**
 * The RPC gateway's nginx configuration, two server blocks in one nginx:
 * - the members' port: CORS preflight for the configured origins, a request and connection limit per client
 *   address before authentication (which throttles failed logins), HTTP basic authentication per member, then the
 *   JSON-RPC filter (components/rpcGateway/rpcFilter.ts). Accepted requests go to the loopback port with only
 *   the headers a node needs and the authenticated member's name;
 * - a loopback port that applies each member's own request and connection limits, keyed on that name, which no
 *   client can set (nginx's limit_req applies once per request, at the first location that has one:
 *   `r->main->limit_req_set`, ngx_http_limit_req_module.c, so the per-member limit needs its own server), and
 *   forwards to the RPC nodes.
 * Failed logins are logged without the name they claimed. Written for nginx as packaged by Debian 12 (1.22, njs
 * 0.7) and by the official image alike.
 */

/** The port the gateway listens on inside the platform. */
export const GATEWAY_PORT = 8080;
export const GATEWAY_HEALTH_PATH = "/health";
/** The loopback port of the member-limit server. */
export const GATEWAY_INTERNAL_PORT = 8081;
/** Where Debian's libnginx-mod-http-js and nginx.org's nginx-module-njs (the official image's) install njs. */
export const NJS_MODULE_PATH = "/usr/lib/nginx/modules/ngx_http_js_module.so";
/** The named location the filter hands an accepted request to. */
export const FORWARD_LOCATION = "@member";

export interface GatewayLimits {
    /** Requests per second a member may send, with `burst` more at once. */
    readonly requestsPerSecond: number;
    readonly burst: number;
    /** Concurrent requests (WebSocket sessions included) per member. */
    readonly connectionsPerMember: number;
    /** Requests per second from one client address before authentication, with `addressBurst` more at once. */
    readonly addressRequestsPerSecond: number;
    readonly addressBurst: number;
    /** Concurrent connections from one client address. */
    readonly connectionsPerAddress: number;
    readonly maxBodyBytes: number;
    readonly maxBatch: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
    requestsPerSecond: 50,
    burst: 100,
    connectionsPerMember: 64,
    addressRequestsPerSecond: 200,
    addressBurst: 400,
    connectionsPerAddress: 256,
    maxBodyBytes: 1024 * 1024,
    maxBatch: 100,
};

export interface GatewayNginxInput {
    /** host:port of each node's JSON-RPC and WebSocket endpoints; the first is used, the others are backups. */
    readonly http: readonly string[];
    readonly ws: readonly string[];
    /**
     * A DNS resolver to re-resolve node names on every request (Docker's embedded 127.0.0.11: a replaced
     * container gets a new address). Without it, names resolve once at start (Kubernetes Services, whose
     * cluster IPs never move), which allows backups.
     */
    readonly resolver?: string;
    readonly listenPort: number;
    readonly internalPort: number;
    readonly htpasswdPath: string;
    /** The njs module rpcFilter.ts renders. */
    readonly filterPath: string;
    readonly njsModulePath: string;
    readonly limits: GatewayLimits;
    /** Browser origins answered with CORS headers; "*" answers every origin. */
    readonly corsOrigins: readonly string[];
    /** Writable directory for the pid file and temporary files: the gateway runs as an unprivileged user. */
    readonly runtimeDir: string;
    /** Where each request is logged with its member's name: the container's stdout on a platform. */
    readonly accessLog: string;
    /**
     * A digest of the user file, written as a comment: the configuration then changes with the credentials,
     * which restarts the gateway on Kubernetes (file mounts do not follow Secret updates).
     */
    readonly usersDigest?: string;
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
/** A browser origin (scheme, host, optional port) or "*": what the gateway's CORS map takes, and `rpc.corsOrigins` allows. */
export const CORS_ORIGIN = /^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)$/;
/** The request headers a node receives (WebSocket's handshake included); every other one, forwarding headers included, stays at the gateway. */
const FORWARDED_HEADERS: readonly [string, string][] = [
    ["Content-Type", "$content_type"],
    ["Accept", "$http_accept"],
    ["Upgrade", "$http_upgrade"],
    ["Connection", "$connection_upgrade"],
    ["Sec-WebSocket-Key", "$http_sec_websocket_key"],
    ["Sec-WebSocket-Version", "$http_sec_websocket_version"],
    ["Sec-WebSocket-Extensions", "$http_sec_websocket_extensions"],
    ["Sec-WebSocket-Protocol", "$http_sec_websocket_protocol"],
];
const MEMBER_HEADER = "X-Consortium-Member";

export function renderGatewayConfig(input: GatewayNginxInput): string {
    for (const endpoint of [...input.http, ...input.ws]) {
        if (!HOST_PORT.test(endpoint)) throw new Error(`refusing to put '${endpoint}' in the gateway configuration: expected host:port`);
    }
    for (const origin of input.corsOrigins) {
        if (!CORS_ORIGIN.test(origin)) throw new Error(`refusing to put the CORS origin '${origin}' in the gateway configuration: expected scheme://host[:port] or *`);
    }
    if (input.http.length === 0 || input.ws.length === 0) throw new Error("the gateway needs at least one node endpoint");
    const limits = input.limits;
    const backends = input.resolver
        ? [
              `    resolver ${input.resolver} valid=10s ipv6=off;`,
              "    map $http_upgrade $rpc_backend {",
              `        default ${input.http[0]};`,
              `        "~*^websocket$" ${input.ws[0]};`,
              "    }",
          ]
        : [
              "    upstream rpc_http {",
              ...input.http.map((endpoint, index) => `        server ${endpoint}${index > 0 ? " backup" : ""};`),
              "        keepalive 16;",
              "    }",
              "    upstream rpc_ws {",
              ...input.ws.map((endpoint, index) => `        server ${endpoint}${index > 0 ? " backup" : ""};`),
              "    }",
              "    map $http_upgrade $rpc_backend {",
              "        default rpc_http;",
              `        "~*^websocket$" rpc_ws;`,
              "    }",
          ];
    // A listed origin is echoed with credentials allowed; "*" answers any other origin with "*" and no credentials,
    // so that no web page can make calls with a member's cached login.
    const corsMap = [
        "    map $http_origin $cors_origin {",
        `        default ${input.corsOrigins.includes("*") ? `"*"` : `""`};`,
        ...input.corsOrigins.filter((origin) => origin !== "*").map((origin) => `        "${origin}" $http_origin;`),
        "    }",
    ];
    const corsHeaders = (indent: string) => [
        `${indent}add_header Access-Control-Allow-Origin $cors_origin always;`,
        `${indent}add_header Access-Control-Allow-Credentials $cors_credentials always;`,
        `${indent}add_header Vary Origin always;`,
    ];
    return [
        ...(input.usersDigest ? [`# users: ${input.usersDigest}`] : []),
        `load_module ${input.njsModulePath};`,
        "worker_processes 1;",
        `pid ${input.runtimeDir}/nginx.pid;`,
        "error_log stderr warn;",
        // A WebSocket session holds four connections: member to gateway, gateway to its loopback server, and that to a node.
        `events { worker_connections ${Math.max(4096, 4 * (limits.connectionsPerAddress + limits.connectionsPerMember) + 64)}; }`,
        "http {",
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${input.runtimeDir}/${kind};`),
        // The member a request is logged under: none for a failed login (whatever name it claimed) or no login.
        `    map "$status:$remote_user" $member {`,
        `        "~^401:" "-";`,
        `        "~^[0-9]+:$" "-";`,
        "        default $remote_user;",
        "    }",
        `    log_format gateway '$remote_addr $member [$time_local] "$request" $status $body_bytes_sent $request_time';`,
        `    access_log ${input.accessLog} gateway;`,
        "    server_tokens off;",
        `    js_import rpc from ${input.filterPath};`,
        "    map $http_upgrade $connection_upgrade {",
        "        default upgrade;",
        `        "" "";`,
        "    }",
        ...corsMap,
        "    map $cors_origin $cors_credentials {",
        `        "" "";`,
        `        "*" "";`,
        "        default true;",
        "    }",
        `    limit_req_zone $binary_remote_addr zone=addresses:10m rate=${limits.addressRequestsPerSecond}r/s;`,
        "    limit_conn_zone $binary_remote_addr zone=address_connections:10m;",
        `    limit_req_zone $http_x_consortium_member zone=members:1m rate=${limits.requestsPerSecond}r/s;`,
        "    limit_conn_zone $http_x_consortium_member zone=member_connections:1m;",
        "    limit_req_status 429;",
        "    limit_conn_status 429;",
        ...backends,
        "    server {",
        `        listen ${input.listenPort};`,
        `        client_max_body_size ${limits.maxBodyBytes};`,
        // The whole body in one memory buffer, where the filter reads it (r.requestText).
        `        client_body_buffer_size ${limits.maxBodyBytes};`,
        "        client_body_in_single_buffer on;",
        `        location = ${GATEWAY_HEALTH_PATH} {`,
        "            access_log off;",
        `            return 200 "ok\\n";`,
        "        }",
        "        location / {",
        "            if ($request_method = OPTIONS) {",
        ...corsHeaders("                "),
        "                add_header Access-Control-Allow-Methods \"POST, GET, OPTIONS\" always;",
        "                add_header Access-Control-Allow-Headers \"Authorization, Content-Type\" always;",
        "                add_header Access-Control-Max-Age 600 always;",
        "                return 204;",
        "            }",
        `            limit_req zone=addresses burst=${limits.addressBurst} nodelay;`,
        `            limit_conn address_connections ${limits.connectionsPerAddress};`,
        `            auth_basic "consortium JSON-RPC";`,
        `            auth_basic_user_file ${input.htpasswdPath};`,
        ...corsHeaders("            "),
        "            js_content rpc.filter;",
        "        }",
        `        location ${FORWARD_LOCATION} {`,
        // The node's own CORS answer (a wildcard on some clients) gives way to the gateway's.
        ...["Origin", "Credentials", "Methods", "Headers"].map((name) => `            proxy_hide_header Access-Control-Allow-${name};`),
        ...corsHeaders("            "),
        `            proxy_pass http://127.0.0.1:${input.internalPort};`,
        "            proxy_http_version 1.1;",
        "            proxy_pass_request_headers off;",
        ...FORWARDED_HEADERS.map(([header, value]) => `            proxy_set_header ${header} ${value};`),
        `            proxy_set_header ${MEMBER_HEADER} $remote_user;`,
        "            proxy_read_timeout 1h;",
        "        }",
        "    }",
        "    server {",
        `        listen 127.0.0.1:${input.internalPort};`,
        `        client_max_body_size ${limits.maxBodyBytes};`,
        "        access_log off;",
        "        location / {",
        `            limit_req zone=members burst=${limits.burst} nodelay;`,
        `            limit_conn member_connections ${limits.connectionsPerMember};`,
        "            proxy_pass http://$rpc_backend;",
        "            proxy_http_version 1.1;",
        `            proxy_set_header ${MEMBER_HEADER} "";`,
        "            proxy_set_header Upgrade $http_upgrade;",
        "            proxy_set_header Connection $connection_upgrade;",
        "            proxy_read_timeout 1h;",
        "        }",
        "    }",
        "}",
        "",
    ].join("\n");
}

/**
 * An nginx user file: one `name:{SSHA}…` line per reader (RFC 2307 salted SHA-1, which nginx reads
 * since 1.0.3). The salt is derived from the name and the password, so the file only changes when a
 * credential does; the passwords are long random strings, not guessable words.
 */
export function renderHtpasswd(credentials: Readonly<Record<string, string>>): string {
    return Object.entries(credentials)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([username, password]) => {
            const salt = createHash("sha256").update(`${username}\0${password}`).digest().subarray(0, 8);
            const digest = createHash("sha1").update(password).update(salt).digest();
            return `${username}:{SSHA}${Buffer.concat([digest, salt]).toString("base64")}\n`;
        })
        .join("");
}
