import { Contract, ContractFactory, JsonRpcProvider, Wallet, getCreateAddress, keccak256, parseEther, toUtf8Bytes } from "ethers";
import { BridgeDeploymentError, ERC_TO_ERC_MODE, findBridgeContracts, prepareBridgeDeployment } from "../../components/bridge/engine";
import { mine, startAnvil, type AnvilNode } from "../helpers/anvil";
import { compileFixture } from "../helpers/solidity";

const HOME = 65535;
const FOREIGN = 65536;
const DEPLOYER_KEY = keccak256(toUtf8Bytes("consortium tests: bridge deployer"));
const DEPLOYER = new Wallet(DEPLOYER_KEY).address;
const VALIDATORS = ["validator one", "validator two"].map((seed) => new Wallet(keccak256(toUtf8Bytes(seed))).address);
const REQUIRED = 2;
const DECIMALS = 9;
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

/** A transaction from the deployer to a double (it uses one nonce and creates nothing, as deploy.js's calls do). */
async function send(url: string, chainId: number, name: string, address: string, method: string, args: unknown[]): Promise<void> {
    const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true });
    try {
        const contract = new Contract(address, doubles[name].abi as never, new Wallet(DEPLOYER_KEY, provider));
        await (await contract.getFunction(method)(...args)).wait();
    } finally {
        provider.destroy();
    }
}

interface SideOptions {
    readonly foreignToken?: string;
    readonly mode?: string;
    readonly validators?: readonly string[];
    readonly requiredSignatures?: number;
    readonly decimals?: number;
    readonly decimalShift?: number;
    /** false: the proxy is created but its initialize never sent (a job stopped half-way). */
    readonly initialise?: boolean;
}

/**
 * What the TokenBridge job leaves behind on one side, in its order: validators proxy, implementation, token (home),
 * bridge proxy, then the bridge's initialize.
 */
async function deploySide(url: string, chainId: number, side: "home" | "foreign", options: SideOptions = {}) {
    const validatorsProxy = await deploy(url, chainId, "ValidatorsProxyDouble", [DEPLOYER, options.validators ?? VALIDATORS, options.requiredSignatures ?? REQUIRED]);
    const implementation = await deploy(url, chainId, "BridgeImplementationDouble");
    const token = side === "home" ? await deploy(url, chainId, "TokenDouble", [options.decimals ?? DECIMALS]) : options.foreignToken!;
    const bridge = await deploy(url, chainId, "BridgeProxyDouble", [implementation, options.mode ?? ERC_TO_ERC_MODE]);
    if (options.initialise !== false) await send(url, chainId, "BridgeProxyDouble", bridge, "initialize", [validatorsProxy, token, side === "home", options.decimalShift ?? 0]);
    return { validatorsProxy, implementation, token, bridge };
}

const expectedFor = (foreignToken: string) => ({ validators: VALIDATORS, requiredSignatures: REQUIRED, foreignToken, decimals: DECIMALS });
const rlcDouble = (decimals = DECIMALS) => deploy(foreign.rpcUrl, FOREIGN, "TokenDouble", [decimals]);
const prepare = (rlc: string, extra: Partial<Parameters<typeof prepareBridgeDeployment>[0]> = {}) =>
    prepareBridgeDeployment({ ...endpoints(), deployerKey: DEPLOYER_KEY, foreignTopUps: [], expected: expectedFor(rlc), beforeJob: true, readinessTimeoutMs: 10_000, ...extra });
const findFrom = (preparation: { homeNonce: number; foreignNonce: number }, rlc: string, extra: Partial<Parameters<typeof findBridgeContracts>[0]> = {}) =>
    findBridgeContracts({ ...endpoints(), deployer: DEPLOYER, homeNonceFrom: preparation.homeNonce, foreignNonceFrom: preparation.foreignNonce, expected: expectedFor(rlc), ...extra });
const balanceOf = async (address: string) => BigInt(await rpc(foreign.rpcUrl, "eth_getBalance", [address, "latest"]));

