import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { computeAddress, getAddress } from "ethers";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { PublishedOrder } from "../../components/workerpool/engine";
import { orderHash, pocoDomain, workerpoolOrder, type OrderTerms } from "../../components/workerpool/orders";

/** One resource the program registered, with its inputs (secrets unwrapped) and options. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** Inputs as sent, secrets still in Pulumi's secret envelope. */
    readonly rawInputs: Record<string, any>;
    /** Provider reference (`<urn>::<id>`) of a custom resource; empty for components and default providers. */
    readonly provider: string;
    readonly opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Mock state of Pulumi's secret envelope, for the values that real providers mark secret. */
function secretValue(value: string) {
    return { [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value };
}

export function isSecretValue(value: any): boolean {
    return Boolean(value && typeof value === "object" && value[SECRET_SIG] !== undefined);
}

export function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        if (value[SECRET_SIG] !== undefined) return unwrapSecrets(value.value);
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]));
    }
    return value;
}

function deterministicHex(seed: string, bytes: number): string {
    let out = "";
    for (let counter = 0; out.length < bytes * 2; counter++) out += createHash("sha256").update(`${seed}/${counter}`).digest("hex");
    return out.slice(0, bytes * 2);
}

const mockAddress = (seed: string) => getAddress(`0x${deterministicHex(seed, 20)}`);

/** What the workerpool's set-up reports under mocks: its address and creation block, and one order per configured category. */
export const MOCK_WORKERPOOL = getAddress("0x5f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c");
export const MOCK_WORKERPOOL_CREATION_BLOCK = 77;

function mockPublishedOrders(inputs: Record<string, any>): PublishedOrder[] {
    return (inputs.orders as OrderTerms[]).map((terms, index) => {
        const order = workerpoolOrder(MOCK_WORKERPOOL, terms, 0);
        return { category: terms.category, hash: orderHash("WorkerpoolOrder", pocoDomain(inputs.chainId, inputs.hub), order), generation: 0, order, broadcastBlock: MOCK_WORKERPOOL_CREATION_BLOCK + 1 + index };
    });
}

/** What the bridge's and the workerpool's dynamic resources report after `pulumi up`, keyed on their inputs. */
function dynamicOutputs(inputs: Record<string, any>, seed: string): Record<string, unknown> {
    if ("workerpoolRegistry" in inputs) {
        return { workerpool: MOCK_WORKERPOOL, owner: computeAddress(inputs.ownerKey), creationBlock: MOCK_WORKERPOOL_CREATION_BLOCK, published: mockPublishedOrders(inputs) };
    }
    if ("foreignTopUps" in inputs) return { deployer: computeAddress(inputs.deployerKey), homeNonce: 0, foreignNonce: 1 };
    if ("job" in inputs && "homeNonceFrom" in inputs) {
        return {
            homeBridge: mockAddress(`${seed}/home`),
            foreignBridge: mockAddress(`${seed}/foreign`),
            erc677Token: mockAddress(`${seed}/erc677`),
            homeDeployedBlock: 42,
            foreignDeployedBlock: 24,
        };
    }
    return {};
}

export interface MockOptions {
    readonly preview?: boolean;
    readonly stack?: string;
    /** Mark the random values secret as the real provider does (default true). */
    readonly secretRandoms?: boolean;
    /** Salt for the random values, to model two independent deployments. */
    readonly seed?: string;
}

/**
 * Installs Pulumi mocks that answer like the real providers for the resources this program
 * registers (random values deterministic per resource name), and records every registration.
 */
export async function installMocks(options: MockOptions = {}): Promise<Registration[]> {
    const registrations: Registration[] = [];
    const optionsByName = new Map<string, Registration["opts"]>();
    const secretRandoms = options.secretRandoms ?? true;
    const wrap = (value: string) => (secretRandoms ? secretValue(value) : value);
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const inputs = unwrapSecrets(args.inputs);
                registrations.push({ type: args.type, name: args.name, inputs, rawInputs: args.inputs, provider: args.provider ?? "", opts: optionsByName.get(`${args.type}::${args.name}`) ?? {} });
                const seed = `${options.seed ?? ""}${args.name}`;
                let state: Record<string, any> = { ...args.inputs };
                if (options.preview) {
                    // Unknown until the resource exists: a preview gets only what was sent.
                    return { id: undefined as unknown as string, state };
                }
                switch (args.type) {
                    case "random:index/randomBytes:RandomBytes": {
                        const hex = deterministicHex(seed, inputs.length);
                        state = { ...state, hex: wrap(hex), base64: wrap(Buffer.from(hex, "hex").toString("base64")) };
                        break;
                    }
                    case "random:index/randomPassword:RandomPassword":
                        state = { ...state, result: wrap(deterministicHex(seed, inputs.length).slice(0, inputs.length)) };
                        break;
                    case "docker:index/remoteImage:RemoteImage":
                        state = { ...state, imageId: `sha256:${deterministicHex(seed, 32)}` };
                        break;
                    case "pulumi-nodejs:dynamic:Resource":
                        state = { ...state, ...dynamicOutputs(inputs, seed) };
                        break;
                    case "kubernetes:core/v1:Service":
                        state = { ...state, status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } } };
                        break;
                }
                return { id: `${args.name}-id`, state };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        "consortium",
        options.stack ?? "test",
        options.preview ?? false,
    );
    recordOptions = (type, name, opts) => optionsByName.set(`${type}::${name}`, opts);
    return registrations;
}

let recordOptions: (type: string, name: string, opts: Registration["opts"]) => void = () => undefined;

/**
 * Evaluates a program the way the Pulumi language host does, inside the root stack resource, while
 * recording every resource's options (protect, dependsOn, ...) for the assertions.
 */
export async function evaluate<T>(program: () => T): Promise<T> {
    let result: T | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            recordOptions(args.type, args.name, args.opts as Registration["opts"]);
            return undefined;
        });
        result = program();
        return {};
    });
    return result!;
}

/** Loads `stacks/Pulumi.<stack>.yaml` into the runtime config, optionally overriding keys. */
export function useStackConfig(stack: string, overrides: Record<string, unknown> = {}, secrets: Record<string, string> = {}): void {
    const file = path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`);
    const values: Record<string, unknown> = { ...(parse(readFileSync(file, "utf8")).config as Record<string, unknown>) };
    for (const [key, value] of Object.entries(overrides)) values[`consortium:${key}`] = value;
    for (const [key, value] of Object.entries(secrets)) values[`consortium:${key}`] = value;
    useConfig(values, Object.keys(secrets).map((key) => `consortium:${key}`));
}

/** A well-known key (anvil's first account) for tests that need an admin they hold the key of. */
export const DEV_ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
export const DEV_ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** The dev stack as `npm run deploy:dev` completes it on its first run: with a PoCo admin and its key. */
export function useDevStack(overrides: Record<string, unknown> = {}, secrets: Record<string, string> = {}): void {
    useStackConfig("dev", overrides, secrets);
}

/** Sets the runtime config from fully qualified keys; structured values are passed as JSON, as the CLI does. */
export function useConfig(values: Record<string, unknown>, secretKeys: string[] = []): void {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(config, secretKeys);
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Waits until every registered resource's outputs have been processed. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function ofType(registrations: readonly Registration[], type: string): Registration[] {
    return registrations.filter((registration) => registration.type === type);
}
