#!/usr/bin/env bash
# What a pull request shows for one stack, run locally:
#   npm run preview -- <stack> [more pulumi preview flags]
# `pulumi preview --diff` against the self-managed backend, with the consortium policy pack and the
# stack's policy settings (scripts/stack-policy-config.sh).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
if [ $# -lt 1 ] || [[ "$1" == -* ]]; then
    echo "usage: npm run preview -- <stack> [pulumi preview flags]; stacks: $(ls stacks | sed -n 's/^Pulumi\.\(.*\)\.yaml$/\1/p' | tr '\n' ' ')" >&2
    exit 2
fi
stack="$1"
shift
[ -f "stacks/Pulumi.$stack.yaml" ] || { echo "No stack file stacks/Pulumi.$stack.yaml: add one first (README, Adding a consortium stack)." >&2; exit 2; }
[ -x node_modules/.bin/ts-node ] || npm ci --no-audit --no-fund

config="$(mktemp)"
trap 'rm -f "$config"' EXIT
bash scripts/stack-policy-config.sh "$stack" "$config"
bash scripts/pulumi-local.sh preview --diff --stack "$stack" --policy-pack policy --policy-pack-config "$config" "$@"
