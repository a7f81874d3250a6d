import { readFileSync } from "fs";
import * as path from "path";
import { AbiCoder, getAddress, keccak256, toBeHex, zeroPadValue } from "ethers";
import type { ClientKind } from "../chain/config";
import type { GenesisContract } from "../chain/spec";

/**
 * The transaction-permission contract (`TxPermissions.sol`, ours), compiled with solc-js at the exact version
 * the package pins when the project is built (`npm run build:contracts`), so its runtime code, and with it the
 * genesis, is the same on every machine. It is compiled for the oldest EVM any profile runs (Petersburg,
 * Parity 2.4), which every newer one also executes.
 */

const SOURCE_FILE = "TxPermissions.sol";
const CONTRACT_NAME = "ConsortiumTxPermissions";
const EVM_VERSION = "petersburg";

/** Where genesis places the contract. A fixed address: every member's spec names the same one. */
export const TX_PERMISSIONS_ADDRESS = getAddress("0x00000000000000000000000000000000000acce5");

/** Role bits of `rolesOf`; an account may hold several. */
export const ROLES = { sender: 0x01, transactor: 0x02, deployer: 0x04, admin: 0x08 } as const;
export type RoleName = keyof typeof ROLES;

/** The names of the roles in `bits`, e.g. ["transactor", "admin"]. */
export function roleNames(bits: number): RoleName[] {
    return (Object.entries(ROLES) as [RoleName, number][]).filter(([, bit]) => (bits & bit) !== 0).map(([role]) => role);
}

/** Transaction kinds as the clients classify them, and the mask meaning "everything". */
export const TX_TYPES = { none: 0, basic: 0x01, call: 0x02, create: 0x04, all: 0xffffffff } as const;

/** The newest interface version each client calls (seed-systems.md §8.3); a chain runs one profile. */
export const TX_PERMISSION_VERSION: Record<ClientKind, number> = { parity: 2, openethereum: 3, nethermind: 4 };

/** What the sync engine calls; checked against the compiled ABI by the tests. */
export const TX_PERMISSIONS_ABI = [
    "function contractVersion() view returns (uint256)",
    "function open() view returns (bool)",
    "function rolesOf(address) view returns (uint8)",
    "function members() view returns (address[])",
    "function typesOf(address) view returns (uint32)",
    "function setRoles(address[] accounts, uint8[] roles)",
    "function setOpen(bool value)",
] as const;

interface StorageEntry {
    readonly label: string;
    readonly slot: string;
    readonly offset: number;
}

export interface CompiledTxPermissions {
    readonly abi: readonly unknown[];
    /** Runtime code, as genesis holds it. */
    readonly runtimeCode: string;
    /** Creation code, for tests that deploy it on a development node. */
    readonly creationCode: string;
    readonly storage: readonly StorageEntry[];
}

/** Where `npm run build:contracts` writes the compiled contract; tests/unit/contractBuild.test.ts keeps it equal to a fresh compile. */
export const TX_PERMISSIONS_ARTIFACT = path.join(__dirname, "TxPermissions.compiled.json");

/** Compiles TxPermissions.sol with solc-js (a devDependency): for the build script and the test, not for `pulumi up`. */
export function compileTxPermissionsSource(): CompiledTxPermissions {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc");
    const input = {
        language: "Solidity",
        sources: { [SOURCE_FILE]: { content: readFileSync(path.join(__dirname, SOURCE_FILE), "utf8") } },
        settings: {
            evmVersion: EVM_VERSION,
            optimizer: { enabled: true, runs: 200 },
            outputSelection: { [SOURCE_FILE]: { [CONTRACT_NAME]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "storageLayout"] } },
        },
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input)));
    const errors = (output.errors ?? []).filter((error: { severity: string }) => error.severity === "error");
    if (errors.length > 0) throw new Error(`${SOURCE_FILE} does not compile:\n${errors.map((error: { formattedMessage: string }) => error.formattedMessage).join("\n")}`);
    const contract = output.contracts[SOURCE_FILE][CONTRACT_NAME];
    return {
        abi: contract.abi,
        runtimeCode: `0x${contract.evm.deployedBytecode.object}`,
        creationCode: `0x${contract.evm.bytecode.object}`,
        storage: contract.storageLayout.storage.map((entry: StorageEntry) => ({ label: entry.label, slot: entry.slot, offset: entry.offset })),
    };
}

let compiled: CompiledTxPermissions | undefined;

/** The contract as built (`npm run build:contracts`): the program reads it instead of compiling at every run. */
export function txPermissionsArtifact(): CompiledTxPermissions {
    compiled ??= JSON.parse(readFileSync(TX_PERMISSIONS_ARTIFACT, "utf8")) as CompiledTxPermissions;
    return compiled;
}

function slotOf(label: string): bigint {
    const entry = txPermissionsArtifact().storage.find((candidate) => candidate.label === label);
    if (!entry || entry.offset !== 0) throw new Error(`TxPermissions storage layout has no whole slot for ${label}`);
    return BigInt(entry.slot);
}

const word = (value: bigint) => zeroPadValue(toBeHex(value), 32);
const coder = AbiCoder.defaultAbiCoder();
const mappingSlot = (key: string, slot: bigint) => BigInt(keccak256(coder.encode(["address", "uint256"], [key, slot])));

/**
 * The contract's genesis storage: the interface version of the chain's client and one admin, the
 * stack's permissions operator, which grants every other role by transaction. Nothing else from the
 * config is in genesis, so granting and revoking never changes the genesis.
 */
export function txPermissionsGenesisStorage(version: number, operator: string): Record<string, string> {
    const membersSlot = slotOf("memberList");
    const firstMember = BigInt(keccak256(word(membersSlot)));
    return {
        [word(slotOf("contractVersion"))]: word(BigInt(version)),
        [word(mappingSlot(operator, slotOf("rolesOf")))]: word(BigInt(ROLES.admin)),
        [word(membersSlot)]: word(1n),
        [word(firstMember)]: word(BigInt(operator)),
        [word(mappingSlot(operator, slotOf("memberPosition")))]: word(1n),
    };
}

/** The contract as the chain spec's genesis holds it, for a chain of `client` nodes administered by `operator`. */
export function txPermissionsGenesis(client: ClientKind, operator: string): GenesisContract {
    return { address: TX_PERMISSIONS_ADDRESS, code: txPermissionsArtifact().runtimeCode, storage: txPermissionsGenesisStorage(TX_PERMISSION_VERSION[client], operator) };
}
