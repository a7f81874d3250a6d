import { AbiCoder, Interface, ZeroAddress, concat, getBytes, getCreate2Address, keccak256, toUtf8Bytes } from "ethers";
import { DIAMOND_CORE_FACETS, POCO_FACETS, REGISTRIES, artifacts, link, selectorsOf, type Artifact } from "./artifacts";

/**
 * The PoCo + RLC deployment as pure data. Every contract is created through the CREATE2 factory
 * that the chain spec places in genesis, so its address is known before anything is sent: the
 * whole deployment can be signed up front with explicit nonces and mined in as few blocks as the gas
 * limit allows, and a re-run finds what exists at those addresses and plans only what is missing.
 * Planning is prefix-consistent: once the first k steps of a plan are mined, the plan of the new state
 * is the remaining steps, so two engines reading the chain at different moments sign the same step
 * for the same nonce.
 */

/** iExec's GenericFactory, at the address it has on every iExec chain. */
export const GENERIC_FACTORY_ADDRESS = "0xfAC000a12dA42B871c0AaD5F25391aAe62958Db1";

export interface Category {
    readonly name: string;
    readonly description: string;
    /** Reference work clock time, in seconds. */
    readonly workClockTimeRef: number;
}

/** iExec's five standard categories (PoCo's config/categories.json). */
export const DEFAULT_CATEGORIES: readonly Category[] = [
    { name: "XS", description: "{}", workClockTimeRef: 300 },
    { name: "S", description: "{}", workClockTimeRef: 1200 },
    { name: "M", description: "{}", workClockTimeRef: 3600 },
    { name: "L", description: "{}", workClockTimeRef: 10800 },
    { name: "XL", description: "{}", workClockTimeRef: 36000 },
];

export interface PocoPlanInput {
    /**
     * The consortium admin: sends the deployment and owns the diamond, the registries and a deployed
     * RLC. Addresses depend on it (not on a key), so they are known before anything is signed.
     */
    readonly admin: string;
    readonly chainId: number;
    /** CREATE2 salt (bytes32); another salt gives another, independent deployment. */
    readonly salt: string;
    /** Deploy the faucet RLC, or use an existing ERC-20 token (later: the bridged RLC). */
    readonly rlc: { readonly deploy: true } | { readonly deploy: false; readonly address: string };
    readonly categories: readonly Category[];
    readonly baseURIs: Readonly<Record<keyof typeof REGISTRIES, string>>;
}

export interface PocoAddresses {
    readonly rlc: string;
    readonly diamond: string;
    readonly diamondInit: string;
    readonly ordersLibrary: string;
    readonly facets: Readonly<Record<string, string>>;
    readonly registries: Readonly<Record<keyof typeof REGISTRIES, string>>;
}

/** A contract created through the factory: `createContractAndCall(code, salt, call)`. */
export interface CreateStep {
    readonly kind: "create";
    readonly id: string;
    readonly contract: string;
    readonly code: string;
    readonly salt: string;
    /** Called by the factory on the new contract in the same transaction (e.g. transferOwnership). */
    readonly call: string;
    readonly address: string;
    /** The transaction's gas limit: the expected cost, the 63/64 call reserve and a margin. */
    readonly gasLimit: bigint;
    /** Gas the transaction is expected to use (before refunds); what a block's room is measured in. */
    readonly expectedGas: bigint;
}

export interface CallStep {
    readonly kind: "call";
    readonly id: string;
    readonly contract: string;
    readonly to: string;
    readonly data: string;
    readonly gasLimit: bigint;
    readonly expectedGas: bigint;
}

export type Step = CreateStep | CallStep;

/** What exists on chain; `observeChain` reads it, the plan decides from it. */
export interface ChainState {
    /** Addresses (lowercase) that hold code. */
    readonly deployed: ReadonlySet<string>;
    /** Selectors the diamond already routes (lowercase), when it exists. */
    readonly diamondSelectors: ReadonlySet<string>;
    readonly registriesInitialized: Readonly<Record<keyof typeof REGISTRIES, boolean>>;
    readonly registryBaseURIs: Readonly<Record<keyof typeof REGISTRIES, string>>;
    /** The token PoCo is configured with (zero address before `configure`). */
    readonly configuredToken: string;
    /** The hub's categories, in id order. */
    readonly categories: readonly Category[];
    /** RLC still held by the factory (the faucet RLC mints its supply to its creator). */
    readonly factoryRlcBalance: bigint;
    /** What the admin may move out of the factory's RLC balance. */
    readonly factoryRlcAllowance: bigint;
}

