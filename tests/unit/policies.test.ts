import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { PREVIEW_UNKNOWN } from "../../components/previewUnknown";
import {
    authorityCount,
    authorityCountOdd,
    authorityDisruptionBudget,
    bridgeSignaturesMajority,
    chainStateProtected,
    CONSORTIUM_POLICIES,
    dockerDaemonConfined,
    genesisUnchanged,
    imagesPinned,
    noKeysInEnvironment,
    rpcRequiresAuthentication,
} from "../../policy/policies";
import { exposesDockerSocket } from "../../policy/policies/dockerDaemon";
import { resourceViolations, stackViolations, type Resource } from "../helpers/policy";

/** Each policy of the pack with a resource that keeps the invariant and one that breaks it, as the analyzer would pass them. */

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const addresses = (count: number, offset = 1) => Array.from({ length: count }, (_, i) => address(offset + i));
const genesisLock = (name: string, sets: { fromBlock: number; addresses: string[] }[], genesisHash = "sha256:aa"): Resource => ({
    type: "pulumi-nodejs:dynamic:Resource",
    name,
    props: { __provider: "exports.handler = ...", genesisHash, validatorSets: sets },
    protect: true,
});
const labels = (name: string, component: string, partOf = "acme") => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": partOf });
const dockerLabels = (name: string, component: string, partOf = "acme") => Object.entries(labels(name, component, partOf)).map(([label, value]) => ({ label, value }));
const dockerAuthority = (name: string, extra: Record<string, unknown> = {}, partOf = "acme"): Resource => ({
    type: "docker:index/container:Container",
    name: `consortium-docker-${name}`,
    props: { name, image: "sha256:" + "ab".repeat(32), labels: dockerLabels(name, "authority", partOf), ports: [], envs: [], ...extra },
});
const statefulSet = (name: string, extra: Record<string, unknown> = {}): Resource => ({
    type: "kubernetes:apps/v1:StatefulSet",
    name: `consortium-kubernetes-${name}`,
    props: {
        metadata: { name, namespace: "acme", labels: labels(name, "authority") },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "acme" } },
            template: { metadata: { labels: labels(name, "authority") }, spec: { containers: [{ name: "node", image: "nethermind/nethermind:1.36.1", env: [] }] } },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            ...extra,
        },
    },
});
const service = (name: string, selector: Record<string, string>, extra: Record<string, unknown> = {}): Resource => ({
    type: "kubernetes:core/v1:Service",
    name: `consortium-kubernetes-${name}`,
    props: { metadata: { name, namespace: "acme" }, spec: { selector, ports: [{ name: "rpc", port: 8545, targetPort: 8545 }], ...extra } },
});
const ingressTo = (serviceName: string): Resource => ({
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    name: "consortium-kubernetes-rpc",
    props: { metadata: { name: "acme-rpc", namespace: "acme" }, spec: { rules: [{ host: "rpc.example", http: { paths: [{ path: "/", backend: { service: { name: serviceName, port: { number: 8545 } } } }] } }] } },
});
const budget = (spec: Record<string, unknown>): Resource => ({
    type: "kubernetes:policy/v1:PodDisruptionBudget",
    name: "consortium-kubernetes-authorities",
    props: { metadata: { name: "acme-authorities", namespace: "acme" }, spec: { selector: { matchLabels: { "app.kubernetes.io/component": "authority", "app.kubernetes.io/part-of": "acme" } }, ...spec } },
});
/** A resource whose inputs read as the engine gives them in a preview: reading an unknown value throws. */
const duringPreview = (resource: Resource): Resource => ({ ...resource, props: unknownCheckingProxy(resource.props) });

test("the pack's policies have unique names, descriptions and an enforcement level", () => {
    const names = CONSORTIUM_POLICIES.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
    for (const policy of CONSORTIUM_POLICIES) {
        expect(policy.description.length).toBeGreaterThan(20);
        expect(["advisory", "mandatory"]).toContain(policy.enforcementLevel);
        expect(Object.keys(policy.configSchema?.properties ?? {})).not.toContain("enforcementLevel");
    }
});

