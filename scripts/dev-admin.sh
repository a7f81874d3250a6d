#!/usr/bin/env bash
# Gives the dev stack a PoCo admin of its own on first use: a fresh key straight into the stack's
# encrypted config (through stdin, never on a command line), its address funded in genesis.
# Used by `npm run deploy:dev` and by the pull-request preview of the dev stack.
set -euo pipefail
cd "$(dirname "$0")/.."
local_pulumi=(bash scripts/pulumi-local.sh)
if "${local_pulumi[@]}" config get pocoAdminKey --stack dev >/dev/null 2>&1; then exit 0; fi
read -r admin_key admin_address < <(node -e 'const { Wallet } = require("ethers"); const w = Wallet.createRandom(); console.log(w.privateKey, w.address)')
printf '%s' "$admin_key" | "${local_pulumi[@]}" config set --secret pocoAdminKey --stack dev
unset admin_key
"${local_pulumi[@]}" config set --path 'poco.admin' "$admin_address" --stack dev
"${local_pulumi[@]}" config set --type string --path "chain.accounts[\"$admin_address\"]" 1000000000000000000000000 --stack dev
echo "PoCo admin for this dev chain: $admin_address (key in the stack's secrets: pulumi config get pocoAdminKey)"
