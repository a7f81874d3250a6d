import {
    Contract,
    Interface,
    ZeroAddress,
    ZeroHash,
    getAddress,
    getBytes,
    hexlify,
    keccak256,
    solidityPacked,
    solidityPackedKeccak256,
    toUtf8Bytes,
    type ContractRunner,
    type ContractTransactionResponse,
    type JsonRpcProvider,
    type Result,
    type TransactionReceipt,
    type TypedDataField,
    type Wallet,
} from "ethers";
import { artifacts } from "../../components/poco/artifacts";
import { ORDER_TYPES, STANDARD_TAG, orderHash, type Eip712Domain, type OrderKind, type WorkerpoolOrder } from "../../components/workerpool/orders";

/**
 * The iExec actors the Java services would be, played with ethers at PoCo 6.1.0's ABI (reference §5.2–§6.7):
 * a requester who finds a broadcast workerpool order and matches it, an app owner who signs an app order, the
 * scheduler who initializes, authorizes and finalizes tasks, and workers who contribute and reveal.
 */

/** PoCo's task status (IexecLibCore_v5.sol TaskStatusEnum). */
export const TASK_STATUS = { UNSET: 0, ACTIVE: 1, REVEALING: 2, COMPLETED: 3, FAILED: 4 } as const;

/** Where a failed task's pool stake goes, frozen (FacetBase.v8.sol KITTY_ADDRESS). */
export const KITTY_ADDRESS = getAddress("0x99c2268479b93fDe36232351229815DF80837e23");

/** A deterministic private key for a test actor. */
export const testKey = (label: string): string => keccak256(toUtf8Bytes(`consortium tests: ${label}`));

const WORKERPOOL_ABI = ["function owner() view returns (address)", "function m_workerStakeRatioPolicy() view returns (uint256)", "function m_schedulerRewardRatioPolicy() view returns (uint256)"];

export const hubAt = (address: string, runner: ContractRunner): Contract => new Contract(address, artifacts.iexecToken().abi as never[], runner);
export const rlcAt = (address: string, runner: ContractRunner): Contract => new Contract(address, artifacts.rlc().abi as never[], runner);
export const registryAt = (kind: "apps" | "datasets" | "workerpools", address: string, runner: ContractRunner): Contract => new Contract(address, artifacts.registry(kind).abi as never[], runner);
export const workerpoolAt = (address: string, runner: ContractRunner): Contract => new Contract(address, WORKERPOOL_ABI, runner);

/** Waits for a transaction and fails unless it succeeded. */
export async function mined(sending: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<TransactionReceipt> {
    const response = await sending;
    const receipt = await response.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`transaction ${response.hash} failed`);
    return receipt;
}

/** The PoCo admin gives an account ETH for gas and RLC (nRLC, 9 decimals) on the token. */
export async function fundAccount(admin: Wallet, rlcAddress: string, account: string, amounts: { readonly wei: bigint; readonly nrlc: bigint }): Promise<void> {
    if (amounts.wei > 0n) {
        const receipt = await (await admin.sendTransaction({ to: account, value: amounts.wei })).wait();
        if (!receipt || receipt.status !== 1) throw new Error(`funding ${account} with ETH failed`);
    }
    if (amounts.nrlc > 0n) await mined(rlcAt(rlcAddress, admin).transfer(account, amounts.nrlc));
}

/** Moves RLC from the account's token balance to its hub account (approve + deposit, IexecEscrowTokenFacet). */
export async function depositRlc(account: Wallet, hubAddress: string, rlcAddress: string, nrlc: bigint): Promise<TransactionReceipt> {
    await mined(rlcAt(rlcAddress, account).approve(hubAddress, nrlc));
    return mined(hubAt(hubAddress, account).deposit(nrlc));
}

export interface HubAccount {
    readonly stake: bigint;
    readonly locked: bigint;
}

