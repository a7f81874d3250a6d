import { MAX_CHAIN_ID, PUBLIC_CHAIN_ID_ACKNOWLEDGED, checkPublicIds, type AuthorityConfig } from "../chain/config";
import { NAME_PATTERN, describe, isUnset, nameRule, tokenAmount, type Checker } from "../config/checker";

/** The bridge's configuration: the foreign chain (local or external), the bridge's validators, limits, token, images, funding and UI. */

/** The foreign chain the bridge connects the home chain to. */
export type ForeignConfig = ForeignLocalConfig | ForeignExternalConfig;

/** A second small chain run by this stack (the seed's FOREIGN-CHAIN), with its own RLC and PoCo. */
export interface ForeignLocalConfig {
    readonly kind: "local";
    readonly chainId: number;
    readonly stepDuration: number;
    /** Name of its single authority node; must not clash with the home chain's names. */
    readonly authority: string;
    readonly docker: { readonly hostPort: number; readonly wsHostPort: number };
    /** How `pulumi up` reaches this chain when the platform's URL is not reachable from where it runs. */
    readonly rpcUrl?: string;
}

/** An existing chain (Ethereum mainnet in production) with an existing ERC-20 (RLC). */
export interface ForeignExternalConfig {
    readonly kind: "external";
    readonly rpcUrl: string;
    readonly chainId: number;
    /** The ERC-20 bridged to the home chain. */
    readonly token: string;
}

export interface BridgeSideConfig {
    /** Limits of transfers leaving this side, in the token's smallest unit. */
    readonly dailyLimit: bigint;
    readonly maxPerTx: bigint;
    readonly minPerTx: bigint;
    /** In wei: the bridge contract's fallback gas price, set at deployment (later: the owner's setGasPrice). */
    readonly gasPrice: bigint;
    /** Set at deployment (later: the owner's setRequiredBlockConfirmations). */
    readonly confirmations: number;
    readonly pollingIntervalMs: number;
    /** Longest block range of one eth_getLogs request (oracle 2.7.0-rc2); absent: unbounded. */
    readonly blockRangeLimit?: number;
    /** Where the oracle and the UI read this chain's gas price; absent: the bridge contract's gasPrice(). */
    readonly gasPriceSupplier?: GasPriceSupplierConfig;
}

/**
 * A gas price supplier, as the oracle reads it (2.7.0-rc2 src/services/gasPrice.js, commons/utils.js gasPriceFromSupplier):
 * `gas-price-oracle` (the npm package's off-chain sources) or a URL answering JSON with gwei per speed type.
 */
export interface GasPriceSupplierConfig {
    readonly url: string;
    readonly speedType: string;
    /** Multiplies the supplier's gwei (the oracle then clamps to 1..1000 gwei). */
    readonly factor: number;
    readonly updateIntervalMs: number;
}

/** The contracts deployment job: its deadline, its gas, and which run of it this is. */
export interface BridgeDeploymentConfig {
    /** The deployment is stopped after this long (`timeout` in the job, activeDeadlineSeconds on Kubernetes). */
    readonly timeoutSeconds: number;
    /** Wei per gas of the deployment's (legacy) transactions on each chain. */
    readonly homeGasPrice: bigint;
    readonly foreignGasPrice: bigint;
    /** Fraction added to each estimated gas limit (DEPLOYMENT_GAS_LIMIT_EXTRA). */
    readonly gasLimitExtra: number;
    readonly receiptIntervalMs: number;
    /** Raised by the operator to run the job again (README, "Redeploying the bridge"). */
    readonly attempt: number;
}

export interface BridgeValidatorConfig {
    readonly name: string;
    /** Set for a validator run by another member (its agents run elsewhere); absent: this stack generates its key and runs its agents. */
    readonly address?: string;
}

export interface BridgeUiConfig {
    readonly image: string;
    readonly hostPort: number;
    readonly ingressHost?: string;
    readonly title: string;
}

