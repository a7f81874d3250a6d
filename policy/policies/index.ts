import type { Policies } from "@pulumi/policy";
import { authorityCount, authorityCountOdd, bridgeSignaturesMajority, genesisUnchanged } from "./chain";
import { dockerDaemonConfined } from "./dockerDaemon";
import { authorityDisruptionBudget, chainStateProtected } from "./durability";
import { noKeysInEnvironment, rpcRequiresAuthentication } from "./exposure";
import { imagesPinned } from "./images";

export { authorityCount, authorityCountOdd, authorityDisruptionBudget, bridgeSignaturesMajority, chainStateProtected, dockerDaemonConfined, genesisUnchanged, imagesPinned, noKeysInEnvironment, rpcRequiresAuthentication };

/** Every policy of the consortium pack, in the order a reviewer reads them. */
export const CONSORTIUM_POLICIES: Policies = [
    authorityCount,
    authorityCountOdd,
    genesisUnchanged,
    imagesPinned,
    rpcRequiresAuthentication,
    chainStateProtected,
    authorityDisruptionBudget,
    noKeysInEnvironment,
    dockerDaemonConfined,
    bridgeSignaturesMajority,
];
