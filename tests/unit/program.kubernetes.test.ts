import * as pulumi from "@pulumi/pulumi";
import { decryptKeystoreJson } from "ethers";
import { validateKubernetesObject } from "../helpers/kubernetesSchema";
import { evaluate, installMocks, ofType, promiseOf, settle, useStackConfig, type Registration } from "../helpers/pulumiMocks";

type Outputs = ReturnType<typeof import("../../components/program").runProgram>;

async function run(overrides: Record<string, unknown> = {}, preview = false) {
    const registrations = await installMocks({ preview });
    useStackConfig("acme-prod", overrides);
    const { runProgram } = await import("../../components/program");
    const outputs: Outputs = await evaluate(runProgram);
    if (!preview) await promiseOf(outputs.authorities);
    await settle();
    return { registrations, outputs };
}

const kubernetesObjects = (registrations: Registration[]) =>
    registrations.filter((registration) => registration.type.startsWith("kubernetes:") && !registration.type.startsWith("pulumi:providers"));
const STS = "kubernetes:apps/v1:StatefulSet";

describe("the acme-prod stack on Kubernetes", () => {
    let registrations: Registration[];
    let outputs: Outputs;

    beforeAll(async () => {
        ({ registrations, outputs } = await run());
    });

    test("every Kubernetes object it registers validates against the Kubernetes schema", () => {
        const objects = kubernetesObjects(registrations);
        expect(objects.length).toBeGreaterThan(20);
        for (const object of objects) expect(() => validateKubernetesObject(object.inputs)).not.toThrow();
    });

    test("one StatefulSet per authority this stack runs (none for the external one) and per RPC node", () => {
        const statefulSets = ofType(registrations, STS);
        expect(statefulSets.map((sts) => sts.inputs.metadata.name).sort()).toEqual(["acme-1", "acme-2", "globex-1", "globex-2", "rpc-node-1", "rpc-node-2"]);
        for (const sts of statefulSets) {
            expect(sts.inputs.metadata.namespace).toBe("acme-consortium");
            expect(sts.inputs.spec.replicas).toBe(1);
            expect(sts.inputs.spec.serviceName).toBe(`${sts.inputs.metadata.name}-pods`);
            expect(sts.inputs.spec.volumeClaimTemplates[0].spec).toEqual({
                accessModes: ["ReadWriteOnce"],
                storageClassName: "ssd-retain",
                resources: { requests: { storage: "200Gi" } },
            });
            expect(sts.inputs.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
            const container = sts.inputs.spec.template.spec.containers[0];
            expect(container.resources.requests).toEqual({ cpu: "500m", memory: "2Gi" });
            expect(container.env ?? []).toEqual([]);
        }
    });

    test("a headless governing Service and a stable peer Service per authority", () => {
        const services = ofType(registrations, "kubernetes:core/v1:Service").map((service) => service.inputs);
        for (const name of ["acme-1", "acme-2", "globex-1", "globex-2"]) {
            expect(services.find((service) => service.metadata.name === `${name}-pods`)?.spec.clusterIP).toBe("None");
            expect(services.find((service) => service.metadata.name === name)?.spec.type).toBe("ClusterIP");
        }
    });

    test("every node peers with all 4 other authorities (the external one included) and the RPC nodes", async () => {
        const authorities = await promiseOf(outputs.authorities);
        expect(authorities).toHaveLength(5);
        const configs = ofType(registrations, "kubernetes:core/v1:ConfigMap").filter((configMap) => configMap.inputs.data["nethermind.json"]);
        expect(configs).toHaveLength(6);
        for (const configMap of configs) {
            const name = configMap.inputs.metadata.name.replace(/-config$/, "");
            const peers: string[] = JSON.parse(configMap.inputs.data["nethermind.json"]).Network.StaticPeers.split(",");
            // Own authorities are dialled by their Service names, whatever their exported (advertised) enode says.
            const nodeId = (enode: string) => enode.slice("enode://".length, "enode://".length + 128);
            const expected = authorities.filter((authority) => authority.name !== name).map((authority) => nodeId(authority.enode));
            expect(peers.filter((peer) => !/@rpc-node-\d\./.test(peer)).map(nodeId).sort()).toEqual(expected.sort());
            for (const own of authorities.filter((authority) => authority.runByThisStack && authority.name !== name)) {
                expect(peers).toContain(`enode://${nodeId(own.enode)}@${own.name}.acme-consortium.svc:30303`);
            }
            const rpcPeers = ["rpc-node-1", "rpc-node-2"].filter((node) => node !== name);
            expect(peers.filter((peer) => /@rpc-node-\d\./.test(peer)).map((peer) => peer.split("@")[1])).toEqual(rpcPeers.map((node) => `${node}.acme-consortium.svc:30303`));
            expect(peers.some((peer) => peer.endsWith("@authority.initech.example:30303"))).toBe(true);
        }
        for (const own of authorities.filter((authority) => authority.runByThisStack && !["acme-1", "globex-1"].includes(authority.name))) {
            expect(own.enode).toMatch(new RegExp(`@${own.name}\\.acme-consortium\\.svc:30303$`));
        }
    });

    test("the validator set is the four keystores' addresses and the external authority's", async () => {
        const spec = JSON.parse(ofType(registrations, "kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.name === "test-chain")!.inputs.data["spec.json"]);
        const secrets = ofType(registrations, "kubernetes:core/v1:Secret").filter((secret) => secret.inputs.metadata.labels["app.kubernetes.io/component"] === "authority");
        expect(secrets).toHaveLength(4);
        const addresses = await Promise.all(
            secrets.map(async (secret) => (await decryptKeystoreJson(secret.inputs.stringData["keystore.json"], secret.inputs.stringData.password)).address),
        );
        expect(spec.engine.authorityRound.params.validators.list).toEqual([...addresses, "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb"]);
    });

    test("key Secrets, the namespace and the data are protected from deletion", () => {
        for (const secret of ofType(registrations, "kubernetes:core/v1:Secret")) expect(secret.opts).toMatchObject({ protect: true, retainOnDelete: true });
        expect(ofType(registrations, "kubernetes:core/v1:Namespace")[0].opts).toMatchObject({ protect: true, retainOnDelete: true });
    });

    test("PodDisruptionBudgets keep a majority of the authorities up, and all RPC nodes but one", () => {
        const [authorities, rpcNodes] = ofType(registrations, "kubernetes:policy/v1:PodDisruptionBudget");
        expect(authorities.inputs.spec.minAvailable).toBe(3);
        expect(authorities.inputs.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/component": "authority", "app.kubernetes.io/part-of": "test" });
        expect(rpcNodes.inputs.spec.maxUnavailable).toBe(1);
        expect(rpcNodes.inputs.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/component": "rpc-node", "app.kubernetes.io/part-of": "test" });
    });

    test("no authority exposes JSON-RPC: no RPC port in its pod or Services, JSON-RPC bound to loopback, readiness probed inside the pod", () => {
        for (const sts of ofType(registrations, STS).filter((candidate) => !candidate.inputs.metadata.name.startsWith("rpc-node"))) {
            const container = sts.inputs.spec.template.spec.containers[0];
            expect(container.ports.map((port: { containerPort: number }) => port.containerPort)).toEqual([30303, 30303]);
            expect(container.readinessProbe.exec.command.join(" ")).toContain("127.0.0.1");
            expect(container.readinessProbe.tcpSocket).toBeUndefined();
        }
        const services = ofType(registrations, "kubernetes:core/v1:Service").map((service) => service.inputs);
        for (const name of ["acme-1", "acme-2", "globex-1", "globex-2"]) {
            for (const service of services.filter((candidate) => candidate.metadata.name === name || candidate.metadata.name === `${name}-pods`)) {
                expect(service.spec.ports.map((port: { port: number }) => port.port)).toEqual([30303, 30303]);
            }
            const config = JSON.parse(ofType(registrations, "kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.name === `${name}-config`)!.inputs.data["nethermind.json"]);
            expect(config.JsonRpc.Host).toBe("127.0.0.1");
        }
    });

    test("every pod runs without a service-account token or privilege escalation; non-root images drop every capability", () => {
        const withPods = kubernetesObjects(registrations).filter((object) => object.inputs.spec?.template?.spec?.containers);
        expect(withPods.length).toBeGreaterThan(6);
        for (const object of withPods) {
            const pod = object.inputs.spec.template.spec;
            expect({ name: object.name, automount: pod.automountServiceAccountToken }).toEqual({ name: object.name, automount: false });
            for (const container of pod.containers) {
                expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
                expect(container.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
                if (pod.securityContext?.runAsNonRoot) expect(container.securityContext.capabilities).toEqual({ drop: ["ALL"] });
            }
        }
    });

    test("the gateway runs two replicas, rolled one at a time, with a disruption budget keeping one", () => {
        const gateway = ofType(registrations, "kubernetes:apps/v1:Deployment").find((deployment) => deployment.inputs.metadata.name === "rpc-gateway")!;
        expect(gateway.inputs.spec.replicas).toBe(2);
        expect(gateway.inputs.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
        const budget = ofType(registrations, "kubernetes:policy/v1:PodDisruptionBudget").find((pdb) => pdb.inputs.metadata.name === "rpc-gateway")!;
        expect(budget.inputs.spec.minAvailable).toBe(1);
    });

    test("published authorities get a LoadBalancer for p2p only, and their exported enodes name the advertised host", async () => {
        const services = ofType(registrations, "kubernetes:core/v1:Service").map((service) => service.inputs);
        const published = services.filter((service) => service.metadata.name.endsWith("-p2p"));
        expect(published.map((service) => service.metadata.name).sort()).toEqual(["acme-1-p2p", "globex-1-p2p"]);
        for (const service of published) {
            expect(service.spec.type).toBe("LoadBalancer");
            expect(service.spec.ports.map((port: { port: number; protocol: string }) => `${port.port}/${port.protocol}`)).toEqual(["30303/TCP", "30303/UDP"]);
        }
        const authorities = await promiseOf(outputs.authorities);
        expect(authorities.find((authority) => authority.name === "acme-1")!.enode).toMatch(/@p2p-acme-1\.consortium\.acme\.example:30303$/);
        expect(authorities.find((authority) => authority.name === "acme-2")!.enode).toMatch(/@acme-2\.acme-consortium\.svc:30303$/);
        // The stack's own nodes still dial each other inside the cluster.
        const peers: string = JSON.parse(ofType(registrations, "kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.name === "acme-2-config")!.inputs.data["nethermind.json"]).Network.StaticPeers;
        expect(peers).toContain("@acme-1.acme-consortium.svc:30303");
        expect(peers).not.toContain("p2p-acme-1");
    });

    test("RPC nodes hold no key material but their node key", () => {
        for (const name of ["rpc-node-1", "rpc-node-2"]) {
            const secret = ofType(registrations, "kubernetes:core/v1:Secret").find((candidate) => candidate.inputs.metadata.name === `${name}-keys`)!;
            expect(Object.keys(secret.inputs.stringData ?? {})).toEqual([]);
            expect(Object.keys(secret.inputs.data ?? {})).toEqual(["node.key"]);
        }
    });

    test("NetworkPolicies open p2p to authorities and RPC only on the endpoint", () => {
        const policies = ofType(registrations, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((policy) => policy.inputs);
        const p2p = policies.find((policy) => policy.metadata.name === "test-authority-p2p")!;
        expect(p2p.spec.ingress).toEqual([
            {
                // The consortium's own nodes, and the external authority from where it connects (never 0.0.0.0/0).
                from: [
                    { podSelector: { matchLabels: { "app.kubernetes.io/part-of": "test" }, matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["authority", "rpc-node"] }] } },
                    { ipBlock: { cidr: "198.51.100.24/32" } },
                ],
                ports: [
                    { port: 30303, protocol: "TCP" },
                    { port: 30303, protocol: "UDP" },
                ],
            },
        ]);
        expect(p2p.spec.podSelector.matchExpressions).toEqual([{ key: "app.kubernetes.io/component", operator: "In", values: ["authority", "rpc-node"] }]);
        const behindGateway = policies.find((policy) => policy.metadata.name === "test-authority-rpc")!;
        expect(behindGateway.spec.podSelector.matchLabels["app.kubernetes.io/component"]).toBe("rpc-node");
        const rpc = policies.find((policy) => policy.metadata.name === "test-rpc-endpoint")!;
        // acme-prod is permissioned: RPC is the authenticating gateway's, never a node's
        expect(rpc.spec.podSelector.matchLabels["app.kubernetes.io/name"]).toBe("rpc-gateway");
        expect(rpc.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: "TCP" }] }]); // the gateway's one port, JSON-RPC and WebSocket
    });

    test("only the RPC endpoint is published: one RPC Service and its Ingress", async () => {
        const services = ofType(registrations, "kubernetes:core/v1:Service").map((service) => service.inputs);
        const selectingEndpoint = services.filter((service) => service.metadata.name === "test-rpc");
        expect(selectingEndpoint).toHaveLength(1);
        expect(selectingEndpoint[0].spec.selector["app.kubernetes.io/name"]).toBe("rpc-gateway");
        // Besides it, only the published authorities' p2p Services leave the cluster.
        expect(services.filter((service) => service.spec.type && service.spec.type !== "ClusterIP").map((service) => service.metadata.name).sort()).toEqual(["acme-1-p2p", "globex-1-p2p"]);
        const [ingress] = ofType(registrations, "kubernetes:networking.k8s.io/v1:Ingress");
        expect(ingress.inputs.spec.rules[0].host).toBe("rpc.consortium.acme.example");
        expect(await promiseOf(outputs.rpcUrl)).toBe("https://rpc.consortium.acme.example");
    });

    test("StatefulSets are created together, and peers reach a pod before it is ready", () => {
        // A node is ready only with peers and advancing blocks: a chain whose nodes waited for each other would never start.
        for (const sts of ofType(registrations, STS)) {
            const dependsOn = (sts.opts.dependsOn ?? []) as pulumi.Resource[];
            expect(dependsOn.filter((resource) => resource instanceof (require("@pulumi/kubernetes").apps.v1.StatefulSet))).toHaveLength(0);
        }
        const services = ofType(registrations, "kubernetes:core/v1:Service").map((service) => service.inputs);
        for (const name of ["acme-1", "rpc-node-1"]) expect(services.find((service) => service.metadata.name === name)?.spec.publishNotReadyAddresses).toBe(true);
    });

    test("each node waits for the other own nodes' Service names and the external authority's host, so an unresolved name delays rather than crashes it", () => {
        for (const sts of ofType(registrations, STS)) {
            const [shell, flag, script] = sts.inputs.spec.template.spec.containers[0].command;
            expect([shell, flag]).toEqual(["/bin/sh", "-c"]);
            const waited = /for host in ([^;]+); do/.exec(script)![1].split(" ");
            const others = ["acme-1", "acme-2", "globex-1", "globex-2", "rpc-node-1", "rpc-node-2"].filter((name) => name !== sts.inputs.metadata.name);
            expect(waited).toEqual([...others.map((name) => `${name}.acme-consortium.svc`), "authority.initech.example"]);
            expect(script).toContain('exec /nethermind/nethermind "$@"');
        }
    });

    test("no two authorities share a cluster node; RPC nodes prefer distinct nodes", () => {
        for (const sts of ofType(registrations, STS)) {
            const { affinity } = sts.inputs.spec.template.spec;
            const component = sts.inputs.spec.template.metadata.labels["app.kubernetes.io/component"];
            const term = { labelSelector: { matchLabels: { "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": "test" } }, topologyKey: "kubernetes.io/hostname" };
            if (component === "authority") expect(affinity).toEqual({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } });
            else expect(affinity).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } });
        }
    });

    test("Nethermind runs as a non-root user on a read-only root, writing only its volume, its keys folder, its logs and /tmp", () => {
        for (const sts of ofType(registrations, STS)) {
            const pod = sts.inputs.spec.template.spec;
            expect(pod.securityContext).toEqual({ runAsUser: 1654, runAsGroup: 1654, fsGroup: 1654, fsGroupChangePolicy: "OnRootMismatch", runAsNonRoot: true });
            const container = pod.containers[0];
            expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, seccompProfile: { type: "RuntimeDefault" } });
            const writable = [
                ...container.volumeMounts.filter((mount: { name: string }) => mount.name === "data" || mount.name.startsWith("scratch-")).map((mount: { mountPath: string }) => mount.mountPath),
            ];
            expect(writable).toEqual(["/nethermind/nethermind_db", "/consortium/keystore", "/consortium/run", "/tmp"]);
            for (const volume of pod.volumes.filter((candidate: { name: string }) => candidate.name.startsWith("scratch-"))) expect(volume.emptyDir).toEqual({});
            // Every path Nethermind writes is on one of them.
            const configMap = ofType(registrations, "kubernetes:core/v1:ConfigMap").find((map) => map.inputs.metadata.name === `${sts.inputs.metadata.name}-config`)!;
            const nethermind = JSON.parse(configMap.inputs.data["nethermind.json"]);
            for (const written of [nethermind.Init.BaseDbPath, nethermind.Init.LogDirectory, nethermind.Init.StaticNodesPath, nethermind.Init.TrustedNodesPath, nethermind.KeyStore.KeyStoreDirectory]) {
                expect({ written, onWritable: writable.some((folder) => written === folder || written.startsWith(`${folder}/`)) }).toEqual({ written, onWritable: true });
            }
        }
    });

    test("pods mount the spec, their config and their keys as files", () => {
        const sts = ofType(registrations, STS).find((candidate) => candidate.inputs.metadata.name === "acme-1")!;
        const pod = sts.inputs.spec.template.spec;
        const mounts = pod.containers[0].volumeMounts;
        expect(mounts).toContainEqual({ name: "data", mountPath: "/nethermind/nethermind_db" });
        expect(mounts).toContainEqual({ name: "chain", mountPath: "/consortium/chain/spec.json", subPath: "spec.json", readOnly: true });
        expect(mounts).toContainEqual({ name: "keys", mountPath: "/consortium/secrets/node.key", subPath: "node.key", readOnly: true });
        expect(pod.volumes.find((volume: { name: string }) => volume.name === "keys").secret.secretName).toBe("acme-1-keys");
    });
});

