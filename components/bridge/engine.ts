import { connectRpc, type RpcCredentials } from "../chain/rpc";
import { Contract, type JsonRpcProvider, Wallet, ZeroAddress, getAddress, getCreateAddress } from "ethers";
import { waitForChain } from "../poco/deploy";
import type { BridgeDeploymentResults } from "./results";

/**
 * What `pulumi up` does on the chains around the TokenBridge deployment job, as plain functions that
 * tests run against a real node:
 * - before the job: both chains are up, the deployer can pay, validators are topped up on a local
 *   foreign chain, and the deployer's nonces are recorded;
 * - after the job: the bridge addresses, either reported by the job (Docker: its logs) or found as
 *   the deployer's CREATE addresses from the recorded nonces on (Kubernetes: a Job's output does not
 *   reach Pulumi), and in both cases verified on chain.
 */

/** `getBridgeMode()` of an ERC_TO_ERC bridge: bytes4(keccak256("erc-to-erc-core")). */
export const ERC_TO_ERC_MODE = "0xba4690f5";

const BRIDGE_ABI = [
    "function getBridgeMode() view returns (bytes4)",
    "function implementation() view returns (address)",
    "function deployedAtBlock() view returns (uint256)",
    "function erc677token() view returns (address)",
    "function erc20token() view returns (address)",
    "function isInitialized() view returns (bool)",
    "function validatorContract() view returns (address)",
    "function decimalShift() view returns (int256)",
];

const VALIDATORS_ABI = ["function validatorList() view returns (address[])", "function requiredSignatures() view returns (uint256)"];

export class BridgeDeploymentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BridgeDeploymentError";
    }
}

export type Side = "home" | "foreign";

export interface ChainEndpoint {
    readonly rpcUrl: string;
    readonly chainId: number;
    /** The program's RPC gateway credentials (secret), when the chain's RPC is behind one. */
    readonly credentials?: RpcCredentials;
}

const connect = (endpoint: ChainEndpoint) => connectRpc(endpoint.rpcUrl, endpoint.credentials, endpoint.chainId);

/** What this stack's bridge is initialised with: a proxy initialised otherwise is not this stack's bridge. */
export interface ExpectedBridge {
    readonly validators: readonly string[];
    readonly requiredSignatures: number;
    /** The bridged ERC-20 on the foreign chain (RLC). */
    readonly foreignToken: string;
    /** `bridge.token.decimals`: the ERC677 minted on the home chain, and the foreign token, must both have them. */
    readonly decimals: number;
}

export interface PrepareOptions {
    readonly home: ChainEndpoint;
    readonly foreign: ChainEndpoint;
    /** 0x-prefixed key of the account that runs the deployment job on both chains. */
    readonly deployerKey: string;
    /** Accounts the deployer tops up to `amount` wei on the foreign chain (a local one); each once. */
    readonly foreignTopUps: readonly { readonly address: string; readonly amount: bigint }[];
    readonly expected: ExpectedBridge;
    /**
     * Set when the job is about to run again (a raised `bridge.deployment.attempt`): the nonces the first run started
     * from. A bridge found from them that is in use refuses the new run.
     */
    readonly rerunFrom?: { readonly homeNonce: number; readonly foreignNonce: number };
    /**
     * The contracts job runs after this preparation (the first run, or a raised attempt): the deployer must be able to
     * pay on both chains and the foreign token's decimals must match. An update that only tops up new validators
     * checks neither, so a deployer emptied after its deployment never blocks a later update.
     */
    readonly beforeJob: boolean;
    readonly readinessTimeoutMs: number;
    readonly log?: (message: string) => void;
}

export interface Preparation {
    readonly deployer: string;
    /** The deployer's next nonce on each chain when the job starts: its contracts are created from these on. */
    readonly homeNonce: number;
    readonly foreignNonce: number;
}

const ERC20_ABI = ["function decimals() view returns (uint8)", "function balanceOf(address) view returns (uint256)", "function totalSupply() view returns (uint256)"];

