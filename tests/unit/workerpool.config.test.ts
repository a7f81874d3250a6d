import { ConfigError, WORKERPOOL_IMAGES, parseConfig, type RawConfig } from "../../components/config";

/** The workerpool's configuration: defaults, and every refusal naming its key and what is allowed. */

const ADMIN = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const WITH_POCO: RawConfig = {
    platform: "docker",
    chain: { name: "home", networkId: 17, stepDuration: 2, accounts: { [ADMIN]: "1" } },
    authorities: [{ name: "a1" }],
    poco: { admin: ADMIN },
};
const withWorkerpool = (workerpool: unknown, base: RawConfig = WITH_POCO): RawConfig => ({ ...base, workerpool });

function issuesOf(raw: RawConfig): readonly string[] {
    try {
        parseConfig(raw, { pocoAdminKey: true });
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues;
    }
    throw new Error("expected a ConfigError");
}

describe("workerpool config", () => {
    test("an empty section is no workerpool; a minimal one gets one worker, a free XS order and the pinned v9 images", () => {
        expect(parseConfig(withWorkerpool({}), { pocoAdminKey: true }).workerpool).toBeUndefined();
        const workerpool = parseConfig(withWorkerpool({ org: "acme" }), { pocoAdminKey: true }).workerpool!;
        expect(workerpool).toEqual({
            description: "consortium workerpool",
            org: "acme",
            workers: [{ name: "worker-1", parallelTasks: 1, resources: { cpu: "2", memory: "4Gi" } }],
            orders: { price: 0n, volume: 1_000_000, trust: 1, categories: [0] },
            docker: { kubernetes: "dind", workDir: "/var/lib/iexec-worker" },
            funding: 10n ** 19n,
            stakes: { scheduler: 0n, worker: 0n },
            gasPriceCap: 22_000_000_000n,
            images: WORKERPOOL_IMAGES,
            readinessTimeoutSeconds: 600,
        });
        expect(WORKERPOOL_IMAGES).toMatchObject({ core: "iexechub/iexec-core:9.3.0", worker: "iexechub/iexec-worker:9.2.0", blockchainAdapter: "iexechub/iexec-blockchain-adapter-api:9.0.5", resultProxy: "iexechub/iexec-result-proxy:9.1.0" });
    });

    test("orders name poco.categories by name, prices in RLC become nRLC, a requester restriction is an address", () => {
        const workerpool = parseConfig(withWorkerpool({ orders: { categories: ["S", "XL"], price: "0.5", volume: 10, trust: 3, requesterRestrict: ADMIN.toLowerCase() }, stakes: { scheduler: "100", worker: "10" } }), { pocoAdminKey: true }).workerpool!;
        expect(workerpool.orders).toEqual({ categories: [1, 4], price: 500_000_000n, volume: 10, trust: 3, requesterRestrict: ADMIN });
        expect(workerpool.stakes).toEqual({ scheduler: 100n * 10n ** 9n, worker: 10n * 10n ** 9n });
    });

    test("it runs on PoCo and on a chain whose blocks come at most every 20 s", () => {
        expect(issuesOf(withWorkerpool({ org: "acme" }, { ...WITH_POCO, poco: undefined }))).toContain("consortium:workerpool runs on PoCo: set consortium:poco too");
        expect(issuesOf(withWorkerpool({ org: "acme" }, { ...WITH_POCO, chain: { ...(WITH_POCO.chain as object), stepDuration: 30 } }))).toContain(
            "consortium:workerpool needs a block at least every 20 s: the iExec middleware refuses a longer block time (chain.stepDuration is 30)",
        );
    });

    test("every bad value is refused under its key, with what is allowed", () => {
        const issues = issuesOf(
            withWorkerpool({
                workers: [{ name: "Worker_1" }, { name: "w2", parallelTasks: 0, resources: { memory: "lots" } }, { name: "w2" }],
                orders: { categories: ["XXL", 0], trust: -1, volume: 0, price: "free", requesterRestrict: "0x12" },
                docker: { kubernetes: "host", workDir: "relative/path" },
                gasPriceCapGwei: "0",
                images: { core: "iexechub/iexec-core", worker: "iexechub/iexec-worker:latest-build" },
                color: "blue",
            }),
        );
        expect(issues).toEqual(
            expect.arrayContaining([
                "consortium:workerpool.color is not a known key; allowed keys of workerpool: description, org, workers, orders, docker, funding, stakes, gasPriceCapGwei, images, readinessTimeoutSeconds",
                expect.stringMatching(/^consortium:workerpool\.workers\[0\]\.name must be a DNS label/),
                "consortium:workerpool.workers[1].parallelTasks must be an integer from 1 to 256 (got 0)",
                "consortium:workerpool.workers[1].resources.memory must be a Kubernetes quantity such as 2, 500m or 4Gi (got 'lots')",
                "consortium:workerpool.workers[2].name 'w2' is already the name of another worker; names are unique",
                "consortium:workerpool.orders.categories[0] must be the name of one of poco.categories: XS, S, M, L, XL (got 'XXL')",
                "consortium:workerpool.orders.categories[1] must be the name of one of poco.categories: XS, S, M, L, XL (got 0)",
                "consortium:workerpool.orders.trust must be an integer from 0 to 100 (0 and 1: one contribution suffices) (got -1)",
                "consortium:workerpool.orders.volume must be an integer from 1 to 1000000000 (tasks the order serves) (got 0)",
                `consortium:workerpool.orders.price must be a token amount such as "1000" or "0.5" (got 'free')`,
                "consortium:workerpool.orders.requesterRestrict must be a 20-byte hex address starting with 0x (got '0x12')",
                "consortium:workerpool.docker.kubernetes must be one of dind, node-socket (got 'host')",
                expect.stringMatching(/^consortium:workerpool\.docker\.workDir must be an absolute path/),
                "consortium:workerpool.gasPriceCapGwei must be above 0: the middleware divides by it when it checks its balance",
                expect.stringMatching(/^consortium:workerpool\.images\.core must be pinned to a version or digest, not an implicit latest/),
                "consortium:workerpool.images.worker must carry the worker's version as its tag (x.y.z): the core admits only workers of that version (got 'iexechub/iexec-worker:latest-build')",
            ]),
        );
    });

    test("a priced pool needs stakes for its scheduler and workers", () => {
        expect(issuesOf(withWorkerpool({ orders: { price: "1" } }))).toEqual([
            `consortium:workerpool.stakes.scheduler must be set when workerpool.orders.price is above 0: each match locks 30% of the pool's price from the scheduler's hub account (in RLC, e.g. "100")`,
            `consortium:workerpool.stakes.worker must be set when workerpool.orders.price is above 0: each contribution locks a stake from the worker's hub account (in RLC, e.g. "10")`,
        ]);
    });

    test("a work folder with '..' is refused: the daemon would resolve the tasks' mounts elsewhere", () => {
        expect(issuesOf(withWorkerpool({ docker: { workDir: "/var/lib/../etc" } }))).toEqual(["consortium:workerpool.docker.workDir must not contain '.' or '..' segments (got '/var/lib/../etc')"]);
    });

    test("a worker named like another workload's objects is refused before any resource", () => {
        const issues = issuesOf(withWorkerpool({ workers: [{ name: "a" }] }, { ...WITH_POCO, authorities: [{ name: "workerpool-worker-a" }] }));
        expect(issues.some((issue) => issue.includes("workerpool.workers[0].name 'a'") && issue.includes("rename one of them"))).toBe(true);
    });
});
