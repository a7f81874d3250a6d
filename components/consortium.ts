import * as pulumi from "@pulumi/pulumi";
import { GenesisLock, genesisLockInputs } from "./chain/genesisLock";
import { buildChainSpec, serializeChainSpec, specHash } from "./chain/spec";
import { CLIENT_PROFILES, DEFAULT_RESOURCES, type HealthIntervals } from "./clients";
import { GENESIS_CONTRACTS } from "./poco/genesis";
import type { PocoAddresses } from "./poco/plan";
import { PocoDeployment, pocoPlanInput } from "./poco/pocoDeployment";
import type { ConsortiumConfig } from "./config";
import type { ChainEndpoint } from "./chain/endpoint";
import { AccountKey } from "./identity/accountKey";
import { AuthorityIdentity } from "./identity/authorityIdentity";
import { NodeKey } from "./identity/nodeKey";
import { TX_PERMISSIONS_ADDRESS, roleNames, txPermissionsGenesis } from "./permissioning/contract";
import { bridgeAllowanceList, desiredPermissions } from "./permissioning/plan";
import { TxPermissions } from "./permissioning/txPermissions";
import { GATEWAY_PORT } from "./rpcGateway/nginx";
import { GATEWAY_NAME, RpcGateway } from "./rpcGateway/rpcGateway";
import { enodeUrl } from "./identity/keys";
import { DockerPlatform, createPlatform } from "./platform";
import { peerHost } from "./platform/naming";
import { P2P_PORT, RPC_PORT, type WorkloadSpec } from "./platform/workload";

export interface ConsortiumArgs {
    readonly config: ConsortiumConfig;
    /** Prefix of platform object names (containers, volumes, Kubernetes objects); the stack name by default. */
    readonly prefix: string;
    /** Accounts funded in genesis besides `chain.accounts` (the bridge's validators and deployer): address to wei. */
    readonly genesisAccounts?: pulumi.Input<Record<string, string>>;
    /** The PoCo admin, when `poco` is set: `poco.admin` with the secret key, or the key the program generated. */
    readonly pocoAdmin?: { readonly address: pulumi.Input<string>; readonly key: pulumi.Input<string> };
    /** The bridge's accounts on this chain, which a permissioned chain lets transact. */
    readonly bridgeAccounts?: { readonly deployer: pulumi.Input<string>; readonly validators: readonly pulumi.Input<string>[] };
}

/**
 * When an authority stops being ready: no block processed for six steps (and at least a minute), or, for an
 * authority of the latest validator set (`validators` of them, each sealing one step in `validators`), none produced
 * by it for three of its turns (and at least two minutes).
 */
export function healthIntervals(stepDuration: number, validators: number | undefined): HealthIntervals {
    return {
        processed: Math.max(60, 6 * stepDuration),
        ...(validators !== undefined ? { produced: Math.max(120, 3 * validators * stepDuration), producedWithinBlocks: 3 * validators } : {}),
    };
}

/** Wei genesis gives the permissions operator: role changes cost gas like any transaction. */
const OPERATOR_FUNDING = 10n ** 19n;

export interface PermissioningSummary {
    readonly contract: string;
    readonly operator: string;
    readonly open: boolean;
    /** Address to role names, as the next `pulumi up` leaves them on chain. */
    readonly roles: Record<string, string[]>;
    readonly rpcAccess: string;
}

export interface AuthoritySummary {
    readonly name: string;
    readonly org?: string;
    readonly address: string;
    readonly enode: string;
    /** false for authorities run by other consortium members. */
    readonly runByThisStack: boolean;
}

/**
 * The consortium home chain: one identity per authority this stack runs, the AuRa chain spec built
 * from every authority's address, and one node per authority on the chosen platform, each peering
 * with every other authority.
 */