describe("authority-count", () => {
    test("three authorities pass, two fail with the count, the block and the setting to change", () => {
        expect(stackViolations(authorityCount, [genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(3) }])])).toEqual([]);
        expect(stackViolations(authorityCount, [genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(2) }])])).toEqual([
            expect.stringMatching(/^chain 'consortium-genesis' has 2 authorities in the validator set from block 0; at least 3 are required \(policy config authority-count\.minAuthorities\)/),
        ]);
    });

    test("every validator set counts, a later one too", () => {
        const lock = genesisLock("consortium-genesis", [
            { fromBlock: 0, addresses: addresses(3) },
            { fromBlock: 5000, addresses: addresses(1) },
        ]);
        expect(stackViolations(authorityCount, [lock])).toEqual([expect.stringContaining("1 authority in the validator set from block 5000")]);
    });

    test("the minimum is the stack's setting", () => {
        const lock = genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(3) }]);
        expect(stackViolations(authorityCount, [lock], { "authority-count": { minAuthorities: 5 } })).toEqual([expect.stringContaining("at least 5 are required")]);
        expect(stackViolations(authorityCount, [genesisLock("g", [{ fromBlock: 0, addresses: addresses(1) }])], { "authority-count": { minAuthorities: 1 } })).toEqual([]);
    });

    test("each chain of a stack is counted on its own", () => {
        const home = genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(3) }]);
        const foreign = genesisLock("foreign-chain-genesis", [{ fromBlock: 0, addresses: addresses(1, 10) }]);
        expect(stackViolations(authorityCount, [home, foreign])).toEqual([expect.stringContaining("chain 'foreign-chain-genesis' has 1 authority")]);
    });

    test("before the keys exist: enough own nodes pass; too few defer to the update (the engine reports it as advisory)", () => {
        const unknownLock = duringPreview(genesisLock("consortium-genesis", PREVIEW_UNKNOWN as never));
        const nodes = ["a-1", "a-2", "a-3"].map((name) => dockerAuthority(name));
        expect(stackViolations(authorityCount, [unknownLock, ...nodes])).toEqual([]);
        expect(() => stackViolations(authorityCount, [unknownLock, ...nodes.slice(0, 2)])).toThrow(UnknownValueError);
    });
});

describe("authority-count-odd (advisory)", () => {
    test("an odd count is quiet, an even count is warned with the alternatives", () => {
        expect(stackViolations(authorityCountOdd, [genesisLock("g", [{ fromBlock: 0, addresses: addresses(5) }])])).toEqual([]);
        expect(stackViolations(authorityCountOdd, [genesisLock("g", [{ fromBlock: 0, addresses: addresses(4) }])])).toEqual([
            expect.stringMatching(/^chain 'g' has 4 authorities in the validator set from block 0, an even number: .* Prefer 5 \(or 3\)\.$/),
        ]);
        expect(authorityCountOdd.enforcementLevel).toBe("advisory");
    });
});

describe("genesis-unchanged", () => {
    const launched = { "consortium-genesis": { genesisHash: "sha256:aa", validatorSets: [{ fromBlock: 0, addresses: addresses(3) }] } };
    const config = { "genesis-unchanged": { launched } };

    test("the launched genesis passes, with a validator set appended at a future block too", () => {
        expect(resourceViolations(genesisUnchanged, genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(3) }]), config)).toEqual([]);
        const appended = genesisLock("consortium-genesis", [
            { fromBlock: 0, addresses: addresses(3) },
            { fromBlock: 9000, addresses: addresses(5) },
        ]);
        expect(resourceViolations(genesisUnchanged, appended, config)).toEqual([]);
    });

    test("another genesis hash on a launched chain is refused with the lock's explanation", () => {
        expect(resourceViolations(genesisUnchanged, genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(3) }], "sha256:bb"), config)).toEqual([
            expect.stringMatching(/^chain 'consortium-genesis' is launched: the chain spec's genesis would change from sha256:aa to sha256:bb\. .*fork off/),
        ]);
    });

    test("editing a past validator set is refused", () => {
        expect(resourceViolations(genesisUnchanged, genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(3, 7) }]), config)).toEqual([
            expect.stringContaining("the validator set from block 0 would be edited or removed"),
        ]);
    });

    test("a chain not launched yet (no recorded genesis) may change freely", () => {
        expect(resourceViolations(genesisUnchanged, genesisLock("consortium-genesis", [{ fromBlock: 0, addresses: addresses(3) }], "sha256:bb"))).toEqual([]);
    });
});

