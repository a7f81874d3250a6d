import * as pulumi from "@pulumi/pulumi";
import type { JobSpec, ServiceSpec } from "./workload";

export interface ServicesArgs {
    readonly prefix: string;
    readonly services: readonly ServiceSpec[];
    /** Protect data volumes and key Secrets from deletion. */
    readonly protect: boolean;
}

export interface JobArgs {
    readonly prefix: string;
    readonly job: JobSpec;
    readonly timeoutMinutes: number;
}

/** What a job leaves for the program once it has completed. */
export interface JobResult {
    /** The job's standard output, where the platform returns it (Docker); undefined otherwise (Kubernetes). */
    readonly output: pulumi.Output<string | undefined>;
    /** Resolves when the job has completed successfully. */
    readonly completed: pulumi.Resource;
}