export interface BridgeConfig {
    readonly validators: readonly BridgeValidatorConfig[];
    readonly requiredSignatures: number;
    readonly home: BridgeSideConfig;
    readonly foreign: BridgeSideConfig;
    readonly token: { readonly name: string; readonly symbol: string; readonly decimals: number };
    /** Owner of the bridges and validator contracts and admin of their proxies; the deployer when absent. */
    readonly owner?: string;
    readonly images: { readonly contracts: string; readonly oracle: string; readonly rabbitmq: string; readonly redis: string };
    /** Wei each generated validator (and the deployer) receives: in genesis on the home chain, as a top-up on a local foreign chain. */
    readonly funding: { readonly home: bigint; readonly foreign: bigint };
    readonly ui?: BridgeUiConfig;
    readonly readinessTimeoutSeconds: number;
    readonly deployment: BridgeDeploymentConfig;
}

/** The secret config key holding the bridge deployer's key on an external foreign chain. */
export const FOREIGN_DEPLOYER_KEY = "foreignDeployerKey";

/** Pinned bridge images: the last TokenBridge releases with ERC_TO_ERC, and current RabbitMQ and Redis. */
export const BRIDGE_IMAGES = {
    contracts: "poanetwork/tokenbridge-contracts:5.6.0",
    // rc2: the last release with ERC_TO_ERC; it limits eth_getLogs ranges (#543, #557) and refreshes the gas price on an
    // underpriced replacement (#554). The UI left the monorepo in rc2 (#553): it stays at rc0 (README, Bridge UI).
    oracle: "poanetwork/tokenbridge-oracle:2.7.0-rc2",
    rabbitmq: "rabbitmq:3.13.7-management-alpine",
    redis: "redis:7.4.1-alpine",
} as const;

export function parseForeign(check: Checker, raw: unknown, homeChainId: number | undefined, takenNames: readonly string[], hasDeployerKey: boolean): ForeignConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("foreign", raw, ["local", "external"]);
    if (!record) return undefined;
    if ((record.local === undefined) === (record.external === undefined)) {
        return check.fail("foreign", "must set exactly one of local (a second chain run by this stack) or external (an existing chain: { rpcUrl, chainId, token })");
    }
    const differs = (key: string, chainId: number | undefined) => {
        if (chainId !== undefined && chainId === homeChainId) check.fail(key, `must differ from the home chain's chain id ${homeChainId}: the bridge's signatures name the chain they are for`);
    };
    if (record.local !== undefined) {
        const local = check.object("foreign.local", record.local, ["chainId", "stepDuration", "authority", "docker", "rpcUrl", PUBLIC_CHAIN_ID_ACKNOWLEDGED]);
        if (!local) return undefined;
        const chainId = check.integer("foreign.local.chainId", local.chainId, 1, MAX_CHAIN_ID, `a positive integer up to ${MAX_CHAIN_ID}`);
        differs("foreign.local.chainId", chainId);
        // The local foreign chain stands in for mainnet: it must not take mainnet's id (or any public one).
        // foreign.external.chainId, on the contrary, is a public chain's id: the chain the bridge connects to.
        checkPublicIds(check, "foreign.local", local[PUBLIC_CHAIN_ID_ACKNOWLEDGED], [{ key: "foreign.local.chainId", id: chainId, what: "chain id", note: " (it is also its network id)" }]);
        const stepDuration = local.stepDuration === undefined ? 2 : check.integer("foreign.local.stepDuration", local.stepDuration, 1, 3600, "a positive integer number of seconds, at most 3600");
        const authority = local.authority === undefined ? "foreign-authority" : check.string("foreign.local.authority", local.authority, NAME_PATTERN, nameRule());
        if (authority && takenNames.includes(authority)) check.fail("foreign.local.authority", `'${authority}' is already the name of a home authority; names are unique`);
        const dockerRecord = check.object("foreign.local.docker", local.docker, ["hostPort", "wsHostPort"]);
        const hostPort = dockerRecord?.hostPort === undefined ? 9545 : check.integer("foreign.local.docker.hostPort", dockerRecord.hostPort, 1, 65535, "a TCP port (1 to 65535)");
        const wsHostPort = dockerRecord?.wsHostPort === undefined ? 9546 : check.integer("foreign.local.docker.wsHostPort", dockerRecord.wsHostPort, 1, 65535, "a TCP port (1 to 65535)");
        if (hostPort !== undefined && hostPort === wsHostPort) check.fail("foreign.local.docker.wsHostPort", `must differ from foreign.local.docker.hostPort (both ${hostPort})`);
        const rpcUrl = local.rpcUrl === undefined ? undefined : check.string("foreign.local.rpcUrl", local.rpcUrl, /^(https?|wss?):\/\/\S+$/, "must be an http(s) or ws(s) URL");
        if (chainId === undefined || stepDuration === undefined || !authority || !hostPort || !wsHostPort) return undefined;
        return { kind: "local", chainId, stepDuration, authority, docker: { hostPort, wsHostPort }, ...(rpcUrl ? { rpcUrl } : {}) };
    }
    const external = check.object("foreign.external", record.external, ["rpcUrl", "chainId", "token"]);
    if (!external) return undefined;
    const rpcUrl = check.string("foreign.external.rpcUrl", external.rpcUrl, /^(https?|wss?):\/\/\S+$/, "must be an http(s) or ws(s) URL");
    const chainId = check.integer("foreign.external.chainId", external.chainId, 1, MAX_CHAIN_ID, `a positive integer up to ${MAX_CHAIN_ID}`);
    differs("foreign.external.chainId", chainId);
    const token = check.address("foreign.external.token", external.token);
    if (!hasDeployerKey) {
        check.fail(FOREIGN_DEPLOYER_KEY, `is required with foreign.external: the bridge deployer's funded key on that chain (pulumi config set --secret ${FOREIGN_DEPLOYER_KEY} 0x...)`);
    }
    if (!rpcUrl || chainId === undefined || !token) return undefined;
    return { kind: "external", rpcUrl, chainId, token };
}

