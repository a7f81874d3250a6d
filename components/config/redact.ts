/**
 * Config error messages quote what was configured, so that a wrong value is easy to find. A value
 * that looks like a secret (a private key or a mnemonic pasted into the wrong field) is never quoted:
 * CI logs and terminals keep what `pulumi preview` prints.
 */

export const REDACTED_PRIVATE_KEY = "<redacted: looks like a private key>";
export const REDACTED_MNEMONIC = "<redacted: looks like a mnemonic phrase>";

/**
 * 64 hex digits in a row, with or without 0x: a 32-byte private key. Longer runs are redacted too
 * (a key pasted next to other hex digits, or a 64-byte public key, which is not secret but cannot
 * be told apart from a key glued to something else).
 */
const HEX_RUN = /[0-9a-fA-F]{64,}/g;
/**
 * 12 or more short words in a row: a BIP-39 mnemonic (12 to 24 words of 3 to 8 letters in the
 * English list; other lists have shorter words, so any letters, 1 to 8 of them, count).
 */
const MNEMONIC = /(?:^|[^\p{L}])(?:\p{L}{1,8}[\s\u3000]+){11,}\p{L}{1,8}(?![\p{L}])/u;

/** The placeholder for a text that looks like a secret; undefined when it does not. */
export function secretPlaceholder(text: string): string | undefined {
    if (new RegExp(HEX_RUN.source).test(text)) return REDACTED_PRIVATE_KEY;
    if (MNEMONIC.test(text)) return REDACTED_MNEMONIC;
    return undefined;
}

/** Whether a configured value, or any string (or map key) inside it, looks like a secret. */
export function placeholderFor(value: unknown, depth = 0): string | undefined {
    if (typeof value === "string") return secretPlaceholder(value);
    if (depth > 32 || value === null || typeof value !== "object") return undefined;
    for (const [key, inner] of Object.entries(value)) {
        const found = (Array.isArray(value) ? undefined : secretPlaceholder(key)) ?? placeholderFor(inner, depth + 1);
        if (found) return found;
    }
    return undefined;
}

/** A configured text (a value, or a key taken from the user's config) as it may be quoted. */
export function quotable(text: string): string {
    return secretPlaceholder(text) ?? text;
}

/** The last line of defence, over a whole message: every run of 64 or more hex digits is replaced. */
export function scrubMessage(message: string): string {
    return message.replace(HEX_RUN, REDACTED_PRIVATE_KEY);
}
