import { PULUMI_SERVICE_NAME } from "../../components/config/names";
import { DEV_ADMIN, DEV_ADMIN_KEY, evaluate, installMocks, settle, useDevStack, useStackConfig, type Registration } from "../helpers/pulumiMocks";

/**
 * The collision rule (consortium names) mirrors how the platforms name their objects. These tests run
 * the real program under mocks and compare every object name it registers with what the rule
 * derives from the same config: a platform that names an object differently fails here.
 */

const KUBERNETES_KINDS: Record<string, string> = {
    "kubernetes:core/v1:Service": "Kubernetes Service",
    "kubernetes:core/v1:ConfigMap": "Kubernetes ConfigMap",
    "kubernetes:core/v1:Secret": "Kubernetes Secret",
    "kubernetes:apps/v1:StatefulSet": "Kubernetes StatefulSet",
    "kubernetes:apps/v1:Deployment": "Kubernetes Deployment",
    "kubernetes:batch/v1:Job": "Kubernetes Job",
    "kubernetes:networking.k8s.io/v1:Ingress": "Kubernetes Ingress",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": "Kubernetes NetworkPolicy",
    "kubernetes:policy/v1:PodDisruptionBudget": "Kubernetes PodDisruptionBudget",
};
/** Cluster-scoped, named by kubernetes.namespace itself. */
const NOT_DERIVED = ["kubernetes:core/v1:Namespace"];
/** The platform components whose Services' Pulumi names the rule derives (components/consortium.ts). */
const PLATFORM_COMPONENTS = ["consortium-kubernetes-", "foreign-chain-kubernetes-"];

function registeredNames(registrations: readonly Registration[], stack: string): string[] {
    const names: string[] = [];
    const networkLabel = (network: string) =>
        network === `${stack}-consortium`
            ? "the home chain's Docker network"
            : network === `${stack}-foreign-consortium`
              ? "the foreign chain's Docker network"
              : network.startsWith(`${stack}-bridge-`) || network === `${stack}-workerpool`
                ? `the group network '${network}'`
                : network.startsWith(`${stack}-workerpool-`) && network.endsWith("-mongo")
                  ? `the private network '${network}'`
                  : `unknown network ${network}`;
    for (const { type, name, inputs } of registrations) {
        if (type.startsWith("kubernetes:") && !type.startsWith("pulumi:providers") && !NOT_DERIVED.includes(type)) {
            const kind = KUBERNETES_KINDS[type];
            // A kind the mirror does not know: the rule must learn it.
            names.push(kind ? `${kind} ${inputs.metadata.name}` : `unmirrored ${type} ${inputs.metadata.name}`);
            if (type === "kubernetes:core/v1:Service" && PLATFORM_COMPONENTS.some((component) => name.startsWith(component))) names.push(`${PULUMI_SERVICE_NAME} ${name}`);
        }
        if (type === "docker:index/container:Container") {
            names.push(`Docker container ${inputs.name}`);
            for (const network of inputs.networksAdvanced ?? []) for (const alias of network.aliases ?? []) names.push(`alias on ${networkLabel(network.name)} ${alias}`);
        }
        if (type === "docker:index/volume:Volume") names.push(`Docker volume ${inputs.name}`);
        if (type === "docker:index/network:Network") names.push(`Docker network ${inputs.name}`);
    }
    return names.sort();
}

async function compare(stack: string, configure: () => void) {
    const registrations = await installMocks({ stack });
    configure();
    const { loadConfig, platformObjectNames } = await import("../../components/config");
    const derived = platformObjectNames(loadConfig(), stack).map(({ kind, name }) => `${kind} ${name}`).sort();
    const { runProgram } = await import("../../components/program");
    await evaluate(runProgram);
    await settle();
    return { derived, registered: registeredNames(registrations, stack) };
}

const BRIDGE = {
    validators: [{ name: "alice" }, { name: "bob" }, { name: "carol", address: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69" }],
    requiredSignatures: 2,
    ui: { image: "registry.example/tokenbridge-ui:2.7.0-rc0", hostPort: 3100, ingressHost: "bridge.acme.example" },
};

describe("the names the collision rule derives are the names the platforms register", () => {
    test("Kubernetes: authorities, a local foreign chain, the RPC gateway and Ingress, bridge agents, UI and job, a workerpool", async () => {
        const { derived, registered } = await compare("acme-prod", () =>
            useStackConfig(
                "acme-prod",
                {
                    chain: { name: "ACME-CONSORTIUM", networkId: 4242, stepDuration: 5, accounts: { [DEV_ADMIN]: "1000000000000000000000000" } },
                    poco: { admin: DEV_ADMIN },
                    foreign: { local: { chainId: 4243 } },
                    bridge: BRIDGE,
                    workerpool: { workers: [{ name: "acme-a" }, { name: "acme-b" }] },
                },
                { pocoAdminKey: DEV_ADMIN_KEY },
            ),
        );
        expect(registered.length).toBeGreaterThan(60);
        expect(registered.filter((name) => name.startsWith("unmirrored"))).toEqual([]);
        expect(derived).toEqual(registered);
    });

    test("Kubernetes: no gateway (open RPC), no Ingress, an external foreign chain", async () => {
        const { derived, registered } = await compare("team", () =>
            useStackConfig(
                "acme-prod",
                {
                    rpc: {},
                    permissioning: { open: true, rpc: { access: "open" } },
                    foreign: { external: { rpcUrl: "https://mainnet.example/rpc", chainId: 1, token: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69" } },
                    bridge: { validators: [{ name: "acme" }], requiredSignatures: 1 },
                },
                { foreignDeployerKey: DEV_ADMIN_KEY },
            ),
        );
        expect(derived).toEqual(registered);
    });

    test("Docker: the dev stack with its foreign chain and bridge, a gateway, the bridge UI and the workerpool", async () => {
        const { derived, registered } = await compare("dev", () =>
            useDevStack({ permissioning: { transactors: [DEV_ADMIN] }, bridge: { requiredSignatures: 1, ui: { image: "registry.example/tokenbridge-ui:2.7.0-rc0", hostPort: 3100 } } }),
        );
        expect(registered.length).toBeGreaterThan(30);
        expect(derived).toEqual(registered);
    });
});