/** Every bridge workload's name starts with it (bridge-<validator>-<process>, bridge-ui, bridge-contracts). */
export const BRIDGE_NAME_PREFIX = "bridge";

const DEFAULT_LIMITS = { dailyLimit: "1000000", maxPerTx: "100000", minPerTx: "0.5", gasPriceGwei: "1" };

/** What a side's polling, confirmations, log ranges and gas price source default to, by the chain it is on. */
export interface SideDefaults {
    readonly pollingIntervalMs: number;
    readonly confirmations: number;
    readonly blockRangeLimit?: number;
    readonly gasPriceSupplier?: GasPriceSupplierConfig;
}

/** The speed types gas-price-oracle 0.1.x answers (its lib/index.js fetchGasPricesOffChain), which oracle rc2 depends on. */
export const GAS_PRICE_ORACLE_SPEEDS = ["instant", "fast", "standard", "low"] as const;
export const GAS_PRICE_ORACLE = "gas-price-oracle";

/**
 * Per chain: a consortium chain (home, or a local foreign chain) seals a block every step, so the oracle polls once a
 * step and one confirmation suffices among known authorities. An external chain (mainnet) is polled every 12 s (its
 * slot), waits 8 confirmations and asks for at most 4000 blocks of logs (TokenBridge's own examples: contracts 5.6.0
 * deploy/.env.example, oracle 2.7.0-rc2 oracle/.env.example), and prices its gas from a supplier, refreshed each minute:
 * the contract's fixed price falls behind a base fee that moves every block.
 */
export function sideDefaults(chain: { kind: "consortium"; stepDuration: number } | { kind: "external" }): SideDefaults {
    if (chain.kind === "consortium") return { pollingIntervalMs: Math.min(600_000, Math.max(1000, chain.stepDuration * 1000)), confirmations: 1 };
    return {
        pollingIntervalMs: 12_000,
        confirmations: 8,
        blockRangeLimit: 4000,
        gasPriceSupplier: { url: GAS_PRICE_ORACLE, speedType: "fast", factor: 1, updateIntervalMs: 60_000 },
    };
}

