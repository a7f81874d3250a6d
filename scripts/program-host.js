#!/usr/bin/env node
/**
 * Serves this program to a Pulumi CLI that has no Node.js language host (ours is built from Go modules, and the
 * proxy does not serve pulumi-language-nodejs): the Automation API's own LanguageServer, the one its inline
 * programs use, listening on loopback. scripts/pulumi-local.sh passes its address to `pulumi preview|up` as
 * `--client`, which makes the engine use this process instead of starting a language plugin
 * (pkg/cmd/pulumi/operations/io.go and pkg/engine/plugin_host.go, v3.248.0).
 * Prints `127.0.0.1:<port>` on its first line of stdout, then serves until its stdin closes.
 *
 * The TypeScript sources are transpiled as they load (typescript's transpileModule, no type check: `npm test` type-checks),
 * without source maps: the SDK captures a stack trace per resource, and mapping them costs more than the program itself.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const repo = path.resolve(__dirname, "..");
// Transpiled sources are cached by the hash of what produces them (source, options, compiler version), so a run
// transpiles only what changed and loads the compiler only then: nothing stale can be served.
const cacheDir = path.join(repo, ".tools", "transpiled");
const compilerVersion = require("typescript/package.json").version;
let compiler;
function transpiler() {
    if (!compiler) {
        const ts = require("typescript");
        const { config } = ts.readConfigFile(path.join(repo, "tsconfig.json"), ts.sys.readFile);
        const options = { ...ts.convertCompilerOptionsFromJson(config.compilerOptions, repo).options, sourceMap: false, inlineSourceMap: false, declaration: false, noEmit: false };
        compiler = { ts, options };
    }
    return compiler;
}
// What produces a module's output besides its source: the compiler, the project's options and this file's overrides.
const producer = `${compilerVersion}\0${fs.readFileSync(path.join(repo, "tsconfig.json"), "utf8")}\0${fs.readFileSync(__filename, "utf8")}`;
require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto.createHash("sha256").update(`${producer}\0${filename}\0${source}`).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    let output;
    try {
        output = fs.readFileSync(cached, "utf8");
    } catch {
        const { ts, options } = transpiler();
        output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            const partial = `${cached}.${process.pid}`;
            fs.writeFileSync(partial, output);
            fs.renameSync(partial, cached);
        } catch {
            // A cache that cannot be written only costs the next run this transpilation.
        }
    }
    module._compile(output, filename);
};

// Costs the SDK pays per resource that only a debugging user reads (measured at 100 authorities: about a third of
// this process's CPU time, which bounds a preview's wall time):
// - every promise it tracks gets a formatted stack trace, read only when PULUMI_DEBUG_PROMISE_LEAKS is set
//   (@pulumi/pulumi/runtime/debuggable.js). Those are left unformatted; every other stack is formatted as V8 does.
// - each resource sends three debug-level Log RPCs to the engine, which shows them only with --debug or in verbose
//   logs (@pulumi/pulumi/log/index.js). scripts/pulumi-local.sh sets PROGRAM_HOST_DEBUG_LOGS when the command asks.
if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
    Error.prepareStackTrace = (error, callSites) =>
        callSites[0]?.getFunctionName() === "debuggablePromise"
            ? ""
            : [`${Error.prototype.toString.call(error)}`, ...callSites.map((site) => `    at ${site}`)].join("\n");
}
if (!process.env.PROGRAM_HOST_DEBUG_LOGS) {
    require("@pulumi/pulumi/log").debug = () => Promise.resolve();
}

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// The same grpc-js instance as the SDK's, so that the service definitions match.
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const { LanguageServer } = require("@pulumi/pulumi/automation/server");
const languageRpc = require("@pulumi/pulumi/proto/language_grpc_pb");
const { grpcChannelOptions } = require("@pulumi/pulumi/runtime");

async function main() {
    let programModule;
    let loadError;
    // Run only at the engine's request, once its settings (project, stack, config) are set. A module that failed to
    // load fails the program, where the CLI shows it.
    const program = async () => {
        if (loadError) throw loadError;
        return programModule.runProgram();
    };
    const server = new grpc.Server(grpcChannelOptions);
    server.addService(languageRpc.LanguageRuntimeService, new LanguageServer(program));
    const port = await new Promise((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    process.stdout.write(`127.0.0.1:${port}\n`);
    // stdout is the wrapper's pipe, read once: the program's own console output goes to stderr.
    console.log = console.error;
    // Loaded now, while the CLI starts: loading the modules costs about as much as that, and no module reads the
    // engine's settings on load. The engine's first call waits until this is done.
    try {
        programModule = require(path.join(repo, "components", "program.ts"));
    } catch (error) {
        loadError = error;
    }
    process.stdin.resume();
    process.stdin.on("end", () => {
        server.forceShutdown();
        process.exit(0);
    });
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
});
