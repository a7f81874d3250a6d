import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { loadConfig, type ConsortiumConfig } from "./config";
import { Bridge, BridgeKeys } from "./bridge/bridge";
import { foreignChainConfig } from "./bridge/foreignChain";
import { externalChainEndpoint } from "./chain/endpoint";
import { chainServices, type ChainServices } from "./chainServices";
import { Consortium } from "./consortium";
import { AccountKey } from "./identity/accountKey";
import { createIsolation } from "./platform";
import { Workerpool, WorkerpoolKeys } from "./workerpool/workerpool";

/** Explicit providers: Pulumi.yaml disables default providers, so nothing reaches an ambient cluster or socket. */
export function createProviders(config: ConsortiumConfig): pulumi.ProviderResource[] {
    const randomProvider = new random.Provider("random");
    if (config.platform === "docker") {
        return [randomProvider, new docker.Provider("docker", config.docker.host ? { host: config.docker.host } : {})];
    }
    const kubernetes = config.kubernetes!;
    return [
        randomProvider,
        new k8s.Provider("kubernetes", {
            ...(kubernetes.context ? { context: kubernetes.context } : {}),
            namespace: kubernetes.namespace,
            ...(kubernetes.renderYamlToDirectory ? { renderYamlToDirectory: kubernetes.renderYamlToDirectory } : {}),
            // Replace the provider (and so every object) only when this changes, never on a kubeconfig detail.
            clusterIdentifier: kubernetes.context ?? "default-context",
            // A changed ConfigMap or Secret is updated in place. Replaced (the provider's default), one with a fixed name
            // is deleted first, and every StatefulSet mounting it with it: the whole chain down at once, a protected key
            // Secret refused. The pods roll on their config checksum instead.
            enableConfigMapMutable: true,
            enableSecretMutable: true,
        }),
    ];
}

/** Wei a generated PoCo admin gets in genesis: it pays for PoCo (about 40 M gas) and for the foreign chain's RLC. */
const GENERATED_ADMIN_FUNDING = 10n ** 24n;

/** The PoCo admin: `poco.admin` with the secret `pocoAdminKey`, or, with `poco.admin: generated`, a key made here. */
function pocoAdminOf(config: ReturnType<typeof loadConfig>, providers: pulumi.ProviderResource[]) {
    if (!config.poco) return undefined;
    if (config.poco.admin) return { address: pulumi.output(config.poco.admin), key: config.secrets.pocoAdminKey! };
    const key = new AccountKey("poco-admin", { protect: config.protect }, { providers });
    // A generated admin exists nowhere else: genesis funds it on every chain it deploys on.
    const genesisFunding = key.address.apply((address): Record<string, string> => ({ [address]: GENERATED_ADMIN_FUNDING.toString() }));
    return { address: key.address, key: key.privateKey, genesisFunding };
}

function withFunding(accounts: pulumi.Input<Record<string, string>> | undefined, funding: pulumi.Output<Record<string, string>> | undefined): pulumi.Input<Record<string, string>> {
    if (!funding) return accounts ?? {};
    return pulumi.all([accounts ?? {}, funding]).apply(([funded, extra]) => ({ ...funded, ...extra }));
}

/** Names of the two chains' components; each chain's services are named from them too. */
const HOME_CHAIN = "consortium";
const FOREIGN_CHAIN = "foreign-chain";