/** A chain with none of the deployment on it. */
export const EMPTY_CHAIN_STATE: ChainState = {
    deployed: new Set(),
    diamondSelectors: new Set(),
    registriesInitialized: { apps: false, datasets: false, workerpools: false },
    registryBaseURIs: { apps: "", datasets: "", workerpools: "" },
    configuredToken: ZeroAddress,
    categories: [],
    factoryRlcBalance: 0n,
    factoryRlcAllowance: 0n,
};

const coder = AbiCoder.defaultAbiCoder();
const ownable = new Interface(["function transferOwnership(address)", "function owner() view returns (address)"]);
const diamondCutInterface = new Interface([
    "function diamondCut((address facetAddress, uint8 action, bytes4[] functionSelectors)[] cuts, address init, bytes data)",
]);
const FACET_CUT_ADD = 0;
type FacetCut = { facetAddress: string; action: number; functionSelectors: string[] };
/** rlc-faucet-contract's constructor mints 87,000,000 RLC (9 decimals) to its creator. */
export const FAUCET_RLC_SUPPLY = 87_000_000n * 10n ** 9n;

// Gas model: each step's expected cost, from the EVM's prices for what it does and, for what the
// contracts' code does, execution costs measured on anvil (receipts; bench/poco.ts prints them).
// Prices are those of the nethermind profile's Cancun-level EVM; OpenEthereum's Berlin charges the
// same or less for every step (measured: no EIP-3860 init code metering).
const TX_GAS = 21_000;
const CREATE2_GAS = 32_000;
const CODE_DEPOSIT_GAS_PER_BYTE = 200;
/** CREATE2 hashes its init code (6 a word) and, since Shanghai, meters it (2 a word). */
const INITCODE_GAS_PER_WORD = 8;
/** A store into a fresh, cold slot. */
const NEW_SLOT_GAS = 22_100;
/** The factory's own work on the init code it is given: decoding and copying it (memory grows quadratically). */
const factoryGas = (codeWords: number) => 2_900 + 13 * codeWords + Math.floor(codeWords ** 2 / 512);
// Measured: what a constructor runs besides its own code deposit, with the factory's ownership transfer.
const CONSTRUCTOR_GAS = {
    /** Mints the supply to the factory; name, symbol, decimals. */
    rlc: 180_000,
    /** Name and symbol, and the master contract of its entries (App: 2,273 bytes of code; the others 1,745). */
    registries: { apps: 1_296_000, datasets: 1_189_500, workerpools: 1_190_000 },
    /** Owner and DiamondInit's ERC-165 flags; the core facets' cut is counted per selector. */
    diamond: 146_500,
} as const;
/** A selector added by a cut: its routing slot, its place in the packed selector list, the lookups. */
const CUT_GAS_PER_SELECTOR = 28_500;
/** A facet added by a cut: the check that it holds code (a cold account). */
const CUT_GAS_PER_FACET = 3_600;
/** The DiamondCut event repeats the cut: log data and its memory. */
const CUT_GAS_PER_EVENT_BYTE = 10;
// Measured execution of the calls whose storage does not depend on the input.
const CALL_GAS = {
    forceApprove: 27_000,
    /** Before the refund for clearing the factory's balance and allowance: the limit must cover it. */
    transferFrom: 35_600,
    initialize: 24_800,
    /** The token, its names, the registries, the EIP-712 domain. */
    configure: 224_500,
    setBaseURI: 3_300,
    createCategory: 24_300,
    /** The category list's length goes from zero to one. */
    firstCategory: 17_100,
} as const;

/**
 * The gas limit of a step that is expected to use `expected`: 1/64 more because the 63/64 rule
 * withholds that much from each nested call or creation (the factory's CREATE2, the diamond's
 * delegatecall), and 2 % for the model's error.
 */
function budget(expected: number): { gasLimit: bigint; expectedGas: bigint } {
    return { gasLimit: BigInt(Math.ceil(((expected * 64) / 63) * 1.02)), expectedGas: BigInt(expected) };
}

const words = (bytes: number) => Math.ceil(bytes / 32);

