import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AUTHORITY_COMPONENT, COMPONENT_LABEL, PART_OF_LABEL, RPC_NODE_COMPONENT, componentSelector, workloadSelector } from "./naming";
import { IPV4_PATTERN } from "../config/checker";
import type { KubernetesConfig } from "./config";
import { RPC_PORT, WS_PORT, type Reach, type WorkloadSpec } from "./workload";

/**
 * The consortium's NetworkPolicies. A default deny (ingress and egress) covers its pods, then each workload gets
 * exactly what it uses: p2p between the chain's nodes and the external members' networks, JSON-RPC on the RPC nodes
 * (or the gateway) for users, and per service the chains it reads and its own group.
 */

type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type Metadata = (objectName: string) => k8s.types.input.meta.v1.ObjectMeta;

/**
 * Name resolution: the DNS ports on any pod of the cluster (the DNS Service's endpoints are CoreDNS or kube-dns pods,
 * whose labels differ between distributions) and on the addresses `kubernetes.dns` adds (a node-local cache on the
 * host network), never elsewhere.
 */
export function dnsEgress(dns: KubernetesConfig["dns"]): EgressRule {
    return {
        to: [{ namespaceSelector: {} }, ...dns.addresses.map((cidr) => ({ ipBlock: { cidr } }))],
        ports: dns.ports.flatMap((port) => [
            { port, protocol: "UDP" },
            { port, protocol: "TCP" },
        ]),
    };
}

/** The cloud providers' instance metadata service (credentials on some clouds): never reachable as "outside". */
const LINK_LOCAL = "169.254.0.0/16";

/** The egress rule of one Reach: a chain's RPC nodes by their labels, a service of the stack (`prefix`) on one port, or a host outside the cluster on its port. */
export function reachRule(reach: Reach, prefix: string): EgressRule {
    if ("service" in reach) return { to: [{ podSelector: { matchLabels: workloadSelector(prefix, reach.service) } }], ports: [{ port: reach.port, protocol: "TCP" }] };
    if ("chainNodes" in reach) {
        return {
            to: [{ podSelector: { matchLabels: componentSelector(reach.chainNodes, RPC_NODE_COMPONENT) } }],
            ports: [
                { port: RPC_PORT, protocol: "TCP" },
                { port: WS_PORT, protocol: "TCP" },
            ],
        };
    }
    const { host, port } = reach.external;
    return { to: [{ ipBlock: outsideAddress(host) }], ports: [{ port, protocol: "TCP" }] };
}

/** A NetworkPolicy matches addresses, not names: an IPv4 host is itself, a named one anywhere outside but link-local. */
function outsideAddress(host: string) {
    return IPV4_PATTERN.test(host) ? { cidr: `${host}/32` } : { cidr: "0.0.0.0/0", except: [LINK_LOCAL] };
}

/** Where an external member's node is dialled: its enode's host, TCP port and discovery (UDP) port. */
export interface ExternalNode {
    readonly host: string;
    readonly port: number;
    readonly discoveryPort: number;
}

export interface ChainPolicyArgs {
    readonly prefix: string;
    readonly workloads: readonly WorkloadSpec[];
    /** Where external members' nodes connect from (`externalAuthorities[].allowFrom`), and where they are dialled (their enodes). */
    readonly externalPeers: { readonly cidrs: readonly string[]; readonly nodes: readonly ExternalNode[] };
    readonly dns: KubernetesConfig["dns"];
    /** The users' endpoint: the gateway's pods and port, or (absent) the RPC nodes' RPC ports. */
    readonly gateway?: { readonly selector: Record<string, string>; readonly port: number };
}

