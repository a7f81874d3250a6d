import { NAME_PATTERN, QUANTITY_PATTERN, describe, isUnset, nameRule, tokenAmount, type Checker } from "../config/checker";
import type { PocoConfig } from "../poco/config";

/**
 * The workerpool's configuration: who runs it, its workers, the orders it publishes on chain and the images of the
 * iExec middleware (../shared/reference/iexec-middleware.md §1, §3, §5).
 */

export interface WorkerConfig {
    readonly name: string;
    /** The organisation that runs this worker (the usage report's party). */
    readonly org?: string;
    /** Tasks it runs at once (IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT). */
    readonly parallelTasks: number;
    readonly resources: { readonly cpu: string; readonly memory: string };
}

/** How a worker on Kubernetes reaches a Docker daemon: a privileged Docker-in-Docker sidecar, or the node's own socket. */
export const WORKER_DOCKER_MODES = ["dind", "node-socket"] as const;
export type WorkerDockerMode = (typeof WORKER_DOCKER_MODES)[number];

export interface WorkerpoolOrderConfig {
    /** RLC per task, in nRLC (9 decimals). 0: a free pool, which needs no stake anywhere. */
    readonly price: bigint;
    readonly volume: number;
    readonly trust: number;
    /** Only this requester (or the members of this ERC-734 identity contract) may match the orders. */
    readonly requesterRestrict?: string;
    /** Category ids of poco.categories, one order each. */
    readonly categories: readonly number[];
}

export interface WorkerpoolConfig {
    /** The workerpool's description on chain; with the owner it decides the workerpool's address. */
    readonly description: string;
    /** The organisation that runs the scheduler (and owns the workerpool). */
    readonly org?: string;
    readonly workers: readonly WorkerConfig[];
    readonly orders: WorkerpoolOrderConfig;
    readonly docker: {
        /** On Kubernetes: how workers reach a Docker daemon (Docker always uses the host's socket). */
        readonly kubernetes: WorkerDockerMode;
        /** Where each worker keeps its tasks' files: the same absolute path inside the worker and for the daemon. */
        readonly workDir: string;
    };
    /** Wei the scheduler and each worker are kept at by the PoCo admin (gas for initialize, finalize, contribute, reveal). */
    readonly funding: bigint;
    /** nRLC deposited into the hub for the scheduler and for each worker (their stakes when price > 0). */
    readonly stakes: { readonly scheduler: bigint; readonly worker: bigint };
    /** The highest gas price the middleware pays (IEXEC_GAS_PRICE_CAP), in wei; must stay above the chain's base fee. */
    readonly gasPriceCap: bigint;
    readonly images: WorkerpoolImages;
    readonly readinessTimeoutSeconds: number;
}

export interface WorkerpoolImages {
    readonly core: string;
    readonly worker: string;
    readonly blockchainAdapter: string;
    readonly resultProxy: string;
    readonly mongo: string;
    readonly ipfs: string;
    readonly configServer: string;
    readonly dind: string;
}

/**
 * Versions that go together (reference §1): core 9.3.0 polls the chain over HTTP (older cores open a WebSocket on the RPC
 * URL's port, which our nodes serve on 8546); worker 9.2.0, adapter 9.0.5 and result proxy 9.1.0 are its release set.
 */
export const WORKERPOOL_IMAGES: WorkerpoolImages = {
    core: "iexechub/iexec-core:9.3.0",
    worker: "iexechub/iexec-worker:9.2.0",
    blockchainAdapter: "iexechub/iexec-blockchain-adapter-api:9.0.5",
    resultProxy: "iexechub/iexec-result-proxy:9.1.0",
    mongo: "mongo:7.0.15-jammy",
    ipfs: "ipfs/kubo:v0.34.1",
    configServer: "nginx:1.27.3-alpine",
    dind: "docker:27.5.1-dind",
};

