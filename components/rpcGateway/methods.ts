import type { ClientKind } from "../chain/config";

/**
 * Which JSON-RPC methods the consortium serves to its members, and what that means for each client's modules.
 * The same list is enforced twice: by the gateway (components/rpcGateway/rpcFilter.ts), call by call, and by the
 * nodes, which enable only the modules these methods belong to.
 */

/** What a member needs to read the chain and send signed transactions, and subscriptions over WebSocket. */
export const DEFAULT_METHODS: readonly string[] = [
    "eth_blockNumber",
    "eth_call",
    "eth_chainId",
    "eth_estimateGas",
    "eth_feeHistory",
    "eth_gasPrice",
    "eth_getBalance",
    "eth_getBlockByHash",
    "eth_getBlockByNumber",
    "eth_getBlockTransactionCountByHash",
    "eth_getBlockTransactionCountByNumber",
    "eth_getCode",
    "eth_getFilterChanges",
    "eth_getFilterLogs",
    "eth_getLogs",
    "eth_getStorageAt",
    "eth_getTransactionByBlockHashAndIndex",
    "eth_getTransactionByBlockNumberAndIndex",
    "eth_getTransactionByHash",
    "eth_getTransactionCount",
    "eth_getTransactionReceipt",
    "eth_getUncleCountByBlockHash",
    "eth_getUncleCountByBlockNumber",
    "eth_maxPriorityFeePerGas",
    "eth_newBlockFilter",
    "eth_newFilter",
    "eth_protocolVersion",
    "eth_sendRawTransaction",
    "eth_subscribe",
    "eth_syncing",
    "eth_uninstallFilter",
    "eth_unsubscribe",
    "net_listening",
    "net_version",
    "web3_clientVersion",
    "web3_sha3",
];

/**
 * Methods a stack may add to `rpc.methods`: views a consortium may choose to share (every member's pending
 * transactions, the peer count) and heavier reads.
 */
export const OPTIONAL_METHODS: readonly string[] = [
    "eth_accounts",
    "eth_createAccessList",
    "eth_getBlockReceipts",
    "eth_getProof",
    "eth_newPendingTransactionFilter",
    "net_peerCount",
    "txpool_content",
    "txpool_inspect",
    "txpool_status",
];

/** Every method `rpc.methods` may name. */
export const KNOWN_METHODS: readonly string[] = [...DEFAULT_METHODS, ...OPTIONAL_METHODS];

/**
 * Methods no consortium node serves, whatever the config says, and why: each acts as a node's own account or
 * operator (client-audit.md §4: Nethermind's `parity_setEngineSigner*` act on the key AuRa seals with).
 */
export const REFUSED_METHOD_PREFIXES: readonly { readonly prefix: string; readonly why: string }[] = [
    { prefix: "eth_sign", why: "signs with a node's own accounts (eth_sign, eth_signTransaction, eth_signTypedData)" },
    { prefix: "eth_sendTransaction", why: "sends from a node's own accounts" },
    { prefix: "personal_", why: "manages a node's accounts" },
    { prefix: "parity_", why: "includes parity_setEngineSigner, parity_setEngineSignerSecret and parity_clearEngineSigner, which replace or stop an authority's sealing key" },
    { prefix: "admin_", why: "adds and removes peers" },
    { prefix: "debug_", why: "exposes node internals and costs unbounded work" },
    { prefix: "trace_", why: "costs unbounded work" },
    { prefix: "miner_", why: "controls block production" },
    { prefix: "signer_", why: "confirms requests signed by a node" },
];

/**
 * Nethermind's JSON-RPC modules for these methods (`JsonRpc.EnabledModules`; the names of its default list,
 * IJsonRpcConfig.cs:81 at 1.36.0, client-audit.md §1.1). Health serves Nethermind's /health endpoint.
 */
export function nethermindModules(methods: readonly string[]): string[] {
    const modules = new Set<string>(["Health"]);
    for (const method of methods) {
        if (method === "eth_subscribe" || method === "eth_unsubscribe") modules.add("Subscribe");
        else if (method.startsWith("eth_")) modules.add("Eth");
        else if (method.startsWith("net_")) modules.add("Net");
        else if (method.startsWith("web3_")) modules.add("Web3");
        else if (method.startsWith("txpool_")) modules.add("TxPool");
    }
    const order = ["Eth", "Subscribe", "Net", "Web3", "TxPool", "Health"];
    return order.filter((module) => modules.has(module));
}

/**
 * OpenEthereum's and Parity's `apis` for these methods (`[rpc] apis`, `[websockets] apis`; the names `Api::from_str`
 * accepts in rpc_apis.rs of Parity 2.4.5 and OpenEthereum 3.3.5). `pubsub` serves eth_subscribe over WebSocket.
 * These clients have no txpool_ namespace.
 */
export function parityApis(methods: readonly string[]): string[] {
    const apis = new Set<string>();
    for (const method of methods) {
        if (method === "eth_subscribe" || method === "eth_unsubscribe") apis.add("pubsub");
        else if (method.startsWith("eth_")) apis.add("eth");
        else if (method.startsWith("net_")) apis.add("net");
        else if (method.startsWith("web3_")) apis.add("web3");
    }
    return ["web3", "eth", "net", "pubsub"].filter((api) => apis.has(api));
}

/** The modules (or apis) a node serves for these methods, in its client's own vocabulary. */
export function nodeModules(client: ClientKind, methods: readonly string[]): string[] {
    return client === "nethermind" ? nethermindModules(methods) : parityApis(methods);
}

/** The calls an authority answers on loopback: its own health checks and nothing else. */
export const AUTHORITY_LOOPBACK_METHODS: readonly string[] = ["eth_blockNumber", "eth_getBlockByNumber", "eth_syncing", "eth_coinbase", "net_peerCount", "net_version"];
