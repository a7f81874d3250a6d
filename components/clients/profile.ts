import * as pulumi from "@pulumi/pulumi";
import type { ClientKind } from "../config";
import { AUTHORITY_PORTS, RPC_PORT, SECRETS_DIR, type WorkloadFile, type WorkloadSpec } from "../platform/workload";
import { AUTHORITY_COMPONENT } from "../platform/naming";

export { SECRETS_DIR };

/** Everything a client profile needs to turn one authority into a workload. */
export interface AuthorityNodeInput {
    readonly name: string;
    /** The spec's `name`; Parity and OpenEthereum look for keys in a folder of that name. */
    readonly chainName: string;
    readonly address: pulumi.Input<string>;
    /** Enode URLs of every other authority, own and external (one input: joining N lists of N inputs is N²). */
    readonly staticPeers: pulumi.Input<readonly string[]>;
    /** Accept connections only from the static peers, and find no others (a permissioned consortium). */
    readonly onlyStaticPeers: boolean;
    readonly corsOrigins: readonly string[];
    readonly image: string;
    readonly extraArgs: readonly string[];
    /** This node is the consortium's RPC endpoint. */
    readonly publicEndpoint: boolean;
    readonly specJson: pulumi.Input<string>;
    readonly keys: {
        readonly keystoreFileName: pulumi.Input<string>;
        readonly keystoreJson: pulumi.Input<string>;
        readonly password: pulumi.Input<string>;
        /** 0x-prefixed 32-byte devp2p key. */
        readonly nodeKey: pulumi.Input<string>;
    };
    readonly resources: { readonly cpu: string; readonly memory: string };
    /**
     * DNS names of the other authorities this stack runs. Clients resolve peer names once, at start,
     * and Nethermind exits on a name that does not resolve yet (a Docker container whose peer is not
     * running); the node waits for them, for a bounded time, before the client starts.
     */
    readonly waitForHosts: readonly string[];
}

export interface ClientProfile {
    readonly kind: ClientKind;
    authorityWorkload(input: AuthorityNodeInput): WorkloadSpec;
}

/** Paths shared by every profile. */
export const SPEC_PATH = "/consortium/chain/spec.json";
export const CONFIG_DIR = "/consortium/config";
export const PASSWORD_PATH = `${SECRETS_DIR}/password`;

/** What distinguishes one client's authority workload from another's. */
export interface AuthorityLayout {
    /** The client's own configuration file, passed as `--config`. */
    readonly configPath: string;
    /** That file and any other non-secret per-node file. */
    readonly configFiles: readonly WorkloadFile[];
    /** Folder the client searches for the signer's keystore. */
    readonly keystoreDir: pulumi.Input<string>;
    /** Where and how (raw bytes or hex text) the client reads its devp2p key. */
    readonly nodeKey: { readonly path: string; readonly encoding: "raw" | "hex" };
    readonly dataPath: string;
    readonly runAs?: { readonly uid: number; readonly gid: number };
    readonly dockerTest: readonly string[];
    /** The client executable (the image's own entrypoint) and a POSIX shell the image ships. */
    readonly executable: string;
    readonly shell: string;
}

/** Seconds a node waits for its peers' names to resolve before starting its client anyway. */
export const PEER_WAIT_SECONDS = 180;

/** A POSIX sh script that waits until `hosts` resolve (or the deadline passes), then execs the client with its arguments. */
export function waitThenExec(hosts: readonly string[], executable: string, seconds = PEER_WAIT_SECONDS): string {
    for (const host of hosts) {
        if (!/^[a-z0-9.-]+$/.test(host)) throw new Error(`refusing to put host name '${host}' in a shell script`);
    }
    return [
        `deadline=$(( $(date +%s) + ${seconds} ))`,
        `for host in ${hosts.join(" ")}; do`,
        `  until getent hosts "$host" >/dev/null 2>&1 || [ "$(date +%s)" -ge "$deadline" ]; do sleep 2; done`,
        "done",
        `exec ${executable} "$@"`,
    ].join("\n");
}

/** The authority workload every profile shares: the spec, the key files, ports, health check and resources. */
export function authorityWorkload(input: AuthorityNodeInput, layout: AuthorityLayout): WorkloadSpec {
    const nodeKey = pulumi.output(input.keys.nodeKey).apply((key) => (layout.nodeKey.encoding === "raw" ? Buffer.from(key.slice(2), "hex").toString("base64") : key.slice(2)));
    return {
        name: input.name,
        component: AUTHORITY_COMPONENT,
        image: input.image,
        entrypoint:
            input.waitForHosts.length > 0 ? [layout.shell, "-c", waitThenExec(input.waitForHosts, layout.executable), input.name] : [layout.executable],
        args: ["--config", layout.configPath, ...input.extraArgs],
        files: [
            { key: "spec.json", path: SPEC_PATH, content: input.specJson, encoding: "utf8", kind: "shared" },
            ...layout.configFiles,
            {
                key: "keystore.json",
                path: pulumi.interpolate`${layout.keystoreDir}/${input.keys.keystoreFileName}`,
                content: input.keys.keystoreJson,
                encoding: "utf8",
                kind: "secret",
            },
            { key: "password", path: PASSWORD_PATH, content: input.keys.password, encoding: "utf8", kind: "secret" },
            { key: "node.key", path: layout.nodeKey.path, content: nodeKey, encoding: layout.nodeKey.encoding === "raw" ? "base64" : "utf8", kind: "secret" },
        ],
        ports: AUTHORITY_PORTS,
        dataPath: layout.dataPath,
        ...(layout.runAs ? { runAs: layout.runAs } : {}),
        healthCheck: { tcpPort: RPC_PORT, dockerTest: layout.dockerTest },
        resources: input.resources,
        publicEndpoint: input.publicEndpoint,
    };
}
