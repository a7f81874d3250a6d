/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
    testEnvironmentOptions: { globalsCleanup: "off" },
    testTimeout: 60000,
    // Two workers on two cores: much of the suite waits on anvil blocks and engine processes, not the CPU.
    maxWorkers: 2,
    reporters: ["default", "<rootDir>/tests/reporters/summary.js"],
};
