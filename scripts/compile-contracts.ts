/**
 * Compiles the project's own Solidity (components/permissioning/TxPermissions.sol) into the artifact the program
 * reads: `npm run build:contracts`. Run it after editing the source; tests/unit/contractBuild.test.ts fails while
 * the committed artifact differs from a fresh compile.
 */
import { writeFileSync } from "fs";
import { TX_PERMISSIONS_ARTIFACT, compileTxPermissionsSource } from "../components/permissioning/contract";

writeFileSync(TX_PERMISSIONS_ARTIFACT, `${JSON.stringify(compileTxPermissionsSource(), null, 2)}\n`);
console.log(`wrote ${TX_PERMISSIONS_ARTIFACT}`);
