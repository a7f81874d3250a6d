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
];

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

export interface PrepareOptions {
    readonly home: ChainEndpoint;
    readonly foreign: ChainEndpoint;
    /** 0x-prefixed key of the account that runs the deployment job on both chains. */
    readonly deployerKey: string;
    /** Accounts the deployer tops up to `amount` wei on the foreign chain (a local one). */
    readonly foreignTopUps: readonly { readonly address: string; readonly amount: bigint }[];
    readonly readinessTimeoutMs: number;
    readonly log?: (message: string) => void;
}

export interface Preparation {
    readonly deployer: string;
    /** The deployer's next nonce on each chain when the job starts: its contracts are created from these on. */
    readonly homeNonce: number;
    readonly foreignNonce: number;
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
            const balance = await providers[side].getBalance(deployer);
            if (balance === 0n) {
                throw new BridgeDeploymentError(
                    `the bridge deployer ${deployer} has no funds on the ${side} chain (${options[side].rpcUrl}); it pays for the bridge contracts: fund it, then run pulumi up again`,
                );
            }
        }
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

export interface FindOptions {
    readonly home: ChainEndpoint;
    readonly foreign: ChainEndpoint;
    readonly deployer: string;
    readonly homeNonceFrom: number;
    readonly foreignNonceFrom: number;
    /** The bridged ERC-20 on the foreign chain; the foreign bridge must hold this one. */
    readonly foreignToken: string;
    /** What the job reported, when its output reached Pulumi (Docker). */
    readonly reported?: BridgeDeploymentResults;
}

/** A verified ERC_TO_ERC bridge proxy on one chain. */
interface VerifiedBridge {
    readonly address: string;
    readonly deployedBlock: number;
    readonly token: string;
}

async function call<T>(contract: Contract, method: string): Promise<T | undefined> {
    try {
        return (await contract.getFunction(method).staticCall()) as T;
    } catch {
        return undefined;
    }
}

/** An ERC_TO_ERC bridge behind its upgradeable proxy (not the bare implementation), or why not. */
async function inspectBridge(provider: JsonRpcProvider, address: string, side: Side): Promise<VerifiedBridge | string> {
    if ((await provider.getCode(address)) === "0x") return `no contract at ${address}`;
    const bridge = new Contract(address, BRIDGE_ABI, provider);
    const mode = await call<string>(bridge, "getBridgeMode");
    if (mode?.toLowerCase() !== ERC_TO_ERC_MODE) return `${address} is not an ERC_TO_ERC bridge (getBridgeMode() answered ${mode ?? "nothing"})`;
    const implementation = await call<string>(bridge, "implementation");
    if (!implementation || implementation === ZeroAddress) return `${address} is a bridge implementation, not its proxy`;
    const deployedBlock = await call<bigint>(bridge, "deployedAtBlock");
    const token = await call<string>(bridge, side === "home" ? "erc677token" : "erc20token");
    if (deployedBlock === undefined || !token) return `${address} answers getBridgeMode() but not deployedAtBlock() and ${side === "home" ? "erc677token()" : "erc20token()"}`;
    return { address: getAddress(address), deployedBlock: Number(deployedBlock), token: getAddress(token) };
}

/** The deployer's contracts created from `fromNonce` on, that are ERC_TO_ERC bridge proxies. */
async function discoverBridge(provider: JsonRpcProvider, deployer: string, fromNonce: number, side: Side): Promise<VerifiedBridge> {
    const toNonce = await provider.getTransactionCount(deployer, "latest");
    const found: VerifiedBridge[] = [];
    for (let nonce = fromNonce; nonce < toNonce; nonce++) {
        const inspected = await inspectBridge(provider, getCreateAddress({ from: deployer, nonce }), side);
        if (typeof inspected !== "string") found.push(inspected);
    }
    if (found.length !== 1) {
        throw new BridgeDeploymentError(
            `expected one ERC_TO_ERC bridge proxy among the contracts ${deployer} created on the ${side} chain with nonces ${fromNonce} to ${toNonce - 1}, found ${found.length}` +
                (found.length === 0 ? ": did the bridge contracts job succeed? Its logs say why not." : `: ${found.map((bridge) => bridge.address).join(", ")}`),
        );
    }
    return found[0];
}

async function verifyReported(provider: JsonRpcProvider, address: string, side: Side): Promise<VerifiedBridge> {
    const inspected = await inspectBridge(provider, address, side);
    if (typeof inspected === "string") throw new BridgeDeploymentError(`the job reported the ${side} bridge at ${address}, but ${inspected}`);
    return inspected;
}

/** The bridge on both chains, checked against each other and against the configured token. */
export async function findBridgeContracts(options: FindOptions): Promise<BridgeDeploymentResults> {
    const home = connect(options.home);
    const foreign = connect(options.foreign);
    try {
        const [homeBridge, foreignBridge] = options.reported
            ? await Promise.all([verifyReported(home, options.reported.homeBridge, "home"), verifyReported(foreign, options.reported.foreignBridge, "foreign")])
            : await Promise.all([
                  discoverBridge(home, options.deployer, options.homeNonceFrom, "home"),
                  discoverBridge(foreign, options.deployer, options.foreignNonceFrom, "foreign"),
              ]);
        if (options.reported && getAddress(options.reported.erc677Token) !== homeBridge.token) {
            throw new BridgeDeploymentError(`the job reported the ERC677 token ${options.reported.erc677Token}, but the home bridge mints ${homeBridge.token}`);
        }
        if (foreignBridge.token !== getAddress(options.foreignToken)) {
            throw new BridgeDeploymentError(`the foreign bridge ${foreignBridge.address} holds the token ${foreignBridge.token}, not the configured ${getAddress(options.foreignToken)}`);
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
