import { createHash } from "crypto";

/**
 * The RPC gateway's nginx configuration: HTTP basic authentication per reader in front of the
 * authorities' JSON-RPC (HTTP and WebSocket on one port), the credentials never forwarded to the
 * node, every request logged with the reader's name. Written for nginx as packaged by Debian and by
 * the official image alike (no directive newer than nginx 1.22).
 */

/** The port the gateway listens on inside the platform. */
export const GATEWAY_PORT = 8080;
export const GATEWAY_HEALTH_PATH = "/health";

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
    readonly htpasswdPath: string;
    /** Writable directory for the pid file and temporary files: the gateway runs as an unprivileged user. */
    readonly runtimeDir: string;
    /** Where each request is logged with its reader's name: the container's stdout on a platform. */
    readonly accessLog: string;
    /**
     * A digest of the user file, written as a comment: the configuration then changes with the credentials,
     * which restarts the gateway on Kubernetes (file mounts do not follow Secret updates).
     */
    readonly usersDigest?: string;
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export function renderGatewayConfig(input: GatewayNginxInput): string {
    for (const endpoint of [...input.http, ...input.ws]) {
        if (!HOST_PORT.test(endpoint)) throw new Error(`refusing to put '${endpoint}' in the gateway configuration: expected host:port`);
    }
    if (input.http.length === 0 || input.ws.length === 0) throw new Error("the gateway needs at least one node endpoint");
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
    return [
        ...(input.usersDigest ? [`# users: ${input.usersDigest}`] : []),
        "worker_processes 1;",
        `pid ${input.runtimeDir}/nginx.pid;`,
        "error_log stderr warn;",
        "events { worker_connections 1024; }",
        "http {",
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${input.runtimeDir}/${kind};`),
        `    log_format gateway '$remote_addr $remote_user [$time_local] "$request" $status $body_bytes_sent $request_time';`,
        `    access_log ${input.accessLog} gateway;`,
        "    server_tokens off;",
        "    client_max_body_size 2m;",
        "    map $http_upgrade $connection_upgrade {",
        "        default upgrade;",
        `        "" "";`,
        "    }",
        ...backends,
        "    server {",
        `        listen ${input.listenPort};`,
        `        location = ${GATEWAY_HEALTH_PATH} {`,
        "            access_log off;",
        `            return 200 "ok\\n";`,
        "        }",
        "        location / {",
        `            auth_basic "consortium JSON-RPC";`,
        `            auth_basic_user_file ${input.htpasswdPath};`,
        "            proxy_pass http://$rpc_backend;",
        "            proxy_http_version 1.1;",
        "            proxy_set_header Upgrade $http_upgrade;",
        "            proxy_set_header Connection $connection_upgrade;",
        `            proxy_set_header Authorization "";`,
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
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
