import * as pulumi from "@pulumi/pulumi";
import type { ClientKind } from "../config";
import type { WorkloadSpec } from "../platform/workload";

/** Everything a client profile needs to turn one authority into a workload. */
export interface AuthorityNodeInput {
    readonly name: string;
    /** The spec's `name`; Parity and OpenEthereum look for keys in a folder of that name. */
    readonly chainName: string;
    readonly address: pulumi.Input<string>;
    /** Enode URLs of every other authority, own and external. */
    readonly staticPeers: readonly pulumi.Input<string>[];
    readonly corsOrigins: readonly string[];
    readonly image: string;
    readonly extraArgs: readonly string[];
    /** This node is the consortium's RPC endpoint. */
    readonly publicEndpoint: boolean;
    readonly specJson: pulumi.Input<string>;
    readonly keys: {
        readonly keystoreFileName: pulumi.Input<string>;
        readonly keystoreJson: pulumi.Input<string>;
        readonly password: pulumi.Input<string>;
        /** 0x-prefixed 32-byte devp2p key. */
        readonly nodeKey: pulumi.Input<string>;
    };
    readonly resources: { readonly cpu: string; readonly memory: string };
}

export interface ClientProfile {
    readonly kind: ClientKind;
    authorityWorkload(input: AuthorityNodeInput): WorkloadSpec;
}

/** Paths shared by every profile. */
export const SPEC_PATH = "/consortium/chain/spec.json";
export const CONFIG_DIR = "/consortium/config";
export const SECRETS_DIR = "/consortium/secrets";
export const PASSWORD_PATH = `${SECRETS_DIR}/password`;