describe("before the bridge contracts job", () => {
    test("waits for both chains, tops up validators on the foreign chain to their target once, and records the deployer's nonces", async () => {
        const rlc = await rlcDouble(); // the deployer has used nonce 0 on the foreign chain
        const topUps = VALIDATORS.map((address) => ({ address, amount: parseEther("10") }));
        const preparation = await prepare(rlc, { foreignTopUps: topUps });
        expect(preparation).toEqual({ deployer: DEPLOYER, homeNonce: 0, foreignNonce: 1 + VALIDATORS.length });
        for (const validator of VALIDATORS) expect(await balanceOf(validator)).toBe(parseEther("10"));

        // A second run sends nothing: the validators already hold their target.
        const again = await prepare(rlc, { foreignTopUps: topUps });
        expect(again.foreignNonce).toBe(preparation.foreignNonce);
        for (const validator of VALIDATORS) expect(await balanceOf(validator)).toBe(parseEther("10"));

        // A validator that spent part of it is brought back to the target, not given the target again.
        await rpc(foreign.rpcUrl, "anvil_setBalance", [VALIDATORS[0], `0x${parseEther("4").toString(16)}`]);
        await prepare(rlc, { foreignTopUps: topUps });
        expect(await balanceOf(VALIDATORS[0])).toBe(parseEther("10"));
    });

    test("refuses an unfunded deployer before the job, naming the account and the chain; a later top-up-only update needs funds on the foreign chain alone", async () => {
        const rlc = await rlcDouble();
        await rpc(home.rpcUrl, "anvil_setBalance", [DEPLOYER, "0x0"]);
        await expect(prepare(rlc)).rejects.toThrow(`the bridge deployer ${DEPLOYER} has no funds on the home chain`);
        // After the deployment the deployer may be emptied: an update that only tops up a new validator still works.
        await prepare(rlc, { beforeJob: false, foreignTopUps: [{ address: VALIDATORS[0], amount: parseEther("1") }] });
        expect(await balanceOf(VALIDATORS[0])).toBe(parseEther("1"));
        await expect(prepare(DEPLOYER, { beforeJob: false })).resolves.toMatchObject({ deployer: DEPLOYER });
    });

    test("refuses bridge.token.decimals other than the foreign token's, before anything is deployed", async () => {
        const rlc = await rlcDouble(18);
        const nonce = Number(await rpc(foreign.rpcUrl, "eth_getTransactionCount", [DEPLOYER, "latest"]));
        await expect(prepare(rlc, { foreignTopUps: VALIDATORS.map((address) => ({ address, amount: parseEther("10") })) })).rejects.toThrow(
            `consortium:bridge.token.decimals is ${DECIMALS}, but the foreign token ${rlc} has 18 decimals: set bridge.token.decimals to 18`,
        );
        expect(Number(await rpc(foreign.rpcUrl, "eth_getTransactionCount", [DEPLOYER, "latest"]))).toBe(nonce);
        await expect(prepare(DEPLOYER)).rejects.toThrow(`the foreign token ${DEPLOYER} does not answer decimals()`);
    });

    test("a raised attempt is refused over a bridge already in use, and allowed over an unused or incomplete one", async () => {
        const rlc = await rlcDouble();
        const first = await prepare(rlc);
        const rerunFrom = { homeNonce: first.homeNonce, foreignNonce: first.foreignNonce };

        // The first run stopped half-way: only the home side exists.
        const homeSide = await deploySide(home.rpcUrl, HOME, "home");
        await expect(prepare(rlc, { rerunFrom })).resolves.toMatchObject({ deployer: DEPLOYER });

        // Complete and unused: allowed.
        const foreignSide = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc });
        await expect(prepare(rlc, { rerunFrom })).resolves.toMatchObject({ deployer: DEPLOYER });

        // RLC locked in the foreign bridge: a new run would strand it.
        await send(foreign.rpcUrl, FOREIGN, "TokenDouble", rlc, "mint", [foreignSide.bridge, 5n]);
        await expect(prepare(rlc, { rerunFrom })).rejects.toThrow(`the foreign bridge ${foreignSide.bridge} holds 5 of ${rlc}`);
        expect(homeSide.bridge).toBeDefined();
    });
});