/** Intrinsic calldata cost: 4 gas a zero byte, 16 a non-zero byte. */
function calldataGas(data: string): number {
    const bytes = getBytes(data);
    const zeros = bytes.reduce((count, byte) => count + (byte === 0 ? 1 : 0), 0);
    return 4 * zeros + 16 * (bytes.length - zeros);
}

/** Slots a Solidity string takes in storage: one, plus its data words from 32 bytes on. */
function stringSlots(text: string): number {
    const length = toUtf8Bytes(text).length;
    return length < 32 ? 1 : 1 + words(length);
}

function cutGas(cuts: readonly FacetCut[], eventBytes: number): number {
    const selectors = cuts.reduce((count, cut) => count + cut.functionSelectors.length, 0);
    return CUT_GAS_PER_SELECTOR * selectors + CUT_GAS_PER_FACET * cuts.length + CUT_GAS_PER_EVENT_BYTE * eventBytes;
}

/** The factory call that creates a contract (CREATE2) and then makes `call` on it. */
export function factoryCalldata(code: string, salt: string, call: string): string {
    return new Interface(artifacts.genericFactory().abi as never[]).encodeFunctionData("createContractAndCall", [code, salt, call]);
}

function factorySalt(salt: string, call: string): string {
    return keccak256(concat([salt, call]));
}

function predict(salt: string, code: string, call: string): string {
    return getCreate2Address(GENERIC_FACTORY_ADDRESS, factorySalt(salt, call), keccak256(code));
}

function create(id: string, artifact: Artifact, code: string, call: string, salt: string, constructorGas: number): CreateStep {
    const codeWords = words((code.length - 2) / 2);
    const expected =
        TX_GAS +
        calldataGas(factoryCalldata(code, salt, call)) +
        factoryGas(codeWords) +
        CREATE2_GAS +
        INITCODE_GAS_PER_WORD * codeWords +
        CODE_DEPOSIT_GAS_PER_BYTE * artifact.runtimeSize +
        constructorGas;
    return { kind: "create", id, contract: artifact.name, code, salt, call, address: predict(salt, code, call), ...budget(expected) };
}

function call(id: string, contract: string, to: string, data: string, execution: number): CallStep {
    return { kind: "call", id, contract, to, data, ...budget(TX_GAS + calldataGas(data) + execution) };
}

/** A transaction that only uses up a nonce: it replaces a stuck transaction no step is left for. */
export function fillerStep(admin: string, index: number): CallStep {
    return { kind: "call", id: `nonce-filler-${index}`, contract: "(self-transfer)", to: admin, data: "0x", gasLimit: BigInt(TX_GAS), expectedGas: BigInt(TX_GAS) };
}

/**
 * How many blocks of `blockGasLimit` gas the steps take when sent together. A block producer
 * (anvil, Nethermind, geth, OpenEthereum) takes a sender's next transaction while its gas limit fits
 * in what the transactions already in the block have left, so a block ends at the first step whose
 * limit no longer fits beside the expected use of the steps before it.
 */
export function blocksFor(steps: readonly Step[], blockGasLimit: bigint): number {
    let blocks = 0;
    let used = blockGasLimit;
    for (const step of steps) {
        if (step.gasLimit > blockGasLimit) throw new Error(`step ${step.id} needs up to ${step.gasLimit} gas, more than a block holds (${blockGasLimit})`);
        if (step.gasLimit > blockGasLimit - used) {
            blocks += 1;
            used = 0n;
        }
        used += step.expectedGas;
    }
    return blocks;
}

function deployCode(artifact: Artifact, types: readonly string[] = [], values: readonly unknown[] = []): string {
    return types.length === 0 ? artifact.bytecode : concat([artifact.bytecode, coder.encode(types, values)]);
}

interface Layout {
    readonly addresses: PocoAddresses;
    readonly creates: readonly CreateStep[];
    readonly coreCuts: readonly FacetCut[];
    readonly facetCuts: readonly { name: string; address: string; selectors: string[] }[];
}

const layouts = new Map<string, Layout>();