function decimalNumber(check: Checker, key: string, value: unknown, min: number, max: number): number | undefined {
    const parsed = typeof value === "string" && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed <= min || parsed > max) return check.fail(key, `must be a number greater than ${min} and at most ${max} (got ${describe(value)})`);
    return parsed;
}

function parseGasPriceSupplier(check: Checker, key: string, raw: unknown, fallback: GasPriceSupplierConfig | undefined): GasPriceSupplierConfig | undefined | null {
    if (raw === undefined) return fallback;
    if (raw === "none") return null;
    const record = check.object(key, raw, ["url", "speedType", "factor", "updateIntervalMs"]);
    if (!record) return undefined;
    const url = record.url === undefined ? GAS_PRICE_ORACLE : check.string(`${key}.url`, record.url, /^(gas-price-oracle|https?:\/\/\S+)$/, `must be ${GAS_PRICE_ORACLE} or an http(s) URL answering JSON with gwei per speed type`);
    const speedType =
        record.speedType === undefined
            ? "fast"
            : url === GAS_PRICE_ORACLE
              ? check.oneOf(`${key}.speedType`, record.speedType, GAS_PRICE_ORACLE_SPEEDS)
              : check.string(`${key}.speedType`, record.speedType, /^[A-Za-z0-9_]{1,32}$/, "must be the key of the supplier's JSON that holds the price in gwei (letters, digits, _)");
    const factor = record.factor === undefined ? 1 : decimalNumber(check, `${key}.factor`, record.factor, 0, 10);
    const updateIntervalMs = record.updateIntervalMs === undefined ? 60_000 : check.integer(`${key}.updateIntervalMs`, record.updateIntervalMs, 1000, 3_600_000, "milliseconds from 1000 to 3600000");
    if (!url || !speedType || factor === undefined || !updateIntervalMs) return undefined;
    return { url, speedType, factor, updateIntervalMs };
}

function parseBridgeSide(check: Checker, side: "home" | "foreign", raw: unknown, decimals: number, defaults: SideDefaults): BridgeSideConfig | undefined {
    const key = `bridge.${side}`;
    const record = check.object(key, raw, ["dailyLimit", "maxPerTx", "minPerTx", "gasPriceGwei", "confirmations", "pollingIntervalMs", "blockRangeLimit", "gasPriceSupplier"]);
    if (!record) return undefined;
    const pick = <K extends keyof typeof DEFAULT_LIMITS>(field: K) => (record[field] === undefined ? DEFAULT_LIMITS[field] : record[field]);
    const dailyLimit = tokenAmount(check, `${key}.dailyLimit`, pick("dailyLimit"), decimals);
    const maxPerTx = tokenAmount(check, `${key}.maxPerTx`, pick("maxPerTx"), decimals);
    const minPerTx = tokenAmount(check, `${key}.minPerTx`, pick("minPerTx"), decimals);
    const gasPrice = tokenAmount(check, `${key}.gasPriceGwei`, pick("gasPriceGwei"), 9);
    const confirmations = record.confirmations === undefined ? defaults.confirmations : check.integer(`${key}.confirmations`, record.confirmations, 1, 1000, "a number of blocks from 1 to 1000");
    const pollingIntervalMs =
        record.pollingIntervalMs === undefined ? defaults.pollingIntervalMs : check.integer(`${key}.pollingIntervalMs`, record.pollingIntervalMs, 100, 600_000, "milliseconds from 100 to 600000");
    const blockRangeLimit =
        record.blockRangeLimit === undefined
            ? defaults.blockRangeLimit
            : record.blockRangeLimit === "none"
              ? undefined
              : check.integer(`${key}.blockRangeLimit`, record.blockRangeLimit, 1, 1_000_000, "a number of blocks from 1 to 1000000, or none (unbounded)");
    const gasPriceSupplier = parseGasPriceSupplier(check, `${key}.gasPriceSupplier`, record.gasPriceSupplier, defaults.gasPriceSupplier);
    if (dailyLimit === undefined || maxPerTx === undefined || minPerTx === undefined || gasPrice === undefined || !confirmations || !pollingIntervalMs || gasPriceSupplier === undefined && record.gasPriceSupplier !== undefined) return undefined;
    if (!(minPerTx > 0n && minPerTx < maxPerTx && maxPerTx < dailyLimit)) {
        check.fail(key, `limits must satisfy 0 < minPerTx < maxPerTx < dailyLimit (got ${pick("minPerTx")} < ${pick("maxPerTx")} < ${pick("dailyLimit")})`);
    }
    if (gasPrice === 0n) check.fail(`${key}.gasPriceGwei`, "must be greater than zero: the bridge contracts refuse a zero gas price");
    return { dailyLimit, maxPerTx, minPerTx, gasPrice, confirmations, pollingIntervalMs, ...(blockRangeLimit ? { blockRangeLimit } : {}), ...(gasPriceSupplier ? { gasPriceSupplier } : {}) };
}

