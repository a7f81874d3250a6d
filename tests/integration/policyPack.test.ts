import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { spawn, type ChildProcess } from "child_process";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import { PREVIEW_UNKNOWN } from "../../components/previewUnknown";
import { CONSORTIUM_POLICIES } from "../../policy/policies";

/**
 * The policy pack as `pulumi preview --policy-pack policy` runs it: policy/index.ts started under
 * ts-node from its own folder (the CLI's policy runner does the same), serving the analyzer gRPC
 * protocol; this test speaks that protocol as the engine does.
 */

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");
const TS_NODE = path.join(__dirname, "..", "..", "node_modules", "ts-node", "dist", "bin.js");

let pack: ChildProcess;
let client: AnalyzerClient;

function call<Req, Res>(method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => method.call(client, request, (error, response) => (error ? reject(error) : resolve(response))));
}

function resource(type: string, name: string, props: Record<string, unknown>): analyzer.AnalyzerResource {
    return new analyzer.AnalyzerResource()
        .setType(type)
        .setName(name)
        .setUrn(`urn:pulumi:acme-prod::consortium::${type}::${name}`)
        .setProperties(Struct.fromJavaScript(props as never))
        .setOptions(new analyzer.AnalyzerResourceOptions().setProtect(true));
}

const lock = (validatorSets: unknown) => resource("pulumi-nodejs:dynamic:Resource", "consortium-genesis", { genesisHash: "sha256:aa", validatorSets });
const authorityNode = (name: string) =>
    resource("docker:index/container:Container", name, {
        labels: [
            { label: "app.kubernetes.io/component", value: "authority" },
            { label: "app.kubernetes.io/part-of", value: "acme-prod" },
        ],
        ports: [],
    });

async function analyzeStack(resources: analyzer.AnalyzerResource[]) {
    const response = await call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(client.analyzeStack, new analyzer.AnalyzeStackRequest().setResourcesList(resources));
    return response.getDiagnosticsList().map((diagnostic) => diagnostic.toObject());
}

beforeAll(async () => {
    pack = spawn(process.execPath, [TS_NODE, "--transpile-only", "index.ts"], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    const port = await new Promise<string>((resolve, reject) => {
        let stderr = "";
        pack.stderr!.on("data", (chunk) => (stderr += chunk));
        pack.stdout!.on("data", (chunk) => resolve(String(chunk).trim()));
        pack.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
    client?.close();
    pack?.kill();
});

test("the pack announces every policy, with its enforcement level and config schema", async () => {
    const info = (await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty())).toObject();
    expect(info.name).toBe("consortium");
    expect(info.version).toBe("1.0.0");
    expect(info.policiesList.map((policy) => policy.name)).toEqual(CONSORTIUM_POLICIES.map((policy) => policy.name));
    const count = info.policiesList.find((policy) => policy.name === "authority-count")!;
    expect(count.enforcementlevel).toBe(analyzer.EnforcementLevel.MANDATORY);
    expect((count.configschema?.properties?.fieldsMap ?? []).map(([key]) => key)).toEqual(["minAuthorities"]);
    const odd = info.policiesList.find((policy) => policy.name === "authority-count-odd")!;
    expect(odd.enforcementlevel).toBe(analyzer.EnforcementLevel.ADVISORY);
});

test("a stack with two authorities is refused; the stack's config raises or lowers the bar", async () => {
    const twoAuthorities = [lock([{ fromBlock: 0, addresses: ["0x01", "0x02"] }])];
    const diagnostics = await analyzeStack(twoAuthorities);
    expect(diagnostics).toEqual([
        expect.objectContaining({
            policyname: "authority-count",
            policypackname: "consortium",
            enforcementlevel: analyzer.EnforcementLevel.MANDATORY,
            message: expect.stringMatching(/\nchain 'consortium-genesis' has 2 authorities in the validator set from block 0; at least 3 are required/),
        }),
        expect.objectContaining({ policyname: "authority-count-odd", enforcementlevel: analyzer.EnforcementLevel.ADVISORY }),
    ]);

    const dev = new analyzer.ConfigureAnalyzerRequest();
    dev.getPolicyconfigMap().set("authority-count", new analyzer.PolicyConfig().setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY).setProperties(Struct.fromJavaScript({ minAuthorities: 1 })));
    await call<analyzer.ConfigureAnalyzerRequest, Empty>(client.configure, dev);
    expect((await analyzeStack(twoAuthorities)).map((diagnostic) => diagnostic.policyname)).toEqual(["authority-count-odd"]);
});

test("a value unknown until the update makes the engine report that the policy runs later, not a violation", async () => {
    const production = new analyzer.ConfigureAnalyzerRequest();
    production.getPolicyconfigMap().set("authority-count", new analyzer.PolicyConfig().setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY).setProperties(Struct.fromJavaScript({ minAuthorities: 3 })));
    await call<analyzer.ConfigureAnalyzerRequest, Empty>(client.configure, production);
    const diagnostics = await analyzeStack([lock(PREVIEW_UNKNOWN), authorityNode("acme-1"), authorityNode("acme-2")]);
    expect(diagnostics).toEqual([
        expect.objectContaining({ policyname: "authority-count", enforcementlevel: analyzer.EnforcementLevel.ADVISORY, message: expect.stringContaining("can't run policy 'authority-count'") }),
    ]);
});

test("a resource policy judges one resource as the engine sends it", async () => {
    const latest = new analyzer.AnalyzeRequest()
        .setType("docker:index/remoteImage:RemoteImage")
        .setName("image")
        .setUrn("urn:pulumi:acme-prod::consortium::docker:index/remoteImage:RemoteImage::image")
        .setProperties(Struct.fromJavaScript({ name: "nethermind/nethermind:latest" }))
        .setOptions(new analyzer.AnalyzerResourceOptions());
    const response = await call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(client.analyze, latest);
    expect(response.getDiagnosticsList().map((diagnostic) => diagnostic.toObject())).toEqual([
        expect.objectContaining({ policyname: "images-pinned", enforcementlevel: analyzer.EnforcementLevel.MANDATORY, message: expect.stringContaining("runs nethermind/nethermind:latest, which uses the tag latest") }),
    ]);
});