/** The foreign token's decimals must be `bridge.token.decimals`: no decimal shift is set, amounts cross unscaled. */
async function checkForeignDecimals(provider: JsonRpcProvider, expected: ExpectedBridge): Promise<void> {
    const decimals = await call<bigint>(new Contract(expected.foreignToken, ERC20_ABI, provider), "decimals");
    if (decimals === undefined) throw new BridgeDeploymentError(`the foreign token ${expected.foreignToken} does not answer decimals(): is it the ERC-20 to bridge?`);
    if (Number(decimals) !== expected.decimals) {
        throw new BridgeDeploymentError(
            `consortium:bridge.token.decimals is ${expected.decimals}, but the foreign token ${expected.foreignToken} has ${decimals} decimals: set bridge.token.decimals to ${decimals} (the bridge moves amounts unscaled, so both tokens must agree)`,
        );
    }
}

export async function prepareBridgeDeployment(options: PrepareOptions): Promise<Preparation> {
    const log = options.log ?? (() => undefined);
    const deployer = new Wallet(options.deployerKey).address;
    const providers = {
        home: connect(options.home),
        foreign: connect(options.foreign),
    };
    try {
        for (const side of ["home", "foreign"] as const) {
            await waitForChain(providers[side], options[side].chainId, options[side].rpcUrl, options.readinessTimeoutMs, log, `Bridge (${side})`);
            const pays = options.beforeJob || (side === "foreign" && options.foreignTopUps.length > 0);
            if (pays && (await providers[side].getBalance(deployer)) === 0n) {
                throw new BridgeDeploymentError(
                    `the bridge deployer ${deployer} has no funds on the ${side} chain (${options[side].rpcUrl}); it pays for the bridge contracts: fund it, then run pulumi up again`,
                );
            }
        }
        if (options.beforeJob) await checkForeignDecimals(providers.foreign, options.expected);
        if (options.rerunFrom) await refuseRerunOverLiveBridge(providers, deployer, options.rerunFrom, options.expected, log);
        const signer = new Wallet(options.deployerKey, providers.foreign);
        let nonce = await providers.foreign.getTransactionCount(deployer, "pending");
        const sent = [];
        for (const { address, amount } of options.foreignTopUps) {
            const balance = await providers.foreign.getBalance(address);
            if (balance >= amount) continue;
            log(`Bridge: topping up validator ${address} on the foreign chain to ${amount} wei`);
            sent.push(await signer.sendTransaction({ to: address, value: amount - balance, nonce: nonce++, gasLimit: 21_000n }));
        }
        for (const transaction of sent) {
            const receipt = await transaction.wait(1, options.readinessTimeoutMs);
            if (!receipt || receipt.status !== 1) throw new BridgeDeploymentError(`the top-up ${transaction.hash} failed on the foreign chain`);
        }
        return {
            deployer,
            homeNonce: await providers.home.getTransactionCount(deployer, "latest"),
            foreignNonce: await providers.foreign.getTransactionCount(deployer, "latest"),
        };
    } finally {
        providers.home.destroy();
        providers.foreign.destroy();
    }
}

/**
 * A new run of the job deploys a new pair of bridges, which discovery then prefers. A complete bridge from an earlier
 * run that already carries tokens (RLC locked on the foreign side, xRLC minted on the home side) would be abandoned
 * with them: refused. A failed or unused earlier run is replaced.
 */
async function refuseRerunOverLiveBridge(
    providers: { readonly home: JsonRpcProvider; readonly foreign: JsonRpcProvider },
    deployer: string,
    from: { readonly homeNonce: number; readonly foreignNonce: number },
    expected: ExpectedBridge,
    log: (message: string) => void,
): Promise<void> {
    const [home, foreign] = await Promise.all([
        candidates(providers.home, deployer, from.homeNonce, "home", expected),
        candidates(providers.foreign, deployer, from.foreignNonce, "foreign", expected),
    ]);
    const homeBridge = home.found.at(-1);
    const foreignBridge = foreign.found.at(-1);
    if (!homeBridge || !foreignBridge) {
        log("Bridge: no complete bridge from the earlier run of the contracts job; running it again");
        return;
    }
    const locked = (await call<bigint>(new Contract(expected.foreignToken, ERC20_ABI, providers.foreign), "balanceOf", foreignBridge.address)) ?? 0n;
    const minted = (await call<bigint>(new Contract(homeBridge.token, ERC20_ABI, providers.home), "totalSupply")) ?? 0n;
    if (locked > 0n || minted > 0n) {
        throw new BridgeDeploymentError(
            `consortium:bridge.deployment.attempt was raised, but the bridge already deployed is in use (the foreign bridge ${foreignBridge.address} holds ${locked} of ${expected.foreignToken}; ` +
                `${minted} of the home token ${homeBridge.token} exist): a new deployment would strand them. Set bridge.deployment.attempt back; a redeployment is for a job that failed or a bridge nobody used.`,
        );
    }
    log(`Bridge: the unused bridge ${homeBridge.address} / ${foreignBridge.address} from the earlier run is abandoned; the contracts job runs again`);
}