/** The RLC of a local foreign chain (rlc-faucet-contract's RLC.sol) has 9 decimals, as mainnet's RLC. */
export const LOCAL_RLC_DECIMALS = 9;

function parseDeployment(check: Checker, raw: unknown, home: BridgeSideConfig | undefined, foreign: BridgeSideConfig | undefined): BridgeDeploymentConfig | undefined {
    const record = check.object("bridge.deployment", raw, ["timeoutSeconds", "homeGasPriceGwei", "foreignGasPriceGwei", "gasLimitExtra", "receiptIntervalMs", "attempt"]);
    if (!record) return undefined;
    const timeoutSeconds = record.timeoutSeconds === undefined ? 1800 : check.integer("bridge.deployment.timeoutSeconds", record.timeoutSeconds, 60, 86_400, "a number of seconds from 60 to 86400");
    const gwei = (field: "homeGasPriceGwei" | "foreignGasPriceGwei", fallback: bigint | undefined) => {
        if (record[field] === undefined) return fallback;
        const price = tokenAmount(check, `bridge.deployment.${field}`, record[field], 9);
        if (price === 0n) return check.fail(`bridge.deployment.${field}`, "must be greater than zero");
        return price;
    };
    const homeGasPrice = gwei("homeGasPriceGwei", home?.gasPrice);
    const foreignGasPrice = gwei("foreignGasPriceGwei", foreign?.gasPrice);
    const gasLimitExtra = record.gasLimitExtra === undefined ? 0.2 : decimalNumber(check, "bridge.deployment.gasLimitExtra", record.gasLimitExtra, 0, 1);
    const receiptIntervalMs = record.receiptIntervalMs === undefined ? 3000 : check.integer("bridge.deployment.receiptIntervalMs", record.receiptIntervalMs, 100, 600_000, "milliseconds from 100 to 600000");
    const attempt = record.attempt === undefined ? 1 : check.integer("bridge.deployment.attempt", record.attempt, 1, 1000, "a run number from 1 to 1000: raise it by one to run the contracts job again");
    if (!timeoutSeconds || homeGasPrice === undefined || foreignGasPrice === undefined || gasLimitExtra === undefined || !receiptIntervalMs || !attempt) return undefined;
    return { timeoutSeconds, homeGasPrice, foreignGasPrice, gasLimitExtra, receiptIntervalMs, attempt };
}

/**
 * Text the UI's .env can carry: its load-env.sh (tokenbridge 2.7.0-rc0 ui/load-env.sh) reads it line by line with
 * `read`, which drops backslashes, skips any line containing '#', and `eval`s any line matching UI_PORT* (the regex
 * UI_POR followed by T*, anywhere in the line). Chain names are lowercase names already.
 */
