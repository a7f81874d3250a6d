import { ContractFactory, JsonRpcProvider, Wallet, getCreateAddress, keccak256, parseEther, toUtf8Bytes } from "ethers";
import { BridgeDeploymentError, ERC_TO_ERC_MODE, findBridgeContracts, prepareBridgeDeployment } from "../../components/bridge/engine";
import { mine, startAnvil, type AnvilNode } from "../helpers/anvil";
import { compileFixture } from "../helpers/solidity";

const HOME = 65535;
const FOREIGN = 65536;
const DEPLOYER_KEY = keccak256(toUtf8Bytes("consortium tests: bridge deployer"));
const DEPLOYER = new Wallet(DEPLOYER_KEY).address;
const VALIDATORS = ["validator one", "validator two"].map((seed) => new Wallet(keccak256(toUtf8Bytes(seed))).address);
const doubles = compileFixture("BridgeDoubles.sol");

let home: AnvilNode;
let foreign: AnvilNode;

async function rpc(url: string, method: string, params: unknown[]) {
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
        return await provider.send(method, params);
    } finally {
        provider.destroy();
    }
}

beforeEach(async () => {
    [home, foreign] = await Promise.all([startAnvil({ chainId: HOME }), startAnvil({ chainId: FOREIGN })]);
    for (const node of [home, foreign]) {
        await rpc(node.rpcUrl, "anvil_setBalance", [DEPLOYER, `0x${parseEther("1000").toString(16)}`]);
        await mine(node.rpcUrl);
    }
});
afterEach(async () => Promise.all([home?.stop(), foreign?.stop()]));

const endpoints = () => ({ home: { rpcUrl: home.rpcUrl, chainId: HOME }, foreign: { rpcUrl: foreign.rpcUrl, chainId: FOREIGN } });

async function deploy(url: string, chainId: number, name: string, args: unknown[] = []): Promise<string> {
    const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true });
    try {
        const factory = new ContractFactory(doubles[name].abi as never, doubles[name].bytecode, new Wallet(DEPLOYER_KEY, provider));
        const contract = await factory.deploy(...args);
        await contract.waitForDeployment();
        return contract.getAddress();
    } finally {
        provider.destroy();
    }
}

/** What the TokenBridge job leaves behind on one side, in its order: validators proxy, implementation, token, bridge proxy. */
async function deploySide(url: string, chainId: number, side: "home" | "foreign", foreignToken?: string, mode = ERC_TO_ERC_MODE) {
    const validatorsProxy = await deploy(url, chainId, "ValidatorsProxyDouble", [DEPLOYER]);
    const implementation = await deploy(url, chainId, "BridgeImplementationDouble");
    const token = side === "home" ? await deploy(url, chainId, "TokenDouble") : foreignToken!;
    const bridge = await deploy(url, chainId, "BridgeProxyDouble", [implementation, token, side === "home", mode]);
    return { validatorsProxy, implementation, token, bridge };
}

describe("before the bridge contracts job", () => {
    test("waits for both chains, tops up validators on the foreign chain and records the deployer's nonces", async () => {
        await deploy(foreign.rpcUrl, FOREIGN, "TokenDouble"); // the deployer has used nonce 0 on the foreign chain
        const preparation = await prepareBridgeDeployment({
            ...endpoints(),
            deployerKey: DEPLOYER_KEY,
            foreignTopUps: VALIDATORS.map((address) => ({ address, amount: parseEther("10") })),
            readinessTimeoutMs: 10_000,
        });
        expect(preparation).toEqual({ deployer: DEPLOYER, homeNonce: 0, foreignNonce: 1 + VALIDATORS.length });
        for (const validator of VALIDATORS) expect(BigInt(await rpc(foreign.rpcUrl, "eth_getBalance", [validator, "latest"]))).toBe(parseEther("10"));

        // A second run sends nothing: the validators already hold their top-up.
        const again = await prepareBridgeDeployment({ ...endpoints(), deployerKey: DEPLOYER_KEY, foreignTopUps: VALIDATORS.map((address) => ({ address, amount: parseEther("10") })), readinessTimeoutMs: 10_000 });
        expect(again.foreignNonce).toBe(preparation.foreignNonce);
    });

    test("refuses an unfunded deployer, naming the account and the chain", async () => {
        await rpc(home.rpcUrl, "anvil_setBalance", [DEPLOYER, "0x0"]);
        await expect(prepareBridgeDeployment({ ...endpoints(), deployerKey: DEPLOYER_KEY, foreignTopUps: [], readinessTimeoutMs: 10_000 })).rejects.toThrow(
            `the bridge deployer ${DEPLOYER} has no funds on the home chain`,
        );
    });
});

