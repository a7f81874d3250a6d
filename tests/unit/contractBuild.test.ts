import { readFileSync } from "fs";
import { TX_PERMISSIONS_ARTIFACT, txPermissionsArtifact, compileTxPermissionsSource } from "../../components/permissioning/contract";

describe("the built permission contract", () => {
    test("equals a fresh compile of TxPermissions.sol (run npm run build:contracts after editing it)", () => {
        const fresh = compileTxPermissionsSource();
        expect(JSON.parse(readFileSync(TX_PERMISSIONS_ARTIFACT, "utf8"))).toEqual(fresh);
        expect(txPermissionsArtifact().runtimeCode).toBe(fresh.runtimeCode);
        expect(fresh.runtimeCode.length).toBeGreaterThan(1000);
    });
});