/** Every contract's code and address; depends only on the admin, the salt and the RLC choice. */
export function layout(input: PocoPlanInput): Layout {
    // Linking, encoding and hashing some 200 KB of code takes a tenth of a second; plans and readings reuse it.
    const key = JSON.stringify([input.admin, input.salt, input.rlc]);
    let cached = layouts.get(key);
    if (!cached) {
        if (layouts.size >= 16) layouts.clear();
        cached = computeLayout(input);
        layouts.set(key, cached);
    }
    return cached;
}

function computeLayout(input: PocoPlanInput): Layout {
    const { salt } = input;
    const transferTo = (owner: string) => ownable.encodeFunctionData("transferOwnership", [owner]);

    const rlcStep = input.rlc.deploy ? create("rlc", artifacts.rlc(), artifacts.rlc().bytecode, transferTo(input.admin), salt, CONSTRUCTOR_GAS.rlc) : undefined;
    const initStep = create("diamond-init", artifacts.diamondInit(), artifacts.diamondInit().bytecode, "0x", salt, 0);
    const coreSteps = DIAMOND_CORE_FACETS.map((name) => create(`facet-${name}`, artifacts.coreFacet(name), artifacts.coreFacet(name).bytecode, "0x", salt, 0));
    const coreCuts = DIAMOND_CORE_FACETS.map((name, index) => ({
        facetAddress: coreSteps[index].address,
        action: FACET_CUT_ADD,
        functionSelectors: selectorsOf(artifacts.coreFacet(name)),
    }));
    const initCalldata = new Interface(artifacts.diamondInit().abi as never[]).encodeFunctionData("init", []);
    const cutType = "tuple(address facetAddress, uint8 action, bytes4[] functionSelectors)[]";
    const diamondCode = deployCode(artifacts.diamond(), [cutType, "tuple(address owner, address init, bytes initCalldata)"], [coreCuts, { owner: input.admin, init: initStep.address, initCalldata }]);
    const coreCutEvent = (coder.encode([cutType, "address", "bytes"], [coreCuts, initStep.address, initCalldata]).length - 2) / 2;
    const diamondStep = create("diamond", artifacts.diamond(), diamondCode, "0x", salt, CONSTRUCTOR_GAS.diamond + cutGas(coreCuts, coreCutEvent));

    const libraryStep = create("orders-library", artifacts.ordersLibrary(), artifacts.ordersLibrary().bytecode, "0x", salt, 0);
    const libraries = { IexecLibOrders_v5: libraryStep.address };
    const facetSteps = POCO_FACETS.map((name) => create(`facet-${name}`, artifacts.facet(name), link(artifacts.facet(name), libraries), "0x", salt, 0));

    // Registries and the faucet RLC take their owner from msg.sender, which is the factory:
    // ownership moves to the admin in the creating transaction.
    const registryKinds = Object.keys(REGISTRIES) as (keyof typeof REGISTRIES)[];
    const registrySteps = registryKinds.map((kind) =>
        create(`registry-${kind}`, artifacts.registry(kind), artifacts.registry(kind).bytecode, transferTo(input.admin), salt, CONSTRUCTOR_GAS.registries[kind]),
    );

    const creates = [...(rlcStep ? [rlcStep] : []), initStep, ...coreSteps, diamondStep, libraryStep, ...facetSteps, ...registrySteps];
    return {
        creates,
        coreCuts,
        facetCuts: POCO_FACETS.map((name, index) => ({ name, address: facetSteps[index].address, selectors: selectorsOf(artifacts.facet(name)) })),
        addresses: {
            rlc: rlcStep ? rlcStep.address : (input.rlc as { address: string }).address,
            diamond: diamondStep.address,
            diamondInit: initStep.address,
            ordersLibrary: libraryStep.address,
            facets: Object.fromEntries([...coreSteps, ...facetSteps].map((step) => [step.contract, step.address])),
            registries: Object.fromEntries(registryKinds.map((kind, index) => [kind, registrySteps[index].address])) as PocoAddresses["registries"],
        },
    };
}

export function sameCategory(a: Category, b: Category): boolean {
    return a.name === b.name && a.description === b.description && a.workClockTimeRef === b.workClockTimeRef;
}

