#!/usr/bin/env bash
# Builds the TokenBridge UI image that bridge.ui.image names (no official image is published), from the monorepo's
# last release with the UI (2.7.0-rc0; 2.7.0-rc2 removed it, omni/tokenbridge#553):
#   bash scripts/build-bridge-ui.sh registry.example.org/tokenbridge-ui:2.7.0-rc0 [--push]
# ui/Dockerfile copies the contracts submodule and a .env file that the tag does not contain (ARG DOT_ENV_PATH,
# default ./ui/.env): the build is given the tag's own ui/.env.example. That file is only a placeholder: the program
# starts the UI with a command that rewrites .env from this stack's settings (components/bridge/workloads.ts).
set -euo pipefail
image="${1:?usage: build-bridge-ui.sh <image reference, e.g. registry.example.org/tokenbridge-ui:2.7.0-rc0> [--push]}"
push="${2:-}"
ref="${TOKENBRIDGE_UI_REF:-2.7.0-rc0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A full clone with its submodule: the contracts at the commit the tag pins (5.5.0), which the Dockerfile compiles.
git clone --quiet --depth 1 --branch "$ref" --recurse-submodules https://github.com/omni/tokenbridge.git "$work/tokenbridge"
docker build --file "$work/tokenbridge/ui/Dockerfile" --build-arg DOT_ENV_PATH=ui/.env.example --tag "$image" "$work/tokenbridge"
if [ "$push" = "--push" ]; then docker push "$image"; fi
echo "built $image: set it as bridge.ui.image"
