import { Contract, JsonRpcProvider, Wallet, keccak256, toUtf8Bytes } from "ethers";
import type { ClientKind } from "../../components/config";
import { ROLES, TX_PERMISSIONS_ABI, TX_PERMISSIONS_ADDRESS, TX_PERMISSION_VERSION, TX_TYPES, txPermissionsArtifact, txPermissionsGenesis } from "../../components/permissioning/contract";
import { PermissionsError, syncPermissions, type PermissionsState } from "../../components/permissioning/sync";
import { startGenesisNode, type AnvilNode } from "../helpers/anvil";

const CHAIN_ID = 65535;
const wallet = (seed: string) => new Wallet(keccak256(toUtf8Bytes(`consortium tests: ${seed}`)));
const OPERATOR = wallet("permissions operator");
const [ADMIN, DEPLOYER, TRANSACTOR, SENDER, STRANGER] = ["admin", "deployer", "transactor", "sender", "stranger"].map((seed) => wallet(seed).address);

let node: AnvilNode;
let provider: JsonRpcProvider;

/** A node whose genesis is a consortium spec with the permission contract, for a chain of `client` nodes. */
function permissionedNode(client: ClientKind): Promise<AnvilNode> {
    return startGenesisNode({
        chainId: CHAIN_ID,
        accounts: { [OPERATOR.address]: (10n ** 21n).toString() },
        validator: OPERATOR.address,
        client,
        txPermissions: txPermissionsGenesis(client, OPERATOR.address),
    });
}

beforeAll(async () => {
    node = await permissionedNode("nethermind");
    provider = new JsonRpcProvider(node.rpcUrl, CHAIN_ID, { staticNetwork: true });
});
afterAll(async () => {
    provider?.destroy();
    await node?.stop();
});

const contract = () => new Contract(TX_PERMISSIONS_ADDRESS, txPermissionsArtifact().abi as never, provider);
const sync = (desired: PermissionsState, operatorKey = OPERATOR.privateKey) =>
    syncPermissions({ rpcUrl: node.rpcUrl, chainId: CHAIN_ID, contract: TX_PERMISSIONS_ADDRESS, operatorKey, desired, readinessTimeoutMs: 20_000 });
const ROLE_CONFIG: PermissionsState = {
    open: false,
    roles: { [ADMIN]: ROLES.admin, [DEPLOYER]: ROLES.deployer, [TRANSACTOR]: ROLES.transactor, [SENDER]: ROLES.sender },
};

/** The answer of every interface version for `sender`, as the clients call them. */
async function answers(sender: string): Promise<number[]> {
    const permissions = contract();
    const to = STRANGER;
    const v1 = await permissions.getFunction("allowedTxTypes(address)")(sender);
    const [v2, cache2] = await permissions.getFunction("allowedTxTypes(address,address,uint256)")(sender, to, 1n);
    const [v3, cache3] = await permissions.getFunction("allowedTxTypes(address,address,uint256,uint256,bytes)")(sender, to, 1n, 10n ** 9n, "0x1234");
    const [v4, cache4] = await permissions.getFunction("allowedTxTypes(address,address,uint256,uint256,uint256,uint256,bytes)")(sender, to, 1n, 10n ** 9n, 10n ** 9n, 21_000n, "0x");
    expect([cache2, cache3, cache4]).toEqual([true, true, true]);
    return [v1, v2, v3, v4].map(Number);
}

const allows = (mask: number) => ({
    basic: (mask & TX_TYPES.basic) !== 0,
    call: (mask & TX_TYPES.call) !== 0,
    create: (mask & TX_TYPES.create) !== 0,
});

