import { describe, isUnset, type Checker } from "../config/checker";
import { DEFAULT_CATEGORIES, type Category } from "./plan";

/** The PoCo configuration: its admin, RLC, salt, categories and readiness, and the admin's secret key. */

export type PocoCategoryConfig = Category;

export interface PocoConfig {
    /**
     * The consortium admin: deploys PoCo and owns it; its key is the secret `pocoAdminKey`. Absent when the config
     * says `admin: generated`: the program then makes the key like every other key (kept, secret, in state) and
     * funds the address in genesis.
     */
    readonly admin?: string;
    /** An existing ERC-20 to use as RLC; the faucet RLC is deployed when absent. */
    readonly rlcAddress?: string;
    /** CREATE2 salt, 32 bytes. */
    readonly salt: string;
    readonly categories: readonly PocoCategoryConfig[];
    /** Prefix of the registries' NFT metadata URIs. */
    readonly metadataBaseURI: string;
    /** How `pulumi up` reaches the chain, when the platform's RPC URL is not reachable from where it runs. */
    readonly rpcUrl?: string;
    readonly readinessTimeoutSeconds: number;
}

/** The secret config key holding the PoCo admin's private key. */
export const POCO_ADMIN_KEY = "pocoAdminKey";
/** `poco.admin: generated`: the program generates the PoCo admin's key. */
export const GENERATED_ADMIN = "generated";

export function parsePoco(check: Checker, raw: unknown, accounts: Readonly<Record<string, string>> | undefined, hasAdminKey: boolean): PocoConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("poco", raw, ["admin", "rlcAddress", "salt", "categories", "metadataBaseURI", "rpcUrl", "readinessTimeoutSeconds"]);
    if (!record) return undefined;
    const generated = record.admin === GENERATED_ADMIN;
    const admin = generated
        ? undefined
        : record.admin === undefined
          ? check.fail("poco.admin", `is required: the admin's address (funded in chain.accounts, its key the secret ${POCO_ADMIN_KEY}), or '${GENERATED_ADMIN}' for a key the program generates`)
          : check.address("poco.admin", record.admin);
    const rlcAddress = record.rlcAddress === undefined ? undefined : check.address("poco.rlcAddress", record.rlcAddress);
    const salt = record.salt === undefined ? `0x${"00".repeat(32)}` : check.string("poco.salt", record.salt, /^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of hex starting with 0x");
    const metadataBaseURI =
        record.metadataBaseURI === undefined ? "https://nfts-metadata.iex.ec" : check.string("poco.metadataBaseURI", record.metadataBaseURI, /^https?:\/\/\S+[^/]$/, "must be an http(s) URL without a trailing slash");
    const rpcUrl = record.rpcUrl === undefined ? undefined : check.string("poco.rpcUrl", record.rpcUrl, /^(https?|wss?):\/\/\S+$/, "must be an http(s) or ws(s) URL");
    const readinessTimeoutSeconds =
        record.readinessTimeoutSeconds === undefined ? 600 : check.integer("poco.readinessTimeoutSeconds", record.readinessTimeoutSeconds, 1, 86_400, "a number of seconds from 1 to 86400");
    let categories: PocoCategoryConfig[] | undefined = [...DEFAULT_CATEGORIES];
    if (record.categories !== undefined) {
        if (!Array.isArray(record.categories) || record.categories.length === 0) {
            categories = check.fail("poco.categories", `must be a non-empty list of { name, description?, workClockTimeRef } (got ${describe(record.categories)})`);
        } else {
            categories = [];
            record.categories.forEach((item, index) => {
                const key = `poco.categories[${index}]`;
                const category = check.object(key, item, ["name", "description", "workClockTimeRef"]);
                const name = check.string(`${key}.name`, category?.name);
                const description = category?.description === undefined ? "{}" : check.string(`${key}.description`, category.description);
                const workClockTimeRef = check.integer(`${key}.workClockTimeRef`, category?.workClockTimeRef, 1, 31_536_000, "a positive number of seconds");
                if (name && description && workClockTimeRef) categories!.push({ name, description, workClockTimeRef });
            });
        }
    }
    if (admin && accounts && !accounts[admin]) {
        check.fail("poco.admin", `${admin} must be funded in chain.accounts: it pays for the deployment`);
    }
    if (generated && hasAdminKey) {
        check.fail(POCO_ADMIN_KEY, `is set, but poco.admin is '${GENERATED_ADMIN}': remove the secret, or set poco.admin to the address of its key`);
    }
    if (admin && !hasAdminKey) {
        check.fail(POCO_ADMIN_KEY, `is required when poco is set: pulumi config set --secret ${POCO_ADMIN_KEY} <the private key of ${admin}>`);
    }
    if ((!admin && !generated) || !salt || !metadataBaseURI || !readinessTimeoutSeconds || !categories) return undefined;
    return {
        ...(admin ? { admin } : {}),
        salt,
        categories,
        metadataBaseURI,
        readinessTimeoutSeconds,
        ...(rlcAddress ? { rlcAddress } : {}),
        ...(rpcUrl ? { rpcUrl } : {}),
    };
}
