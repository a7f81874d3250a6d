import { readFileSync } from "fs";
import * as path from "path";

/** Compiles a test's Solidity fixture with solc-js: contract name to ABI and creation bytecode. */
export function compileFixture(fileName: string): Record<string, { abi: unknown[]; bytecode: string }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc");
    const source = readFileSync(path.join(__dirname, "..", "fixtures", "contracts", fileName), "utf8");
    const input = {
        language: "Solidity",
        sources: { [fileName]: { content: source } },
        settings: { evmVersion: "istanbul", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input)));
    const errors = (output.errors ?? []).filter((error: { severity: string }) => error.severity === "error");
    if (errors.length > 0) throw new Error(errors.map((error: { formattedMessage: string }) => error.formattedMessage).join("\n"));
    return Object.fromEntries(
        Object.entries(output.contracts[fileName] as Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>).map(([name, contract]) => [
            name,
            { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` },
        ]),
    );
}
