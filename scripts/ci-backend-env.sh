#!/usr/bin/env bash
# Sets up the Pulumi backend of one CI job by appending variables to ENV_FILE ($GITHUB_ENV):
#   bash scripts/ci-backend-env.sh shared "$GITHUB_ENV"
#       the self-managed backend shared by the team, from the job's environment (repository or
#       GitHub environment secrets): PULUMI_BACKEND_URL (s3://, gs:// or azblob://),
#       PULUMI_CONFIG_PASSPHRASE, and the storage credentials the URL needs (AWS_ACCESS_KEY_ID,
#       AWS_SECRET_ACCESS_KEY, AWS_REGION; GOOGLE_CREDENTIALS; AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY).
#   bash scripts/ci-backend-env.sh throwaway "$GITHUB_ENV" <dir>
#       a file backend in <dir> with a random passphrase, for stacks whose state lives on
#       developers' machines (previewed from scratch).
set -euo pipefail
mode="${1:-}"
env_file="${2:-}"
[ -n "$env_file" ] || { echo "usage: $0 shared|throwaway <env-file> [dir]" >&2; exit 2; }

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

put() { # NAME VALUE, multi-line safe
    local delimiter="EOF_$(random_hex 8)"
    printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >> "$env_file"
}

case "$mode" in
    throwaway)
        dir="${3:?throwaway needs a directory}"
        mkdir -p "$dir"
        passphrase="$(random_hex 32)"
        echo "::add-mask::$passphrase"
        put PULUMI_BACKEND_URL "file://$dir"
        put PULUMI_CONFIG_PASSPHRASE "$passphrase"
        ;;
    shared)
        url="${PULUMI_BACKEND_URL:-}"
        if [ -z "$url" ] || [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
            echo "::error::Set the secrets PULUMI_BACKEND_URL (s3://, gs:// or azblob://) and PULUMI_CONFIG_PASSPHRASE (README, Previews in pull requests)." >&2
            exit 1
        fi
        case "$url" in
            s3://*) required=(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY) ;;
            gs://*) required=(GOOGLE_CREDENTIALS) ;;
            azblob://*) required=(AZURE_STORAGE_ACCOUNT AZURE_STORAGE_KEY) ;;
            *)
                echo "::error::PULUMI_BACKEND_URL must be a self-managed bucket (s3://, gs:// or azblob://), not '${url%%://*}://'." >&2
                exit 1
                ;;
        esac
        for name in "${required[@]}"; do
            [ -n "${!name:-}" ] || { echo "::error::PULUMI_BACKEND_URL is ${url%%://*}:// but the secret $name is not set." >&2; exit 1; }
        done
        for name in PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION GOOGLE_CREDENTIALS AZURE_STORAGE_ACCOUNT AZURE_STORAGE_KEY; do
            [ -z "${!name:-}" ] || put "$name" "${!name}"
        done
        ;;
    *)
        echo "usage: $0 shared|throwaway <env-file> [dir]" >&2
        exit 2
        ;;
esac