/** The whole program: config is read and validated before the first resource is registered. */
export function runProgram() {
    const config = loadConfig();
    const providers = createProviders(config);
    const prefix = pulumi.getStack();
    const { bridge: bridgeConfig, foreign: foreignConfig } = config;
    const bridgeKeys =
        bridgeConfig && foreignConfig
            ? new BridgeKeys("bridge-keys", { bridge: bridgeConfig, foreign: foreignConfig, foreignDeployerKey: config.secrets.foreignDeployerKey, protect: config.protect }, { providers })
            : undefined;
    const pocoAdmin = pocoAdminOf(config, providers);
    const consortium = new Consortium(HOME_CHAIN, { config, prefix, genesisAccounts: withFunding(bridgeKeys?.homeGenesisAccounts, pocoAdmin?.genesisFunding) }, { providers });
    const workerpoolKeys = config.workerpool
        ? new WorkerpoolKeys("workerpool-keys", { workerpool: config.workerpool, passwordLength: config.keystore.passwordLength, protect: config.protect }, { providers })
        : undefined;
    const home = chainServices(HOME_CHAIN, consortium, {
        config,
        ...(pocoAdmin ? { pocoAdmin } : {}),
        ...(workerpoolKeys ? { workerpoolAccounts: workerpoolKeys.addresses } : {}),
        ...(bridgeKeys ? { bridgeAccounts: { deployer: bridgeKeys.deployer, validators: bridgeKeys.validators.map((validator) => validator.address) } } : {}),
    });
    // The seed's FOREIGN-CHAIN: the same components, one authority, its own RLC.
    const foreign =
        foreignConfig?.kind === "local" && bridgeKeys
            ? localForeignChain(foreignChainConfig(config, foreignConfig), `${prefix}-foreign`, bridgeKeys, pocoAdmin, consortium, providers)
            : undefined;
    const bridge =
        bridgeConfig && foreignConfig && bridgeKeys
            ? new Bridge(
                  "bridge",
                  {
                      config,
                      bridge: bridgeConfig,
                      prefix,
                      keys: bridgeKeys,
                      home: { ...consortium.endpoint, displayName: config.chain.name },
                      foreign:
                          foreignConfig.kind === "local"
                              ? {
                                    ...foreign!.chain.endpoint,
                                    displayName: `${config.chain.name}-foreign`,
                                    token: foreign!.services.poco!.addresses.apply((addresses) => addresses.rlc),
                                    local: true,
                                }
                              : {
                                    ...externalChainEndpoint(foreignConfig.chainId, foreignConfig.rpcUrl),
                                    displayName: foreignConfig.chainId === 1 ? "Ethereum Mainnet" : `chain ${foreignConfig.chainId}`,
                                    token: foreignConfig.token,
                                    local: false,
                                },
                      ...(home.bridgeAllowanceList ? { allowanceList: home.bridgeAllowanceList } : {}),
                      // Both chains and their services: the foreign chain's PoCo makes its RLC token, the home chain's permissions let the bridge's accounts transact.
                      after: [consortium, ...home.resources, ...(foreign ? [foreign.chain, ...foreign.services.resources] : [])],
                  },
                  { providers },
              )
            : undefined;
    const workerpool =
        config.workerpool && workerpoolKeys && home.poco && pocoAdmin
            ? new Workerpool(
                  "workerpool",
                  { config, workerpool: config.workerpool, prefix, keys: workerpoolKeys, chain: consortium.endpoint, poco: home.poco, adminKey: pocoAdmin.key, after: [consortium, ...home.resources] },
                  { providers },
              )
            : undefined;
    createIsolation(
        "isolation",
        config,
        {
            prefix,
            chains: [prefix, ...(foreign ? [`${prefix}-foreign`] : [])],
            after: [consortium, ...home.resources, ...(foreign ? [foreign.chain, ...foreign.services.resources] : []), ...(bridge ? [bridge] : []), ...(workerpool ? [workerpool] : [])],
        },
        { providers },
    );
    // Sections a stack does not use are null, not undefined: Pulumi drops undefined stack outputs, and every output
    // the README documents is present in `pulumi stack output --json`.
    return {
        chainId: consortium.chainId,
        networkId: consortium.networkId,
        specHash: consortium.specHash,
        genesisHash: consortium.genesisHash,
        authorities: consortium.authorities,
        validators: consortium.authorities.apply((authorities) => authorities.map((authority) => authority.address)),
        enodes: consortium.authorities.apply((authorities) => authorities.map((authority) => authority.enode)),
        rpcUrl: consortium.rpcUrl,
        wsUrl: consortium.wsUrl,
        chainSpec: consortium.specJson,
        keystores: consortium.keystores,
        /** Every RLC and PoCo contract address, and the block PoCo was deployed in (when `poco` is set). */
        poco: home.poco && pocoAdmin
            ? pulumi.output({ admin: pocoAdmin.address, addresses: home.poco.addresses, deploymentBlock: home.poco.deploymentBlock })
            : pulumi.output(null),
        /** The local foreign chain (the seed's FOREIGN-CHAIN), when `foreign.local` is set. */
        foreignChain: foreign
            ? pulumi.output({ chainId: foreign.chain.chainId, rpcUrl: foreign.chain.rpcUrl, genesisHash: foreign.chain.genesisHash, rlc: foreign.services.poco!.addresses.apply((addresses) => addresses.rlc) })
            : pulumi.output(null),
        /** Bridge contracts on both chains, the validators, the deployer and the UI, when `bridge` is set. */
        bridge: bridge
            ? pulumi.output({ contracts: bridge.addresses, validators: bridge.validators, deployer: bridge.deployer, uiUrl: bridge.uiUrl ?? pulumi.output(null) })
            : pulumi.output(null),
        /** The permission contract, its operator, every account's roles and how RPC is reached, when `permissioning` is set. */
        permissioning: home.permissioning ?? pulumi.output(null),
        /** The workerpool, its scheduler and workers, its services' URLs, its published orders and the iExec SDK's chain.json, when `workerpool` is set. */
        workerpool: workerpool
            ? pulumi.output({
                  address: workerpool.address,
                  org: config.workerpool!.org ?? null,
                  scheduler: workerpool.scheduler,
                  workers: workerpool.workers,
                  coreUrl: workerpool.coreUrl,
                  resultProxyUrl: workerpool.resultProxyUrl,
                  ipfsGatewayUrl: workerpool.ipfsGatewayUrl,
                  orders: workerpool.orders,
                  domain: workerpool.domain,
                  sdkChainJson: workerpool.sdkChain.apply((chain) => ({ default: config.chain.name, chains: { [config.chain.name]: chain } })),
              })
            : pulumi.output(null),
        /** Per reading member, the RPC gateway password (secret): `pulumi stack output rpcCredentials --show-secrets`. */
        rpcCredentials: consortium.rpcCredentials ?? pulumi.output(null),
    };
}

/** The local foreign chain and its PoCo, deployed by the same admin. */
function localForeignChain(
    config: ConsortiumConfig,
    prefix: string,
    bridgeKeys: BridgeKeys,
    pocoAdmin: ReturnType<typeof pocoAdminOf>,
    home: Consortium,
    providers: pulumi.ProviderResource[],
): { chain: Consortium; services: ChainServices } {
    const chain = new Consortium(
        FOREIGN_CHAIN,
        { config, prefix, genesisAccounts: withFunding(bridgeKeys.foreignGenesisAccounts, pocoAdmin?.genesisFunding) },
        // On Kubernetes the home chain creates the namespace both chains use.
        { providers, dependsOn: [home] },
    );
    return { chain, services: chainServices(FOREIGN_CHAIN, chain, { config, ...(pocoAdmin ? { pocoAdmin } : {}) }) };
}
