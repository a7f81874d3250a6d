import { runProgram } from "./components/program";

// Every output runProgram() returns, one export each (tests/unit/project.test.ts keeps the two lists equal and
// the README's "Stack outputs" table with them).
const outputs = runProgram();

export const chainId = outputs.chainId;
export const networkId = outputs.networkId;
export const specHash = outputs.specHash;
export const genesisHash = outputs.genesisHash;
export const authorities = outputs.authorities;
export const validators = outputs.validators;
export const enodes = outputs.enodes;
export const rpcUrl = outputs.rpcUrl;
export const wsUrl = outputs.wsUrl;
export const chainSpec = outputs.chainSpec;
/** Keystores and passwords of this stack's authorities, for backups: `pulumi stack output keystores --show-secrets`. */
export const keystores = outputs.keystores;
export const poco = outputs.poco;
export const foreignChain = outputs.foreignChain;
export const bridge = outputs.bridge;
export const permissioning = outputs.permissioning;
/** The workerpool, its accounts, services' URLs, published orders and the iExec SDK's chain.json entry. */
export const workerpool = outputs.workerpool;
/** Per reading member, the RPC gateway password: `pulumi stack output rpcCredentials --show-secrets`. */
export const rpcCredentials = outputs.rpcCredentials;
