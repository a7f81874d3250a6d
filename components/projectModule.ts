/**
 * Loads one of the project's modules while a dynamic provider runs. Pulumi serialises a dynamic
 * provider's code into the state; capturing engines (ethers objects, contract artifacts) by value
 * would not serialise, so providers load them from the project (Pulumi runs providers in the project
 * folder): compiled JavaScript under bin/ when present, else the TypeScript source through ts-node,
 * which Pulumi's TypeScript runtime uses too.
 */
export function loadProjectModule<T>(modulePath: string): T {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require("path") as typeof import("path");
    const root = process.cwd();
    try {
        return require(path.join(root, "bin", `${modulePath}.js`));
    } catch {
        require(path.join(root, "node_modules", "ts-node")).register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
        return require(path.join(root, `${modulePath}.ts`));
    }
}
