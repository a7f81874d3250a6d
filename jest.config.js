/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
    testEnvironmentOptions: { globalsCleanup: "off" },
    testTimeout: 60000,
    reporters: ["default", "<rootDir>/tests/reporters/summary.js"],
};