export async function hubAccountOf(hub: Contract, account: string): Promise<HubAccount> {
    const { stake, locked } = await hub.viewAccount(account);
    return { stake: BigInt(stake), locked: BigInt(locked) };
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

export interface AppOrder {
    readonly app: string;
    readonly appprice: bigint;
    readonly volume: bigint;
    readonly tag: string;
    readonly datasetrestrict: string;
    readonly workerpoolrestrict: string;
    readonly requesterrestrict: string;
    readonly salt: string;
}

export interface DatasetOrder {
    readonly dataset: string;
    readonly datasetprice: bigint;
    readonly volume: bigint;
    readonly tag: string;
    readonly apprestrict: string;
    readonly workerpoolrestrict: string;
    readonly requesterrestrict: string;
    readonly salt: string;
}

export interface RequestOrder {
    readonly app: string;
    readonly appmaxprice: bigint;
    readonly dataset: string;
    readonly datasetmaxprice: bigint;
    readonly workerpool: string;
    readonly workerpoolmaxprice: bigint;
    readonly requester: string;
    readonly volume: bigint;
    readonly tag: string;
    readonly category: bigint;
    readonly trust: bigint;
    readonly beneficiary: string;
    readonly callback: string;
    readonly params: string;
    readonly salt: string;
}

/** An order as matchOrders takes it: `sign` is an EIP-712 signature, or "0x" for a presigned (or absent) order. */
export type Signed<Order> = Order & { readonly sign: string };

/** No dataset: an all-zero order with an empty signature (reference §6.2). */
export const NO_DATASET_ORDER: Signed<DatasetOrder> = {
    dataset: ZeroAddress,
    datasetprice: 0n,
    volume: 0n,
    tag: ZeroHash,
    apprestrict: ZeroAddress,
    workerpoolrestrict: ZeroAddress,
    requesterrestrict: ZeroAddress,
    salt: ZeroHash,
    sign: "0x",
};

const typesOf = (kind: OrderKind): Record<string, TypedDataField[]> => ({ [kind]: [...ORDER_TYPES[kind]] });

export async function signOrder<Order extends object>(signer: Wallet, kind: OrderKind, domain: Eip712Domain, order: Order): Promise<Signed<Order>> {
    const sign = await signer.signTypedData(domain, typesOf(kind), order as Record<string, unknown>);
    return { ...order, sign };
}

export const signAppOrder = (appOwner: Wallet, domain: Eip712Domain, order: AppOrder) => signOrder(appOwner, "AppOrder", domain, order);
export const signRequestOrder = (requester: Wallet, domain: Eip712Domain, order: RequestOrder) => signOrder(requester, "RequestOrder", domain, order);

/** A standard app order with no restriction. */
export function appOrder(app: string, terms: { readonly price: bigint; readonly volume: bigint; readonly salt: string }): AppOrder {
    return { app, appprice: terms.price, volume: terms.volume, tag: STANDARD_TAG, datasetrestrict: ZeroAddress, workerpoolrestrict: ZeroAddress, requesterrestrict: ZeroAddress, salt: terms.salt };
}

/** A standard request for an app without dataset, its results pushed to IPFS (reference §5.3). */
export function requestOrder(terms: {
    readonly app: string;
    readonly appMaxPrice: bigint;
    readonly workerpool: string;
    readonly workerpoolMaxPrice: bigint;
    readonly requester: string;
    readonly volume: bigint;
    readonly category: bigint;
    readonly trust: bigint;
    readonly salt: string;
}): RequestOrder {
    return {
        app: terms.app,
        appmaxprice: terms.appMaxPrice,
        dataset: ZeroAddress,
        datasetmaxprice: 0n,
        workerpool: terms.workerpool,
        workerpoolmaxprice: terms.workerpoolMaxPrice,
        requester: terms.requester,
        volume: terms.volume,
        tag: STANDARD_TAG,
        category: terms.category,
        trust: terms.trust,
        beneficiary: terms.requester,
        callback: ZeroAddress,
        params: JSON.stringify({ iexec_result_storage_provider: "ipfs" }),
        salt: terms.salt,
    };
}

// ---------------------------------------------------------------------------------------------------------------
// The on-chain order book: BroadcastWorkerpoolOrder logs

export interface BroadcastWorkerpoolOrder {
    readonly order: WorkerpoolOrder;
    /** The EIP-712 hash PoCo presigns and consumes. */
    readonly hash: string;
    readonly blockNumber: number;
    readonly transactionHash: string;
}

function plainWorkerpoolOrder(decoded: Result): WorkerpoolOrder {
    return {
        workerpool: getAddress(decoded.workerpool),
        workerpoolprice: String(decoded.workerpoolprice),
        volume: String(decoded.volume),
        tag: hexlify(decoded.tag),
        category: String(decoded.category),
        trust: String(decoded.trust),
        apprestrict: getAddress(decoded.apprestrict),
        datasetrestrict: getAddress(decoded.datasetrestrict),
        requesterrestrict: getAddress(decoded.requesterrestrict),
        salt: hexlify(decoded.salt),
    };
}

/** Every workerpool order broadcast on the hub since `fromBlock`, oldest first, whoever broadcast it. */
export async function findBroadcastWorkerpoolOrders(provider: JsonRpcProvider, hubAddress: string, domain: Eip712Domain, fromBlock: number): Promise<BroadcastWorkerpoolOrder[]> {
    const hub = new Interface(artifacts.iexecToken().abi as never[]);
    const event = hub.getEvent("BroadcastWorkerpoolOrder")!;
    const logs = await provider.getLogs({ address: hubAddress, topics: [event.topicHash], fromBlock, toBlock: "latest" });
    return logs.map((log) => {
        const order = plainWorkerpoolOrder(hub.decodeEventLog(event, log.data, log.topics)[0] as Result);
        return { order, hash: orderHash("WorkerpoolOrder", domain, { ...order }), blockNumber: log.blockNumber, transactionHash: log.transactionHash };
    });
}

/**
 * Whether a broadcast order can be matched as presigned: anyone can broadcast anything, so a requester trusts only
 * what the workerpool's current owner (the registry's NFT holder) presigned and what is not used up.
 */
export async function isLiveOwnerPresigned(hub: Contract, workerpoolRegistry: Contract, broadcast: BroadcastWorkerpoolOrder): Promise<boolean> {
    const owner = getAddress(await workerpoolRegistry.ownerOf(BigInt(broadcast.order.workerpool)));
    const presigner = getAddress(await hub.viewPresigned(broadcast.hash));
    const consumed = BigInt(await hub.viewConsumed(broadcast.hash));
    return presigner === owner && consumed < BigInt(broadcast.order.volume);
}

// ---------------------------------------------------------------------------------------------------------------
// Requester and app owner

export interface AppDefinition {
    readonly name: string;
    /** The Docker image, e.g. "registry.example/app:1.0.0". */
    readonly image: string;
    /** The image's digest, 0x-prefixed 32 bytes. */
    readonly checksum: string;
}

/** Registers a standard (non-TEE) Docker app owned by `owner`, at its predicted address. */
export async function createApp(owner: Wallet, appRegistryAddress: string, app: AppDefinition): Promise<{ readonly app: string; readonly receipt: TransactionReceipt }> {
    const registry = registryAt("apps", appRegistryAddress, owner);
    const args = [owner.address, app.name, "DOCKER", toUtf8Bytes(app.image), app.checksum, "0x"] as const;
    const address = getAddress(await registry.predictApp(...args));
    const receipt = await mined(registry.createApp(...args));
    return { app: address, receipt };
}

export interface MatchedDeal {
    readonly dealid: string;
    readonly volume: bigint;
    readonly receipt: TransactionReceipt;
}

/** The requester matches the four orders into a deal and pays for it from its hub account. */
export async function matchOrders(
    requester: Wallet,
    hubAddress: string,
    orders: { readonly app: Signed<AppOrder>; readonly dataset: Signed<DatasetOrder>; readonly workerpool: Signed<WorkerpoolOrder>; readonly request: Signed<RequestOrder> },
): Promise<MatchedDeal> {
    const hub = hubAt(hubAddress, requester);
    const receipt = await mined(hub.matchOrders(orders.app, orders.dataset, orders.workerpool, orders.request));
    const matched = hubEvents(receipt, hubAddress).find((event) => event.name === "OrdersMatched");
    if (!matched) throw new Error(`matchOrders ${receipt.hash} emitted no OrdersMatched`);
    return { dealid: matched.args.dealid as string, volume: BigInt(matched.args.volume), receipt };
}

/** dealid = keccak256(requestHash ‖ consumed before the match) (IexecPoco1Facet.sol). */
export const dealIdOf = (requestHash: string, firstTaskIndex: bigint): string => solidityPackedKeccak256(["bytes32", "uint256"], [requestHash, firstTaskIndex]);

// ---------------------------------------------------------------------------------------------------------------
// Scheduler and workers

/** taskid = keccak256(dealid ‖ idx) (IexecPoco2Facet.sol initialize). */
export const taskIdOf = (dealid: string, index: bigint): string => solidityPackedKeccak256(["bytes32", "uint256"], [dealid, index]);

/** The scheduler opens a task of the deal, as the blockchain adapter does. */
export async function initializeTask(scheduler: Wallet, hubAddress: string, dealid: string, index: bigint): Promise<{ readonly taskid: string; readonly receipt: TransactionReceipt }> {
    const receipt = await mined(hubAt(hubAddress, scheduler).initialize(dealid, index));
    return { taskid: taskIdOf(dealid, index), receipt };
}

/**
 * The scheduler's WorkerpoolAuthorization for a standard task: eth_sign (not EIP-712) of
 * keccak256(worker ‖ taskid ‖ enclaveChallenge = 0x0) (reference §6.5).
 */
export async function authorizeWorker(signer: Wallet, worker: string, taskid: string): Promise<string> {
    return signer.signMessage(getBytes(solidityPackedKeccak256(["address", "bytes32", "address"], [worker, taskid, ZeroAddress])));
}

/** What a worker commits to at contribute, without revealing its result digest. */
export function commitment(worker: string, taskid: string, resultDigest: string): { readonly resultHash: string; readonly resultSeal: string } {
    return {
        resultHash: keccak256(solidityPacked(["bytes32", "bytes32"], [taskid, resultDigest])),
        resultSeal: keccak256(solidityPacked(["address", "bytes32", "bytes32"], [worker, taskid, resultDigest])),
    };
}

/** The worker's contribution of a standard task: no enclave, 32 zero bytes of enclave signature (as iexec-worker sends). */
export async function contribute(worker: Wallet, hubAddress: string, taskid: string, resultDigest: string, authorization: string): Promise<TransactionReceipt> {
    const { resultHash, resultSeal } = commitment(worker.address, taskid, resultDigest);
    return mined(hubAt(hubAddress, worker).contribute(taskid, resultHash, resultSeal, ZeroAddress, ZeroHash, authorization));
}

export async function reveal(worker: Wallet, hubAddress: string, taskid: string, resultDigest: string): Promise<TransactionReceipt> {
    return mined(hubAt(hubAddress, worker).reveal(taskid, resultDigest));
}

/** The result link the middleware stores on chain (worker ResultService.buildResultLink). */
export const resultLink = (storage: string, location: string): Uint8Array => toUtf8Bytes(`{ "storage": "${storage}", "location": "${location}" }`);

/** The scheduler closes a revealed task with its results; no callback. */
export async function finalize(scheduler: Wallet, hubAddress: string, taskid: string, results: Uint8Array): Promise<TransactionReceipt> {
    return mined(hubAt(hubAddress, scheduler).finalize(taskid, results, "0x"));
}

/** Anyone fails a task past its final deadline. */
export async function claim(anyone: Wallet, hubAddress: string, taskid: string): Promise<TransactionReceipt> {
    return mined(hubAt(hubAddress, anyone).claim(taskid));
}

// ---------------------------------------------------------------------------------------------------------------
// Events

export interface HubEvent {
    readonly name: string;
    readonly args: Result;
}

/** The hub's events of a transaction, in log order. */
export function hubEvents(receipt: TransactionReceipt, hubAddress: string): HubEvent[] {
    const hub = new Interface(artifacts.iexecToken().abi as never[]);
    const events: HubEvent[] = [];
    for (const log of receipt.logs) {
        if (getAddress(log.address) !== getAddress(hubAddress)) continue;
        const parsed = hub.parseLog({ topics: [...log.topics], data: log.data });
        if (!parsed) throw new Error(`unknown hub event ${log.topics[0]} in ${receipt.hash}`);
        events.push({ name: parsed.name, args: parsed.args });
    }
    return events;
}

/**
 * The hub's events of a transaction as short lines, accounts named by `labels` (address → name; the hub is "hub"):
 * "Transfer requester→hub 15", "Lock requester 15", "Reward worker 9", others by name only.
 */
export function describeHubEvents(receipt: TransactionReceipt, hubAddress: string, labels: ReadonlyMap<string, string>): string[] {
    const name = (address: string) => {
        const account = getAddress(address);
        if (account === getAddress(hubAddress)) return "hub";
        if (account === ZeroAddress) return "0x0";
        return labels.get(account) ?? account;
    };
    return hubEvents(receipt, hubAddress).map((event) => {
        switch (event.name) {
            case "Transfer":
                return `Transfer ${name(event.args.from)}→${name(event.args.to)} ${event.args.value}`;
            case "Lock":
            case "Unlock":
            case "Reward":
            case "Seize":
                return `${event.name} ${name(event.args.owner)} ${event.args.amount}`;
            default:
                return event.name;
        }
    });
}
