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
    /** The platform's name of the job: its container (Docker) or Job (Kubernetes), for the operator to look it up. */
    readonly objectName: string;
    /** The job's standard output, where the platform returns it (Docker); undefined otherwise (Kubernetes). */
    readonly output: pulumi.Output<string | undefined>;
    /**
     * The job's exit code, where the platform returns it (Docker: the provider waits for the container but does not fail
     * on its exit code). On Kubernetes a failed Job fails the update itself, with the last lines of its log.
     */
    readonly exitCode: pulumi.Output<number | undefined>;
    /** Resolves when the job has completed successfully. */
    readonly completed: pulumi.Resource;
}
