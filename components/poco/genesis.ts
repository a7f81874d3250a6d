import { genericFactoryRuntimeCode } from "./artifacts";
import { GENERIC_FACTORY_ADDRESS } from "./plan";

/**
 * System contracts every consortium chain has from genesis. iExec's GenericFactory (CREATE2, no
 * state, no owner) at its usual address makes PoCo's addresses deterministic without the
 * pre-signed, non-EIP-155 transaction that deploys it on public chains. A launched chain's genesis
 * is frozen, so it is in every spec from the start.
 */
export const GENESIS_CONTRACTS: Readonly<Record<string, string>> = {
    [GENERIC_FACTORY_ADDRESS]: genericFactoryRuntimeCode(),
};
