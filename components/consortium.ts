import * as pulumi from "@pulumi/pulumi";
import { enodeAddress, isIpAddress } from "./chain/config";
import type { ChainEndpoint } from "./chain/endpoint";
import { GenesisLock, genesisLockInputs } from "./chain/genesisLock";
import { buildChainSpec, serializeChainSpec, specHash, type ChainSpecInput } from "./chain/spec";
import { CLIENT_PROFILES, DEFAULT_RESOURCES, type HealthIntervals } from "./clients";
import type { NodeInput } from "./clients/profile";
import type { AuthorityConfig, ConsortiumConfig } from "./config";
import { AccountKey } from "./identity/accountKey";
import { AuthorityIdentity } from "./identity/authorityIdentity";
import { enodeUrl } from "./identity/keys";
import { NodeKey } from "./identity/nodeKey";
import { txPermissionsGenesis } from "./permissioning/contract";
import { DockerPlatform, createPlatform, type Platform } from "./platform";
import { peerHost } from "./platform/naming";
import { P2P_PORT, RPC_PORT, type WorkloadSpec } from "./platform/workload";
import { GENESIS_CONTRACTS } from "./poco/genesis";
import { GATEWAY_PORT } from "./rpcGateway/nginx";
import { GATEWAY_NAME, RpcGateway } from "./rpcGateway/rpcGateway";

export interface ConsortiumArgs {
    readonly config: ConsortiumConfig;
    /** Prefix of platform object names (containers, volumes, Kubernetes objects); the stack name by default. */
    readonly prefix: string;
    /** Accounts funded in genesis besides `chain.accounts` (the bridge's validators and deployer, the PoCo admin): address to wei. */
    readonly genesisAccounts?: pulumi.Input<Record<string, string>>;
}

/**
 * When an authority stops being ready: no block processed for six steps (and at least a minute), or, for an
 * authority of the latest validator set (`validators` of them, each sealing one step in `validators`), none produced
 * by it for three of its turns (and at least two minutes).
 */
export function healthIntervals(stepDuration: number, sets?: readonly { readonly fromBlock: number; readonly validators: readonly string[] }[], authority?: string): HealthIntervals {
    const processed = Math.max(60, 6 * stepDuration);
    if (!sets || authority === undefined) return { processed };
    const turns = sets.map((set) =>
        set.validators.includes(authority)
            ? { fromBlock: set.fromBlock, blocks: 3 * set.validators.length, seconds: Math.max(120, 3 * set.validators.length * stepDuration) }
            : { fromBlock: set.fromBlock, blocks: 0, seconds: 0 },
    );
    // A static interval (Nethermind's) holds only for an authority that seals in every set, from genesis on.
    const always = turns.every((turn) => turn.blocks > 0);
    return { processed, ...(always ? { produced: Math.max(...turns.map((turn) => turn.seconds)) } : {}), turns };
}

/** Wei genesis gives the permissions operator: role changes cost gas like any transaction. */
const OPERATOR_FUNDING = 10n ** 19n;

export interface AuthoritySummary {
    readonly name: string;
    readonly org?: string;
    readonly address: string;
    readonly enode: string;
    /** false for authorities run by other consortium members. */
    readonly runByThisStack: boolean;
}

/** An authority this stack runs: its identity, and the enodes its node is dialled at. */
interface OwnAuthority {
    readonly authority: AuthorityConfig;
    readonly identity: AuthorityIdentity;
    /** How this stack's own nodes dial it: its platform name. */
    readonly enode: pulumi.Output<string>;
    /** How other members dial it: the advertised host and port (authorities[].p2p), else the platform name. */
    readonly publicEnode: pulumi.Output<string>;
}

interface RpcNode {
    readonly name: string;
    readonly key: NodeKey;
    readonly enode: pulumi.Output<string>;
}

/** What genesis fixes: every node's identity and peers, the permissions operator, and the spec the genesis lock accepted. */
interface Genesis {
    readonly authorities: readonly OwnAuthority[];
    readonly rpcNodes: readonly RpcNode[];
    /** Every other node's enode, own and external: each node's static peers. */
    readonly peersOf: (nodeName: string) => pulumi.Output<string[]>;
    /** When `permissioning` is set: the permission contract's admin from genesis, funded there; it sends every role change. */
    readonly operator?: AccountKey;
    readonly specJson: pulumi.Output<string>;
    readonly lock: GenesisLock;
}

/** How this stack's nodes reach one of its nodes: its platform name. */
function hostOf(config: ConsortiumConfig, nodeName: string): string {
    return peerHost(config.platform, config.kubernetes?.namespace, nodeName);
}