/** The worker version the core admits (IEXEC_CORE_REQUIRED_WORKER_VERSION): the worker image's tag. */
export function workerVersion(image: string): string | undefined {
    return /:(\d+\.\d+\.\d+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
}

/** nRLC: RLC has 9 decimals. */
const RLC_DECIMALS = 9;
const DEFAULT_FUNDING = 10n ** 19n;
const DEFAULT_GAS_PRICE_CAP = 22_000_000_000n;
/** The middleware refuses a block time above 20 s (ChainConfig's @DurationMax, reference §3.1). */
export const MAX_STEP_DURATION = 20;
const WORKER_KEYS = ["name", "org", "parallelTasks", "resources"] as const;

function parseWorkers(check: Checker, raw: unknown): WorkerConfig[] | undefined {
    if (raw === undefined) return [{ name: "worker-1", parallelTasks: 1, resources: { cpu: "2", memory: "4Gi" } }];
    if (!Array.isArray(raw) || raw.length === 0) return check.fail("workerpool.workers", `must be a non-empty list of { name, org?, parallelTasks?, resources? } (got ${describe(raw)})`);
    const workers: WorkerConfig[] = [];
    const seen = new Set<string>();
    raw.forEach((item, index) => {
        const key = `workerpool.workers[${index}]`;
        const record = check.object(key, item, WORKER_KEYS);
        const name = check.string(`${key}.name`, record?.name, NAME_PATTERN, nameRule());
        if (name && seen.has(name)) check.fail(`${key}.name`, `'${name}' is already the name of another worker; names are unique`);
        if (name) seen.add(name);
        const org = record?.org === undefined ? undefined : check.string(`${key}.org`, record.org);
        const parallelTasks = record?.parallelTasks === undefined ? 1 : check.integer(`${key}.parallelTasks`, record.parallelTasks, 1, 256, "an integer from 1 to 256");
        const resourcesRecord = check.object(`${key}.resources`, record?.resources, ["cpu", "memory"]);
        const quantity = (field: "cpu" | "memory", fallback: string) =>
            resourcesRecord?.[field] === undefined ? fallback : check.string(`${key}.resources.${field}`, resourcesRecord[field], QUANTITY_PATTERN, "must be a Kubernetes quantity such as 2, 500m or 4Gi");
        const cpu = quantity("cpu", "2");
        const memory = quantity("memory", "4Gi");
        if (name && parallelTasks && cpu && memory) workers.push({ name, ...(org ? { org } : {}), parallelTasks, resources: { cpu, memory } });
    });
    return workers;
}

function parseOrders(check: Checker, raw: unknown, poco: PocoConfig | undefined): WorkerpoolOrderConfig | undefined {
    const record = check.object("workerpool.orders", raw, ["price", "volume", "trust", "requesterRestrict", "categories"]);
    if (!record) return undefined;
    const price = record.price === undefined ? 0n : tokenAmount(check, "workerpool.orders.price", record.price, RLC_DECIMALS);
    const volume = record.volume === undefined ? 1_000_000 : check.integer("workerpool.orders.volume", record.volume, 1, 1_000_000_000, "an integer from 1 to 1000000000 (tasks the order serves)");
    // PoCo counts trust 0 and 1 as one contributor (deal.trust = max(trust, 1), IexecPoco1Facet.sol:403).
    const trust = record.trust === undefined ? 1 : check.integer("workerpool.orders.trust", record.trust, 0, 100, "an integer from 0 to 100 (0 and 1: one contribution suffices)");
    const requesterRestrict = record.requesterRestrict === undefined ? undefined : check.address("workerpool.orders.requesterRestrict", record.requesterRestrict);
    const names = (poco?.categories ?? []).map((category) => category.name);
    let categories: number[] | undefined = [0];
    if (record.categories !== undefined) {
        if (!Array.isArray(record.categories) || record.categories.length === 0) {
            categories = check.fail("workerpool.orders.categories", `must be a non-empty list of category names of poco.categories (${names.join(", ")}) (got ${describe(record.categories)})`);
        } else {
            categories = [];
            record.categories.forEach((item, index) => {
                const id = typeof item === "string" ? names.indexOf(item) : -1;
                if (id < 0) check.fail(`workerpool.orders.categories[${index}]`, `must be the name of one of poco.categories: ${names.join(", ")} (got ${describe(item)})`);
                else if (categories!.includes(id)) check.fail(`workerpool.orders.categories[${index}]`, `'${String(item)}' is listed twice`);
                else categories!.push(id);
            });
        }
    }
    if (price === undefined || !volume || trust === undefined || !categories) return undefined;
    return { price, volume, trust, categories, ...(requesterRestrict ? { requesterRestrict } : {}) };
}

function parseImages(check: Checker, raw: unknown): WorkerpoolImages | undefined {
    const record = check.object("workerpool.images", raw, Object.keys(WORKERPOOL_IMAGES));
    if (!record) return undefined;
    const images = Object.fromEntries(
        (Object.keys(WORKERPOOL_IMAGES) as (keyof WorkerpoolImages)[]).map((name) => [
            name,
            record[name] === undefined ? WORKERPOOL_IMAGES[name] : check.pinnedImage(`workerpool.images.${name}`, record[name], WORKERPOOL_IMAGES[name]),
        ]),
    ) as Record<keyof WorkerpoolImages, string | undefined>;
    if (images.worker && !workerVersion(images.worker)) {
        check.fail("workerpool.images.worker", `must carry the worker's version as its tag (x.y.z): the core admits only workers of that version (got ${describe(images.worker)})`);
    }
    return Object.values(images).every((image) => image !== undefined) ? (images as unknown as WorkerpoolImages) : undefined;
}

/** Reads `workerpool`; it runs on PoCo and needs a chain that seals at least every 15 s. */
export function parseWorkerpool(check: Checker, raw: unknown, poco: PocoConfig | undefined, stepDuration: number | undefined): WorkerpoolConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("workerpool", raw, ["description", "org", "workers", "orders", "docker", "funding", "stakes", "gasPriceCapGwei", "images", "readinessTimeoutSeconds"]);
    if (!record) return undefined;
    if (!poco) check.fail("workerpool", "runs on PoCo: set consortium:poco too");
    if (stepDuration !== undefined && stepDuration > MAX_STEP_DURATION) {
        check.fail("workerpool", `needs a block at least every ${MAX_STEP_DURATION} s: the iExec middleware refuses a longer block time (chain.stepDuration is ${stepDuration})`);
    }
    const description =
        record.description === undefined
            ? "consortium workerpool"
            : check.string("workerpool.description", record.description, /^[^\n\r]{1,200}$/, "must be one line of at most 200 characters");
    const org = record.org === undefined ? undefined : check.string("workerpool.org", record.org);
    const workers = parseWorkers(check, record.workers);
    const orders = parseOrders(check, record.orders, poco);
    const dockerRecord = check.object("workerpool.docker", record.docker, ["kubernetes", "workDir"]);
    const dockerMode = dockerRecord?.kubernetes === undefined ? "dind" : check.oneOf("workerpool.docker.kubernetes", dockerRecord.kubernetes, WORKER_DOCKER_MODES);
    const workDir =
        dockerRecord?.workDir === undefined
            ? "/var/lib/iexec-worker"
            : check.string("workerpool.docker.workDir", dockerRecord.workDir, /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, "must be an absolute path of letters, digits, '.', '_', '-' and '/', not ending with '/'");
    if (workDir && /(^|\/)\.\.?(\/|$)/.test(workDir)) check.fail("workerpool.docker.workDir", `must not contain '.' or '..' segments (got ${describe(workDir)})`);
    const funding = record.funding === undefined ? DEFAULT_FUNDING : tokenAmount(check, "workerpool.funding", record.funding, 18);
    const stakesRecord = check.object("workerpool.stakes", record.stakes, ["scheduler", "worker"]);
    const stake = (field: "scheduler" | "worker") => (stakesRecord?.[field] === undefined ? 0n : tokenAmount(check, `workerpool.stakes.${field}`, stakesRecord[field], RLC_DECIMALS));
    const stakes = { scheduler: stake("scheduler"), worker: stake("worker") };
    if (orders && orders.price > 0n && stakes.scheduler !== undefined && stakes.scheduler === 0n) {
        check.fail("workerpool.stakes.scheduler", "must be set when workerpool.orders.price is above 0: each match locks 30% of the pool's price from the scheduler's hub account (in RLC, e.g. \"100\")");
    }
    if (orders && orders.price > 0n && stakes.worker !== undefined && stakes.worker === 0n) {
        check.fail("workerpool.stakes.worker", "must be set when workerpool.orders.price is above 0: each contribution locks a stake from the worker's hub account (in RLC, e.g. \"10\")");
    }
    const gasPriceCap =
        record.gasPriceCapGwei === undefined ? DEFAULT_GAS_PRICE_CAP : tokenAmount(check, "workerpool.gasPriceCapGwei", record.gasPriceCapGwei, 9);
    // With the chain in token mode (sidechain false) a cap of 0 divides by zero in the middleware's gas check (reference §5.2).
    if (gasPriceCap === 0n) check.fail("workerpool.gasPriceCapGwei", "must be above 0: the middleware divides by it when it checks its balance");
    const images = parseImages(check, record.images);
    const readinessTimeoutSeconds =
        record.readinessTimeoutSeconds === undefined ? 600 : check.integer("workerpool.readinessTimeoutSeconds", record.readinessTimeoutSeconds, 1, 86_400, "a number of seconds from 1 to 86400");
    if (!description || !workers || !orders || !dockerMode || !workDir || funding === undefined || stakes.scheduler === undefined || stakes.worker === undefined || !gasPriceCap || !images || !readinessTimeoutSeconds) {
        return undefined;
    }
    return {
        description,
        ...(org ? { org } : {}),
        workers,
        orders,
        docker: { kubernetes: dockerMode, workDir },
        funding,
        stakes: { scheduler: stakes.scheduler, worker: stakes.worker },
        gasPriceCap,
        images,
        readinessTimeoutSeconds,
    };
}