export function createChainPolicies(parent: pulumi.Resource, name: string, metadata: Metadata, args: ChainPolicyArgs): k8s.networking.v1.NetworkPolicy[] {
    const { prefix } = args;
    const policies: k8s.networking.v1.NetworkPolicy[] = [];
    const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        policies.push(new k8s.networking.v1.NetworkPolicy(`${name}-${suffix}`, { metadata: metadata(`${prefix}-${suffix}`), spec }, { parent }));

    const chainNodes = { matchLabels: { [PART_OF_LABEL]: prefix }, matchExpressions: [{ key: COMPONENT_LABEL, operator: "In", values: [AUTHORITY_COMPONENT, RPC_NODE_COMPONENT] }] };
    const p2pPorts = uniquePorts(args.workloads, "p2p");
    const external = args.externalPeers.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    policy("authority-p2p", {
        podSelector: chainNodes,
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: chainNodes }, ...external], ports: p2pPorts }],
    });
    // A node dials the chain's other nodes and the external members' nodes where their enodes say, and resolves names.
    const dialled = args.externalPeers.nodes.map((node) => ({
        to: [{ ipBlock: outsideAddress(node.host) }],
        ports: [
            { port: node.port, protocol: "TCP" },
            { port: node.discoveryPort, protocol: "UDP" },
        ],
    }));
    policy("node-egress", {
        podSelector: chainNodes,
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: chainNodes }], ports: p2pPorts }, ...dialled, dnsEgress(args.dns)],
    });

    const rpcNodes = { matchLabels: componentSelector(prefix, RPC_NODE_COMPONENT) };
    const rpcNodePorts = uniquePorts(args.workloads, "rpc");
    if (args.gateway) {
        // Behind the gateway, only the consortium's own pods (the gateway, bridge agents and jobs) reach the RPC nodes.
        policy("authority-rpc", { podSelector: rpcNodes, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { [PART_OF_LABEL]: prefix } } }], ports: rpcNodePorts }] });
    }
    // What users reach: the gateway's one port (JSON-RPC and WebSocket), or every RPC node's RPC and WS ports.
    policy("rpc-endpoint", {
        podSelector: args.gateway ? { matchLabels: args.gateway.selector } : rpcNodes,
        policyTypes: ["Ingress"],
        ingress: [{ ports: args.gateway ? [{ port: args.gateway.port, protocol: "TCP" }] : rpcNodePorts }],
    });
    return policies;
}

export interface DefaultDenyArgs {
    readonly namespace: pulumi.Input<string>;
    /** The stack's prefix and the part-of labels of its chains (the home chain, a local foreign chain). */
    readonly prefix: string;
    readonly partOf: readonly string[];
    /** Every pod of a namespace this stack created, else only the consortium's own. */
    readonly ownsNamespace: boolean;
}

/**
 * Nothing in, nothing out for the consortium's pods, unless an allow policy says so. Created last, once every workload's
 * allow policies exist (the program makes everything else wait for nothing here): made first on a running stack, it
 * would cut the gateway and the bridge off while their own policies wait behind the nodes' rollout.
 */
export class DefaultDeny extends pulumi.ComponentResource {
    constructor(name: string, args: DefaultDenyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:platform:DefaultDeny", name, {}, opts);
        const podSelector = args.ownsNamespace ? {} : { matchExpressions: [{ key: PART_OF_LABEL, operator: "In", values: [...args.partOf] }] };
        new k8s.networking.v1.NetworkPolicy(
            `${name}-policy`,
            {
                metadata: { name: `${args.prefix}-default-deny`, namespace: args.namespace, labels: { [PART_OF_LABEL]: args.prefix, "app.kubernetes.io/managed-by": "pulumi" } },
                spec: { podSelector, policyTypes: ["Ingress", "Egress"] },
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}

function uniquePorts(workloads: readonly WorkloadSpec[], role: "p2p" | "rpc") {
    const seen = new Map<string, { port: number; protocol: "TCP" | "UDP" }>();
    for (const port of workloads.flatMap((workload) => workload.ports.filter((candidate) => candidate.role === role))) {
        seen.set(`${port.port}/${port.protocol}`, { port: port.port, protocol: port.protocol });
    }
    return [...seen.values()];
}
