import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, TYPES } from "../resources";

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

/** Why an image reference is not pinned, or undefined when it names one immutable image. */
export function unpinnedReason(reference: string): string | undefined {
    if (DIGEST.test(reference) || IMAGE_ID.test(reference)) return undefined;
    const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
    const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : undefined;
    if (!tag) return "has no tag, so it means latest";
    if (tag === "latest") return "uses the tag latest";
    return undefined;
}

export const imagesPinned: ResourceValidationPolicy = {
    name: "images-pinned",
    description: "Every image is pinned to a version tag or a digest, never latest: an update must not change a node's client behind the reviewers' back.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const references: { what: string; image: unknown }[] =
            args.type === TYPES.dockerImage ? [{ what: `image '${args.name}'`, image: args.props.name }] : containersOf(args).map((container) => ({ what: `container '${container.name}'`, image: container.image }));
        for (const { what, image } of references) {
            if (typeof image !== "string") continue;
            const reason = unpinnedReason(image);
            if (reason) reportViolation(`${what} runs ${image}, which ${reason}: pin a version tag or a digest (name:1.2.3 or name@sha256:...).`);
        }
    },
};