/** Users reach RPC only through the authenticating gateway: a permissioned chain whose RPC access is not open. */
function behindGateway(config: ConsortiumConfig): boolean {
    return config.permissioning !== undefined && config.permissioning.rpc.access !== "open";
}

function dockerNetworkOf(platform: Platform): pulumi.Output<string> | undefined {
    return platform instanceof DockerPlatform ? platform.networkName : undefined;
}

/** Every node's enode (authorities, own and external, and RPC nodes), joined once; each node's peers are this list without itself. */
function peering(config: ConsortiumConfig, authorities: readonly OwnAuthority[], rpcNodes: readonly RpcNode[]): (nodeName: string) => pulumi.Output<string[]> {
    const enodes = pulumi.all([
        ...authorities.map(({ authority, enode }) => pulumi.all([authority.name, enode])),
        ...config.externalAuthorities.map((external) => pulumi.output([external.name, external.enode] as const)),
        ...rpcNodes.map((node) => pulumi.all([node.name, node.enode])),
    ]);
    return (nodeName) => enodes.apply((all) => all.filter(([peerName]) => peerName !== nodeName).map(([, enode]) => enode));
}

/** The chain spec's input: the chain config with the validator sets' addresses, the genesis funding and the permission contract. */
function chainSpecInput(
    config: ConsortiumConfig,
    authorities: readonly OwnAuthority[],
    genesisAccounts: pulumi.Input<Record<string, string>> | undefined,
    operatorAddress: pulumi.Output<string> | undefined,
): pulumi.Output<ChainSpecInput> {
    const addressByName = new Map<string, pulumi.Input<string>>([
        ...authorities.map(({ authority, identity }) => [authority.name, identity.address] as const),
        ...config.externalAuthorities.map((external) => [external.name, external.address] as const),
    ]);
    const validatorSets = pulumi.all(
        config.chain.validatorSets.map((set) =>
            pulumi.all(set.validators.map((validator) => addressByName.get(validator)!)).apply((addresses) => ({ fromBlock: set.fromBlock, addresses })),
        ),
    );
    return pulumi.all([validatorSets, genesisAccounts ?? {}, operatorAddress ?? pulumi.output(undefined)]).apply(([sets, extraAccounts, operatorAccount]) => ({
        ...config.chain,
        // The stack's own chain.accounts win over generated funding of the same address.
        accounts: { ...extraAccounts, ...(operatorAccount ? { [operatorAccount]: OPERATOR_FUNDING.toString() } : {}), ...config.chain.accounts },
        validatorSets: sets,
        client: config.client.kind,
        contracts: GENESIS_CONTRACTS,
        ...(operatorAccount ? { txPermissions: txPermissionsGenesis(config.client.kind, operatorAccount) } : {}),
    }));
}

type NodeBase = Omit<NodeInput, "nodeKey">;

/** What every node's workload shares, authority or RPC node. */
function nodeBaseOf(config: ConsortiumConfig, genesis: Genesis): (nodeName: string) => NodeBase {
    const ownNodeHosts = [...config.authorities.map((authority) => authority.name), ...config.rpc.nodes];
    const externalHosts = [...new Set(config.externalAuthorities.map((external) => enodeAddress(external.enode).host).filter((host) => !isIpAddress(host)))];
    return (nodeName) => ({
        name: nodeName,
        chainName: config.chain.name,
        staticPeers: genesis.peersOf(nodeName),
        onlyStaticPeers: config.permissioning?.onlyStaticPeers ?? false,
        image: config.client.image,
        extraArgs: config.client.extraArgs,
        specJson: genesis.specJson,
        resources: DEFAULT_RESOURCES[config.client.kind],
        // Own nodes by their platform names, external authorities by their enodes' host names (an IP needs no wait).
        waitForHosts: [...ownNodeHosts.filter((host) => host !== nodeName).map((host) => hostOf(config, host)), ...externalHosts],
    });
}

function authorityWorkloads(config: ConsortiumConfig, genesis: Genesis, nodeBase: (nodeName: string) => NodeBase): WorkloadSpec[] {
    const profile = CLIENT_PROFILES[config.client.kind];
    return genesis.authorities.map(({ authority, identity }) =>
        profile.authorityWorkload({
            ...nodeBase(authority.name),
            address: identity.address,
            ...(authority.p2p ? { p2p: authority.p2p } : {}),
            nodeKey: identity.nodeKey,
            keys: { keystoreFileName: identity.keystoreFileName, keystoreJson: identity.keystoreJson, password: identity.password },
            // Expected to seal while a validator set it belongs to is active.
            healthIntervals: healthIntervals(config.chain.stepDuration, config.chain.validatorSets, authority.name),
        }),
    );
}

