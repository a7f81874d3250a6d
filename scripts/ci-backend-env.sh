#!/usr/bin/env bash
# Runs ONE command of a CI step against the Pulumi backend of that step, the backend's variables in
# that command's environment only. Nothing is written to $GITHUB_ENV or $GITHUB_OUTPUT: no other step
# of the job (npm ci, the policy config, the PR comment) ever sees the passphrase or the credentials.
#   bash scripts/ci-backend-env.sh shared [--if-new <stack> <dir>] -- <command> [args...]
#       the self-managed backend shared by the team, from the step's own `env:` (which maps repository or
#       GitHub environment secrets onto these names): PULUMI_BACKEND_URL (s3://, gs:// or azblob://),
#       PULUMI_CONFIG_PASSPHRASE, and the storage credentials the URL needs: AWS_ACCESS_KEY_ID and
#       AWS_SECRET_ACCESS_KEY (AWS_REGION); GOOGLE_CREDENTIALS; AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY
#       or AZURE_STORAGE_SAS_TOKEN. Previews get read-only credentials, which cannot create a stack: with
#       --if-new, a <stack> the backend does not hold yet is run against a file backend in <dir> instead,
#       with the same passphrase (nothing launched yet, so that preview from scratch is what its first
#       update will do).
#   bash scripts/ci-backend-env.sh throwaway <dir> -- <command> [args...]
#       a file backend in <dir> with a random passphrase kept in <dir>/.passphrase (mode 600, shared by
#       the steps of one job), for stacks whose state lives on developers' machines (previewed from scratch).
# KUBECONFIG_CONTENT, if set, is written to a private temporary file named by KUBECONFIG for the command
# and deleted when it ends. PULUMI_VERSION, if set, must be the version of the CLI: PULUMI_CLI, else the
# `pulumi` on PATH (installed by pulumi/actions with that pulumi-version).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
usage="usage: $0 shared [--if-new <stack> <dir>] -- <command> [args...] | $0 throwaway <dir> -- <command> [args...]"
fail() { echo "::error::$*" >&2; exit 1; }

mode="${1:-}"
[ $# -gt 0 ] && shift
new_stack=""
new_dir=""
dir=""
case "$mode" in
    shared)
        if [ "${1:-}" = "--if-new" ]; then
            [ $# -ge 3 ] || { echo "$usage" >&2; exit 2; }
            new_stack="$2"
            new_dir="$3"
            shift 3
        fi
        ;;
    throwaway)
        dir="${1:-}"
        if [ -z "$dir" ] || [ "$dir" = "--" ]; then echo "$usage" >&2; exit 2; fi
        shift
        ;;
    *)
        echo "$usage" >&2
        exit 2
        ;;
