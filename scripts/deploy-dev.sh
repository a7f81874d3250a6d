#!/usr/bin/env bash
# Deploys the dev stack (stacks/Pulumi.dev.yaml: three Nethermind authorities, then RLC and PoCo) to the
# local Docker engine, with state in ./.pulumi-state. Needs Node 20+ and a running Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
docker info >/dev/null 2>&1 || { echo "Docker is not running: start the Docker engine first." >&2; exit 1; }
local_pulumi=(bash scripts/pulumi-local.sh)

# First run: a fresh PoCo admin for this developer's chain. Its key goes straight into the stack's
# encrypted config (through stdin, never on a command line); its address is funded in genesis.
if ! "${local_pulumi[@]}" config get pocoAdminKey --stack dev >/dev/null 2>&1; then
    read -r admin_key admin_address < <(node -e 'const { Wallet } = require("ethers"); const w = Wallet.createRandom(); console.log(w.privateKey, w.address)')
    printf '%s' "$admin_key" | "${local_pulumi[@]}" config set --secret pocoAdminKey --stack dev
    unset admin_key
    "${local_pulumi[@]}" config set --path 'poco.admin' "$admin_address" --stack dev
    "${local_pulumi[@]}" config set --type string --path "chain.accounts[\"$admin_address\"]" 1000000000000000000000000 --stack dev
    echo "PoCo admin for this dev chain: $admin_address (key in the stack's secrets: pulumi config get pocoAdminKey)"
fi

exec "${local_pulumi[@]}" up --yes --stack dev "$@"
