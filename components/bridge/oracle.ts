import type { GasPriceSupplierConfig } from "./config";

/**
 * The processes a bridge validator runs (TokenBridge oracle 2.7.x, the last with ERC_TO_ERC) and
 * their environment, as plain data. Only the processes that sign (the signature-request watcher and
 * the two senders) receive the validator's key; the others know only its address.
 * (Building block of the bridge capability; the agents' workloads are made from it.)
 */

export interface OracleProcess {
    /** Workload name suffix, as in the oracle's docker-compose files. */
    readonly name: string;
    /** The oracle image's yarn script. */
    readonly script: string;
    /** Receives ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY (from a secret) instead of ORACLE_VALIDATOR_ADDRESS. */
    readonly signs: boolean;
}

/** Five processes of the oracle plus the ERC-20 transfer watcher that ERC_TO_ERC needs for a plain ERC-20 such as RLC. */
export const ORACLE_PROCESSES: readonly OracleProcess[] = [
    { name: "request", script: "watcher:signature-request", signs: true },
    { name: "collected", script: "watcher:collected-signatures", signs: false },
    { name: "affirmation", script: "watcher:affirmation-request", signs: false },
    { name: "transfer", script: "watcher:transfer", signs: false },
    { name: "senderhome", script: "sender:home", signs: true },
    { name: "senderforeign", script: "sender:foreign", signs: true },
];

export interface OracleSide {
    readonly rpcUrl: string;
    readonly bridge: string;
    readonly startBlock: number;
    readonly pollingIntervalMs: number;
    readonly gasPriceFallback: bigint;
    readonly blockRangeLimit?: number;
    readonly gasPriceSupplier?: GasPriceSupplierConfig;
}

export interface OracleSettings {
    readonly validatorAddress: string;
    readonly home: OracleSide;
    readonly foreign: OracleSide;
    readonly logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
}

/**
 * One chain's gas price source and log range (oracle 2.7.0-rc2: src/services/gasPrice.js reads the COMMON_* supplier
 * variables and ORACLE_*_GAS_PRICE_UPDATE_INTERVAL; config/base.config.js reads ORACLE_*_RPC_BLOCK_POLLING_LIMIT).
 */
export function sideVariables(prefix: "HOME" | "FOREIGN", side: Pick<OracleSide, "blockRangeLimit" | "gasPriceSupplier">, forOracle: boolean): Record<string, string> {
    const supplier = side.gasPriceSupplier;
    return {
        ...(supplier
            ? {
                  [`COMMON_${prefix}_GAS_PRICE_SUPPLIER_URL`]: supplier.url,
                  [`COMMON_${prefix}_GAS_PRICE_SPEED_TYPE`]: supplier.speedType,
                  [`COMMON_${prefix}_GAS_PRICE_FACTOR`]: String(supplier.factor),
                  [forOracle ? `ORACLE_${prefix}_GAS_PRICE_UPDATE_INTERVAL` : `UI_${prefix}_GAS_PRICE_UPDATE_INTERVAL`]: String(supplier.updateIntervalMs),
              }
            : {}),
        ...(forOracle && side.blockRangeLimit ? { [`ORACLE_${prefix}_RPC_BLOCK_POLLING_LIMIT`]: String(side.blockRangeLimit) } : {}),
    };
}

/**
 * The environment of one process, secrets aside: the validator's key (signing processes only) and the queue and
 * database URLs, which carry their passwords, are read from secret files by the process's start command.
 */
export function oracleEnvironment(settings: OracleSettings, oracleProcess: OracleProcess): Record<string, string> {
    const longestPolling = Math.max(settings.home.pollingIntervalMs, settings.foreign.pollingIntervalMs);
    const insecure = [settings.home.rpcUrl, settings.foreign.rpcUrl].some((url) => url.startsWith("http://") || url.startsWith("ws://"));
    return {
        NODE_ENV: "production",
        ORACLE_BRIDGE_MODE: "ERC_TO_ERC",
        COMMON_HOME_RPC_URL: settings.home.rpcUrl,
        COMMON_FOREIGN_RPC_URL: settings.foreign.rpcUrl,
        COMMON_HOME_BRIDGE_ADDRESS: settings.home.bridge,
        COMMON_FOREIGN_BRIDGE_ADDRESS: settings.foreign.bridge,
        COMMON_HOME_GAS_PRICE_FALLBACK: settings.home.gasPriceFallback.toString(),
        COMMON_FOREIGN_GAS_PRICE_FALLBACK: settings.foreign.gasPriceFallback.toString(),
        ORACLE_HOME_RPC_POLLING_INTERVAL: String(settings.home.pollingIntervalMs),
        ORACLE_FOREIGN_RPC_POLLING_INTERVAL: String(settings.foreign.pollingIntervalMs),
        ORACLE_HOME_START_BLOCK: String(settings.home.startBlock),
        ORACLE_FOREIGN_START_BLOCK: String(settings.foreign.startBlock),
        ORACLE_LOG_LEVEL: settings.logLevel,
        // The oracle's documented recommendation: four times the longest polling interval.
        ORACLE_MAX_PROCESSING_TIME: String(4 * longestPolling),
        // Consortium RPC endpoints inside a cluster or on one host are plain HTTP; the oracle refuses them otherwise.
        ...(insecure ? { ORACLE_ALLOW_HTTP_FOR_RPC: "yes" } : {}),
        ...sideVariables("HOME", settings.home, true),
        ...sideVariables("FOREIGN", settings.foreign, true),
        ...(oracleProcess.signs ? {} : { ORACLE_VALIDATOR_ADDRESS: settings.validatorAddress }),
    };
}
