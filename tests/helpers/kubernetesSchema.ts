/** Offline validation of Kubernetes objects against the Kubernetes JSON schema (kubernetes-models). */
export function validateKubernetesObject(object: Record<string, any>): void {
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== "string" || typeof kind !== "string") throw new Error(`object without apiVersion/kind: ${JSON.stringify(object).slice(0, 200)}`);
    const modulePath = `kubernetes-models/${apiVersion}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const models = require(modulePath) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = models[kind];
    if (!Model) throw new Error(`${modulePath} has no model for kind ${kind}`);
    new Model(object).validate();
}