describe("Kubernetes options", () => {
    test("nonRootNodes false runs Nethermind as its image's user, still on a read-only root, for storage that ignores fsGroup", async () => {
        const { registrations } = await run({ kubernetes: { namespace: "acme-consortium", nonRootNodes: false } });
        const authority = ofType(registrations, STS).find((sts) => sts.inputs.metadata.name === "acme-1")!;
        expect(authority.inputs.spec.template.spec.securityContext).toBeUndefined();
        expect(authority.inputs.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });

    test("authoritySpread preferred lets authorities share a node when the cluster has too few", async () => {
        const { registrations } = await run({ kubernetes: { namespace: "acme-consortium", authoritySpread: "preferred" } });
        const authority = ofType(registrations, STS).find((sts) => sts.inputs.metadata.name === "acme-1")!;
        expect(authority.inputs.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
        expect(authority.inputs.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    });

    test("a LoadBalancer RPC Service exports its load balancer address", async () => {
        const { outputs } = await run({ rpc: { kubernetes: { serviceType: "LoadBalancer" } } });
        expect(await promiseOf(outputs.rpcUrl)).toBe("http://203.0.113.10:8545");
    });

    test("without external authorities, p2p is admitted only from the consortium's own nodes", async () => {
        const { registrations } = await run({ externalAuthorities: [] });
        const p2p = ofType(registrations, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((policy) => policy.inputs.metadata.name === "test-authority-p2p")!;
        expect(p2p.inputs.spec.ingress[0].from).toEqual([
            {
                podSelector: {
                    matchLabels: { "app.kubernetes.io/part-of": "test" },
                    matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["authority", "rpc-node"] }],
                },
            },
        ]);
    });

    test("without a gateway, the users' RPC Service selects every RPC node", async () => {
        const { registrations } = await run({ permissioning: {} });
        const service = ofType(registrations, "kubernetes:core/v1:Service").find((candidate) => candidate.inputs.metadata.name === "test-rpc")!;
        expect(service.inputs.spec.selector).toEqual({ "app.kubernetes.io/component": "rpc-node", "app.kubernetes.io/part-of": "test" });
        expect(service.inputs.spec.ports.map((port: { port: number }) => port.port)).toEqual([8545, 8546]);
        // Filters live on the node that made them.
        expect(service.inputs.spec.sessionAffinity).toBe("ClientIP");
    });

    test("OpenEthereum nodes run as their image's user with group-readable keys", async () => {
        const { registrations } = await run({ client: { kind: "openethereum" } });
        for (const object of kubernetesObjects(registrations)) validateKubernetesObject(object.inputs);
        const sts = ofType(registrations, STS).find((candidate) => candidate.inputs.metadata.name === "acme-1")!;
        expect(sts.inputs.spec.template.spec.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch", runAsNonRoot: true });
        const container = sts.inputs.spec.template.spec.containers[0];
        expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
        // Its base path is the volume claim; the keys folder (where it saves its address book) and /tmp are emptyDirs.
        expect(container.volumeMounts.filter((mount: { name: string }) => mount.name.startsWith("scratch-")).map((mount: { mountPath: string }) => mount.mountPath)).toEqual(["/tmp", "/consortium/keys"]);
        expect(sts.inputs.spec.template.spec.containers[0].image).toBe("openethereum/openethereum:v3.3.5");
    });

    test.each(["nethermind", "openethereum", "parity"])("%s: every chain node runs as a non-root user on a read-only root, writing only its volume claim and emptyDirs", async (kind) => {
        const { registrations } = await run({ client: { kind }, ...(kind === "parity" ? { poco: {} } : {}) });
        const nodes = ofType(registrations, STS).filter((sts) => ["authority", "rpc-node"].includes(sts.inputs.spec.template.metadata.labels["app.kubernetes.io/component"]));
        expect(nodes.length).toBe(6);
        for (const sts of nodes) {
            const pod = sts.inputs.spec.template.spec;
            expect(pod.automountServiceAccountToken).toBe(false);
            expect(pod.securityContext.runAsNonRoot).toBe(true);
            expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
            const [container] = pod.containers;
            expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, seccompProfile: { type: "RuntimeDefault" } });
            const volumes = new Map(pod.volumes.map((volume: { name: string }) => [volume.name, volume]));
            for (const mount of container.volumeMounts as { name: string; readOnly?: boolean; mountPath: string }[]) {
                const writable = mount.readOnly !== true;
                if (!writable) continue;
                // Writable: the data claim (a volumeClaimTemplate, not a pod volume) or an emptyDir.
                expect({ mount: mount.mountPath, kind: mount.name === "data" ? "claim" : (volumes.get(mount.name) as { emptyDir?: object })?.emptyDir ? "emptyDir" : "other" }).toEqual({
                    mount: mount.mountPath,
                    kind: mount.name === "data" ? "claim" : "emptyDir",
                });
            }
        }
    });

    test("an existing namespace is used as it is when createNamespace is false", async () => {
        const { registrations } = await run({ kubernetes: { namespace: "team-chain", createNamespace: false } });
        expect(ofType(registrations, "kubernetes:core/v1:Namespace")).toEqual([]);
        for (const sts of ofType(registrations, STS)) expect(sts.inputs.metadata.namespace).toBe("team-chain");
    });

    test("the program also evaluates in preview mode, registering the same resources", async () => {
        const { registrations } = await run({}, true);
        const { registrations: applied } = await run();
        expect(registrations.map((r) => `${r.type}::${r.name}`).sort()).toEqual(applied.map((r) => `${r.type}::${r.name}`).sort());
    });
});

describe("schema validation catches what a user's pulumi up would reject", () => {
    test("a StatefulSet with a string replica count fails validation", () => {
        expect(() => validateKubernetesObject({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "x" }, spec: { replicas: "two" } })).toThrow();
    });
});
