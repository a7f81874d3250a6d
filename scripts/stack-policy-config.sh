#!/usr/bin/env bash
# Writes the policy pack config for one stack's preview to OUT:
#   bash scripts/stack-policy-config.sh <stack> <out.json>
# The stack's settings (policy/stacks/<stack>.json) plus the genesis of every chain it has launched,
# read from its state in the self-managed backend (scripts/pulumi-local.sh picks the backend).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -eq 2 ] || { echo "usage: $0 <stack> <out.json>" >&2; exit 2; }
stack="$1"
out="$2"
state="$(mktemp)"
errors="$(mktemp)"
trap 'rm -f "$state" "$errors"' EXIT
if ! bash "$repo/scripts/pulumi-local.sh" stack export --stack "$stack" > "$state" 2> "$errors"; then
    # A stack not yet in the backend has launched nothing; `preview` creates it.
    if grep -q "no stack named" "$errors"; then : > "$state"; else cat "$errors" >&2; exit 1; fi
fi
"$repo/node_modules/.bin/ts-node" --transpile-only "$repo/scripts/policy-config.ts" "$stack" --state "$state" > "$out"