export interface FindOptions {
    readonly home: ChainEndpoint;
    readonly foreign: ChainEndpoint;
    readonly deployer: string;
    readonly homeNonceFrom: number;
    readonly foreignNonceFrom: number;
    readonly expected: ExpectedBridge;
    /** What the job reported, when its output reached Pulumi (Docker). */
    readonly reported?: BridgeDeploymentResults;
    readonly log?: (message: string) => void;
}

/** A verified ERC_TO_ERC bridge proxy on one chain. */
interface VerifiedBridge {
    readonly address: string;
    readonly deployedBlock: number;
    readonly token: string;
}

async function call<T>(contract: Contract, method: string, ...args: unknown[]): Promise<T | undefined> {
    try {
        return (await contract.getFunction(method).staticCall(...args)) as T;
    } catch {
        return undefined;
    }
}

const sameSet = (left: readonly string[], right: readonly string[]) => {
    const normalise = (list: readonly string[]) => [...new Set(list.map((address) => address.toLowerCase()))].sort().join(",");
    return left.length === right.length && normalise(left) === normalise(right);
};

/**
 * This stack's ERC_TO_ERC bridge behind its upgradeable proxy, or why not: not the bare implementation, initialised,
 * with this stack's validators and required signatures, no decimal shift, and this stack's tokens
 * (TokenBridge 5.6.0: Initializable.isInitialized, Validatable.validatorContract, BaseBridgeValidators.validatorList and
 * requiredSignatures, DecimalShiftBridge.decimalShift).
 */
async function inspectBridge(provider: JsonRpcProvider, address: string, side: Side, expected: ExpectedBridge): Promise<VerifiedBridge | string> {
    if ((await provider.getCode(address)) === "0x") return `no contract at ${address}`;
    const bridge = new Contract(address, BRIDGE_ABI, provider);
    const mode = await call<string>(bridge, "getBridgeMode");
    if (mode?.toLowerCase() !== ERC_TO_ERC_MODE) return `${address} is not an ERC_TO_ERC bridge (getBridgeMode() answered ${mode ?? "nothing"})`;
    const implementation = await call<string>(bridge, "implementation");
    if (!implementation || implementation === ZeroAddress) return `${address} is a bridge implementation, not its proxy`;
    if ((await call<boolean>(bridge, "isInitialized")) !== true) return `${address} is a bridge proxy that was never initialised`;
    const deployedBlock = await call<bigint>(bridge, "deployedAtBlock");
    const token = await call<string>(bridge, side === "home" ? "erc677token" : "erc20token");
    if (deployedBlock === undefined || !token) return `${address} answers getBridgeMode() but not deployedAtBlock() and ${side === "home" ? "erc677token()" : "erc20token()"}`;
    const validatorContract = await call<string>(bridge, "validatorContract");
    const validators = validatorContract ? new Contract(validatorContract, VALIDATORS_ABI, provider) : undefined;
    const list = validators ? await call<string[]>(validators, "validatorList") : undefined;
    const required = validators ? await call<bigint>(validators, "requiredSignatures") : undefined;
    if (!list || required === undefined) return `${address} has no readable validator contract (validatorContract() answered ${validatorContract ?? "nothing"})`;
    if (!sameSet(list, expected.validators)) return `${address} is run by other validators (${list.join(", ")}), not this stack's (${expected.validators.join(", ")})`;
    if (Number(required) !== expected.requiredSignatures) return `${address} requires ${required} signatures, not this stack's ${expected.requiredSignatures}`;
    const shift = await call<bigint>(bridge, "decimalShift");
    if (shift !== 0n) return `${address} shifts amounts by ${shift ?? "an unreadable number of"} decimals; this stack's bridge shifts none`;
    if (side === "foreign" && getAddress(token) !== getAddress(expected.foreignToken)) return `${address} holds the token ${getAddress(token)}, not the configured ${getAddress(expected.foreignToken)}`;
    if (side === "home") {
        const decimals = await call<bigint>(new Contract(token, ERC20_ABI, provider), "decimals");
        if (decimals === undefined || Number(decimals) !== expected.decimals) return `${address} mints ${token}, which has ${decimals ?? "no readable"} decimals, not bridge.token.decimals ${expected.decimals}`;
    }
    return { address: getAddress(address), deployedBlock: Number(deployedBlock), token: getAddress(token) };
}

