import { getAddress } from "ethers";

/** Addresses and blocks an ERC_TO_ERC deployment reports in `bridgeDeploymentResults.json`. */
export interface BridgeDeploymentResults {
    readonly homeBridge: string;
    readonly homeDeployedBlock: number;
    readonly erc677Token: string;
    readonly foreignBridge: string;
    readonly foreignDeployedBlock: number;
}

/**
 * Reads the results from the deployment job's output: `deploy.sh` prints the JSON file after
 * `node deploy.js` logs its progress, so the last top-level JSON object with `homeBridge` and
 * `foreignBridge` is taken.
 */
export function parseBridgeDeploymentResults(output: string): BridgeDeploymentResults {
    const candidates: string[] = [];
    let depth = 0;
    let start = -1;
    for (let index = 0; index < output.length; index++) {
        const char = output[index];
        if (char === "{") {
            if (depth === 0) start = index;
            depth++;
        } else if (char === "}" && depth > 0) {
            depth--;
            if (depth === 0) candidates.push(output.slice(start, index + 1));
        }
    }
    for (const candidate of candidates.reverse()) {
        let parsed: any;
        try {
            parsed = JSON.parse(candidate);
        } catch {
            continue;
        }
        if (!parsed?.homeBridge || !parsed?.foreignBridge) continue;
        const block = (value: unknown, what: string) => {
            const number = Number(value);
            if (!Number.isSafeInteger(number) || number < 0) throw new Error(`bridge deployment results: ${what} is not a block number (${JSON.stringify(value)})`);
            return number;
        };
        return {
            homeBridge: getAddress(parsed.homeBridge.address),
            homeDeployedBlock: block(parsed.homeBridge.deployedBlockNumber, "homeBridge.deployedBlockNumber"),
            erc677Token: getAddress(parsed.homeBridge.erc677.address),
            foreignBridge: getAddress(parsed.foreignBridge.address),
            foreignDeployedBlock: block(parsed.foreignBridge.deployedBlockNumber, "foreignBridge.deployedBlockNumber"),
        };
    }
    throw new Error("the bridge deployment printed no results (no JSON object with homeBridge and foreignBridge in its output)");
}
