import { SigningKey, Wallet, decryptKeystoreJsonSync, getAddress } from "ethers";
import fc from "fast-check";
import { deriveAccount, deriveNodeIdentity, encryptKeystoreV3, keystoreFileName, toPrivateKey } from "../../components/identity/keys";

const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex32 = (value: bigint) => value.toString(16).padStart(64, "0");

describe("private keys from random bytes", () => {
    test("bytes in range are used as they are", () => {
        const random = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        expect(toPrivateKey(random)).toBe(`0x${random}`);
        expect(deriveAccount(random).address).toBe(new Wallet(`0x${random}`).address);
    });

    test.each([
        ["zero", 0n],
        ["the curve order", CURVE_ORDER],
        ["2^256 - 1", 2n ** 256n - 1n],
    ])("out-of-range bytes (%s) map deterministically to a valid key", (_label, value) => {
        const key = toPrivateKey(hex32(value));
        expect(BigInt(key)).toBeGreaterThan(0n);
        expect(BigInt(key)).toBeLessThan(CURVE_ORDER);
        expect(toPrivateKey(hex32(value))).toBe(key);
        expect(() => new SigningKey(key)).not.toThrow();
    });

    test("anything but 32 bytes is refused", () => {
        expect(() => toPrivateKey("abcd")).toThrow("expected 32 random bytes");
    });
});

describe("node identity", () => {
    test("the enode id is the uncompressed public key without its 04 prefix", () => {
        const random = "0".repeat(63) + "7";
        const { enodeId, nodeKey } = deriveNodeIdentity(random);
        expect(enodeId).toBe("5cbdf0646e5db4eaa398f365f2ea7a0e3d419b7e0330e39ce92bddedcac4f9bc6aebca40ba255960a3178d6d861a54dba813d0b813fde7b5a5082628087264da");
        expect(nodeKey).toBe(`0x${random}`);
    });
});

describe("V3 keystore", () => {
    const key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    test("ethers decrypts it with the password to the same key and address", () => {
        const json = encryptKeystoreV3(key, "correct horse battery staple");
        const account = decryptKeystoreJsonSync(json, "correct horse battery staple");
        expect(account.privateKey).toBe(key);
        expect(account.address).toBe(new Wallet(key).address);
    });

    test("a wrong password is rejected", () => {
        expect(() => decryptKeystoreJsonSync(encryptKeystoreV3(key, "right"), "wrong")).toThrow(/password/);
    });

    test("uses the seed's pbkdf2 KDF and the V3 layout clients read", () => {
        const parsed = JSON.parse(encryptKeystoreV3(key, "pw"));
        expect(parsed.version).toBe(3);
        expect(parsed.crypto.kdf).toBe("pbkdf2");
        expect(parsed.crypto.kdfparams).toMatchObject({ c: 10240, dklen: 32, prf: "hmac-sha256" });
        expect(parsed.crypto.cipher).toBe("aes-128-ctr");
        expect(getAddress(`0x${parsed.address}`)).toBe(new Wallet(key).address);
    });

    test("is byte-identical on every run, and differs with the password", () => {
        expect(encryptKeystoreV3(key, "pw")).toBe(encryptKeystoreV3(key, "pw"));
        expect(encryptKeystoreV3(key, "pw")).not.toBe(encryptKeystoreV3(key, "pw2"));
    });

    test("its file name carries the lowercase address, as Nethermind's key lookup needs", () => {
        const address = new Wallet(key).address;
        expect(keystoreFileName(address)).toBe(`key-${address.toLowerCase().slice(2)}.json`);
    });

    test("property: any 32 random bytes give a keystore that decrypts to the derived account", () => {
        fc.assert(
            fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ minLength: 1, maxLength: 40 }), (bytes, password) => {
                const account = deriveAccount(Buffer.from(bytes).toString("hex"));
                const decrypted = decryptKeystoreJsonSync(encryptKeystoreV3(account.privateKey, password), password);
                expect(decrypted.address).toBe(account.address);
            }),
            { numRuns: 25 },
        );
    });
});