describe("finding the bridge after the job (the Kubernetes path: the deployer's CREATE addresses)", () => {
    test("finds the proxies among the deployer's contracts, verified with getBridgeMode(), and the ERC677 token from the home bridge", async () => {
        const rlc = await rlcDouble();
        const preparation = await prepare(rlc);
        const homeSide = await deploySide(home.rpcUrl, HOME, "home");
        const foreignSide = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc });

        const found = await findFrom(preparation, rlc);
        expect(found.homeBridge).toBe(homeSide.bridge);
        expect(found.erc677Token).toBe(homeSide.token);
        expect(found.foreignBridge).toBe(foreignSide.bridge);
        // The addresses are the deployer's CREATE addresses, so they are known from its nonces alone.
        expect(found.homeBridge).toBe(getCreateAddress({ from: DEPLOYER, nonce: preparation.homeNonce + 3 }));
        expect(found.foreignBridge).toBe(getCreateAddress({ from: DEPLOYER, nonce: preparation.foreignNonce + 2 }));
        // deployedAtBlock(): the block of initialize, as TokenBridge records it.
        const initialisedAt = async (url: string, address: string) => {
            for (let block = Number(await rpc(url, "eth_blockNumber", [])); block >= 0; block--) {
                const initialised = await rpc(url, "eth_call", [{ to: address, data: "0x392e53cd" }, `0x${block.toString(16)}`]); // isInitialized()
                if (BigInt(initialised) === 0n) return block + 1;
            }
            return 0;
        };
        expect(found.homeDeployedBlock).toBe(await initialisedAt(home.rpcUrl, homeSide.bridge));
        expect(found.foreignDeployedBlock).toBe(await initialisedAt(foreign.rpcUrl, foreignSide.bridge));
    });

    test("says so when the job deployed nothing", async () => {
        await expect(findBridgeContracts({ ...endpoints(), deployer: DEPLOYER, homeNonceFrom: 0, foreignNonceFrom: 0, expected: expectedFor(DEPLOYER) })).rejects.toThrow(
            /expected this stack's ERC_TO_ERC bridge proxy .* found none: Did the bridge contracts job succeed/,
        );
    });

    test("a job run twice from the same nonces leaves two bridges: the last one is this stack's", async () => {
        const rlc = await rlcDouble();
        const preparation = await prepare(rlc);
        const first = { home: await deploySide(home.rpcUrl, HOME, "home"), foreign: await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc }) };
        const second = { home: await deploySide(home.rpcUrl, HOME, "home"), foreign: await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc }) };
        const messages: string[] = [];
        const found = await findFrom(preparation, rlc, { log: (message) => messages.push(message) });
        expect(found).toMatchObject({ homeBridge: second.home.bridge, erc677Token: second.home.token, foreignBridge: second.foreign.bridge });
        expect(messages).toContain(`Bridge: the home chain has 2 bridges from runs of the contracts job; the last, ${second.home.bridge}, is this stack's (earlier: ${first.home.bridge})`);
    });

    test("an uninitialised proxy, one with other validators or signatures, and one with a decimal shift are never this stack's bridge", async () => {
        const rlc = await rlcDouble();
        const preparation = await prepare(rlc);
        const good = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc });
        const uninitialised = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc, initialise: false });
        const others = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc, validators: [VALIDATORS[0], DEPLOYER] });
        const fewer = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc, requiredSignatures: 1 });
        const shifted = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc, decimalShift: 9 });
        const homeSide = await deploySide(home.rpcUrl, HOME, "home");
        const options = { ...endpoints(), deployer: DEPLOYER, homeNonceFrom: preparation.homeNonce, foreignNonceFrom: preparation.foreignNonce, expected: expectedFor(rlc) };
        // The good one came first: every later proxy is passed over, so it is still the one found.
        expect((await findBridgeContracts(options)).foreignBridge).toBe(good.bridge);

        // Reported (the Docker path), each is refused with the reason.
        const reported = (foreignBridge: string) => ({ homeBridge: homeSide.bridge, homeDeployedBlock: 0, erc677Token: homeSide.token, foreignBridge, foreignDeployedBlock: 0 });
        await expect(findBridgeContracts({ ...options, reported: reported(uninitialised.bridge) })).rejects.toThrow(`${uninitialised.bridge} is a bridge proxy that was never initialised`);
        await expect(findBridgeContracts({ ...options, reported: reported(others.bridge) })).rejects.toThrow(`${others.bridge} is run by other validators`);
        await expect(findBridgeContracts({ ...options, reported: reported(fewer.bridge) })).rejects.toThrow(`${fewer.bridge} requires 1 signatures, not this stack's ${REQUIRED}`);
        await expect(findBridgeContracts({ ...options, reported: reported(shifted.bridge) })).rejects.toThrow(`${shifted.bridge} shifts amounts by 9 decimals`);

        // Without the good one, discovery finds none and says why each was refused.
        const alone = await findBridgeContracts({ ...options, foreignNonceFrom: preparation.foreignNonce + 5 }).catch((error: Error) => error.message);
        expect(alone).toContain("found none");
        expect(alone).toContain(`${uninitialised.bridge} is a bridge proxy that was never initialised`);
        expect(alone).toContain(`${others.bridge} is run by other validators`);
    });

    test("refuses a bridge of another mode, a foreign bridge holding another token, and a home token of other decimals", async () => {
        const rlc = await rlcDouble();
        await deploySide(home.rpcUrl, HOME, "home", { mode: "0x58a8b61b" });
        await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc });
        const options = { ...endpoints(), deployer: DEPLOYER, homeNonceFrom: 0, foreignNonceFrom: 1, expected: expectedFor(rlc) };
        await expect(findBridgeContracts(options)).rejects.toThrow(/home chain .* found none: .* is not an ERC_TO_ERC bridge/);

        const homeSide = await deploySide(home.rpcUrl, HOME, "home", { decimals: 18 });
        await expect(findBridgeContracts(options)).rejects.toThrow(`${homeSide.bridge} mints ${homeSide.token}, which has 18 decimals, not bridge.token.decimals ${DECIMALS}`);
        await deploySide(home.rpcUrl, HOME, "home");
        const other = await rlcDouble();
        await expect(findBridgeContracts({ ...options, expected: expectedFor(other) })).rejects.toThrow(/holds the token .*, not the configured/);
    });
});

