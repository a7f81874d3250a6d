import { ORACLE_PROCESSES, oracleEnvironment, type OracleSettings } from "../../components/bridge/oracle";

const SETTINGS: OracleSettings = {
    validatorAddress: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb",
    home: { rpcUrl: "http://authority-1:8545", bridge: "0x1111111111111111111111111111111111111111", startBlock: 120, pollingIntervalMs: 2000, gasPriceFallback: 1_000_000_000n },
    foreign: { rpcUrl: "https://mainnet.example", bridge: "0x2222222222222222222222222222222222222222", startBlock: 9_000_000, pollingIntervalMs: 5000, gasPriceFallback: 20_000_000_000n },
    logLevel: "info",
};

describe("bridge validator processes (oracle 2.7, ERC_TO_ERC)", () => {
    test("are the oracle's five processes plus the ERC-20 transfer watcher", () => {
        expect(ORACLE_PROCESSES.map((process) => process.script)).toEqual([
            "watcher:signature-request",
            "watcher:collected-signatures",
            "watcher:affirmation-request",
            "watcher:transfer",
            "sender:home",
            "sender:foreign",
        ]);
    });

    test("only the signature-request watcher and the senders sign; the others know only the address", () => {
        for (const process of ORACLE_PROCESSES) {
            const env = oracleEnvironment(SETTINGS, process);
            expect(env).not.toHaveProperty("ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY");
            if (process.signs) expect(env).not.toHaveProperty("ORACLE_VALIDATOR_ADDRESS");
            else expect(env.ORACLE_VALIDATOR_ADDRESS).toBe(SETTINGS.validatorAddress);
        }
        expect(ORACLE_PROCESSES.filter((process) => process.signs).map((process) => process.name)).toEqual(["request", "senderhome", "senderforeign"]);
    });

    test("carries the bridge and chains in the oracle's variable names, and no URL with a password", () => {
        const env = oracleEnvironment(SETTINGS, ORACLE_PROCESSES[1]);
        expect(env).not.toHaveProperty("ORACLE_QUEUE_URL");
        expect(env).not.toHaveProperty("ORACLE_REDIS_URL");
        expect(env).toMatchObject({
            ORACLE_BRIDGE_MODE: "ERC_TO_ERC",
            COMMON_HOME_RPC_URL: "http://authority-1:8545",
            COMMON_FOREIGN_BRIDGE_ADDRESS: "0x2222222222222222222222222222222222222222",
            ORACLE_HOME_START_BLOCK: "120",
            ORACLE_FOREIGN_START_BLOCK: "9000000",
            ORACLE_MAX_PROCESSING_TIME: "20000",
            COMMON_FOREIGN_GAS_PRICE_FALLBACK: "20000000000",
        });
    });

    test("allows plain HTTP RPC only when an endpoint uses it", () => {
        expect(oracleEnvironment(SETTINGS, ORACLE_PROCESSES[0]).ORACLE_ALLOW_HTTP_FOR_RPC).toBe("yes");
        const tls = { ...SETTINGS, home: { ...SETTINGS.home, rpcUrl: "https://rpc.consortium.example" } };
        expect(oracleEnvironment(tls, ORACLE_PROCESSES[0])).not.toHaveProperty("ORACLE_ALLOW_HTTP_FOR_RPC");
    });
});