function rpcNodeWorkloads(config: ConsortiumConfig, genesis: Genesis, nodeBase: (nodeName: string) => NodeBase): WorkloadSpec[] {
    const profile = CLIENT_PROFILES[config.client.kind];
    return genesis.rpcNodes.map((node, index) =>
        profile.rpcNodeWorkload({
            ...nodeBase(node.name),
            nodeKey: node.key.nodeKey,
            healthIntervals: healthIntervals(config.chain.stepDuration),
            methods: config.rpc.methods,
            corsOrigins: config.rpc.corsOrigins,
            // Without a gateway the first RPC node publishes the users' ports on Docker; on Kubernetes the RPC Service selects every RPC node.
            publicEndpoint: !behindGateway(config) && index === 0,
        }),
    );
}

/** The authorities' workloads, then the RPC nodes'. */
function nodeWorkloads(config: ConsortiumConfig, genesis: Genesis): WorkloadSpec[] {
    const nodeBase = nodeBaseOf(config, genesis);
    return [...authorityWorkloads(config, genesis, nodeBase), ...rpcNodeWorkloads(config, genesis, nodeBase)];
}

/** How PoCo, permissions, the bridge and later services reach this chain: its RPC nodes. */
function chainEndpoint(args: ConsortiumArgs, platform: Platform, gateway: RpcGateway | undefined): ChainEndpoint {
    const { config } = args;
    const dockerNetwork = dockerNetworkOf(platform);
    return {
        chainId: config.chain.chainId,
        // `poco.rpcUrl`, or the RPC URL output.
        program: { url: pulumi.output(config.poco?.rpcUrl ?? platform.rpcUrl), ...(gateway ? { credentials: gateway.operatorCredentials } : {}) },
        internalUrl: `http://${hostOf(config, config.rpc.nodes[0])}:${RPC_PORT}`,
        publicUrl: platform.rpcUrl,
        ...(dockerNetwork ? { dockerNetwork } : {}),
        reach: { chainNodes: args.prefix },
    };
}

function authoritySummaries(config: ConsortiumConfig, authorities: readonly OwnAuthority[]): pulumi.Output<AuthoritySummary[]> {
    return pulumi.all([
        ...authorities.map(({ authority, identity, publicEnode }) =>
            pulumi.all([identity.address, publicEnode]).apply(([address, enodeText]) => ({
                name: authority.name,
                ...(authority.org ? { org: authority.org } : {}),
                address,
                enode: enodeText,
                runByThisStack: true,
            })),
        ),
        ...config.externalAuthorities.map((external) => pulumi.output({ name: external.name, address: external.address, enode: external.enode, runByThisStack: false })),
    ]);
}

