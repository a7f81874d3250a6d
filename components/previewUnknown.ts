/**
 * What a dynamic provider's `check` receives, during a preview, for a value that depends on
 * resources not created yet (Pulumi's unknown sentinel). Providers skip checks on such values.
 */
export const PREVIEW_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
