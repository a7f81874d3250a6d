import { createCipheriv } from "crypto";
import { SigningKey, computeAddress, concat, getBytes, hexlify, keccak256, pbkdf2, toUtf8Bytes, uuidV4 } from "ethers";

/**
 * Pure derivation of everything an authority needs from two random 32-byte values and a password:
 * signer key, EIP-55 address, node key, enode id and a V3 keystore. Deterministic by construction,
 * so re-running the program reproduces byte-identical files and nothing changes in state.
 */

/** secp256k1 group order: a private key is an integer in [1, n-1]. */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The seed's ethstore used pbkdf2 with 10,240 rounds: cheap enough for a preview of 100 authorities. */
export const KEYSTORE_PBKDF2_ROUNDS = 10_240;

/**
 * Maps 32 random bytes to a valid secp256k1 private key. Bytes already in [1, n-1] (all but a
 * ~2^-128 fraction) are kept; otherwise they are re-hashed with keccak256 until they are.
 */
export function toPrivateKey(randomHex: string): string {
    let candidate = normaliseHex32(randomHex);
    for (;;) {
        const value = BigInt(candidate);
        if (value > 0n && value < CURVE_ORDER) return candidate;
        candidate = keccak256(candidate);
    }
}

function normaliseHex32(hex: string): string {
    const prefixed = hex.startsWith("0x") ? hex : `0x${hex}`;
    const bytes = getBytes(prefixed);
    if (bytes.length !== 32) throw new Error(`expected 32 random bytes, got ${bytes.length}`);
    return hexlify(bytes);
}

export interface Account {
    /** 0x-prefixed 32-byte private key. */
    readonly privateKey: string;
    /** EIP-55 checksummed address. */
    readonly address: string;
}

export function deriveAccount(randomHex: string): Account {
    const privateKey = toPrivateKey(randomHex);
    return { privateKey, address: computeAddress(privateKey) };
}

export interface NodeIdentity {
    /** 0x-prefixed 32-byte devp2p private key. */
    readonly nodeKey: string;
    /** The enode id: the uncompressed public key without its 0x04 prefix, 128 lowercase hex characters. */
    readonly enodeId: string;
}

export function deriveNodeIdentity(randomHex: string): NodeIdentity {
    const nodeKey = toPrivateKey(randomHex);
    const enodeId = new SigningKey(nodeKey).publicKey.slice(4).toLowerCase();
    return { nodeKey, enodeId };
}

export function enodeUrl(enodeId: string, host: string, port: number): string {
    return `enode://${enodeId}@${host}:${port}`;
}

/**
 * Web3 Secret Storage V3 keystore (pbkdf2-hmac-sha256, aes-128-ctr), the format Parity's ethstore
 * wrote and that Parity, OpenEthereum, Nethermind and ethers all read. ethers only writes scrypt
 * keystores (about 10x slower at a comparable cost), so the pbkdf2 variant is assembled here from
 * ethers' primitives. Salt, IV and id are derived from the key and password rather than drawn at
 * random, which makes the JSON identical on every run.
 */
export function encryptKeystoreV3(privateKey: string, password: string): string {
    const key = getBytes(toPrivateKey(privateKey));
    const passwordBytes = toUtf8Bytes(password.normalize("NFKC"));
    const salt = getBytes(keccak256(concat([toUtf8Bytes("consortium/keystore/salt"), key])));
    const iv = getBytes(keccak256(concat([toUtf8Bytes("consortium/keystore/iv"), key, passwordBytes]))).slice(0, 16);
    const uuidSeed = getBytes(keccak256(concat([toUtf8Bytes("consortium/keystore/id"), key]))).slice(0, 16);

    const derived = getBytes(pbkdf2(passwordBytes, salt, KEYSTORE_PBKDF2_ROUNDS, 32, "sha256"));
    const cipher = createCipheriv("aes-128-ctr", derived.slice(0, 16), iv);
    const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
    const mac = keccak256(concat([derived.slice(16, 32), ciphertext]));

    const strip = (hex: string) => hex.slice(2);
    return JSON.stringify({
        address: strip(computeAddress(hexlify(key)).toLowerCase()),
        crypto: {
            cipher: "aes-128-ctr",
            cipherparams: { iv: strip(hexlify(iv)) },
            ciphertext: ciphertext.toString("hex"),
            kdf: "pbkdf2",
            kdfparams: { c: KEYSTORE_PBKDF2_ROUNDS, dklen: 32, prf: "hmac-sha256", salt: strip(hexlify(salt)) },
            mac: strip(mac),
        },
        id: uuidV4(uuidSeed),
        version: 3,
    });
}

/**
 * Keystore file name. Nethermind finds a key by globbing for the lowercase address without 0x in the
 * file name; Parity and OpenEthereum read every file in their keys folder, whatever its name.
 */
export function keystoreFileName(address: string): string {
    return `key-${address.toLowerCase().slice(2)}.json`;
}
