import type { ClientKind } from "./config";

/**
 * EIP transitions written into the chain spec, per client profile. All activate at genesis; every
 * node of a chain runs the same profile, so the spec only enables what that client implements.
 * Keys missing here (eip150/155/160/161) default to block 0 in all three clients.
 */

const HOMESTEAD_TO_SPURIOUS = {
    eip150Transition: "0x0",
    eip155Transition: "0x0",
    eip160Transition: "0x0",
    eip161abcTransition: "0x0",
    eip161dTransition: "0x0",
};

const BYZANTIUM = {
    eip140Transition: "0x0",
    eip211Transition: "0x0",
    eip214Transition: "0x0",
    eip658Transition: "0x0",
};

const CONSTANTINOPLE = {
    eip145Transition: "0x0",
    eip1014Transition: "0x0",
    eip1052Transition: "0x0",
};

// Petersburg is Constantinople without EIP-1283 net gas metering (re-entrancy risk); the seed's spec
// still had it on, a new chain does not need it.
const PETERSBURG = {
    ...CONSTANTINOPLE,
    eip1283Transition: "0x0",
    eip1283DisableTransition: "0x0",
};

// Istanbul re-enables net gas metering as EIP-2200 (1283 plus 1706), cheaper calldata and CHAINID.
const ISTANBUL = {
    ...PETERSBURG,
    eip1283ReenableTransition: "0x0",
    eip1706Transition: "0x0",
    eip1344Transition: "0x0",
    eip1884Transition: "0x0",
    eip2028Transition: "0x0",
};

const BERLIN = {
    ...ISTANBUL,
    eip2929Transition: "0x0",
    eip2930Transition: "0x0",
};

const LONDON = {
    ...BERLIN,
    eip1559Transition: "0x0",
    eip3198Transition: "0x0",
    eip3529Transition: "0x0",
    eip3541Transition: "0x0",
};

// Shanghai and Cancun activate by timestamp. Only their EVM changes are taken (PUSH0, warm coinbase,
// initcode limit, transient storage, MCOPY, SELFDESTRUCT limits): withdrawals, blobs and beacon roots
// need a consensus layer that an AuRa chain does not have.
const SHANGHAI_CANCUN_EVM = {
    eip3651TransitionTimestamp: "0x0",
    eip3855TransitionTimestamp: "0x0",
    eip3860TransitionTimestamp: "0x0",
    eip1153TransitionTimestamp: "0x0",
    eip5656TransitionTimestamp: "0x0",
    eip6780TransitionTimestamp: "0x0",
};

export const FORK_TRANSITIONS: Record<ClientKind, Readonly<Record<string, string>>> = {
    // Parity 2.4.5 (the seed's client) implements forks up to Constantinople/Petersburg and nothing later.
    parity: { ...HOMESTEAD_TO_SPURIOUS, ...BYZANTIUM, ...PETERSBURG },
    // OpenEthereum 3.3.5 implements Berlin and London. London is left out: EIP-1559 changes fee
    // semantics for every tool of that era (the TokenBridge 2.x oracle prices legacy transactions),
    // and OpenEthereum's parser rejects the Shanghai keys, so Berlin is the level it runs reliably.
    openethereum: { ...HOMESTEAD_TO_SPURIOUS, ...BYZANTIUM, ...BERLIN },
    // Nethermind is maintained and runs AuRa chains with London and later EVM rules; current Solidity
    // compilers emit PUSH0 (Shanghai) and MCOPY (Cancun) by default, so those opcodes are enabled.
    nethermind: { ...HOMESTEAD_TO_SPURIOUS, ...BYZANTIUM, ...LONDON, ...SHANGHAI_CANCUN_EVM },
};

/** The last hard fork whose EVM rules a profile's spec enables, for humans (README, outputs). */
export const FORK_NAMES: Record<ClientKind, string> = {
    parity: "Petersburg",
    openethereum: "Berlin",
    nethermind: "London + Shanghai/Cancun EVM",
};