export const UI_TEXT_PATTERN = /^(?!.*UI_POR)[^#\\\n\r]{1,120}$/;
const UI_TEXT_RULE = "must be 1 to 120 characters without #, \\, line breaks or the text UI_POR (the UI's .env cannot carry them)";

export function parseBridge(
    check: Checker,
    raw: unknown,
    authorities: readonly AuthorityConfig[],
    foreign: ForeignConfig | undefined,
    homeNames: readonly string[],
    homeStepDuration: number | undefined,
): BridgeConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("bridge", raw, ["validators", "requiredSignatures", "home", "foreign", "token", "owner", "images", "funding", "ui", "readinessTimeoutSeconds", "deployment"]);
    if (!record) return undefined;
    if (!foreign) check.fail("bridge", "needs consortium:foreign: { local: { chainId } } for a development chain, or { external: { rpcUrl, chainId, token } }");

    // One validator per consortium member of this stack by default: authorities grouped by org.
    const members = [...new Set(authorities.map((authority) => authority.org ?? authority.name))];
    let validators: BridgeValidatorConfig[] = members.map((member) => ({ name: member }));
    if (record.validators !== undefined) {
        if (!Array.isArray(record.validators) || record.validators.length === 0) {
            check.fail("bridge.validators", `must be a non-empty list of { name, address? } (got ${describe(record.validators)})`);
            validators = [];
        } else {
            validators = [];
            record.validators.forEach((item, index) => {
                const key = `bridge.validators[${index}]`;
                const validator = check.object(key, item, ["name", "address"]);
                const name = check.string(`${key}.name`, validator?.name, NAME_PATTERN, nameRule());
                const address = validator?.address === undefined ? undefined : check.address(`${key}.address`, validator.address);
                if (name && name.length > 24) check.fail(`${key}.name`, `must be at most 24 characters: agent names append suffixes such as '-senderforeign' (got ${name.length})`);
                if (name) {
                    const entry = address ? { name, address } : { name };
                    check.positions.set(entry, key);
                    validators.push(entry);
                }
            });
        }
    }
    const seen = new Set<string>();
    for (const validator of validators) {
        if (seen.has(validator.name)) check.fail("bridge.validators", `names '${validator.name}' twice`);
        seen.add(validator.name);
    }
    for (const name of homeNames.filter((authorityName) => authorityName.startsWith(`${BRIDGE_NAME_PREFIX}-`))) {
        check.fail("authorities", `'${name}' starts with '${BRIDGE_NAME_PREFIX}-', which names the bridge's agents: rename the authority`);
    }
    const addresses = validators.flatMap((validator) => (validator.address ? [validator.address] : []));
    if (new Set(addresses).size !== addresses.length) check.fail("bridge.validators", "lists an address twice");
    if (validators.length > 0 && validators.every((validator) => validator.address)) {
        check.fail("bridge.validators", "must include at least one validator run by this stack (without address)");
    }
    const requiredSignatures =
        record.requiredSignatures === undefined
            ? Math.floor(validators.length / 2) + 1
            : check.integer("bridge.requiredSignatures", record.requiredSignatures, 1, Math.max(1, validators.length), `between 1 and the ${validators.length} bridge validators`);

    const tokenRecord = check.object("bridge.token", record.token, ["name", "symbol", "decimals"]);
    const tokenName = tokenRecord?.name === undefined ? "iEx.ec Network Sidechain Token" : check.string("bridge.token.name", tokenRecord.name);
    const tokenSymbol = tokenRecord?.symbol === undefined ? "xRLC" : check.string("bridge.token.symbol", tokenRecord.symbol, /^[A-Za-z0-9]{1,11}$/, "must be 1 to 11 letters or digits");
    const decimals = tokenRecord?.decimals === undefined ? 9 : check.integer("bridge.token.decimals", tokenRecord.decimals, 0, 36, "an integer from 0 to 36 (RLC has 9)");
    if (decimals !== undefined && foreign?.kind === "local" && decimals !== LOCAL_RLC_DECIMALS) {
        // No decimal shift is set (FOREIGN_TO_HOME_DECIMAL_SHIFT): the two tokens must agree. An external token's are read on chain.
        check.fail("bridge.token.decimals", `must be ${LOCAL_RLC_DECIMALS}, the decimals of the local foreign chain's RLC: the bridge moves amounts unscaled (got ${decimals})`);
    }
    const homeDefaults = sideDefaults({ kind: "consortium", stepDuration: homeStepDuration ?? 5 });
    const foreignDefaults = sideDefaults(foreign?.kind === "local" ? { kind: "consortium", stepDuration: foreign.stepDuration } : { kind: "external" });
    const home = decimals === undefined ? undefined : parseBridgeSide(check, "home", record.home, decimals, homeDefaults);
    const foreignSide = decimals === undefined ? undefined : parseBridgeSide(check, "foreign", record.foreign, decimals, foreignDefaults);
    const deployment = parseDeployment(check, record.deployment, home, foreignSide);
    const owner = record.owner === undefined ? undefined : check.address("bridge.owner", record.owner);

    const imagesRecord = check.object("bridge.images", record.images, ["contracts", "oracle", "rabbitmq", "redis"]);
    const image = (name: keyof typeof BRIDGE_IMAGES) => {
        const value = imagesRecord?.[name] === undefined ? BRIDGE_IMAGES[name] : check.pinnedImage(`bridge.images.${name}`, imagesRecord[name], BRIDGE_IMAGES[name]);
        return value;
    };
    const images = { contracts: image("contracts"), oracle: image("oracle"), rabbitmq: image("rabbitmq"), redis: image("redis") };

    const fundingRecord = check.object("bridge.funding", record.funding, ["home", "foreign"]);
    const fundingHome = tokenAmount(check, "bridge.funding.home", fundingRecord?.home ?? "100", 18);
    const fundingForeign = tokenAmount(check, "bridge.funding.foreign", fundingRecord?.foreign ?? "10", 18);
    if (foreign?.kind === "external" && fundingRecord?.foreign !== undefined) {
        check.fail("bridge.funding.foreign", "applies to a local foreign chain only: on an external chain, fund the validators yourself (see README, Bridge)");
    }

    let ui: BridgeUiConfig | undefined;
    if (record.ui !== undefined) {
        const uiRecord = check.object("bridge.ui", record.ui, ["image", "hostPort", "ingressHost", "title"]);
        // The UI image is one the operator built (README, Bridge UI): required, no default.
        const uiImage = uiRecord?.image === undefined ? check.fail("bridge.ui.image", "is required: the UI image you built from the TokenBridge monorepo's ui/Dockerfile (see README, Bridge UI)") : check.pinnedImage("bridge.ui.image", uiRecord.image, "registry.example.org/tokenbridge-ui:2.7.0-rc0");
        const hostPort = uiRecord?.hostPort === undefined ? 3000 : check.integer("bridge.ui.hostPort", uiRecord.hostPort, 1, 65535, "a TCP port (1 to 65535)");
        const ingressHost = uiRecord?.ingressHost === undefined ? undefined : check.string("bridge.ui.ingressHost", uiRecord.ingressHost, /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a DNS host name");
        const title = uiRecord?.title === undefined ? "iExec consortium bridge" : check.string("bridge.ui.title", uiRecord.title, UI_TEXT_PATTERN, UI_TEXT_RULE);
        if (uiImage && hostPort && title) ui = { image: uiImage, hostPort, title, ...(ingressHost ? { ingressHost } : {}) };
    }
    const readinessTimeoutSeconds =
        record.readinessTimeoutSeconds === undefined ? 900 : check.integer("bridge.readinessTimeoutSeconds", record.readinessTimeoutSeconds, 1, 86_400, "a number of seconds from 1 to 86400");

    if (!home || !foreignSide || requiredSignatures === undefined || !tokenName || !tokenSymbol || decimals === undefined || fundingHome === undefined || fundingForeign === undefined || !readinessTimeoutSeconds) return undefined;
    if (!images.contracts || !images.oracle || !images.rabbitmq || !images.redis || !deployment) return undefined;
    return {
        validators,
        requiredSignatures,
        home,
        foreign: foreignSide,
        token: { name: tokenName, symbol: tokenSymbol, decimals },
        ...(owner ? { owner } : {}),
        images: { contracts: images.contracts, oracle: images.oracle, rabbitmq: images.rabbitmq, redis: images.redis },
        funding: { home: fundingHome, foreign: fundingForeign },
        ...(ui ? { ui } : {}),
        readinessTimeoutSeconds,
        deployment,
    };
}