export class Consortium extends pulumi.ComponentResource {
    public readonly chainId: pulumi.Output<number>;
    public readonly networkId: pulumi.Output<number>;
    /** The chain spec every node reads, byte for byte. */
    public readonly specJson: pulumi.Output<string>;
    public readonly specHash: pulumi.Output<string>;
    /** Hash of what the running chain cannot change; recorded by the genesis lock. */
    public readonly genesisHash: pulumi.Output<string>;
    public readonly authorities: pulumi.Output<AuthoritySummary[]>;
    public readonly rpcUrl: pulumi.Output<string>;
    public readonly wsUrl: pulumi.Output<string>;
    /** How PoCo, permissions, the bridge and later services reach this chain: its RPC nodes. */
    public readonly endpoint: ChainEndpoint;
    /** RLC and PoCo on the home chain, when `poco` is configured. */
    public readonly poco?: { readonly addresses: pulumi.Output<PocoAddresses>; readonly deploymentBlock: pulumi.Output<number> };
    /** Who may do what, when `permissioning` is configured. */
    public readonly permissioning?: pulumi.Output<PermissioningSummary>;
    /** Per reader, the RPC gateway password (secret); username = reader name. */
    public readonly rpcCredentials?: pulumi.Output<Record<string, string>>;
    /** Accounts whose home-to-foreign bridge transfers are relayed; undefined: everyone's. */
    public readonly bridgeAllowanceList?: readonly string[];
    /** Per authority this stack runs: keystore file, JSON and password, for backups (secret). */
    public readonly keystores: pulumi.Output<Record<string, { fileName: string; json: string; password: string }>>;

