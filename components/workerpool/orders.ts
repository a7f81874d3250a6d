import { AbiCoder, TypedDataEncoder, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from "ethers";

/**
 * PoCo 6.1.0's orders as EIP-712 typed data (contracts/libs/IexecLibOrders_v5.sol:8-34, the domain in
 * facets/IexecConfigurationFacet.sol:77-86): what the workerpool owner presigns and broadcasts, and what requesters
 * and tests sign. The hash PoCo presigns, consumes and closes is the typed-data hash (IexecOrderManagementFacet.sol:91).
 */

export const ORDER_TYPES = {
    AppOrder: [
        { name: "app", type: "address" },
        { name: "appprice", type: "uint256" },
        { name: "volume", type: "uint256" },
        { name: "tag", type: "bytes32" },
        { name: "datasetrestrict", type: "address" },
        { name: "workerpoolrestrict", type: "address" },
        { name: "requesterrestrict", type: "address" },
        { name: "salt", type: "bytes32" },
    ],
    DatasetOrder: [
        { name: "dataset", type: "address" },
        { name: "datasetprice", type: "uint256" },
        { name: "volume", type: "uint256" },
        { name: "tag", type: "bytes32" },
        { name: "apprestrict", type: "address" },
        { name: "workerpoolrestrict", type: "address" },
        { name: "requesterrestrict", type: "address" },
        { name: "salt", type: "bytes32" },
    ],
    WorkerpoolOrder: [
        { name: "workerpool", type: "address" },
        { name: "workerpoolprice", type: "uint256" },
        { name: "volume", type: "uint256" },
        { name: "tag", type: "bytes32" },
        { name: "category", type: "uint256" },
        { name: "trust", type: "uint256" },
        { name: "apprestrict", type: "address" },
        { name: "datasetrestrict", type: "address" },
        { name: "requesterrestrict", type: "address" },
        { name: "salt", type: "bytes32" },
    ],
    RequestOrder: [
        { name: "app", type: "address" },
        { name: "appmaxprice", type: "uint256" },
        { name: "dataset", type: "address" },
        { name: "datasetmaxprice", type: "uint256" },
        { name: "workerpool", type: "address" },
        { name: "workerpoolmaxprice", type: "uint256" },
        { name: "requester", type: "address" },
        { name: "volume", type: "uint256" },
        { name: "tag", type: "bytes32" },
        { name: "category", type: "uint256" },
        { name: "trust", type: "uint256" },
        { name: "beneficiary", type: "address" },
        { name: "callback", type: "address" },
        { name: "params", type: "string" },
        { name: "salt", type: "bytes32" },
    ],
} as const;

export type OrderKind = keyof typeof ORDER_TYPES;

/** A standard (non-TEE) task: no tag bit set. SDK 9 sets the TDX bits (0x…09) on every order it makes. */
export const STANDARD_TAG = ZeroHash;

export interface Eip712Domain {
    readonly name: string;
    readonly version: string;
    readonly chainId: number;
    readonly verifyingContract: string;
}

export function pocoDomain(chainId: number, hub: string): Eip712Domain {
    return { name: "iExecODB", version: "5.0.0", chainId, verifyingContract: hub };
}

/** A workerpool order as PoCo reads it: amounts as decimal strings, so that it is plain JSON in the state and outputs. */
export interface WorkerpoolOrder {
    readonly workerpool: string;
    readonly workerpoolprice: string;
    readonly volume: string;
    readonly tag: string;
    readonly category: string;
    readonly trust: string;
    readonly apprestrict: string;
    readonly datasetrestrict: string;
    readonly requesterrestrict: string;
    readonly salt: string;
}

export function orderHash(kind: OrderKind, domain: Eip712Domain, order: object): string {
    return TypedDataEncoder.hash(domain, { [kind]: ORDER_TYPES[kind] as unknown as { name: string; type: string }[] }, order as Record<string, unknown>);
}

/** What decides a published order, besides its salt. */
export interface OrderTerms {
    readonly category: number;
    readonly price: string;
    readonly volume: string;
    readonly trust: number;
    readonly requesterRestrict?: string;
}

/**
 * The workerpool's order for one category, its `generation`-th with these terms: the salt is derived, so that every run
 * computes the same order and finds it on chain; a closed or used-up order is followed by the next generation.
 */
export function workerpoolOrder(workerpool: string, terms: OrderTerms, generation: number): WorkerpoolOrder {
    const salt = keccak256(
        AbiCoder.defaultAbiCoder().encode(
            ["bytes32", "address", "uint256", "uint256", "uint256", "uint256", "address", "uint256"],
            [keccak256(toUtf8Bytes("consortium/workerpool-order")), workerpool, terms.category, terms.price, terms.volume, terms.trust, terms.requesterRestrict ?? ZeroAddress, generation],
        ),
    );
    return {
        workerpool,
        workerpoolprice: terms.price,
        volume: terms.volume,
        tag: STANDARD_TAG,
        category: String(terms.category),
        trust: String(terms.trust),
        apprestrict: ZeroAddress,
        datasetrestrict: ZeroAddress,
        requesterrestrict: terms.requesterRestrict ?? ZeroAddress,
        salt,
    };
}

/** PoCo's operations on an order (IexecLibOrders_v5.sol OrderOperationEnum). */
export const ORDER_OPERATION = { SIGN: 0, CLOSE: 1 } as const;

/**
 * The types of a workerpool order operation, which its owner signs so that anyone may send it
 * (IexecLibOrders_v5.sol WORKERPOOLORDEROPERATION_TYPEHASH; IexecOrderManagementFacet.sol manageWorkerpoolOrder).
 */
export const WORKERPOOL_ORDER_OPERATION_TYPES = {
    WorkerpoolOrderOperation: [
        { name: "order", type: "WorkerpoolOrder" },
        { name: "operation", type: "uint256" },
    ],
    WorkerpoolOrder: ORDER_TYPES.WorkerpoolOrder,
} as const;
