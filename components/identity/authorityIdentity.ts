import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { deriveAccount, deriveNodeIdentity, encryptKeystoreV3, keystoreFileName } from "./keys";

export interface AuthorityIdentityArgs {
    /** Length of the keystore password (the seed's pwdgen used 24). */
    readonly passwordLength: number;
    /** Protect the random key material from deletion: losing it loses the validator's identity. */
    readonly protect: boolean;
}

/**
 * The keys of one authority run by this stack. The random values live in state as secrets; every
 * other field is derived in code, so previews cost nothing and re-runs change nothing.
 */
export class AuthorityIdentity extends pulumi.ComponentResource {
    /** EIP-55 signer address (public). */
    public readonly address: pulumi.Output<string>;
    /** devp2p node id, 128 hex characters (public). */
    public readonly enodeId: pulumi.Output<string>;
    /** 0x-prefixed signer private key (secret). */
    public readonly privateKey: pulumi.Output<string>;
    /** 0x-prefixed devp2p node key (secret). */
    public readonly nodeKey: pulumi.Output<string>;
    /** Keystore password (secret). */
    public readonly password: pulumi.Output<string>;
    /** V3 keystore JSON of the signer key, encrypted with the password (secret). */
    public readonly keystoreJson: pulumi.Output<string>;
    /** File name under which clients find the keystore (public). */
    public readonly keystoreFileName: pulumi.Output<string>;

    constructor(name: string, args: AuthorityIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:identity:AuthorityIdentity", name, {}, opts);
        const keep = { parent: this, protect: args.protect, retainOnDelete: args.protect };
        const signerBytes = new random.RandomBytes(`${name}-signer-key`, { length: 32 }, keep);
        const nodeBytes = new random.RandomBytes(`${name}-node-key`, { length: 32 }, keep);
        const password = new random.RandomPassword(
            `${name}-keystore-password`,
            // Alphanumeric only: password files are read line by line and trimmed by the clients.
            { length: args.passwordLength, special: false },
            { parent: this },
        );

        const account = signerBytes.hex.apply(deriveAccount);
        const node = nodeBytes.hex.apply(deriveNodeIdentity);
        this.address = pulumi.unsecret(account.apply((a) => a.address));
        this.enodeId = pulumi.unsecret(node.apply((n) => n.enodeId));
        this.privateKey = pulumi.secret(account.apply((a) => a.privateKey));
        this.nodeKey = pulumi.secret(node.apply((n) => n.nodeKey));
        this.password = pulumi.secret(password.result);
        this.keystoreJson = pulumi.secret(pulumi.all([this.privateKey, this.password]).apply(([key, pass]) => encryptKeystoreV3(key, pass)));
        this.keystoreFileName = this.address.apply(keystoreFileName);

        this.registerOutputs({
            address: this.address,
            enodeId: this.enodeId,
            keystoreFileName: this.keystoreFileName,
        });
    }
}
