#!/usr/bin/env bash
# Runs the Pulumi CLI against a self-managed state backend, never Pulumi Cloud.
#   PULUMI_BACKEND_URL        where state lives (default: file://<repo>/.pulumi-state)
#   PULUMI_CONFIG_PASSPHRASE  or PULUMI_CONFIG_PASSPHRASE_FILE: encrypts the stack's secrets
#                             (default: a random passphrase kept in <repo>/.passphrase, mode 600)
# Uses the `pulumi` on PATH, or the npm package `pulumi` through npx, which fetches the CLI on first use.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    mkdir -p "$repo/.pulumi-state"
    export PULUMI_BACKEND_URL="file://$repo/.pulumi-state"
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    if [ ! -f "$repo/.passphrase" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 > "$repo/.passphrase")
        echo "Created $repo/.passphrase: it encrypts this stack's secrets; back it up." >&2
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$repo/.passphrase"
fi
export PULUMI_SKIP_UPDATE_CHECK=true

[ -x node_modules/.bin/jest ] || npm ci --no-audit --no-fund

if command -v pulumi >/dev/null 2>&1; then
    pulumi_cli=(pulumi)
else
    pulumi_cli=(npx --yes pulumi)
fi

# `preview --stack NAME` and `up --stack NAME` create the stack in the local backend when it is new.
stack=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = "--stack" ] && [ $((i + 1)) -lt ${#args[@]} ]; then stack="${args[$((i + 1))]}"; fi
done
if [ -n "$stack" ]; then
    "${pulumi_cli[@]}" stack select --create --secrets-provider passphrase "$stack" >/dev/null
fi
exec "${pulumi_cli[@]}" "${args[@]}"