function keystoresOf(authorities: readonly OwnAuthority[]): pulumi.Output<Record<string, { fileName: string; json: string; password: string }>> {
    return pulumi.secret(
        pulumi
            .all(
                authorities.map(({ authority, identity }) =>
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
}

/**
 * A consortium chain: one identity per authority this stack runs, the AuRa chain spec built from every authority's
 * address, and one node per authority and per RPC node on the chosen platform, each peering with every other node,
 * behind the RPC gateway on a permissioned chain. The services that use the chain (permissions, PoCo) are beside it
 * (components/chainServices.ts).
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
    /** What a consumer waits for before its first call: the nodes and, behind the gateway, the gateway. */
    public readonly ready: readonly pulumi.Resource[];
    /** The permission contract's admin from genesis, when `permissioning` is configured (its key secret). */
    public readonly permissionsOperator?: { readonly address: pulumi.Output<string>; readonly privateKey: pulumi.Output<string> };
    /** Per reader, the RPC gateway password (secret); username = reader name. */
    public readonly rpcCredentials?: pulumi.Output<Record<string, string>>;
    /** Per authority this stack runs: keystore file, JSON and password, for backups (secret). */
    public readonly keystores: pulumi.Output<Record<string, { fileName: string; json: string; password: string }>>;

    constructor(name: string, args: ConsortiumArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:index:Consortium", name, {}, opts);
        const { config } = args;
        const genesis = this.createGenesis(name, config, args.genesisAccounts);
        const platform = this.createNodePlatform(name, args, nodeWorkloads(config, genesis), genesis.lock);
        const gateway = behindGateway(config) ? this.createGateway(name, args, platform) : undefined;

        this.chainId = pulumi.output(config.chain.chainId);
        this.networkId = pulumi.output(config.chain.networkId);
        this.specJson = genesis.specJson;
        this.specHash = this.specJson.apply(specHash);
        this.genesisHash = genesis.lock.genesisHash;
        this.authorities = authoritySummaries(config, genesis.authorities);
        this.keystores = keystoresOf(genesis.authorities);
        this.rpcUrl = platform.rpcUrl;
        this.wsUrl = platform.wsUrl;
        this.endpoint = chainEndpoint(args, platform, gateway);
        this.ready = [platform, ...(gateway ? [gateway] : [])];
        if (genesis.operator) this.permissionsOperator = { address: genesis.operator.address, privateKey: genesis.operator.privateKey };
        if (gateway) this.rpcCredentials = gateway.credentials;
        this.registerOutputs({
            genesisHash: this.genesisHash,
            chainId: this.chainId,
            networkId: this.networkId,
            specHash: this.specHash,
            authorities: this.authorities,
            rpcUrl: this.rpcUrl,
            wsUrl: this.wsUrl,
            keystores: this.keystores,
            ...(this.rpcCredentials ? { rpcCredentials: this.rpcCredentials } : {}),
        });
    }

    /**
     * The keys of every node this stack runs and of the permissions operator, the chain spec, and its genesis lock.
     * A key's name and parent are its identity in the state: changed, the key is made anew, and so is the chain.
     */
    private createGenesis(name: string, config: ConsortiumConfig, genesisAccounts: pulumi.Input<Record<string, string>> | undefined): Genesis {
        const authorities = this.createAuthorityIdentities(name, config);
        const rpcNodes = this.createRpcNodeKeys(name, config);
        const operator = config.permissioning ? new AccountKey(`${name}-permissions-operator`, { protect: config.protect }, { parent: this }) : undefined;
        const specInput = chainSpecInput(config, authorities, genesisAccounts, operator?.address);
        const lock = new GenesisLock(
            `${name}-genesis`,
            { inputs: specInput.apply((input) => genesisLockInputs(input, config.chain.precompilesFromBlock)) },
            { parent: this, protect: config.protect },
        );
        return {
            authorities,
            rpcNodes,
            peersOf: peering(config, authorities, rpcNodes),
            operator,
            specJson: specInput.apply(buildChainSpec).apply(serializeChainSpec),
            lock,
        };
    }

    private createAuthorityIdentities(name: string, config: ConsortiumConfig): OwnAuthority[] {
        return config.authorities.map((authority) => {
            const identity = new AuthorityIdentity(`${name}-${authority.name}`, { passwordLength: config.keystore.passwordLength, protect: config.protect }, { parent: this });
            const advertised = authority.p2p ?? { host: hostOf(config, authority.name), port: P2P_PORT };
            return {
                authority,
                identity,
                enode: identity.enodeId.apply((id) => enodeUrl(id, hostOf(config, authority.name), P2P_PORT)),
                publicEnode: identity.enodeId.apply((id) => enodeUrl(id, advertised.host, advertised.port)),
            };
        });
    }

    private createRpcNodeKeys(name: string, config: ConsortiumConfig): RpcNode[] {
        return config.rpc.nodes.map((nodeName) => {
            const key = new NodeKey(`${name}-${nodeName}`, { protect: config.protect }, { parent: this });
            return { name: nodeName, key, enode: key.enodeId.apply((id) => enodeUrl(id, hostOf(config, nodeName), P2P_PORT)) };
        });
    }

    /** The authorities' and RPC nodes' workloads on the chosen platform; nodes receive a spec only once the genesis lock has accepted it. */
    private createNodePlatform(name: string, args: ConsortiumArgs, workloads: WorkloadSpec[], genesisLock: GenesisLock): Platform & pulumi.ComponentResource {
        const { config, prefix } = args;
        return createPlatform(
            `${name}-${config.platform}`,
            config,
            { prefix, workloads, rpc: config.rpc, protect: config.protect, ...(behindGateway(config) ? { rpcGateway: { name: GATEWAY_NAME, port: GATEWAY_PORT } } : {}) },
            { parent: this, dependsOn: [genesisLock] },
        );
    }

    /** The authenticating gateway in front of the RPC nodes: the first RPC node serves, the others are its backups. */
    private createGateway(name: string, args: ConsortiumArgs, platform: Platform & pulumi.ComponentResource): RpcGateway {
        const { config, prefix } = args;
        const dockerNetwork = dockerNetworkOf(platform);
        return new RpcGateway(
            `${name}-rpc-gateway`,
            {
                config,
                prefix,
                readers: config.permissioning!.rpc.readers,
                nodeHosts: config.rpc.nodes.map((nodeName) => hostOf(config, nodeName)),
                ...(dockerNetwork ? { dockerNetwork } : {}),
            },
            { parent: this, dependsOn: [platform] },
        );
    }
}
