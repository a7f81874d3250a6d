/**
 * The environment of the official TokenBridge contracts image (`poanetwork/tokenbridge-contracts:5.6.0`,
 * `deploy.sh`) for an ERC_TO_ERC bridge: the complete set of variables its `deploy/src/loadEnv.js`
 * requires in that mode, computed from plain settings. Limits are in the tokens' smallest unit.
 * (Building block of the bridge capability; the job that runs the image uses it.)
 */

export const TOKENBRIDGE_CONTRACTS_IMAGE = "poanetwork/tokenbridge-contracts:5.6.0";

export interface BridgeLimits {
    readonly dailyLimit: bigint;
    readonly maxPerTx: bigint;
    readonly minPerTx: bigint;
}

export interface BridgeSide {
    readonly rpcUrl: string;
    /** The bridge contract's fallback gas price on this chain (its gasPrice()), in wei. */
    readonly gasPrice: bigint;
    /** Wei per gas of the deployment's own transactions on this chain. */
    readonly deploymentGasPrice: bigint;
    readonly requiredBlockConfirmations: number;
    /** Limits of transfers leaving this side. */
    readonly limits: BridgeLimits;
    /** Owner of the bridge, of its validator contract and admin of their upgradeable proxies. */
    readonly owner: string;
}

export interface BridgeContractsSettings {
    readonly home: BridgeSide;
    readonly foreign: BridgeSide;
    /** The ERC-20 bridged from the foreign chain (RLC). */
    readonly foreignToken: string;
    readonly bridgeableToken: { readonly name: string; readonly symbol: string; readonly decimals: number };
    readonly validators: readonly string[];
    readonly requiredSignatures: number;
    /** Fraction added to each estimated gas limit, and how often the deployment polls for a receipt. */
    readonly gasLimitExtra: number;
    readonly receiptIntervalMs: number;
}

/** What ERC_TO_ERC's loadEnv.js checks, with the variable names in the messages. */
export function bridgeSettingsFailures(settings: BridgeContractsSettings): string[] {
    const failures: string[] = [];
    const { requiredSignatures, validators } = settings;
    if (!Number.isInteger(requiredSignatures) || requiredSignatures < 1 || requiredSignatures > validators.length) {
        failures.push(`REQUIRED_NUMBER_OF_VALIDATORS must be between 1 and the ${validators.length} validators (got ${requiredSignatures})`);
    }
    if (new Set(validators.map((validator) => validator.toLowerCase())).size !== validators.length) failures.push("VALIDATORS lists an address twice");
    for (const [prefix, side] of [["HOME", settings.home], ["FOREIGN", settings.foreign]] as const) {
        const { minPerTx, maxPerTx, dailyLimit } = side.limits;
        if (!(minPerTx > 0n && minPerTx < maxPerTx && maxPerTx < dailyLimit)) {
            failures.push(`limits must satisfy 0 < ${prefix}_MIN_AMOUNT_PER_TX < ${prefix}_MAX_AMOUNT_PER_TX < ${prefix}_DAILY_LIMIT (got ${minPerTx} < ${maxPerTx} < ${dailyLimit})`);
        }
        if (side.gasPrice <= 0n) failures.push(`${prefix}_GAS_PRICE must be greater than zero`);
        if (side.deploymentGasPrice <= 0n) failures.push(`${prefix}_DEPLOYMENT_GAS_PRICE must be greater than zero`);
        if (!Number.isInteger(side.requiredBlockConfirmations) || side.requiredBlockConfirmations < 1) {
            failures.push(`${prefix}_REQUIRED_BLOCK_CONFIRMATIONS must be a positive integer (got ${side.requiredBlockConfirmations})`);
        }
    }
    if (!(settings.gasLimitExtra > 0 && settings.gasLimitExtra <= 1)) failures.push(`DEPLOYMENT_GAS_LIMIT_EXTRA must be above 0 and at most 1 (got ${settings.gasLimitExtra})`);
    if (!Number.isInteger(settings.receiptIntervalMs) || settings.receiptIntervalMs < 1) failures.push(`GET_RECEIPT_INTERVAL_IN_MILLISECONDS must be a positive integer (got ${settings.receiptIntervalMs})`);
    if (!Number.isInteger(settings.bridgeableToken.decimals) || settings.bridgeableToken.decimals < 0 || settings.bridgeableToken.decimals > 255) {
        failures.push(`BRIDGEABLE_TOKEN_DECIMALS must be an integer from 0 to 255 (got ${settings.bridgeableToken.decimals})`);
    }
    return failures;
}