describe("finding the bridge after the job (the Kubernetes path: the deployer's CREATE addresses)", () => {
    test("finds the proxies among the deployer's contracts, verified with getBridgeMode(), and the ERC677 token from the home bridge", async () => {
        const rlc = await deploy(foreign.rpcUrl, FOREIGN, "TokenDouble");
        const preparation = await prepareBridgeDeployment({ ...endpoints(), deployerKey: DEPLOYER_KEY, foreignTopUps: [], readinessTimeoutMs: 10_000 });
        const homeSide = await deploySide(home.rpcUrl, HOME, "home");
        const foreignSide = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", rlc);

        const found = await findBridgeContracts({
            ...endpoints(),
            deployer: DEPLOYER,
            homeNonceFrom: preparation.homeNonce,
            foreignNonceFrom: preparation.foreignNonce,
            foreignToken: rlc,
        });
        expect(found.homeBridge).toBe(homeSide.bridge);
        expect(found.erc677Token).toBe(homeSide.token);
        expect(found.foreignBridge).toBe(foreignSide.bridge);
        // The addresses are the deployer's CREATE addresses, so they are known from its nonces alone.
        expect(found.homeBridge).toBe(getCreateAddress({ from: DEPLOYER, nonce: preparation.homeNonce + 3 }));
        expect(found.foreignBridge).toBe(getCreateAddress({ from: DEPLOYER, nonce: preparation.foreignNonce + 2 }));
        const receiptBlock = async (url: string, address: string) => {
            for (let block = Number(await rpc(url, "eth_blockNumber", [])); block >= 0; block--) {
                if ((await rpc(url, "eth_getCode", [address, `0x${block.toString(16)}`])) === "0x") return block + 1;
            }
            return 0;
        };
        expect(found.homeDeployedBlock).toBe(await receiptBlock(home.rpcUrl, homeSide.bridge));
        expect(found.foreignDeployedBlock).toBe(await receiptBlock(foreign.rpcUrl, foreignSide.bridge));
    });

    test("says so when the job deployed nothing", async () => {
        await expect(findBridgeContracts({ ...endpoints(), deployer: DEPLOYER, homeNonceFrom: 0, foreignNonceFrom: 0, foreignToken: DEPLOYER })).rejects.toThrow(
            /expected one ERC_TO_ERC bridge proxy .* found 0: did the bridge contracts job succeed/,
        );
    });

    test("refuses a bridge of another mode and a foreign bridge holding another token", async () => {
        const rlc = await deploy(foreign.rpcUrl, FOREIGN, "TokenDouble");
        await deploySide(home.rpcUrl, HOME, "home", undefined, "0x58a8b61b");
        await deploySide(foreign.rpcUrl, FOREIGN, "foreign", rlc);
        const options = { ...endpoints(), deployer: DEPLOYER, homeNonceFrom: 0, foreignNonceFrom: 1, foreignToken: rlc };
        await expect(findBridgeContracts(options)).rejects.toThrow(/found 0/);

        await deploySide(home.rpcUrl, HOME, "home");
        const other = await deploy(foreign.rpcUrl, FOREIGN, "TokenDouble");
        await expect(findBridgeContracts({ ...options, foreignToken: other })).rejects.toThrow(/holds the token .*, not the configured/);
    });
});

describe("checking what the job reported (the Docker path: its logs)", () => {
    test("accepts the reported proxies and refuses an implementation or a wrong token reported as the bridge", async () => {
        const rlc = await deploy(foreign.rpcUrl, FOREIGN, "TokenDouble");
        const homeSide = await deploySide(home.rpcUrl, HOME, "home");
        const foreignSide = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", rlc);
        const reported = { homeBridge: homeSide.bridge, homeDeployedBlock: 0, erc677Token: homeSide.token, foreignBridge: foreignSide.bridge, foreignDeployedBlock: 0 };
        const options = { ...endpoints(), deployer: DEPLOYER, homeNonceFrom: 0, foreignNonceFrom: 0, foreignToken: rlc };

        const found = await findBridgeContracts({ ...options, reported });
        expect(found).toMatchObject({ homeBridge: homeSide.bridge, foreignBridge: foreignSide.bridge, erc677Token: homeSide.token });
        expect(found.homeDeployedBlock).toBeGreaterThan(0);

        await expect(findBridgeContracts({ ...options, reported: { ...reported, homeBridge: homeSide.implementation } })).rejects.toThrow(
            `the job reported the home bridge at ${homeSide.implementation}, but ${homeSide.implementation} is a bridge implementation, not its proxy`,
        );
        await expect(findBridgeContracts({ ...options, reported: { ...reported, erc677Token: rlc } })).rejects.toThrow(BridgeDeploymentError);
    });
});
