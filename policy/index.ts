import { PolicyPack } from "@pulumi/policy";
import { CONSORTIUM_POLICIES } from "./policies";

// Run by `pulumi preview --policy-pack policy` (npm run preview, the pull-request workflow); each
// stack's settings come from `--policy-pack-config`, written by scripts/policy-config.ts.
new PolicyPack("consortium", {
    description: "Guards an iExec consortium's invariants: enough authorities, a frozen genesis, pinned images, authenticated RPC, protected chain state, no keys in environment variables, a majority-signed bridge.",
    enforcementLevel: "mandatory",
    policies: CONSORTIUM_POLICIES,
});
