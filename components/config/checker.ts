import * as pulumi from "@pulumi/pulumi";
import { ZeroAddress, getAddress, isHexString, parseUnits } from "ethers";
import { placeholderFor, quotable, scrubMessage } from "./redact";
import { suggestion } from "./suggest";

/** The checks every concept's configuration is read with: the Checker that collects issues, ConfigError, shared patterns and helpers. */

export const CONFIG_NAMESPACE = "consortium";

/** A RunError: the engine shows its message alone, without a stack trace, as the answer to a config mistake. */
export class ConfigError extends pulumi.RunError {
    readonly issues: readonly string[];

    constructor(issues: readonly string[]) {
        // Checker already scrubs its issues; this covers a ConfigError built anywhere else.
        const scrubbed = issues.map(scrubMessage);
        super(`Invalid stack configuration:\n${scrubbed.map((issue) => `  - ${issue}`).join("\n")}`);
        this.issues = scrubbed;
        this.name = "ConfigError";
    }
}

export const NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
export const ENODE_PATTERN = /^enode:\/\/([0-9a-fA-F]{128})@([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})(\?discport=\d{1,5})?$/;
export const QUANTITY_PATTERN = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
export const HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const IPV4_PATTERN = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An IPv4 CIDR block, as a NetworkPolicy's ipBlock takes it. */
export const CIDR_PATTERN = new RegExp(`${IPV4_PATTERN.source.slice(0, -1)}\\/([0-9]|[12]\\d|3[0-2])$`);

const IMAGE_PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?";
/** distribution/reference's grammar (reference.go): [domain[:port]/]path[:tag][@digest]; group 1 is the tag. */
export const IMAGE_REFERENCE = new RegExp(
    `^(?:${IMAGE_DOMAIN}/)?${IMAGE_PATH_COMPONENT}(?:/${IMAGE_PATH_COMPONENT})*(?::([\\w][\\w.-]{0,127}))?(?:@sha256:[0-9a-f]{64})?$`,
);

/** Collects every issue so that one run reports all of them. */
export class Checker {
    readonly issues: string[] = [];
    /** Where a parsed entry (an authority, a bridge validator) sits in the config, e.g. `authorities[1]`. */
    readonly positions = new WeakMap<object, string>();

    fail(key: string, message: string): undefined {
        return this.issue(`${CONFIG_NAMESPACE}:${key} ${message}`);
    }

    /** An issue that is not about one key (the stack name). Nothing that looks like a private key is ever printed. */
    issue(text: string): undefined {
        this.issues.push(scrubMessage(text));
        return undefined;
    }

    object(key: string, value: unknown, allowed: readonly string[]): Record<string, unknown> | undefined {
        if (value === undefined || value === null) return {};
        if (typeof value !== "object" || Array.isArray(value)) {
            return this.fail(key, `must be an object (got ${describe(value)})`);
        }
        const record = value as Record<string, unknown>;
        for (const field of Object.keys(record)) {
            if (!allowed.includes(field)) {
                this.fail(`${key}.${quotable(field)}`, `is not a known key; allowed keys of ${key}: ${allowed.join(", ")}${suggestion(field, allowed)}`);
            }
        }
        return record;
    }

    /** An object whose keys are data (such as addresses), not a fixed schema. */
    map(key: string, value: unknown): Record<string, unknown> | undefined {
        if (value === undefined || value === null) return {};
        if (typeof value !== "object" || Array.isArray(value)) return this.fail(key, `must be a map (got ${describe(value)})`);
        return value as Record<string, unknown>;
    }

    string(key: string, value: unknown, pattern?: RegExp, rule?: string): string | undefined {
        if (typeof value !== "string" || value.length === 0) {
            return this.fail(key, `must be a non-empty string (got ${describe(value)})`);
        }
        if (pattern && !pattern.test(value)) return this.fail(key, `${rule} (got ${describe(value)})`);
        return value;
    }

    oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T | undefined {
        if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
        return this.fail(key, `must be one of ${allowed.join(", ")} (got ${describe(value)})`);
    }

    integer(key: string, value: unknown, min: number, max: number, what: string): number | undefined {
        const parsed = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof parsed !== "number" || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
            return this.fail(key, `must be ${what} (got ${describe(value)})`);
        }
        return parsed;
    }

    boolean(key: string, value: unknown): boolean | undefined {
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        return this.fail(key, `must be true or false (got ${describe(value)})`);
    }

    address(key: string, value: unknown): string | undefined {
        if (typeof value !== "string" || !isHexString(value, 20)) {
            return this.fail(key, `must be a 20-byte hex address starting with 0x (got ${describe(value)})`);
        }
        let address: string;
        try {
            address = getAddress(value);
        } catch {
            return this.fail(key, `has an invalid EIP-55 checksum; use the checksummed or the all-lowercase form (got ${describe(value)})`);
        }
        if (address === ZeroAddress) {
            return this.fail(key, `must not be the zero address ${ZeroAddress}: nobody holds its key and no contract lives there`);
        }
        return address;
    }

    /**
     * An image reference in the grammar of distribution/reference (registry host and port, path, tag, digest), pinned:
     * a tag other than latest, or a sha256 digest (with or without a tag).
     */
    pinnedImage(key: string, value: unknown, example: string): string | undefined {
        const image = this.string(key, value, IMAGE_REFERENCE, `must be an image reference such as ${example} or one pinned by digest (${example}@sha256:<64 hex digits>)`);
        if (!image) return undefined;
        const tag = IMAGE_REFERENCE.exec(image)![1];
        if (!image.includes("@sha256:") && (tag === undefined || tag === "latest")) return this.fail(key, `must be pinned to a version or digest, not ${tag ? "latest" : "an implicit latest"} (got ${describe(value)})`);
        return image;
    }

    stringList(key: string, value: unknown): string[] | undefined {
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
            return this.fail(key, `must be a list of strings (got ${describe(value)})`);
        }
        return value as string[];
    }
}

/** Absent, or the empty object Pulumi.yaml's schema defaults an optional section to. */
export function isUnset(raw: unknown): boolean {
    return raw === undefined || raw === null || (typeof raw === "object" && !Array.isArray(raw) && Object.keys(raw).length === 0);
}

/** A configured value as a message quotes it: shortened, and never a value that looks like a private key or a mnemonic. */
export function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    const placeholder = placeholderFor(value);
    if (placeholder) return placeholder;
    const text = typeof value === "string" ? `'${value}'` : typeof value === "bigint" ? value.toString() : (JSON.stringify(value) ?? String(value));
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function nameRule(): string {
    return "must be a DNS label: lowercase letters, digits and '-', starting with a letter and not ending with '-'";
}

/** A token amount such as "1000" or "0.5", in the token's smallest unit. */
export function tokenAmount(check: Checker, key: string, value: unknown, decimals: number): bigint | undefined {
    const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== "string" || !/^\d+(\.\d+)?$/.test(text)) return check.fail(key, `must be a token amount such as "1000" or "0.5" (got ${describe(value)})`);
    try {
        return parseUnits(text, decimals);
    } catch {
        return check.fail(key, `has more than the token's ${decimals} decimals (got ${describe(value)})`);
    }
}