esac
if [ "${1:-}" != "--" ] || [ $# -lt 2 ]; then echo "$usage" >&2; exit 2; fi
shift

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# Variables the command must not inherit from the step when they are empty (GitHub sets a missing
# secret to ''), and the bucket credentials a file backend does not need.
BUCKET_VARIABLES=(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION GOOGLE_CREDENTIALS AZURE_STORAGE_ACCOUNT AZURE_STORAGE_KEY AZURE_STORAGE_SAS_TOKEN)
for name in "${BUCKET_VARIABLES[@]}" PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE KUBECONFIG_CONTENT; do
    [ -n "${!name:-}" ] || unset "$name"
done

# The CLI scripts/pulumi-local.sh runs in CI: PULUMI_CLI if set, else the `pulumi` on PATH.
pulumi_cli="${PULUMI_CLI:-pulumi}"
if [ -n "${PULUMI_VERSION:-}" ]; then
    command -v "$pulumi_cli" >/dev/null 2>&1 || fail "No $pulumi_cli on PATH: install the CLI $PULUMI_VERSION first (pulumi/actions with pulumi-version)."
    installed="$("$pulumi_cli" version 2>/dev/null | tr -d '[:space:]')"
    [ "${installed#v}" = "$PULUMI_VERSION" ] || fail "$pulumi_cli on PATH is '$installed', the workflow pins $PULUMI_VERSION."
fi

case "$mode" in
    throwaway)
        mkdir -p "$dir"
        dir="$(cd "$dir" && pwd)"
        if [ ! -s "$dir/.passphrase" ]; then
            (umask 077 && random_hex 32 > "$dir/.passphrase")
        fi
        for name in "${BUCKET_VARIABLES[@]}" PULUMI_CONFIG_PASSPHRASE; do unset "$name"; done
        export PULUMI_BACKEND_URL="file://$dir"
        export PULUMI_CONFIG_PASSPHRASE_FILE="$dir/.passphrase"
        ;;
    shared)
        url="${PULUMI_BACKEND_URL:-}"
        if [ -z "$url" ] || [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
            fail "Set PULUMI_BACKEND_URL (s3://, gs:// or azblob://) and PULUMI_CONFIG_PASSPHRASE in the env of this step, from the secrets named in the README (Previews in pull requests)."
        fi
        case "$url" in
            s3://*) required=(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY) ;;
            gs://*) required=(GOOGLE_CREDENTIALS) ;;
            azblob://*)
                required=(AZURE_STORAGE_ACCOUNT)
                [ -n "${AZURE_STORAGE_KEY:-}" ] || [ -n "${AZURE_STORAGE_SAS_TOKEN:-}" ] || fail "PULUMI_BACKEND_URL is azblob:// but neither AZURE_STORAGE_KEY nor AZURE_STORAGE_SAS_TOKEN is set."
                ;;
            *) fail "PULUMI_BACKEND_URL must be a self-managed bucket (s3://, gs:// or azblob://), not '${url%%://*}://'." ;;
        esac
        for name in "${required[@]}"; do
            [ -n "${!name:-}" ] || fail "PULUMI_BACKEND_URL is ${url%%://*}:// but $name is not set."
        done
        if [ -n "$new_stack" ]; then
            command -v "$pulumi_cli" >/dev/null 2>&1 || fail "No $pulumi_cli on PATH to look for the stack $new_stack."
            # `stack select` without --create only reads the bucket, and says "no stack named" when the stack is
            # not there (pulumi/pkg/v3@v3.248.0 cmd/pulumi/stack/stack_select.go:86-105).
            if ! found="$(cd "$repo" && "$pulumi_cli" stack select "$new_stack" 2>&1)"; then
                if ! grep -q "no stack named" <<<"$found"; then
                    printf '%s\n' "$found" >&2
                    fail "Could not read the stack $new_stack from the shared backend."
                fi
                echo "::notice::The stack $new_stack is not in the shared backend yet: previewed from scratch in a file backend (its first update creates it)."
                mkdir -p "$new_dir"
                new_dir="$(cd "$new_dir" && pwd)"
                for name in "${BUCKET_VARIABLES[@]}"; do unset "$name"; done
                export PULUMI_BACKEND_URL="file://$new_dir"
                (cd "$repo" && "$pulumi_cli" stack init --secrets-provider passphrase "$new_stack" >/dev/null) || fail "Could not create the stack $new_stack in $PULUMI_BACKEND_URL."
            fi
        fi
        ;;
esac

cleanup=""
if [ -n "${KUBECONFIG_CONTENT:-}" ]; then
    cleanup="$(umask 077 && mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/kubeconfig.XXXXXXXX")"
    printf '%s\n' "$KUBECONFIG_CONTENT" > "$cleanup"
    export KUBECONFIG="$cleanup"
fi
unset KUBECONFIG_CONTENT
trap '[ -z "$cleanup" ] || rm -f "$cleanup"' EXIT

# The command has no business with the runner's files of commands for later steps (a guard against
# mistakes, not a boundary: the command runs as the same user as the runner).
unset GITHUB_ENV GITHUB_OUTPUT GITHUB_PATH GITHUB_STATE

status=0
"$@" || status=$?
exit "$status"