describe("the genesis transaction-permission contract", () => {
    test("genesis holds the client's interface version, the contract name and the operator as sole admin", async () => {
        const permissions = contract();
        expect(Number(await permissions.contractVersion())).toBe(TX_PERMISSION_VERSION.nethermind);
        expect(await permissions.contractName()).toBe("TX_PERMISSION_CONTRACT");
        expect(await permissions.contractNameHash()).toBe(keccak256(toUtf8Bytes("TX_PERMISSION_CONTRACT")));
        expect(await permissions.members()).toEqual([OPERATOR.address]);
        expect(Number(await permissions.rolesOf(OPERATOR.address))).toBe(ROLES.admin);
        expect(await permissions.open()).toBe(false);
        // Before any grant, nobody but the operator may send anything.
        expect(await answers(STRANGER)).toEqual([0, 0, 0, 0]);
        expect(await answers(DEPLOYER)).toEqual([0, 0, 0, 0]);
    });

    test.each(["parity", "openethereum"] as const)("a %s chain's genesis announces the version that client calls", async (client) => {
        const other = await permissionedNode(client);
        const otherProvider = new JsonRpcProvider(other.rpcUrl, CHAIN_ID, { staticNetwork: true });
        try {
            const permissions = new Contract(TX_PERMISSIONS_ADDRESS, TX_PERMISSIONS_ABI, otherProvider);
            expect(Number(await permissions.contractVersion())).toBe(TX_PERMISSION_VERSION[client]);
        } finally {
            otherProvider.destroy();
            await other.stop();
        }
    });

    test("the config's roles are granted in one transaction; every version answers each role and kind", async () => {
        const result = await sync(ROLE_CONFIG);
        expect(result.transactions).toBe(1);
        const table = Object.fromEntries(
            await Promise.all(
                Object.entries({ admin: ADMIN, deployer: DEPLOYER, transactor: TRANSACTOR, sender: SENDER, unknown: STRANGER, operator: OPERATOR.address }).map(
                    async ([role, account]) => {
                        const versions = await answers(account);
                        expect(new Set(versions).size).toBe(1); // all four interfaces agree
                        return [role, allows(versions[0])] as const;
                    },
                ),
            ),
        );
        expect(table).toEqual({
            admin: { basic: true, call: true, create: false },
            deployer: { basic: true, call: true, create: true },
            transactor: { basic: true, call: true, create: false },
            sender: { basic: true, call: false, create: false },
            unknown: { basic: false, call: false, create: false },
            operator: { basic: true, call: true, create: false },
        });
        expect(result.state.roles).toEqual({ ...ROLE_CONFIG.roles, [OPERATOR.address]: ROLES.admin });
    });

    test("a second run with the same config sends nothing", async () => {
        await sync(ROLE_CONFIG);
        const nonce = await provider.getTransactionCount(OPERATOR.address);
        const again = await sync(ROLE_CONFIG);
        expect(again.transactions).toBe(0);
        expect(await provider.getTransactionCount(OPERATOR.address)).toBe(nonce);
    });

    test("a member left out of the config is revoked, a changed role replaced", async () => {
        await sync(ROLE_CONFIG);
        const { [TRANSACTOR]: _removed, ...rest } = ROLE_CONFIG.roles;
        const result = await sync({ open: false, roles: { ...rest, [SENDER]: ROLES.sender | ROLES.transactor } });
        expect(result.transactions).toBe(1);
        expect(await answers(TRANSACTOR)).toEqual([0, 0, 0, 0]);
        expect(allows((await answers(SENDER))[0])).toEqual({ basic: true, call: true, create: false });
        expect(await contract().members()).not.toContain(TRANSACTOR);
    });

    test("open lets every sender send anything, and closing restores the roles", async () => {
        await sync(ROLE_CONFIG);
        expect((await sync({ ...ROLE_CONFIG, open: true })).transactions).toBe(1);
        expect(await answers(STRANGER)).toEqual(Array(4).fill(TX_TYPES.all));
        await sync(ROLE_CONFIG);
        expect(await answers(STRANGER)).toEqual([0, 0, 0, 0]);
    });

    test("only admins change roles, and an admin cannot revoke its own admin role", async () => {
        const strangerKey = wallet("stranger").privateKey;
        await provider.send("anvil_setBalance", [STRANGER, "0xde0b6b3a7640000"]);
        const asStranger = new Contract(TX_PERMISSIONS_ADDRESS, TX_PERMISSIONS_ABI, new Wallet(strangerKey, provider));
        await expect(asStranger.setRoles([STRANGER], [ROLES.admin])).rejects.toThrow("TxPermissions: caller is not an admin");
        const asOperator = new Contract(TX_PERMISSIONS_ADDRESS, TX_PERMISSIONS_ABI, new Wallet(OPERATOR.privateKey, provider));
        await expect(asOperator.setRoles([OPERATOR.address], [0])).rejects.toThrow("TxPermissions: an admin cannot revoke its own admin role");
        // The operator keeps its admin role even when the config does not list it.
        await sync({ open: false, roles: {} });
        expect(Number(await contract().rolesOf(OPERATOR.address))).toBe(ROLES.admin);
    });

    test("an operator that is no longer an admin is named", async () => {
        const stranger = wallet("another operator");
        await provider.send("anvil_setBalance", [stranger.address, "0xde0b6b3a7640000"]);
        await expect(sync(ROLE_CONFIG, stranger.privateKey)).rejects.toThrow(PermissionsError);
        await expect(sync(ROLE_CONFIG, stranger.privateKey)).rejects.toThrow(`the permissions operator ${stranger.address} is not an admin`);
    });

    test("the engine's ABI is the compiled contract's", () => {
        const compiled = new Set(
            (txPermissionsArtifact().abi as { type: string; name: string; inputs: { type: string }[] }[])
                .filter((entry) => entry.type === "function")
                .map((entry) => `${entry.name}(${entry.inputs.map((input) => input.type).join(",")})`),
        );
        const used = new Contract(TX_PERMISSIONS_ADDRESS, TX_PERMISSIONS_ABI).interface.fragments.map((fragment) => fragment.format("sighash"));
        for (const signature of used) expect(compiled).toContain(signature);
    });
});
