import { validateKubernetesObject } from "../helpers/kubernetesSchema";
import { allows, isRestricted, type NetworkPolicy, type Pod } from "../helpers/networkPolicy";
import { DEV_ADMIN_KEY, evaluate, installMocks, ofType, promiseOf, settle, useStackConfig, type Registration } from "../helpers/pulumiMocks";

/**
 * The production stack on Kubernetes (gateway, an external member, the bridge to an external foreign chain and its
 * UI), its NetworkPolicies read with Kubernetes' semantics: which connections each pod can really open.
 */
const NAMESPACE = "acme-consortium";
const MAINNET_RPC = "https://mainnet.example/rpc";
const OUTSIDE = { ip: "93.184.216.34" };
const EXTERNAL_MEMBER = { ip: "198.51.100.24" };
const METADATA_SERVICE = { ip: "169.254.169.254" };
const DNS: Pod = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };

let registrations: Registration[];
let policies: NetworkPolicy[];
let pods: Map<string, Pod>;

/** Every pod template the program registers (StatefulSets, Deployments, the Job), by workload name. */
function podsOf(registered: Registration[]): Map<string, Pod> {
    const templates = ["kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job"].flatMap((type) => ofType(registered, type));
    return new Map(templates.map((object) => [object.inputs.metadata.name as string, { namespace: object.inputs.metadata.namespace as string, labels: object.inputs.spec.template.metadata.labels as Record<string, string> }]));
}
const pod = (name: string): Pod => {
    const found = pods.get(name);
    if (!found) throw new Error(`no pod ${name}; pods: ${[...pods.keys()].join(", ")}`);
    return found;
};

