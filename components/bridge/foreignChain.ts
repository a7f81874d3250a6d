import type { ConsortiumConfig } from "../config";
import { foreignRpcNodeName } from "../rpcGateway/config";
import type { ForeignLocalConfig } from "./config";

/**
 * The stack config of a local foreign chain (the seed's FOREIGN-CHAIN): one authority built from the
 * same components as the home chain, with RLC and PoCo deployed by the same admin, on the same
 * platform (Docker host or namespace), under its own names.
 */
export function foreignChainConfig(config: ConsortiumConfig, local: ForeignLocalConfig): ConsortiumConfig {
    // A generated admin is funded on both chains by the program (components/program.ts).
    const admin = config.poco!.admin;
    return {
        platform: config.platform,
        docker: config.docker,
        // The home chain creates the namespace when asked to; the foreign chain only uses it.
        ...(config.kubernetes ? { kubernetes: { ...config.kubernetes, createNamespace: false } } : {}),
        chain: {
            name: `${config.chain.name}-foreign`,
            networkId: local.chainId,
            chainId: local.chainId,
            stepDuration: local.stepDuration,
            gasLimit: config.chain.gasLimit,
            accounts: admin ? { [admin]: config.chain.accounts[admin] } : {},
            validatorSets: [{ fromBlock: 0, validators: [local.authority] }],
            // A development chain: the precompile rules from genesis, unless the home chain keeps or schedules them
            // (an older stack, whose foreign chain was launched without them too).
            precompilesFromBlock: config.chain.precompilesFromBlock === 0 ? 0 : "never",
        },
        authorities: [{ name: local.authority }],
        externalAuthorities: [],
        client: config.client,
        rpc: {
            nodes: [foreignRpcNodeName(local.authority)],
            methods: config.rpc.methods,
            corsOrigins: config.rpc.corsOrigins,
            docker: { bindAddress: config.rpc.docker.bindAddress, hostPort: local.docker.hostPort, wsHostPort: local.docker.wsHostPort },
            kubernetes: { serviceType: "ClusterIP" },
        },
        keystore: config.keystore,
        protect: config.protect,
        // The home chain's poco.rpcUrl reaches the home chain: the foreign chain has its own.
        poco: { ...config.poco!, rpcUrl: local.rpcUrl },
    };
}
