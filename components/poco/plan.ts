import { AbiCoder, Interface, ZeroAddress, concat, getCreate2Address, keccak256 } from "ethers";
import { DIAMOND_CORE_FACETS, POCO_FACETS, REGISTRIES, artifacts, link, selectorsOf, type Artifact } from "./artifacts";

/**
 * The PoCo + RLC deployment as pure data. Every contract is created through the CREATE2 factory
 * that the chain spec places in genesis, so its address is known before anything is sent: the
 * whole deployment can be signed up front with explicit nonces and mined in a few blocks, and a
 * re-run finds what exists at those addresses and plans only what is missing.
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
    readonly gasLimit: bigint;
}

export interface CallStep {
    readonly kind: "call";
    readonly id: string;
    readonly contract: string;
    readonly to: string;
    readonly data: string;
    readonly gasLimit: bigint;
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
    readonly categoryCount: number;
    /** RLC still held by the factory (the faucet RLC mints its supply to its creator). */
    readonly factoryRlcBalance: bigint;
}

/** A chain with none of the deployment on it. */
export const EMPTY_CHAIN_STATE: ChainState = {
    deployed: new Set(),
    diamondSelectors: new Set(),
    registriesInitialized: { apps: false, datasets: false, workerpools: false },
    registryBaseURIs: { apps: "", datasets: "", workerpools: "" },
    configuredToken: ZeroAddress,
    categoryCount: 0,
    factoryRlcBalance: 0n,
};

const coder = AbiCoder.defaultAbiCoder();
const ownable = new Interface(["function transferOwnership(address)", "function owner() view returns (address)"]);
const diamondCutInterface = new Interface([
    "function diamondCut((address facetAddress, uint8 action, bytes4[] functionSelectors)[] cuts, address init, bytes data)",
]);
const FACET_CUT_ADD = 0;

// Gas budgets: creation is dominated by the code deposit (200 gas a byte) and calldata (16 a byte).
const createGas = (code: string, runtimeSize: number, constructorGas: number) =>
    BigInt(Math.ceil((53_000 + 16 * ((code.length - 2) / 2) + 200 * runtimeSize + constructorGas) * 1.2));
const GAS_PER_SELECTOR = 80_000;
/** rlc-faucet-contract's constructor mints 87,000,000 RLC (9 decimals) to its creator. */
export const FAUCET_RLC_SUPPLY = 87_000_000n * 10n ** 9n;

function factorySalt(salt: string, call: string): string {
    return keccak256(concat([salt, call]));
}

function predict(salt: string, code: string, call: string): string {
    return getCreate2Address(GENERIC_FACTORY_ADDRESS, factorySalt(salt, call), keccak256(code));
}

function create(id: string, artifact: Artifact, code: string, call: string, salt: string, constructorGas: number): CreateStep {
    return { kind: "create", id, contract: artifact.name, code, salt, call, address: predict(salt, code, call), gasLimit: createGas(code, artifact.runtimeSize, constructorGas) };
}

function deployCode(artifact: Artifact, types: readonly string[] = [], values: readonly unknown[] = []): string {
    return types.length === 0 ? artifact.bytecode : concat([artifact.bytecode, coder.encode(types, values)]);
}

interface Layout {
    readonly addresses: PocoAddresses;
    readonly creates: readonly CreateStep[];
    readonly coreCuts: readonly { facetAddress: string; action: number; functionSelectors: string[] }[];
    readonly facetCuts: readonly { name: string; address: string; selectors: string[] }[];
}

