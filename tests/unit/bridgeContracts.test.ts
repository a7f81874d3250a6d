import { readFileSync } from "fs";
import * as path from "path";
import { bridgeContractsEnvironment, bridgeSettingsFailures, type BridgeContractsSettings } from "../../components/bridge/contractsEnv";
import { parseBridgeDeploymentResults } from "../../components/bridge/results";
import { ERC_TO_ERC_VARIABLES } from "../fixtures/tokenbridgeLoadEnv";


const OWNER = "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb";
const V1 = "0x1111111111111111111111111111111111111111";
const V2 = "0x2222222222222222222222222222222222222222";
const side = (rpcUrl: string) => ({
    rpcUrl,
    gasPrice: 1_000_000_000n,
    deploymentGasPrice: 1_000_000_000n,
    requiredBlockConfirmations: 1,
    limits: { dailyLimit: 50_000_000_000n, maxPerTx: 5_000_000_000n, minPerTx: 500_000_000n },
    owner: OWNER,
});
const SETTINGS: BridgeContractsSettings = {
    home: side("http://authority-1:8545"),
    foreign: { ...side("http://foreign-1:8545"), requiredBlockConfirmations: 8, deploymentGasPrice: 30_000_000_000n },
    foreignToken: "0x607F4C5BB672230e8672085532f7e901544a7375",
    bridgeableToken: { name: "iEx.ec Network Sidechain Token", symbol: "xRLC", decimals: 9 },
    validators: [V1, V2],
    requiredSignatures: 2,
    gasLimitExtra: 0.25,
    receiptIntervalMs: 5000,
};

describe("the TokenBridge 5.6.0 deployment environment (ERC_TO_ERC)", () => {
    const env = bridgeContractsEnvironment(SETTINGS);

    test("sets exactly the variables loadEnv.js requires in that mode, and no key", () => {
        expect(Object.keys(env).sort()).toEqual([...ERC_TO_ERC_VARIABLES].sort());
        expect(env).not.toHaveProperty("DEPLOYMENT_ACCOUNT_PRIVATE_KEY");
    });

    test("carries the settings in the formats loadEnv.js parses", () => {
        expect(env.BRIDGE_MODE).toBe("ERC_TO_ERC");
        expect(env.VALIDATORS).toBe(`${V1} ${V2}`);
        expect(env.REQUIRED_NUMBER_OF_VALIDATORS).toBe("2");
        expect(env.HOME_DAILY_LIMIT).toBe("50000000000");
        expect(env.FOREIGN_REQUIRED_BLOCK_CONFIRMATIONS).toBe("8");
        // The deployment's own gas is set apart from the bridge's fallback gas price.
        expect(env.FOREIGN_DEPLOYMENT_GAS_PRICE).toBe("30000000000");
        expect(env.FOREIGN_GAS_PRICE).toBe("1000000000");
        expect(env.DEPLOYMENT_GAS_LIMIT_EXTRA).toBe("0.25");
        expect(env.GET_RECEIPT_INTERVAL_IN_MILLISECONDS).toBe("5000");
        expect(env.FOREIGN_REWARDABLE).toBe("false");
        expect(env.ERC20_TOKEN_ADDRESS).toBe(SETTINGS.foreignToken);
    });

    test.each<[string, Partial<BridgeContractsSettings>, string]>([
        ["no required signature", { requiredSignatures: 0 }, "REQUIRED_NUMBER_OF_VALIDATORS must be between 1 and the 2 validators (got 0)"],
        ["more signatures than validators", { requiredSignatures: 3 }, "REQUIRED_NUMBER_OF_VALIDATORS must be between 1 and the 2 validators (got 3)"],
        ["a validator twice", { validators: [V1, V1.toUpperCase().replace("0X", "0x")] }, "VALIDATORS lists an address twice"],
        ["min not below max", { home: { ...SETTINGS.home, limits: { dailyLimit: 10n, maxPerTx: 5n, minPerTx: 5n } } }, "0 < HOME_MIN_AMOUNT_PER_TX < HOME_MAX_AMOUNT_PER_TX < HOME_DAILY_LIMIT (got 5 < 5 < 10)"],
        ["max not below daily", { foreign: { ...SETTINGS.foreign, limits: { dailyLimit: 5n, maxPerTx: 5n, minPerTx: 1n } } }, "0 < FOREIGN_MIN_AMOUNT_PER_TX < FOREIGN_MAX_AMOUNT_PER_TX < FOREIGN_DAILY_LIMIT"],
        ["zero minimum", { home: { ...SETTINGS.home, limits: { dailyLimit: 10n, maxPerTx: 5n, minPerTx: 0n } } }, "0 < HOME_MIN_AMOUNT_PER_TX"],
        ["zero gas price", { foreign: { ...SETTINGS.foreign, gasPrice: 0n } }, "FOREIGN_GAS_PRICE must be greater than zero"],
        ["no confirmations", { home: { ...SETTINGS.home, requiredBlockConfirmations: 0 } }, "HOME_REQUIRED_BLOCK_CONFIRMATIONS must be a positive integer (got 0)"],
    ])("refuses %s, naming the variable", (_label, change, message) => {
        const settings = { ...SETTINGS, ...change };
        expect(bridgeSettingsFailures(settings).join("\n")).toContain(message);
        expect(() => bridgeContractsEnvironment(settings)).toThrow(message);
    });
});

describe("the deployment results", () => {
    test("are read from the job's output after its progress lines", () => {
        const output = readFileSync(path.join(__dirname, "..", "fixtures", "bridge-deploy-output.txt"), "utf8");
        expect(parseBridgeDeploymentResults(output)).toEqual({
            homeBridge: "0xC5D7bF2f0eFF4f4Cf8dbe8B05e1FcE1Bc1E1bA7D",
            homeDeployedBlock: 1523,
            erc677Token: "0x2A3b4c5D6E7f8091a2B3C4D5e6f708192a3b4c5D",
            foreignBridge: "0x5C3B1f2E4d6A8b0C9e7F1a3b5c7d9E0f2a4B6c8D",
            foreignDeployedBlock: 98,
        });
    });

    test("an output without results is a clear error", () => {
        expect(() => parseBridgeDeploymentResults("Error: insufficient funds\n{\"code\": -32000}")).toThrow("the bridge deployment printed no results");
    });

    test("a malformed block number is a clear error", () => {
        expect(() => parseBridgeDeploymentResults('{"homeBridge":{"address":"0x5c3b1f2e4d6a8b0c9e7f1a3b5c7d9e0f2a4b6c8d","deployedBlockNumber":"soon","erc677":{"address":"0x5c3b1f2e4d6a8b0c9e7f1a3b5c7d9e0f2a4b6c8d"}},"foreignBridge":{"address":"0x5c3b1f2e4d6a8b0c9e7f1a3b5c7d9e0f2a4b6c8d","deployedBlockNumber":1}}')).toThrow(
            "homeBridge.deployedBlockNumber is not a block number",
        );
    });
});
