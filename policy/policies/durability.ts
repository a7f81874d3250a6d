import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { majority } from "../../components/platform/naming";
import { isAuthority, labelsOf, selects, TYPES, type ResourceView } from "../resources";

const IDENTITY_MODULE = "consortium:identity:";

/** What the chain cannot lose, and why; undefined for anything else. */
function irreplaceable(resource: ResourceView): string | undefined {
    switch (resource.type) {
        case TYPES.dockerVolume:
            return isAuthority(resource) ? "holds an authority's chain data" : undefined;
        case TYPES.secret:
            return isAuthority(resource) ? "holds an authority's signer and node keys" : undefined;
        case TYPES.namespace:
            return "holds the authorities' volume claims, which its deletion deletes";
        case TYPES.randomBytes:
            // Every key of the consortium is generated under an identity component (AuthorityIdentity, AccountKey).
            return resource.urn.includes(IDENTITY_MODULE) ? "is the source of a signer, node or account key" : undefined;
        default:
            return undefined;
    }
}

export const chainStateProtected: ResourceValidationPolicy = {
    name: "chain-state-protected",
    description: "Chain data volumes, key material and the namespace holding them are protected from deletion, and authority volume claims are retained.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const why = irreplaceable(args);
        if (why && !args.opts.protect) {
            reportViolation(`'${args.name}' ${why} and is not protected: losing it loses the chain or an authority's identity. Set consortium:protect to true.`);
        }
        if (args.type === TYPES.statefulSet && isAuthority(args)) {
            const retention = args.props.spec?.persistentVolumeClaimRetentionPolicy ?? {};
            for (const when of ["whenDeleted", "whenScaled"] as const) {
                if (retention[when] === "Delete") {
                    reportViolation(`StatefulSet '${args.name}' deletes its chain data volume claims ${when === "whenDeleted" ? "when deleted" : "when scaled down"}: set persistentVolumeClaimRetentionPolicy.${when} to Retain.`);
                }
            }
        }
    },
};

export const authorityDisruptionBudget: StackValidationPolicy = {
    name: "authority-disruption-budget",
    description: "On Kubernetes, a PodDisruptionBudget keeps a majority of the authorities running through node drains and upgrades.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const authorities = args.resources.filter((resource) => resource.type === TYPES.statefulSet && isAuthority(resource));
        const budgets = args.resources.filter((resource) => resource.type === TYPES.disruptionBudget);
        const covered = new Set<ResourceView>();
        for (const budget of budgets) {
            const namespace = budget.props.metadata?.namespace;
            const selected = authorities.filter((authority) => authority.props.metadata?.namespace === namespace && selects(budget.props.spec?.selector?.matchLabels, labelsOf(authority)));
            if (selected.length === 0) continue;
            selected.forEach((authority) => covered.add(authority));
            const { minAvailable, maxUnavailable } = budget.props.spec ?? {};
            const keeps = typeof minAvailable === "number" ? minAvailable : typeof maxUnavailable === "number" ? selected.length - maxUnavailable : undefined;
            if (keeps === undefined || keeps < majority(selected.length)) {
                reportViolation(
                    `PodDisruptionBudget '${budget.props.metadata?.name}' lets a drain take down more than a minority of its ${selected.length} authorities: ` +
                        `keep at least ${majority(selected.length)} available (minAvailable as a number).`,
                    budget.urn,
                );
            }
        }
        for (const authority of authorities.filter((candidate) => !covered.has(candidate))) {
            reportViolation(`authority StatefulSet '${authority.props.metadata?.name}' has no PodDisruptionBudget: a node drain could stop a majority of the authorities and halt the chain.`, authority.urn);
        }
    },
};