/** The deployer's contracts created from `fromNonce` on: this stack's bridge proxies in nonce order, and why each other contract is not one. */
async function candidates(provider: JsonRpcProvider, deployer: string, fromNonce: number, side: Side, expected: ExpectedBridge) {
    const toNonce = await provider.getTransactionCount(deployer, "latest");
    const found: VerifiedBridge[] = [];
    const rejected: string[] = [];
    for (let nonce = fromNonce; nonce < toNonce; nonce++) {
        const inspected = await inspectBridge(provider, getCreateAddress({ from: deployer, nonce }), side, expected);
        if (typeof inspected !== "string") found.push(inspected);
        else if (!inspected.startsWith("no contract")) rejected.push(inspected);
    }
    return { found, rejected, toNonce };
}

/**
 * This stack's bridge among the deployer's contracts from `fromNonce` on. A job that ran twice (after a failure, or a
 * raised bridge.deployment.attempt) leaves a proxy per run: the last one initialised for this stack is the bridge.
 */
async function discoverBridge(provider: JsonRpcProvider, deployer: string, fromNonce: number, side: Side, expected: ExpectedBridge, log: (message: string) => void): Promise<VerifiedBridge> {
    const { found, rejected, toNonce } = await candidates(provider, deployer, fromNonce, side, expected);
    const bridge = found.at(-1);
    if (!bridge) {
        throw new BridgeDeploymentError(
            `expected this stack's ERC_TO_ERC bridge proxy among the contracts ${deployer} created on the ${side} chain with nonces ${fromNonce} to ${toNonce - 1}, found none: ` +
                (rejected.length > 0 ? `${rejected.join("; ")}. ` : "") +
                "Did the bridge contracts job succeed? Its logs say why not.",
        );
    }
    if (found.length > 1) log(`Bridge: the ${side} chain has ${found.length} bridges from runs of the contracts job; the last, ${bridge.address}, is this stack's (earlier: ${found.slice(0, -1).map((earlier) => earlier.address).join(", ")})`);
    return bridge;
}

async function verifyReported(provider: JsonRpcProvider, address: string, side: Side, expected: ExpectedBridge): Promise<VerifiedBridge> {
    const inspected = await inspectBridge(provider, address, side, expected);
    if (typeof inspected === "string") throw new BridgeDeploymentError(`the job reported the ${side} bridge at ${address}, but ${inspected}`);
    return inspected;
}

/** The bridge on both chains, checked against each other and against what this stack initialises it with. */
export async function findBridgeContracts(options: FindOptions): Promise<BridgeDeploymentResults> {
    const log = options.log ?? (() => undefined);
    const home = connect(options.home);
    const foreign = connect(options.foreign);
    try {
        const [homeBridge, foreignBridge] = options.reported
            ? await Promise.all([verifyReported(home, options.reported.homeBridge, "home", options.expected), verifyReported(foreign, options.reported.foreignBridge, "foreign", options.expected)])
            : await Promise.all([
                  discoverBridge(home, options.deployer, options.homeNonceFrom, "home", options.expected, log),
                  discoverBridge(foreign, options.deployer, options.foreignNonceFrom, "foreign", options.expected, log),
              ]);
        if (options.reported && getAddress(options.reported.erc677Token) !== homeBridge.token) {
            throw new BridgeDeploymentError(`the job reported the ERC677 token ${options.reported.erc677Token}, but the home bridge mints ${homeBridge.token}`);
        }
        return {
            homeBridge: homeBridge.address,
            homeDeployedBlock: homeBridge.deployedBlock,
            erc677Token: homeBridge.token,
            foreignBridge: foreignBridge.address,
            foreignDeployedBlock: foreignBridge.deployedBlock,
        };
    } finally {
        home.destroy();
        foreign.destroy();
    }
}
