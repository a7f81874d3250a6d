import { getBytes, hexlify, id } from "ethers";

/**
 * Compiled contracts, read from the npm packages of the systems we deploy (never copied into this
 * repository): PoCo 6 from `@iexec/poco`, the faucet RLC from `rlc-faucet-contract`, iExec's
 * GenericFactory (CREATE2) from `@iexec/solidity`.
 */

export interface Artifact {
    readonly name: string;
    readonly abi: readonly any[];
    /** Creation code, 0x-prefixed, possibly with link placeholders. */
    readonly bytecode: string;
    /** Runtime code length in bytes, for gas budgets (creation code length when unknown). */
    readonly runtimeSize: number;
    readonly linkReferences: Readonly<Record<string, Readonly<Record<string, readonly { start: number; length: number }[]>>>>;
}

const cache = new Map<string, Artifact>();

function load(modulePath: string): Artifact {
    const cached = cache.get(modulePath);
    if (cached) return cached;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const raw = require(modulePath) as { contractName?: string; abi: any[]; bytecode: string; deployedBytecode?: string; linkReferences?: Artifact["linkReferences"] };
    const name = raw.contractName ?? modulePath.split("/").pop()!.replace(/\.json$/, "");
    const bytecode = raw.bytecode.startsWith("0x") ? raw.bytecode : `0x${raw.bytecode}`;
    const runtime = raw.deployedBytecode && raw.deployedBytecode !== "0x" ? raw.deployedBytecode : bytecode;
    const artifact: Artifact = { name, abi: raw.abi, bytecode, runtimeSize: (runtime.length - 2) / 2, linkReferences: raw.linkReferences ?? {} };
    cache.set(modulePath, artifact);
    return artifact;
}

const POCO = "@iexec/poco/artifacts/contracts";
// The Diamond's own facets are shipped only in PoCo's deployment records; these four link no library.
const POCO_DEPLOYMENTS = "@iexec/poco/deployments/arbitrumSepolia";

export const DIAMOND_CORE_FACETS = ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"] as const;

/** The PoCo facets cut into the diamond in token mode, in PoCo's own deployment order. */
export const POCO_FACETS = [
    "IexecAccessorsABILegacyFacet",
    "IexecCategoryManagerFacet",
    "IexecConfigurationExtraFacet",
    "IexecConfigurationFacet",
    "IexecERC20Facet",
    "IexecEscrowTokenFacet",
    "IexecOrderManagementFacet",
    "IexecPoco1Facet",
    "IexecPoco2Facet",
    "IexecPocoAccessorsFacet",
    "IexecPocoBoostFacet",
    "IexecPocoBoostAccessorsFacet",
    "IexecRelayFacet",
] as const;

export const REGISTRIES = {
    apps: "registries/apps/AppRegistry.sol/AppRegistry.json",
    datasets: "registries/datasets/DatasetRegistry.sol/DatasetRegistry.json",
    workerpools: "registries/workerpools/WorkerpoolRegistry.sol/WorkerpoolRegistry.json",
} as const;

export const artifacts = {
    diamond: () => load(`${POCO}/Diamond.sol/Diamond.json`),
    diamondInit: () => load(`${POCO_DEPLOYMENTS}/DiamondInit.json`),
    coreFacet: (name: (typeof DIAMOND_CORE_FACETS)[number]) => load(`${POCO_DEPLOYMENTS}/${name}.json`),
    facet: (name: (typeof POCO_FACETS)[number]) => load(`${POCO}/facets/${name}.sol/${name}.json`),
    ordersLibrary: () => load(`${POCO}/libs/IexecLibOrders_v5.sol/IexecLibOrders_v5.json`),
    registry: (kind: keyof typeof REGISTRIES) => load(`${POCO}/${REGISTRIES[kind]}`),
    /** The full PoCo interface in token mode, for calls on the diamond. */
    iexecToken: () => load(`${POCO}/IexecInterfaceToken.sol/IexecInterfaceToken.json`),
    rlc: () => load("rlc-faucet-contract/build/contracts/RLC.json"),
    genericFactory: () => load("@iexec/solidity/build/contracts/GenericFactory.json"),
};

/** Runtime code of iExec's GenericFactory, which the chain spec places in genesis. */
export function genericFactoryRuntimeCode(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const raw = require("@iexec/solidity/build/contracts/GenericFactory.json") as { deployedBytecode: string };
    return raw.deployedBytecode;
}

/** Writes library addresses at the artifact's link references (Hardhat's `linkReferences` byte offsets). */
export function link(artifact: Artifact, libraries: Readonly<Record<string, string>>): string {
    const code = getBytes(artifact.bytecode.replace(/__\$[0-9a-fA-F]{34}\$__/g, "0".repeat(40)));
    for (const byName of Object.values(artifact.linkReferences)) {
        for (const [libraryName, references] of Object.entries(byName)) {
            const address = libraries[libraryName];
            if (!address) throw new Error(`${artifact.name} needs library ${libraryName}, which was not given`);
            for (const { start, length } of references) {
                if (length !== 20) throw new Error(`${artifact.name}: unexpected link reference of ${length} bytes`);
                code.set(getBytes(address), start);
            }
        }
    }
    return hexlify(code);
}

/**
 * The selectors of an artifact's functions, plus the diamond's special selectors for `receive`
 * (0x00000000) and `fallback` (0xffffffff), as PoCo's deployment registers them.
 */
export function selectorsOf(artifact: Artifact): string[] {
    const selectors: string[] = [];
    for (const entry of artifact.abi) {
        if (entry.type === "function") {
            const signature = `${entry.name}(${(entry.inputs as { type: string; components?: unknown }[]).map(canonicalType).join(",")})`;
            selectors.push(id(signature).slice(0, 10));
        } else if (entry.type === "receive") selectors.push("0x00000000");
        else if (entry.type === "fallback") selectors.push("0xffffffff");
    }
    return selectors;
}

function canonicalType(input: { type: string; components?: unknown }): string {
    if (!input.type.startsWith("tuple")) return input.type;
    const inner = (input.components as { type: string; components?: unknown }[]).map(canonicalType).join(",");
    return `(${inner})${input.type.slice("tuple".length)}`;
}