    constructor(name: string, args: ConsortiumArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:index:Consortium", name, {}, opts);
        const { config, prefix } = args;
        const profile = CLIENT_PROFILES[config.client.kind];

        const identities = config.authorities.map(
            (authority) =>
                new AuthorityIdentity(
                    `${name}-${authority.name}`,
                    { passwordLength: config.keystore.passwordLength, protect: config.protect },
                    { parent: this },
                ),
        );

        const hostOf = (authorityName: string) => peerHost(config.platform, config.kubernetes?.namespace, authorityName);
        const own = config.authorities.map((authority, index) => ({
            authority,
            identity: identities[index],
            // How this stack's own nodes dial it: its platform name.
            enode: identities[index].enodeId.apply((id) => enodeUrl(id, hostOf(authority.name), P2P_PORT)),
            // How other members dial it: the advertised host and port (authorities[].p2p), else the platform name.
            publicEnode: identities[index].enodeId.apply((id) => (authority.p2p ? enodeUrl(id, authority.p2p.host, authority.p2p.port) : enodeUrl(id, hostOf(authority.name), P2P_PORT))),
        }));
        const addressByName = new Map<string, pulumi.Input<string>>([
            ...own.map(({ authority, identity }) => [authority.name, identity.address] as const),
            ...config.externalAuthorities.map((external) => [external.name, external.address] as const),
        ]);
        const rpcNodes = config.rpc.nodes.map((nodeName) => {
            const key = new NodeKey(`${name}-${nodeName}`, { protect: config.protect }, { parent: this });
            return { name: nodeName, key, enode: key.enodeId.apply((id) => enodeUrl(id, hostOf(nodeName), P2P_PORT)) };
        });
        // Every node's enode (authorities, own and external, and RPC nodes), joined once; each node's peers are this
        // list without itself.
        const enodes = pulumi.all([
            ...own.map(({ authority, enode }) => pulumi.all([authority.name, enode])),
            ...config.externalAuthorities.map((external) => pulumi.output([external.name, external.enode] as const)),
            ...rpcNodes.map((node) => pulumi.all([node.name, node.enode])),
        ]);
        const peersOf = (nodeName: string) => enodes.apply((all) => all.filter(([peerName]) => peerName !== nodeName).map(([, enode]) => enode));
        const ownNodeHosts = [...config.authorities.map((authority) => authority.name), ...config.rpc.nodes];
        const externalHosts = [...new Set(config.externalAuthorities.map((external) => new URL(external.enode).hostname).filter((host) => !/^[\d.]+$|^\[/.test(host)))];

        const validatorSets = pulumi.all(
            config.chain.validatorSets.map((set) =>
                pulumi.all(set.validators.map((validator) => addressByName.get(validator)!)).apply((addresses) => ({ fromBlock: set.fromBlock, addresses })),
            ),
        );
        const permissioning = config.permissioning;
        // The permissions operator is the contract's admin from genesis and sends every role change.
        const operator = permissioning ? new AccountKey(`${name}-permissions-operator`, { protect: config.protect }, { parent: this }) : undefined;
        const operatorAddress = operator?.address ?? pulumi.output(undefined);
        const specInput = pulumi.all([validatorSets, args.genesisAccounts ?? {}, operatorAddress]).apply(([sets, extraAccounts, operatorAccount]) => ({
            ...config.chain,
            // The stack's own chain.accounts win over generated funding of the same address.
            accounts: { ...extraAccounts, ...(operatorAccount ? { [operatorAccount]: OPERATOR_FUNDING.toString() } : {}), ...config.chain.accounts },
            validatorSets: sets,
            client: config.client.kind,
            contracts: GENESIS_CONTRACTS,
            ...(operatorAccount ? { txPermissions: txPermissionsGenesis(config.client.kind, operatorAccount) } : {}),
        }));
        const spec = specInput.apply(buildChainSpec);
        this.specJson = spec.apply(serializeChainSpec);
        this.specHash = this.specJson.apply(specHash);
        const genesisLock = new GenesisLock(
            `${name}-genesis`,
            { inputs: specInput.apply((input) => genesisLockInputs(input, config.chain.precompilesFromBlock)) },
            { parent: this, protect: config.protect },
        );

        const behindGateway = permissioning !== undefined && permissioning.rpc.access !== "open";
        const onlyStaticPeers = permissioning?.onlyStaticPeers ?? false;
        const nodeBase = (nodeName: string) => ({
            name: nodeName,
            chainName: config.chain.name,
            staticPeers: peersOf(nodeName),
            onlyStaticPeers,
            image: config.client.image,
            extraArgs: config.client.extraArgs,
            specJson: this.specJson,
            resources: DEFAULT_RESOURCES[config.client.kind],
            // Own nodes by their platform names, external authorities by their enodes' host names (an IP needs no wait).
            waitForHosts: [...ownNodeHosts.filter((host) => host !== nodeName).map(hostOf), ...externalHosts],
        });
        // Only an authority of the latest validator set is expected to seal.
        const latestSet = config.chain.validatorSets[config.chain.validatorSets.length - 1].validators;
        const workloads: WorkloadSpec[] = [
            ...own.map(({ authority, identity }) =>
                profile.authorityWorkload({
                    ...nodeBase(authority.name),
                    address: identity.address,
                    ...(authority.p2p ? { p2p: authority.p2p } : {}),
                    nodeKey: identity.nodeKey,
                    keys: { keystoreFileName: identity.keystoreFileName, keystoreJson: identity.keystoreJson, password: identity.password },
                    healthIntervals: healthIntervals(config.chain.stepDuration, latestSet.includes(authority.name) ? latestSet.length : undefined),
                }),
            ),
            ...rpcNodes.map((node, index) =>
                profile.rpcNodeWorkload({
                    ...nodeBase(node.name),
                    nodeKey: node.key.nodeKey,
                    healthIntervals: healthIntervals(config.chain.stepDuration, undefined),
                    methods: config.rpc.methods,
                    corsOrigins: config.rpc.corsOrigins,
                    // Without a gateway the first RPC node publishes the users' ports on Docker; on Kubernetes the RPC Service selects every RPC node.
                    publicEndpoint: !behindGateway && index === 0,
                }),
            ),
        ];

        // Nodes receive a spec only once the genesis lock has accepted it.
        const platform = createPlatform(
            `${name}-${config.platform}`,
            config,
            { prefix, workloads, rpc: config.rpc, protect: config.protect, ...(behindGateway ? { rpcGateway: { name: GATEWAY_NAME, port: GATEWAY_PORT } } : {}) },
            { parent: this, dependsOn: [genesisLock] },
        );
        const dockerNetwork = platform instanceof DockerPlatform ? platform.networkName : undefined;

        // The first RPC node first; the others are the gateway's backups.
        const gatewayNodes = config.rpc.nodes;
        const gateway = behindGateway
            ? new RpcGateway(
                  `${name}-rpc-gateway`,
                  {
                      config,
                      prefix,
                      readers: permissioning!.rpc.readers,
                      nodeHosts: gatewayNodes.map(hostOf),
                      ...(dockerNetwork ? { dockerNetwork } : {}),
                  },
                  { parent: this, dependsOn: [platform] },
              )
            : undefined;
        const programRpcUrl = pulumi.output(config.poco?.rpcUrl ?? platform.rpcUrl);
        const chainReady: pulumi.Resource[] = [platform, ...(gateway ? [gateway] : [])];

        let permissions: TxPermissions | undefined;
        if (permissioning && operator) {
            const desired = pulumi
                .all([operator.address, args.bridgeAccounts?.deployer, pulumi.all([...(args.bridgeAccounts?.validators ?? [])]), args.pocoAdmin?.address])
                .apply(([operatorAccount, bridgeDeployer, bridgeValidators, pocoAdmin]) =>
                    desiredPermissions(permissioning, {
                        operator: operatorAccount,
                        ...(pocoAdmin ? { pocoAdmin } : {}),
                        ...(bridgeDeployer ? { bridgeDeployer } : {}),
                        bridgeValidators,
                    }),
                );
            permissions = new TxPermissions(
                `${name}-permissions`,
                {
                    rpcUrl: programRpcUrl,
                    ...(gateway ? { rpcCredentials: gateway.operatorCredentials } : {}),
                    chainId: config.chain.chainId,
                    contract: TX_PERMISSIONS_ADDRESS,
                    operatorKey: operator.privateKey,
                    desired,
                    readinessTimeoutSeconds: permissioning.readinessTimeoutSeconds,
                },
                { parent: this, dependsOn: chainReady },
            );
            this.permissioning = pulumi.all([operator.address, desired]).apply(([operatorAccount, state]) => ({
                contract: TX_PERMISSIONS_ADDRESS,
                operator: operatorAccount,
                open: state.open,
                roles: Object.fromEntries(Object.entries(state.roles).map(([account, bits]) => [account, roleNames(bits)])),
                rpcAccess: permissioning.rpc.access,
            }));
            this.bridgeAllowanceList = bridgeAllowanceList(permissioning);
        }
        if (gateway) this.rpcCredentials = gateway.credentials;

        if (config.poco && args.pocoAdmin) {
            const poco = config.poco;
            // The chain must be up and sealing before anything is deployed: the deployment waits for it.
            this.poco = new PocoDeployment(
                `${name}-poco`,
                {
                    rpcUrl: programRpcUrl,
                    ...(gateway ? { rpcCredentials: gateway.operatorCredentials } : {}),
                    plan: pulumi.output(args.pocoAdmin.address).apply((admin) => pocoPlanInput(poco, config.chain.chainId, admin)),
                    adminKey: args.pocoAdmin.key,
                    readinessTimeoutSeconds: config.poco.readinessTimeoutSeconds,
                },
                // On a permissioned chain the admin may deploy once the operator has granted it the role.
                { parent: this, dependsOn: [...chainReady, ...(permissions ? [permissions] : [])] },
            );
        }

        this.chainId = pulumi.output(config.chain.chainId);
        this.networkId = pulumi.output(config.chain.networkId);
        this.rpcUrl = platform.rpcUrl;
        this.wsUrl = platform.wsUrl;
        this.endpoint = {
            chainId: config.chain.chainId,
            // `poco.rpcUrl`, or the RPC URL output.
            program: { url: programRpcUrl, ...(gateway ? { credentials: gateway.operatorCredentials } : {}) },
            internalUrl: `http://${hostOf(config.rpc.nodes[0])}:${RPC_PORT}`,
            publicUrl: platform.rpcUrl,
            ...(dockerNetwork ? { dockerNetwork } : {}),
            reach: { chainNodes: args.prefix },
        };
        this.authorities = pulumi.all([
            ...own.map(({ authority, identity, publicEnode }) =>
                pulumi.all([identity.address, publicEnode]).apply(([address, enodeText]) => ({
                    name: authority.name,
                    ...(authority.org ? { org: authority.org } : {}),
                    address,
                    enode: enodeText,
                    runByThisStack: true,
                })),
            ),
            ...config.externalAuthorities.map((external) =>
                pulumi.output({ name: external.name, address: external.address, enode: external.enode, runByThisStack: false }),
            ),
        ]);
        this.keystores = pulumi.secret(
            pulumi
                .all(
                    own.map(({ authority, identity }) =>
                        pulumi.all([identity.keystoreFileName, identity.keystoreJson, identity.password]).apply(([fileName, json, password]) => ({
                            name: authority.name,
                            fileName,
                            json,
                            password,
                        })),
                    ),
                )
                .apply((entries) => Object.fromEntries(entries.map(({ name: authorityName, ...rest }) => [authorityName, rest]))),
        );

        this.genesisHash = genesisLock.genesisHash;
        this.registerOutputs({
            genesisHash: this.genesisHash,
            chainId: this.chainId,
            networkId: this.networkId,
            specHash: this.specHash,
            authorities: this.authorities,
            rpcUrl: this.rpcUrl,
            wsUrl: this.wsUrl,
            keystores: this.keystores,
            ...(this.permissioning ? { permissioning: this.permissioning } : {}),
            ...(this.rpcCredentials ? { rpcCredentials: this.rpcCredentials } : {}),
            ...(this.poco ? { pocoAddresses: this.poco.addresses, pocoDeploymentBlock: this.poco.deploymentBlock } : {}),
        });
    }
}

