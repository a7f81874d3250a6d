#!/usr/bin/env bash
# Deploys the dev stack (stacks/Pulumi.dev.yaml: three Nethermind authorities, then RLC and PoCo) to the
# local Docker engine, with state in ./.pulumi-state. Needs Node 20+ and a running Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
docker info >/dev/null 2>&1 || { echo "Docker is not running: start the Docker engine first." >&2; exit 1; }
bash scripts/dev-admin.sh
exec bash scripts/pulumi-local.sh up --yes --stack dev "$@"
