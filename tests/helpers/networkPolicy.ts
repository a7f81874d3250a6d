/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1, as the API reference defines them), for tests that ask
 * whether a connection is allowed by the policies a program registers rather than how the policies are spelt:
 * - a pod selected by no policy of a type is unrestricted in that direction; once selected, only what some rule of
 *   a selecting policy allows passes (rules are additive, never deny);
 * - a connection between two pods needs the source's egress and the destination's ingress;
 * - a rule whose `to`/`from` is absent or empty matches every peer, whose `ports` is absent or empty every port;
 *   `{}` selects everything; policyTypes defaults to Ingress, plus Egress when there are egress rules;
 * - `ipBlock` matches addresses outside the cluster. Pod addresses are not matched by it here; some CNIs (Calico)
 *   match them too, which only widens what an ipBlock rule admits (see the README's limits).
 */

export interface LabelSelector {
    readonly matchLabels?: Record<string, string>;
    readonly matchExpressions?: readonly { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}
interface Peer {
    readonly podSelector?: LabelSelector;
    readonly namespaceSelector?: LabelSelector;
    readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}
interface Rule {
    readonly to?: readonly Peer[];
    readonly from?: readonly Peer[];
    readonly ports?: readonly { port?: number; protocol?: string }[];
}
export interface NetworkPolicy {
    readonly metadata: { readonly name: string; readonly namespace?: string };
    readonly spec: { readonly podSelector: LabelSelector; readonly policyTypes?: readonly ("Ingress" | "Egress")[]; readonly ingress?: readonly Rule[]; readonly egress?: readonly Rule[] };
}

export interface Pod {
    readonly namespace: string;
    readonly labels: Record<string, string>;
}
/** A pod, or an address outside the cluster. */
export type Endpoint = Pod | { readonly ip: string };
export interface Connection {
    readonly port: number;
    readonly protocol?: "TCP" | "UDP";
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) return true;
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
    for (const expression of selector.matchExpressions ?? []) {
        const has = expression.key in labels;
        const value = labels[expression.key];
        const ok =
            expression.operator === "In" ? has && (expression.values ?? []).includes(value) :
            expression.operator === "NotIn" ? !has || !(expression.values ?? []).includes(value) :
            expression.operator === "Exists" ? has : !has;
        if (!ok) return false;
    }
    return true;
}

function ipToNumber(ip: string): number {
    return ip.split(".").reduce((total, part) => total * 256 + Number(part), 0);
}
function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipToNumber(base) / size) * size;
    return ipToNumber(ip) >= start && ipToNumber(ip) < start + size;
}

function peerMatches(peer: Peer, other: Endpoint, policyNamespace: string, namespaceLabels: (namespace: string) => Record<string, string>): boolean {
    if ("ip" in other) return peer.ipBlock !== undefined && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((cidr) => inCidr(other.ip, cidr));
    if (peer.ipBlock) return false;
    const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(other.namespace)) : other.namespace === policyNamespace;
    return namespaceOk && (peer.podSelector ? selects(peer.podSelector, other.labels) : true);
}

function ruleMatches(rule: Rule, peers: readonly Peer[] | undefined, other: Endpoint, connection: Connection, namespace: string, namespaceLabels: (namespace: string) => Record<string, string>): boolean {
    const protocol = connection.protocol ?? "TCP";
    // An absent or empty list matches everything (NetworkPolicyIngressRule/EgressRule: "If this field is empty or missing").
    const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((port) => (port.protocol ?? "TCP") === protocol && (port.port === undefined || port.port === connection.port));
    const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, other, namespace, namespaceLabels));
    return portOk && peerOk;
}

function typesOf(policy: NetworkPolicy): readonly ("Ingress" | "Egress")[] {
    // Default: Ingress, and Egress when the policy has egress rules.
    return policy.spec.policyTypes ?? ((policy.spec.egress?.length ?? 0) > 0 ? ["Ingress", "Egress"] : ["Ingress"]);
}

function directionAllows(
    policies: readonly NetworkPolicy[],
    direction: "Ingress" | "Egress",
    pod: Pod,
    other: Endpoint,
    connection: Connection,
    namespaceLabels: (namespace: string) => Record<string, string>,
): boolean {
    const selecting = policies.filter((policy) => (policy.metadata.namespace ?? pod.namespace) === pod.namespace && typesOf(policy).includes(direction) && selects(policy.spec.podSelector, pod.labels));
    if (selecting.length === 0) return true;
    return selecting.some((policy) =>
        (direction === "Egress" ? policy.spec.egress ?? [] : policy.spec.ingress ?? []).some((rule) =>
            ruleMatches(rule, direction === "Egress" ? rule.to : rule.from, other, connection, pod.namespace, namespaceLabels),
        ),
    );
}

/** Whether `from` may open `connection` to `to` under `policies`. */
export function allows(
    policies: readonly NetworkPolicy[],
    from: Endpoint,
    to: Endpoint,
    connection: Connection,
    namespaceLabels: (namespace: string) => Record<string, string> = (namespace) => ({ "kubernetes.io/metadata.name": namespace }),
): boolean {
    const egress = "ip" in from ? true : directionAllows(policies, "Egress", from, to, connection, namespaceLabels);
    const ingress = "ip" in to ? true : directionAllows(policies, "Ingress", to, from, connection, namespaceLabels);
    return egress && ingress;
}

/** Whether some policy of `type` selects the pod. */
export function isRestricted(policies: readonly NetworkPolicy[], pod: Pod, type: "Ingress" | "Egress"): boolean {
    return policies.some((policy) => (policy.metadata.namespace ?? pod.namespace) === pod.namespace && typesOf(policy).includes(type) && selects(policy.spec.podSelector, pod.labels));
}