/** The steps still needed to go from `state` to a complete deployment, in sending order. */
export function planDeployment(input: PocoPlanInput, state: ChainState): Step[] {
    const { addresses, creates, coreCuts, facetCuts } = layout(input);
    const exists = (address: string) => state.deployed.has(address.toLowerCase());
    const steps: Step[] = creates.filter((step) => !exists(step.address));

    // The faucet RLC mints its supply to its creator, the factory; its owner moves it out.
    const rlcToRelease = input.rlc.deploy && !exists(addresses.rlc) ? FAUCET_RLC_SUPPLY : state.factoryRlcBalance;
    if (input.rlc.deploy && rlcToRelease > 0n) {
        const rlc = new Interface(artifacts.rlc().abi as never[]);
        if (state.factoryRlcAllowance < rlcToRelease) {
            steps.push(call("rlc-release-approve", "RLC", addresses.rlc, rlc.encodeFunctionData("forceApprove", [GENERIC_FACTORY_ADDRESS, input.admin, rlcToRelease]), CALL_GAS.forceApprove));
        }
        steps.push(call("rlc-release-transfer", "RLC", addresses.rlc, rlc.encodeFunctionData("transferFrom", [GENERIC_FACTORY_ADDRESS, input.admin, rlcToRelease]), CALL_GAS.transferFrom));
    }

    const routed = new Set([...state.diamondSelectors, ...coreCuts.flatMap((cut) => cut.functionSelectors)]);
    const cuts: FacetCut[] = [];
    for (const facet of facetCuts) {
        // A selector already routed (e.g. owner(), also in OwnershipFacet) stays where it is.
        const missing = facet.selectors.filter((selector) => !routed.has(selector));
        missing.forEach((selector) => routed.add(selector));
        if (missing.length > 0) cuts.push({ facetAddress: facet.address, action: FACET_CUT_ADD, functionSelectors: missing });
    }
    if (cuts.length > 0) {
        const data = diamondCutInterface.encodeFunctionData("diamondCut", [cuts, ZeroAddress, "0x"]);
        steps.push(call("diamond-cut", "Diamond", addresses.diamond, data, cutGas(cuts, (data.length - 10) / 2)));
    }

    for (const kind of Object.keys(REGISTRIES) as (keyof typeof REGISTRIES)[]) {
        const registry = new Interface(artifacts.registry(kind).abi as never[]);
        const address = addresses.registries[kind];
        if (!state.registriesInitialized[kind]) steps.push(call(`registry-${kind}-initialize`, registryName(kind), address, registry.encodeFunctionData("initialize", [ZeroAddress]), CALL_GAS.initialize));
        const uri = input.baseURIs[kind];
        if (state.registryBaseURIs[kind] !== uri) {
            steps.push(call(`registry-${kind}-base-uri`, registryName(kind), address, registry.encodeFunctionData("setBaseURI", [uri]), CALL_GAS.setBaseURI + NEW_SLOT_GAS * stringSlots(uri)));
        }
    }

    const iexec = new Interface(artifacts.iexecToken().abi as never[]);
    if (state.configuredToken === ZeroAddress) {
        const { apps, datasets, workerpools } = addresses.registries;
        steps.push(call("configure", "Diamond", addresses.diamond, iexec.encodeFunctionData("configure", [addresses.rlc, "Staked RLC", "SRLC", 9, apps, datasets, workerpools, ZeroAddress]), CALL_GAS.configure));
    }
    // Categories are recognised by content, not counted: one already on chain (whatever its id) is
    // never created again. Ids are positions, so the missing ones follow the existing ones in order.
    const unmatched = [...state.categories];
    const missing = input.categories.filter((category) => {
        const index = unmatched.findIndex((existing) => sameCategory(existing, category));
        if (index < 0) return true;
        unmatched.splice(index, 1);
        return false;
    });
    missing.forEach((category, index) => {
        const id = state.categories.length + index;
        const storage = NEW_SLOT_GAS * (stringSlots(category.name) + stringSlots(category.description) + 1);
        const event = 16 * (toUtf8Bytes(category.name).length + toUtf8Bytes(category.description).length);
        const data = iexec.encodeFunctionData("createCategory", [category.name, category.description, category.workClockTimeRef]);
        steps.push(call(`category-${id}-${category.name}`, "Diamond", addresses.diamond, data, CALL_GAS.createCategory + (id === 0 ? CALL_GAS.firstCategory : 0) + storage + event));
    });

    return steps;
}

function registryName(kind: keyof typeof REGISTRIES): string {
    return { apps: "AppRegistry", datasets: "DatasetRegistry", workerpools: "WorkerpoolRegistry" }[kind];
}
