import { Contract, JsonRpcProvider, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { artifacts } from "../../components/poco/artifacts";
import { GENESIS_CONTRACTS } from "../../components/poco/genesis";
import { DEFAULT_CATEGORIES, GENERIC_FACTORY_ADDRESS, layout, type PocoPlanInput } from "../../components/poco/plan";
import { startGenesisNode, type AnvilNode } from "../helpers/anvil";

/** What the PoCo integration tests share: the consortium's chain id, admin, plan and chain readings. */

export const CHAIN_ID = 65535;
export const ADMIN_KEY = keccak256(toUtf8Bytes("consortium tests: PoCo admin"));
export const ADMIN = new Wallet(ADMIN_KEY).address;
export const OTHER_KEY = keccak256(toUtf8Bytes("consortium tests: someone else"));

export const plan = (overrides: Partial<PocoPlanInput> = {}): PocoPlanInput => ({
    admin: ADMIN,
    chainId: CHAIN_ID,
    salt: `0x${"00".repeat(32)}`,
    rlc: { deploy: true },
    categories: DEFAULT_CATEGORIES,
    baseURIs: {
        apps: `https://nfts-metadata.iex.ec/app/${CHAIN_ID}/`,
        datasets: `https://nfts-metadata.iex.ec/dataset/${CHAIN_ID}/`,
        workerpools: `https://nfts-metadata.iex.ec/workerpool/${CHAIN_ID}/`,
    },
    ...overrides,
});

/**
 * A node with the consortium chain's id and genesis accounts: the funded admin and the CREATE2
 * factory. `blockTime` seals a block every so many seconds; without it the node mines nothing until
 * `startMining` (transactions wait in its pool, as behind a slow or stopped block producer).
 */
export async function consortiumNode(blockTime?: number): Promise<AnvilNode> {
    const node = await startGenesisNode({
        chainId: CHAIN_ID,
        ...(blockTime ? { blockTime } : {}),
        accounts: { [ADMIN]: (10n ** 24n).toString(), [new Wallet(OTHER_KEY).address]: (10n ** 24n).toString() },
        validator: ADMIN,
        contracts: GENESIS_CONTRACTS,
    });
    if (!blockTime) await rpc(node.rpcUrl, "evm_setAutomine", [false]);
    return node;
}

/** Seals a block every second from now on. */
export async function startMining(node: AnvilNode): Promise<void> {
    await rpc(node.rpcUrl, "evm_setIntervalMining", [1]);
}

export async function rpc<T = unknown>(rpcUrl: string, method: string, params: unknown[]): Promise<T> {
    const provider = new JsonRpcProvider(rpcUrl, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
    try {
        return (await provider.send(method, params)) as T;
    } finally {
        provider.destroy();
    }
}

/** The admin's transactions waiting in the node's pool, by nonce (hash). */
export async function pooled(rpcUrl: string): Promise<Map<number, string>> {
    type Pool = Record<"pending" | "queued", Record<string, Record<string, { nonce: string; hash: string }>>>;
    const content = await rpc<Pool>(rpcUrl, "txpool_content", []);
    const byNonce = new Map<number, string>();
    for (const group of [content.pending, content.queued]) {
        for (const [sender, txs] of Object.entries(group)) {
            if (sender.toLowerCase() === ADMIN.toLowerCase()) for (const tx of Object.values(txs)) byNonce.set(Number(tx.nonce), tx.hash);
        }
    }
    return byNonce;
}

/** Everything a deployment leaves on chain, in comparable form: two chains with the same fingerprint hold the same deployment. */
export async function fingerprint(provider: JsonRpcProvider, input: PocoPlanInput): Promise<Record<string, unknown>> {
    const { creates, addresses } = layout(input);
    const code = Object.fromEntries(await Promise.all(creates.map(async (step) => [step.id, keccak256(await provider.getCode(step.address))] as const)));
    const loupe = new Contract(addresses.diamond, ["function facets() view returns ((address facetAddress, bytes4[] functionSelectors)[])"], provider);
    const facets = ((await loupe.facets()) as { facetAddress: string; functionSelectors: string[] }[]).map((facet) => `${facet.facetAddress}:${[...facet.functionSelectors].sort().join(",")}`).sort();
    const hub = new Contract(addresses.diamond, artifacts.iexecToken().abi as never[], provider);
    const count = Number(await hub.countCategory());
    const categories = [];
    for (let catid = 0; catid < count; catid++) {
        const category = await hub.viewCategory(catid);
        categories.push({ name: category.name, description: category.description, workClockTimeRef: Number(category.workClockTimeRef) });
    }
    const registries = Object.fromEntries(
        await Promise.all(
            (["apps", "datasets", "workerpools"] as const).map(async (kind) => {
                const registry = new Contract(addresses.registries[kind], artifacts.registry(kind).abi as never[], provider);
                return [kind, { initialized: await registry.initialized(), baseURI: await registry.baseURI(), owner: await registry.owner() }] as const;
            }),
        ),
    );
    const rlc = new Contract(addresses.rlc, artifacts.rlc().abi as never[], provider);
    return {
        code,
        facets,
        hub: { token: await hub.token(), name: await hub.name(), symbol: await hub.symbol(), owner: await hub.owner(), appregistry: await hub.appregistry() },
        categories,
        registries,
        rlc: { admin: String(await rlc.balanceOf(ADMIN)), factory: String(await rlc.balanceOf(GENERIC_FACTORY_ADDRESS)), owner: await rlc.owner() },
    };
}

/** What the admin's transactions cost on this chain: how many, the gas they used, how many reverted. */
export interface AdminHistory {
    readonly transactions: number;
    readonly gasUsed: bigint;
    readonly reverted: number;
}

export async function adminHistory(provider: JsonRpcProvider): Promise<AdminHistory> {
    const latest = await provider.getBlockNumber();
    let transactions = 0;
    let gasUsed = 0n;
    let reverted = 0;
    for (let number = 0; number <= latest; number++) {
        const block = await provider.getBlock(number, true);
        for (const tx of block!.prefetchedTransactions) {
            if (tx.from.toLowerCase() !== ADMIN.toLowerCase()) continue;
            const receipt = (await provider.getTransactionReceipt(tx.hash))!;
            transactions += 1;
            gasUsed += receipt.gasUsed;
            if (receipt.status !== 1) reverted += 1;
        }
    }
    return { transactions, gasUsed, reverted };
}

/** Thrown by a deployment's log right after it sent its batch: the run is abandoned before any receipt, as if killed. */
export class Abandoned extends Error {}

export const abandonAfterSend = (message: string): void => {
    if (message.startsWith("PoCo: sent")) throw new Abandoned("killed after sending its batch");
};