describe("images-pinned", () => {
    const remote = (name: string): Resource => ({ type: "docker:index/remoteImage:RemoteImage", name: "image", props: { name } });

    test.each(["nethermind/nethermind:1.36.1", "nginx:1.27.3-alpine", "registry.example:5000/team/node:2.0", `nginx@sha256:${"0".repeat(64)}`])("%s passes", (image) => {
        expect(resourceViolations(imagesPinned, remote(image))).toEqual([]);
        expect(resourceViolations(imagesPinned, statefulSet("acme-1", { template: { metadata: {}, spec: { containers: [{ name: "node", image }] } } }))).toEqual([]);
    });

    test.each([
        ["nethermind/nethermind:latest", "uses the tag latest"],
        ["nethermind/nethermind", "has no tag, so it means latest"],
        ["registry.example:5000/team/node", "has no tag, so it means latest"],
    ])("%s fails: it %s", (image, reason) => {
        expect(resourceViolations(imagesPinned, remote(image))).toEqual([`image 'image' runs ${image}, which ${reason}: pin a version tag or a digest (name:1.2.3 or name@sha256:...).`]);
        const job: Resource = { type: "kubernetes:batch/v1:Job", name: "job", props: { spec: { template: { spec: { initContainers: [{ name: "init", image }], containers: [{ name: "main", image: "busybox:1.36" }] } } } } };
        expect(resourceViolations(imagesPinned, job)).toEqual([expect.stringContaining(`container 'init' runs ${image}`)]);
    });
});

describe("rpc-requires-authentication", () => {
    test("Docker: RPC on loopback or no published port passes; on every interface fails", () => {
        const loopback = dockerAuthority("a-1", { ports: [{ internal: 8545, external: 8545, ip: "127.0.0.1" }] });
        expect(stackViolations(rpcRequiresAuthentication, [loopback, dockerAuthority("a-2")])).toEqual([]);
        const open = dockerAuthority("a-1", { ports: [{ internal: 8545, external: 8545, ip: "0.0.0.0" }, { internal: 30303, external: 30303, ip: "0.0.0.0" }] });
        expect(stackViolations(rpcRequiresAuthentication, [open])).toEqual([
            "node container 'consortium-docker-a-1' publishes its RPC port 8545 on 0.0.0.0:8545 without authentication. Route RPC through the authenticating gateway (permissioning.rpc.access: gateway) or keep it private.",
        ]);
        expect(stackViolations(rpcRequiresAuthentication, [loopback], { "rpc-requires-authentication": { allowLoopback: false } })).toHaveLength(1);
    });

    test("Docker: the gateway publishing its port is what authentication looks like", () => {
        const gateway: Resource = { type: "docker:index/container:Container", name: "gateway", props: { labels: dockerLabels("rpc-gateway", "rpc-gateway"), ports: [{ internal: 8080, external: 8545, ip: "0.0.0.0" }] } };
        expect(stackViolations(rpcRequiresAuthentication, [gateway, dockerAuthority("a-1")])).toEqual([]);
    });

    test("Kubernetes: an Ingress to the gateway passes; to an authority's Service fails", () => {
        const gatewayDeployment: Resource = {
            type: "kubernetes:apps/v1:Deployment",
            name: "gateway",
            props: { metadata: { name: "rpc-gateway", namespace: "acme" }, spec: { template: { metadata: { labels: labels("rpc-gateway", "rpc-gateway") }, spec: { containers: [] } } } },
        };
        const viaGateway = [statefulSet("acme-1"), gatewayDeployment, service("acme-rpc", { "app.kubernetes.io/name": "rpc-gateway", "app.kubernetes.io/part-of": "acme" }), ingressTo("acme-rpc")];
        expect(stackViolations(rpcRequiresAuthentication, viaGateway)).toEqual([]);
        const direct = [statefulSet("acme-1"), service("acme-rpc", { "app.kubernetes.io/name": "acme-1", "app.kubernetes.io/part-of": "acme" }), ingressTo("acme-rpc")];
        expect(stackViolations(rpcRequiresAuthentication, direct)).toEqual([expect.stringMatching(/^Ingress 'acme-rpc' routes to node RPC \(Service 'acme-rpc'\) without authentication\./)]);
    });

    test("Kubernetes: a LoadBalancer or NodePort Service on node RPC fails; a ClusterIP one stays inside", () => {
        const selector = { "app.kubernetes.io/component": "authority", "app.kubernetes.io/part-of": "acme" };
        expect(stackViolations(rpcRequiresAuthentication, [statefulSet("acme-1"), service("acme-rpc", selector)])).toEqual([]);
        for (const type of ["LoadBalancer", "NodePort"]) {
            expect(stackViolations(rpcRequiresAuthentication, [statefulSet("acme-1"), service("acme-rpc", selector, { type })])).toEqual([
                expect.stringContaining(`Service 'acme-rpc' (${type}) exposes node RPC outside the cluster without authentication`),
            ]);
        }
    });
});

