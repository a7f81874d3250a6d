import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { deriveNodeIdentity } from "./keys";

/**
 * The devp2p identity of a node that holds no signer key (an RPC node): the authorities list its enode among
 * their static (reserved) peers, which OpenEthereum and Parity require of every inbound peer.
 */
export class NodeKey extends pulumi.ComponentResource {
    /** devp2p node id, 128 hex characters (public). */
    public readonly enodeId: pulumi.Output<string>;
    /** 0x-prefixed devp2p node key (secret). */
    public readonly nodeKey: pulumi.Output<string>;

    constructor(name: string, args: { readonly protect: boolean }, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:identity:NodeKey", name, {}, opts);
        const bytes = new random.RandomBytes(`${name}-node-key`, { length: 32 }, { parent: this, protect: args.protect, retainOnDelete: args.protect });
        const node = bytes.hex.apply(deriveNodeIdentity);
        this.enodeId = pulumi.unsecret(node.apply((identity) => identity.enodeId));
        this.nodeKey = pulumi.secret(node.apply((identity) => identity.nodeKey));
        this.registerOutputs({ enodeId: this.enodeId });
    }
}