/** Every contract's code and address; depends only on the input. */
export function layout(input: PocoPlanInput): Layout {
    const { salt } = input;
    const transferTo = (owner: string) => ownable.encodeFunctionData("transferOwnership", [owner]);

    const rlcStep = input.rlc.deploy ? create("rlc", artifacts.rlc(), artifacts.rlc().bytecode, transferTo(input.admin), salt, 250_000) : undefined;
    const initStep = create("diamond-init", artifacts.diamondInit(), artifacts.diamondInit().bytecode, "0x", salt, 0);
    const coreSteps = DIAMOND_CORE_FACETS.map((name) => create(`facet-${name}`, artifacts.coreFacet(name), artifacts.coreFacet(name).bytecode, "0x", salt, 0));
    const coreCuts = DIAMOND_CORE_FACETS.map((name, index) => ({
        facetAddress: coreSteps[index].address,
        action: FACET_CUT_ADD,
        functionSelectors: selectorsOf(artifacts.coreFacet(name)),
    }));
    const initCalldata = new Interface(artifacts.diamondInit().abi as never[]).encodeFunctionData("init", []);
    const diamondCode = deployCode(
        artifacts.diamond(),
        ["tuple(address facetAddress, uint8 action, bytes4[] functionSelectors)[]", "tuple(address owner, address init, bytes initCalldata)"],
        [coreCuts, { owner: input.admin, init: initStep.address, initCalldata }],
    );
    const coreSelectorCount = coreCuts.reduce((count, cut) => count + cut.functionSelectors.length, 0);
    const diamondStep = create("diamond", artifacts.diamond(), diamondCode, "0x", salt, 300_000 + GAS_PER_SELECTOR * coreSelectorCount);

    const libraryStep = create("orders-library", artifacts.ordersLibrary(), artifacts.ordersLibrary().bytecode, "0x", salt, 0);
    const libraries = { IexecLibOrders_v5: libraryStep.address };
    const facetSteps = POCO_FACETS.map((name) => create(`facet-${name}`, artifacts.facet(name), link(artifacts.facet(name), libraries), "0x", salt, 0));

    // Registries and the faucet RLC take their owner from msg.sender, which is the factory:
    // ownership moves to the admin in the creating transaction.
    const registryKinds = Object.keys(REGISTRIES) as (keyof typeof REGISTRIES)[];
    // A registry's constructor also creates the master contract of its entries.
    const registrySteps = registryKinds.map((kind) => create(`registry-${kind}`, artifacts.registry(kind), artifacts.registry(kind).bytecode, transferTo(input.admin), salt, 2_000_000));

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

/** The steps still needed to go from `state` to a complete deployment, in sending order. */
export function planDeployment(input: PocoPlanInput, state: ChainState): Step[] {
    const { addresses, creates, coreCuts, facetCuts } = layout(input);
    const exists = (address: string) => state.deployed.has(address.toLowerCase());
    const steps: Step[] = creates.filter((step) => !exists(step.address));
    const call = (id: string, contract: string, to: string, data: string, gasLimit: number): CallStep => ({ kind: "call", id, contract, to, data, gasLimit: BigInt(gasLimit) });

    // The faucet RLC mints its supply to its creator, the factory; its owner moves it out.
    const rlcToRelease = input.rlc.deploy && !exists(addresses.rlc) ? FAUCET_RLC_SUPPLY : state.factoryRlcBalance;
    if (input.rlc.deploy && rlcToRelease > 0n) {
        const rlc = new Interface(artifacts.rlc().abi as never[]);
        steps.push(call("rlc-release-approve", "RLC", addresses.rlc, rlc.encodeFunctionData("forceApprove", [GENERIC_FACTORY_ADDRESS, input.admin, rlcToRelease]), 100_000));
        steps.push(call("rlc-release-transfer", "RLC", addresses.rlc, rlc.encodeFunctionData("transferFrom", [GENERIC_FACTORY_ADDRESS, input.admin, rlcToRelease]), 100_000));
    }

    const routed = new Set([...state.diamondSelectors, ...coreCuts.flatMap((cut) => cut.functionSelectors)]);
    const cuts: { facetAddress: string; action: number; functionSelectors: string[] }[] = [];
    for (const facet of facetCuts) {
        // A selector already routed (e.g. owner(), also in OwnershipFacet) stays where it is.
        const missing = facet.selectors.filter((selector) => !routed.has(selector));
        missing.forEach((selector) => routed.add(selector));
        if (missing.length > 0) cuts.push({ facetAddress: facet.address, action: FACET_CUT_ADD, functionSelectors: missing });
    }
    if (cuts.length > 0) {
        const selectorCount = cuts.reduce((count, cut) => count + cut.functionSelectors.length, 0);
        steps.push(call("diamond-cut", "Diamond", addresses.diamond, diamondCutInterface.encodeFunctionData("diamondCut", [cuts, ZeroAddress, "0x"]), 150_000 + GAS_PER_SELECTOR * selectorCount));
    }

    for (const kind of Object.keys(REGISTRIES) as (keyof typeof REGISTRIES)[]) {
        const registry = new Interface(artifacts.registry(kind).abi as never[]);
        const address = addresses.registries[kind];
        if (!state.registriesInitialized[kind]) steps.push(call(`registry-${kind}-initialize`, registryName(kind), address, registry.encodeFunctionData("initialize", [ZeroAddress]), 150_000));
        if (state.registryBaseURIs[kind] !== input.baseURIs[kind]) {
            steps.push(call(`registry-${kind}-base-uri`, registryName(kind), address, registry.encodeFunctionData("setBaseURI", [input.baseURIs[kind]]), 200_000));
        }
    }

    const iexec = new Interface(artifacts.iexecToken().abi as never[]);
    if (state.configuredToken === ZeroAddress) {
        const { apps, datasets, workerpools } = addresses.registries;
        steps.push(call("configure", "Diamond", addresses.diamond, iexec.encodeFunctionData("configure", [addresses.rlc, "Staked RLC", "SRLC", 9, apps, datasets, workerpools, ZeroAddress]), 600_000));
    }
    input.categories.slice(state.categoryCount).forEach((category, index) => {
        steps.push(
            call(
                `category-${state.categoryCount + index}-${category.name}`,
                "Diamond",
                addresses.diamond,
                iexec.encodeFunctionData("createCategory", [category.name, category.description, category.workClockTimeRef]),
                250_000,
            ),
        );
    });

    return steps;
}

function registryName(kind: keyof typeof REGISTRIES): string {
    return { apps: "AppRegistry", datasets: "DatasetRegistry", workerpools: "WorkerpoolRegistry" }[kind];
}