describe("chain-state-protected", () => {
    const volume = (protect: boolean): Resource => ({ type: "docker:index/volume:Volume", name: "consortium-docker-a-1-data", props: { labels: dockerLabels("a-1", "authority") }, protect });
    const key = (protect: boolean): Resource => ({
        type: "random:index/randomBytes:RandomBytes",
        name: "consortium-a-1-signer-key",
        urn: "urn:pulumi:prod::consortium::consortium:index:Consortium$consortium:identity:AuthorityIdentity$random:index/randomBytes:RandomBytes::consortium-a-1-signer-key",
        props: { length: 32 },
        protect,
    });

    test("protected data volumes and keys pass; unprotected ones fail naming what would be lost", () => {
        expect(resourceViolations(chainStateProtected, volume(true))).toEqual([]);
        expect(resourceViolations(chainStateProtected, key(true))).toEqual([]);
        expect(resourceViolations(chainStateProtected, volume(false))).toEqual([
            "'consortium-docker-a-1-data' holds an authority's chain data and is not protected: losing it loses the chain or an authority's identity. Set consortium:protect to true.",
        ]);
        expect(resourceViolations(chainStateProtected, key(false))).toEqual([expect.stringContaining("'consortium-a-1-signer-key' is the source of a signer, node or account key and is not protected")]);
    });

    test("key Secrets and the namespace must be protected; other volumes and random bytes need not be", () => {
        const secret: Resource = { type: "kubernetes:core/v1:Secret", name: "keys", props: { metadata: { labels: labels("acme-1", "authority") } } };
        expect(resourceViolations(chainStateProtected, secret)).toEqual([expect.stringContaining("holds an authority's signer and node keys")]);
        expect(resourceViolations(chainStateProtected, { type: "kubernetes:core/v1:Namespace", name: "ns", props: {} })).toEqual([expect.stringContaining("'ns' holds the authorities' volume claims")]);
        expect(resourceViolations(chainStateProtected, { type: "docker:index/volume:Volume", name: "redis", props: { labels: dockerLabels("redis", "bridge-db") } })).toEqual([]);
        expect(resourceViolations(chainStateProtected, { type: "random:index/randomBytes:RandomBytes", name: "salt", props: {} })).toEqual([]);
    });

    test("authority volume claims retained pass; deleted with the StatefulSet fail", () => {
        expect(resourceViolations(chainStateProtected, statefulSet("acme-1"))).toEqual([]);
        expect(resourceViolations(chainStateProtected, statefulSet("acme-1", { persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" } }))).toEqual([
            "StatefulSet 'consortium-kubernetes-acme-1' deletes its chain data volume claims when deleted: set persistentVolumeClaimRetentionPolicy.whenDeleted to Retain.",
        ]);
    });
});

describe("authority-disruption-budget", () => {
    const authorities = ["acme-1", "acme-2", "acme-3"].map((name) => statefulSet(name));

    test("a budget keeping a majority passes; none, or one letting a majority go, fails", () => {
        expect(stackViolations(authorityDisruptionBudget, [...authorities, budget({ minAvailable: 2 })])).toEqual([]);
        expect(stackViolations(authorityDisruptionBudget, [...authorities, budget({ maxUnavailable: 1 })])).toEqual([]);
        expect(stackViolations(authorityDisruptionBudget, authorities)).toEqual(
            ["acme-1", "acme-2", "acme-3"].map((name) => `authority StatefulSet '${name}' has no PodDisruptionBudget: a node drain could stop a majority of the authorities and halt the chain.`),
        );
        expect(stackViolations(authorityDisruptionBudget, [...authorities, budget({ minAvailable: 1 })])).toEqual([
            "PodDisruptionBudget 'acme-authorities' lets a drain take down more than a minority of its 3 authorities: keep at least 2 available (minAvailable as a number).",
        ]);
    });

    test("Docker stacks have nothing to budget", () => {
        expect(stackViolations(authorityDisruptionBudget, [dockerAuthority("a-1")])).toEqual([]);
    });
});

describe("no-keys-in-environment", () => {
    test("addresses and URLs pass; a key by name or by shape fails, from a Secret too", () => {
        expect(resourceViolations(noKeysInEnvironment, dockerAuthority("a-1", { envs: ["ORACLE_VALIDATOR_ADDRESS=0xd037a6E2b4E7AEf98B641b0828182ED168Db8426", "COMMON_HOME_RPC_URL=http://a-1:8545"] }))).toEqual([]);
        expect(resourceViolations(noKeysInEnvironment, dockerAuthority("a-1", { envs: [`ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY=${"ab".repeat(32)}`] }))).toEqual([
            "container 'a-1' gets key material in environment variable ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY: mount it as a file from a secret and read it there.",
        ]);
        expect(resourceViolations(noKeysInEnvironment, dockerAuthority("a-1", { envs: [`SOME_VALUE=0x${"cd".repeat(32)}`] }))).toEqual([expect.stringContaining("a key-like value in environment variable SOME_VALUE")]);
        const fromSecret = statefulSet("acme-1", { template: { metadata: {}, spec: { containers: [{ name: "node", image: "x:1", env: [{ name: "KEYSTORE_PASSWORD", valueFrom: { secretKeyRef: { name: "keys", key: "password" } } }] }] } } });
        expect(resourceViolations(noKeysInEnvironment, fromSecret)).toEqual(["container 'node' gets key material in environment variable KEYSTORE_PASSWORD (from a Secret): mount it as a file from a secret and read it there."]);
    });
});

describe("bridge-signatures-majority", () => {
    const contractsJob = (required: number, validators: number): Resource => ({
        type: "docker:index/container:Container",
        name: "bridge-job-bridge-contracts",
        props: { labels: dockerLabels("bridge-contracts", "bridge-contracts"), envs: [`REQUIRED_NUMBER_OF_VALIDATORS=${required}`, `VALIDATORS=${addresses(validators).join(" ")}`] },
    });

    test("more than half passes; half or fewer fails with the number needed", () => {
        expect(resourceViolations(bridgeSignaturesMajority, contractsJob(2, 3))).toEqual([]);
        expect(resourceViolations(bridgeSignaturesMajority, contractsJob(1, 1))).toEqual([]);
        expect(resourceViolations(bridgeSignaturesMajority, contractsJob(2, 4))).toEqual([
            "the bridge requires 2 signature(s) of 4 validators: it must require more than half (at least 3) so that no minority of validators can move funds. Raise bridge.requiredSignatures.",
        ]);
    });

    test("a dev stack may turn the rule off", () => {
        expect(resourceViolations(bridgeSignaturesMajority, contractsJob(1, 2), { "bridge-signatures-majority": { requireMajority: false } })).toEqual([]);
    });
});

describe("docker-daemon-confined", () => {
    const deployment = (component: string, spec: Record<string, unknown>): Resource => ({
        type: "kubernetes:apps/v1:Deployment",
        name: `workerpool-services-${component}`,
        props: { metadata: { name: component, namespace: "acme", labels: labels(component, component) }, spec: { template: { metadata: { labels: labels(component, component) }, spec } } },
    });
    const worker = (extra: Record<string, unknown>) => deployment("workerpool-worker", { containers: [{ name: "workerpool-worker", image: "iexechub/iexec-worker:9.2.0" }], ...extra });
    const dind = { name: "dind", image: "docker:27.5.1-dind", securityContext: { privileged: true } };
    const socketVolume = { volumes: [{ name: "docker-socket", hostPath: { path: "/var/run/docker.sock", type: "Socket" } }] };

    test("a worker's dind sidecar may be privileged and a worker may mount the node's socket; nothing else may", () => {
        expect(resourceViolations(dockerDaemonConfined, worker({ containers: [{ name: "workerpool-worker", image: "iexechub/iexec-worker:9.2.0" }, dind] }))).toEqual([]);
        expect(resourceViolations(dockerDaemonConfined, worker(socketVolume))).toEqual([]);
        expect(resourceViolations(dockerDaemonConfined, deployment("workerpool-core", { containers: [{ name: "core", image: "iexechub/iexec-core:9.3.0", securityContext: { privileged: true } }] }))).toEqual([
            "container 'core' of 'workerpool-services-workerpool-core' runs privileged: only a workerpool worker's 'dind' sidecar may (Docker-in-Docker needs it).",
        ]);
        expect(resourceViolations(dockerDaemonConfined, worker({ containers: [{ name: "workerpool-worker", image: "iexechub/iexec-worker:9.2.0", securityContext: { privileged: true } }] }))).toEqual([
            expect.stringContaining("container 'workerpool-worker' of 'workerpool-services-workerpool-worker' runs privileged"),
        ]);
        expect(resourceViolations(dockerDaemonConfined, deployment("bridge-ui", { containers: [{ name: "ui", image: "ui:1.0.0" }], ...socketVolume }))).toEqual([
            "'workerpool-services-bridge-ui' mounts the Docker socket /var/run/docker.sock, which only a workerpool worker may: whoever reaches it is root on the host.",
        ]);
    });

    test("on Docker only a worker binds the host's socket, and no container is privileged", () => {
        const container = (component: string, extra: Record<string, unknown>): Resource => ({ ...dockerAuthority(component, extra), props: { ...dockerAuthority(component, extra).props, labels: dockerLabels(component, component) } });
        const socket = { volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] };
        expect(resourceViolations(dockerDaemonConfined, container("workerpool-worker", socket))).toEqual([]);
        expect(resourceViolations(dockerDaemonConfined, container("bridge-oracle", socket))).toEqual([expect.stringContaining("mounts the Docker socket")]);
        expect(resourceViolations(dockerDaemonConfined, container("workerpool-worker", { privileged: true }))).toEqual([expect.stringContaining("runs privileged")]);
        expect(resourceViolations(dockerDaemonConfined, container("bridge-ui", { mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/s" }] }))).toEqual([expect.stringContaining("mounts the Docker socket")]);
    });

    test("a folder holding the socket counts as the socket, under either name of /run", () => {
        for (const path of ["/var/run/docker.sock", "/var/run", "/run/docker.sock", "/run", "/var/run/", "/", "//var//run/./docker.sock"]) expect([path, exposesDockerSocket(path)]).toEqual([path, true]);
        for (const path of ["/var/lib/iexec-worker", "/var/run/dind", "/runner", "/var/runs"]) expect([path, exposesDockerSocket(path)]).toEqual([path, false]);
    });
});