beforeAll(async () => {
    registrations = await installMocks();
    useStackConfig(
        "acme-prod",
        {
            foreign: { external: { rpcUrl: MAINNET_RPC, chainId: 1, token: "0x607F4C5BB672230e8672085532f7e901544a7375" } },
            bridge: { requiredSignatures: 2, ui: { image: "registry.acme.example/tokenbridge-ui:2.7.0-rc0", ingressHost: "bridge.acme.example" } },
        },
        { foreignDeployerKey: DEV_ADMIN_KEY },
    );
    const { runProgram } = await import("../../components/program");
    const outputs = await evaluate(runProgram);
    await promiseOf(outputs.bridge);
    await settle();
    policies = ofType(registrations, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((policy) => policy.inputs as NetworkPolicy);
    pods = podsOf(registrations);
});

test("every policy is a valid NetworkPolicy, and a default deny covers every pod in both directions", () => {
    for (const policy of policies) validateKubernetesObject({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...policy });
    expect(pods.size).toBeGreaterThan(20);
    for (const [name, candidate] of pods) {
        for (const type of ["Ingress", "Egress"] as const) expect({ name, type, restricted: isRestricted(policies, candidate, type) }).toEqual({ name, type, restricted: true });
    }
    // In a namespace the stack made, the deny covers any pod (also one someone else adds later).
    const stranger: Pod = { namespace: NAMESPACE, labels: { app: "debug-shell" } };
    expect(allows(policies, stranger, OUTSIDE, { port: 443 })).toBe(false);
    expect(allows(policies, stranger, pod("rpc-node-1"), { port: 8545 })).toBe(false);
});

test("every pod resolves names, and nothing reaches the cloud metadata service", () => {
    for (const [name, candidate] of pods) {
        expect({ name, dns: allows(policies, candidate, DNS, { port: 53, protocol: "UDP" }) }).toEqual({ name, dns: true });
        expect({ name, metadata: allows(policies, candidate, METADATA_SERVICE, { port: 80 }) }).toEqual({ name, metadata: false });
    }
});

test("chain nodes: p2p between themselves and with the external member's network, nothing else", () => {
    const nodes = ["acme-1", "acme-2", "globex-1", "globex-2", "rpc-node-1", "rpc-node-2"];
    for (const from of nodes) {
        for (const to of nodes.filter((name) => name !== from)) {
            expect({ from, to, p2p: allows(policies, pod(from), pod(to), { port: 30303 }), discovery: allows(policies, pod(from), pod(to), { port: 30303, protocol: "UDP" }) }).toEqual({ from, to, p2p: true, discovery: true });
        }
        expect(allows(policies, pod(from), EXTERNAL_MEMBER, { port: 30303 })).toBe(true);
        expect(allows(policies, EXTERNAL_MEMBER, pod(from), { port: 30303 })).toBe(true);
        expect(allows(policies, OUTSIDE, pod(from), { port: 30303 })).toBe(false);
        // The external member's enode names a host, not an address: its port is open outward, nothing else.
        expect(allows(policies, pod(from), OUTSIDE, { port: 30303 })).toBe(true);
        expect(allows(policies, pod(from), OUTSIDE, { port: 30304 })).toBe(false);
        expect(allows(policies, pod(from), OUTSIDE, { port: 443 })).toBe(false);
    }
    // An authority's JSON-RPC is loopback only, and no pod reaches it.
    expect(allows(policies, pod("rpc-gateway"), pod("acme-1"), { port: 8545 })).toBe(false);
    expect(allows(policies, pod("bridge-acme-request"), pod("acme-1"), { port: 8545 })).toBe(false);
});

test("users reach only the gateway; the gateway reaches only the RPC nodes", () => {
    expect(allows(policies, OUTSIDE, pod("rpc-gateway"), { port: 8080 })).toBe(true);
    expect(allows(policies, OUTSIDE, pod("rpc-node-1"), { port: 8545 })).toBe(false);
    for (const node of ["rpc-node-1", "rpc-node-2"]) {
        expect(allows(policies, pod("rpc-gateway"), pod(node), { port: 8545 })).toBe(true);
        expect(allows(policies, pod("rpc-gateway"), pod(node), { port: 8546 })).toBe(true);
    }
    expect(allows(policies, pod("rpc-gateway"), OUTSIDE, { port: 443 })).toBe(false);
    expect(allows(policies, pod("rpc-gateway"), pod("bridge-acme-rabbitmq"), { port: 5672 })).toBe(false);
});

test("a validator's oracle reaches its own queue and database, the home RPC nodes and the external foreign chain; its queue reaches nothing", () => {
    const oracle = pod("bridge-acme-request");
    expect(allows(policies, oracle, pod("bridge-acme-rabbitmq"), { port: 5672 })).toBe(true);
    expect(allows(policies, oracle, pod("bridge-acme-redis"), { port: 6379 })).toBe(true);
    expect(allows(policies, oracle, pod("bridge-globex-rabbitmq"), { port: 5672 })).toBe(false);
    expect(allows(policies, pod("bridge-globex-request"), pod("bridge-acme-redis"), { port: 6379 })).toBe(false);
    expect(allows(policies, oracle, pod("rpc-node-1"), { port: 8545 })).toBe(true);
    expect(allows(policies, oracle, OUTSIDE, { port: 443 })).toBe(true); // mainnet.example, a name: any address outside
    expect(allows(policies, oracle, OUTSIDE, { port: 22 })).toBe(false);
    const queue = pod("bridge-acme-rabbitmq");
    expect(allows(policies, queue, OUTSIDE, { port: 443 })).toBe(false);
    expect(allows(policies, queue, pod("rpc-node-1"), { port: 8545 })).toBe(false);
    expect(allows(policies, pod("rpc-gateway"), queue, { port: 5672 })).toBe(false);
});

test("the contracts job reaches both chains; the UI is reached on its port and reaches nothing", () => {
    const job = pod("bridge-contracts");
    expect(allows(policies, job, pod("rpc-node-2"), { port: 8545 })).toBe(true);
    expect(allows(policies, job, OUTSIDE, { port: 443 })).toBe(true);
    expect(allows(policies, job, pod("bridge-acme-rabbitmq"), { port: 5672 })).toBe(false);
    const ui = pod("bridge-ui");
    expect(allows(policies, OUTSIDE, ui, { port: 3000 })).toBe(true);
    expect(allows(policies, OUTSIDE, ui, { port: 22 })).toBe(false);
    expect(allows(policies, ui, pod("rpc-node-1"), { port: 8545 })).toBe(false);
    expect(allows(policies, ui, OUTSIDE, { port: 443 })).toBe(false);
});

test("pods start after the policies that let them reach what they need", () => {
    const dependsOnPolicy = (object: Registration) => ((object.opts.dependsOn ?? []) as { constructor: { name: string } }[]).some((resource) => resource.constructor.name === "NetworkPolicy");
    for (const type of ["kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job"]) {
        for (const object of ofType(registrations, type)) expect({ name: object.inputs.metadata.name, dependsOnPolicy: dependsOnPolicy(object) }).toEqual({ name: object.inputs.metadata.name, dependsOnPolicy: true });
    }
});

test("the default deny comes last: after both chains, their services and the bridge, so a running stack is never cut off while its workloads' policies wait", () => {
    const [isolation] = ofType(registrations, "consortium:platform:DefaultDeny");
    const after = ((isolation.opts.dependsOn ?? []) as { __name?: string }[]).map((resource) => resource.__name);
    expect(after).toEqual(expect.arrayContaining(["consortium", "consortium-permissions", "bridge"]));
    const policies = ofType(registrations, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((policy) => policy.inputs.metadata.name === "test-default-deny");
    expect(policies).toHaveLength(1);
});

test("an external member whose enode names an IPv4 address is dialled there only, TCP and its discovery port", async () => {
    const again = await installMocks();
    const enode = `enode://${"5c".repeat(64)}@198.51.100.50:30305?discport=30306`;
    useStackConfig("acme-prod", { externalAuthorities: [{ name: "initech-1", address: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb", enode, allowFrom: ["198.51.100.24/32"] }] });
    const { runProgram } = await import("../../components/program");
    await promiseOf((await evaluate(runProgram)).authorities);
    await settle();
    const rules = ofType(again, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((policy) => policy.inputs as NetworkPolicy);
    const node = podsOf(again).get("acme-1")!;
    expect(allows(rules, node, { ip: "198.51.100.50" }, { port: 30305 })).toBe(true);
    expect(allows(rules, node, { ip: "198.51.100.50" }, { port: 30306, protocol: "UDP" })).toBe(true);
    expect(allows(rules, node, { ip: "198.51.100.50" }, { port: 30306 })).toBe(false);
    expect(allows(rules, node, { ip: "198.51.100.51" }, { port: 30305 })).toBe(false);
    expect(allows(rules, node, OUTSIDE, { port: 30303 })).toBe(false);
});

test("kubernetes.dns admits a node-local DNS cache (host network, link-local) and another port, which the default does not", async () => {
    const NODE_LOCAL = { ip: "169.254.20.10" };
    expect(allows(policies, pod("acme-1"), NODE_LOCAL, { port: 53, protocol: "UDP" })).toBe(false);
    const again = await installMocks();
    useStackConfig("acme-prod", { kubernetes: { namespace: NAMESPACE, dns: { addresses: ["169.254.20.10/32"], ports: [53, 5353] } } });
    const { runProgram } = await import("../../components/program");
    await promiseOf((await evaluate(runProgram)).authorities);
    await settle();
    const rules = ofType(again, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((policy) => policy.inputs as NetworkPolicy);
    for (const [name, candidate] of podsOf(again)) {
        expect({ name, cache: allows(rules, candidate, NODE_LOCAL, { port: 53, protocol: "UDP" }), openshift: allows(rules, candidate, DNS, { port: 5353, protocol: "UDP" }) }).toEqual({ name, cache: true, openshift: true });
        expect(allows(rules, candidate, NODE_LOCAL, { port: 80 })).toBe(false);
    }
});