/**
 * Every variable except the deployer's key, which the platform passes from a secret
 * (`DEPLOYMENT_ACCOUNT_PRIVATE_KEY`, hex without 0x) and never as a plain value.
 */
export function bridgeContractsEnvironment(settings: BridgeContractsSettings): Record<string, string> {
    const failures = bridgeSettingsFailures(settings);
    if (failures.length > 0) throw new Error(`invalid bridge settings:\n  - ${failures.join("\n  - ")}`);
    const { home, foreign } = settings;
    return {
        BRIDGE_MODE: "ERC_TO_ERC",
        DEPLOYMENT_GAS_LIMIT_EXTRA: String(settings.gasLimitExtra),
        HOME_DEPLOYMENT_GAS_PRICE: home.deploymentGasPrice.toString(),
        FOREIGN_DEPLOYMENT_GAS_PRICE: foreign.deploymentGasPrice.toString(),
        GET_RECEIPT_INTERVAL_IN_MILLISECONDS: String(settings.receiptIntervalMs),

        HOME_RPC_URL: home.rpcUrl,
        HOME_BRIDGE_OWNER: home.owner,
        HOME_VALIDATORS_OWNER: home.owner,
        HOME_UPGRADEABLE_ADMIN: home.owner,
        HOME_DAILY_LIMIT: home.limits.dailyLimit.toString(),
        HOME_MAX_AMOUNT_PER_TX: home.limits.maxPerTx.toString(),
        HOME_MIN_AMOUNT_PER_TX: home.limits.minPerTx.toString(),
        HOME_REQUIRED_BLOCK_CONFIRMATIONS: String(home.requiredBlockConfirmations),
        HOME_GAS_PRICE: home.gasPrice.toString(),
        HOME_REWARDABLE: "false",

        FOREIGN_RPC_URL: foreign.rpcUrl,
        FOREIGN_BRIDGE_OWNER: foreign.owner,
        FOREIGN_VALIDATORS_OWNER: foreign.owner,
        FOREIGN_UPGRADEABLE_ADMIN: foreign.owner,
        FOREIGN_DAILY_LIMIT: foreign.limits.dailyLimit.toString(),
        FOREIGN_MAX_AMOUNT_PER_TX: foreign.limits.maxPerTx.toString(),
        FOREIGN_MIN_AMOUNT_PER_TX: foreign.limits.minPerTx.toString(),
        FOREIGN_REQUIRED_BLOCK_CONFIRMATIONS: String(foreign.requiredBlockConfirmations),
        FOREIGN_GAS_PRICE: foreign.gasPrice.toString(),
        FOREIGN_REWARDABLE: "false",

        ERC20_TOKEN_ADDRESS: settings.foreignToken,
        ERC20_EXTENDED_BY_ERC677: "false",
        BRIDGEABLE_TOKEN_NAME: settings.bridgeableToken.name,
        BRIDGEABLE_TOKEN_SYMBOL: settings.bridgeableToken.symbol,
        BRIDGEABLE_TOKEN_DECIMALS: String(settings.bridgeableToken.decimals),
        DEPLOY_REWARDABLE_TOKEN: "false",

        REQUIRED_NUMBER_OF_VALIDATORS: String(settings.requiredSignatures),
        // loadEnv.js splits the list on single spaces.
        VALIDATORS: settings.validators.join(" "),
    };
}