describe("checking what the job reported (the Docker path: its logs)", () => {
    test("accepts the reported proxies and refuses an implementation or a wrong token reported as the bridge", async () => {
        const rlc = await rlcDouble();
        const homeSide = await deploySide(home.rpcUrl, HOME, "home");
        const foreignSide = await deploySide(foreign.rpcUrl, FOREIGN, "foreign", { foreignToken: rlc });
        const reported = { homeBridge: homeSide.bridge, homeDeployedBlock: 0, erc677Token: homeSide.token, foreignBridge: foreignSide.bridge, foreignDeployedBlock: 0 };
        const options = { ...endpoints(), deployer: DEPLOYER, homeNonceFrom: 0, foreignNonceFrom: 0, expected: expectedFor(rlc) };

        const found = await findBridgeContracts({ ...options, reported });
        expect(found).toMatchObject({ homeBridge: homeSide.bridge, foreignBridge: foreignSide.bridge, erc677Token: homeSide.token });
        expect(found.homeDeployedBlock).toBeGreaterThan(0);

        await expect(findBridgeContracts({ ...options, reported: { ...reported, homeBridge: homeSide.implementation } })).rejects.toThrow(
            `the job reported the home bridge at ${homeSide.implementation}, but ${homeSide.implementation} is a bridge implementation, not its proxy`,
        );
        await expect(findBridgeContracts({ ...options, reported: { ...reported, erc677Token: rlc } })).rejects.toThrow(BridgeDeploymentError);
    });
});
