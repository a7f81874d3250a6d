#!/usr/bin/env bash
# Runs the Pulumi CLI against a self-managed state backend, never Pulumi Cloud.
#   PULUMI_BACKEND_URL        where state lives (default: file://<repo>/.pulumi-state)
#   PULUMI_CONFIG_PASSPHRASE  or PULUMI_CONFIG_PASSPHRASE_FILE: encrypts the stack's secrets
#                             (default: a random passphrase kept in <repo>/.passphrase, mode 600)
#   PULUMI_CLI                the pulumi binary to use; otherwise, in this order: the one scripts/build-pulumi.sh
#                             built (.tools/pulumi/bin), `pulumi` on PATH, or the npm launcher `pulumi` through
#                             npx, which downloads the CLI on first use. The version is always the one of the
#                             @pulumi/pulumi SDK in package-lock.json.
#   PROGRAM_HOST_NODE_FLAGS   extra node flags for scripts/program-host.js (e.g. --cpu-prof, to profile the program)
# `preview` and `up` create the stack in the backend when it is new; every other command needs an existing stack.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
say() { echo "pulumi-local: $*" >&2; }

# The npm launcher (package `pulumi`) is published for a few CLI versions only; it downloads PULUMI_VERSION.
NPM_LAUNCHER_VERSION=3.265.0

if [ ! -x node_modules/.bin/tsc ]; then
    say "installing dependencies (npm ci), once"
    npm ci --no-audit --no-fund >&2
fi
cli_version="$(sed -n -E '0,/"version"/s/^ *"version": *"([^"]+)".*/\1/p' node_modules/@pulumi/pulumi/package.json)"

# Local mode: this checkout's own backend and passphrase. The passphrase's salt then lives beside the state, never
# in the committed stack file (see "Stack config in local mode" below).
local_mode=false
if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    local_mode=true
fi
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    mkdir -p "$repo/.pulumi-state"
    export PULUMI_BACKEND_URL="file://$repo/.pulumi-state"
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    passphrase_file="$repo/.passphrase"
    if [ ! -f "$passphrase_file" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 > "$passphrase_file")
        say "created $passphrase_file: it encrypts this backend's stack secrets; back it up with the state"
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi
export PULUMI_SKIP_UPDATE_CHECK=true

built="$repo/.tools/pulumi/bin/pulumi"
if [ -n "${PULUMI_CLI:-}" ]; then
    pulumi_cli=("$PULUMI_CLI")
elif [ -x "$built" ] && [ "$(cat "$built.version" 2>/dev/null)" = "$cli_version" ]; then
    # The user's own PULUMI_HOME: the providers the program needs (random, docker) come as they would with any CLI.
    pulumi_cli=("$built")
elif command -v pulumi >/dev/null 2>&1; then
    pulumi_cli=(pulumi)
    found="$(pulumi version 2>/dev/null || true)"
    [ "$found" = "v$cli_version" ] || say "warning: pulumi on PATH is $found, this project pins v$cli_version (the @pulumi/pulumi SDK); set PULUMI_CLI or remove it from PATH to use v$cli_version"
else
    if [ ! -x "${PULUMI_HOME:-$HOME/.pulumi}/versions/$cli_version/bin/pulumi" ]; then
        say "no pulumi CLI found: downloading v$cli_version through the npm launcher pulumi@$NPM_LAUNCHER_VERSION (first run only)"
    fi
    export PULUMI_VERSION="$cli_version"
    pulumi_cli=(npx --yes "pulumi@$NPM_LAUNCHER_VERSION")
fi

# Plugins that ship beside our CLI (the dynamic-provider and policy-pack runners) are found on PATH.
case "${pulumi_cli[0]}" in
    /*) export PATH="$(dirname "${pulumi_cli[0]}"):$PATH" ;;
esac

args=("$@")
# The command is the first word that is not a flag (global flags may come first); the stack, from any spelling.
command=""
stack=""
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
        --stack | -s) [ $((i + 1)) -lt ${#args[@]} ] && stack="${args[$((i + 1))]}" ;;
        --stack=*) stack="${args[$i]#--stack=}" ;;
        -s=*) stack="${args[$i]#-s=}" ;;
        -s?*) stack="${args[$i]#-s}" ;;
        --color | -C | --cwd | --tracing | --profiling | --memprofilerate | --logflow=*) i=$((i + 1)) ;;
        # Asked for the program's debug messages: the program host sends them (scripts/program-host.js).
        --debug | -d | -v | -v=* | -v[0-9]* | --verbose | --verbose=* | --logflow | --logtostderr) export PROGRAM_HOST_DEBUG_LOGS=1 ;;
        -*) ;;
        *) if [ -z "$command" ]; then command="${args[$i]}"; elif [ -z "${subcommand:-}" ]; then subcommand="${args[$i]}"; fi ;;
    esac
done
subcommand="${subcommand:-}"
stack_name="${stack##*/}" # org/project/stack names the same stack file

# A CLI without the Node.js language host (ours, built from Go modules) runs the program through
# scripts/program-host.js, the Automation API's in-process language server, reached with `--client`.
cli_dir="$(dirname "$(readlink -f "$(command -v "${pulumi_cli[0]}" 2>/dev/null || echo "${pulumi_cli[0]}")")")"
needs_host=false
case "$command" in
    preview | up | refresh | destroy | import | watch)
        # The npm launcher's download is a full install, with the language host.
        [ "${pulumi_cli[0]}" = npx ] || [ -x "$cli_dir/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null 2>&1 || needs_host=true ;;
esac
# Started now, so that it loads while the stack is looked up.
if [ "$needs_host" = true ]; then
    coproc PROGRAM_HOST { exec node ${PROGRAM_HOST_NODE_FLAGS:-} "$repo/scripts/program-host.js"; }
    # Bash drops PROGRAM_HOST once the coprocess ends: keep its pipes and pid in our own names.
    host_pid=$PROGRAM_HOST_PID
    exec {host_out}<&"${PROGRAM_HOST[0]}" {host_in}>&"${PROGRAM_HOST[1]}"
fi

# Whether the named stack is in the backend: asked once (a CLI start), then known.
stack_known=""
stack_exists() {
    [ -n "$stack_known" ] || { "${pulumi_cli[@]}" stack select "$stack" >/dev/null 2>&1 && stack_known=yes || stack_known=no; }
    [ "$stack_known" = yes ]
}

# Stack config in local mode: Pulumi writes the passphrase's salt (`encryptionsalt`) into the stack file when a stack
# is created. A committed stack file without one (stacks/Pulumi.dev.yaml) stays as committed: the salt is kept in
# .pulumi-state/stack-config/<stack>.salt and every command runs on a copy, the committed file plus that line,
# given to the CLI with --config-file. A change a command makes to the copy is written back, without the salt.
config_copy=""
stack_file="stacks/Pulumi.$stack_name.yaml"
uses_config=false
case "$command" in preview | up | refresh | destroy | import | watch | logs | config) uses_config=true ;; esac
if [ "$local_mode" = true ] && [ "$uses_config" = true ] && [ -z "$stack" ]; then
    say "name the stack with --stack <name>: in local mode the committed stack file is kept as it is only for a named stack"
    exit 2
fi
if [ "$local_mode" = true ] && [ -n "$stack" ] && [ -f "$stack_file" ] && ! grep -qE '^(encryptionsalt|secretsprovider|encryptedkey):' "$stack_file"; then
    salt_dir="$repo/.pulumi-state/stack-config"
    salt_file="$salt_dir/$stack_name.salt"
    mkdir -p "$salt_dir"
    if [ ! -s "$salt_file" ] && stack_exists; then
        # Created earlier: its salt is also in its state.
        "${pulumi_cli[@]}" stack export --stack "$stack" | node -e '
            const state = JSON.parse(require("fs").readFileSync(0, "utf8"));
            const salt = state.deployment?.secrets_providers?.state?.salt;
            if (salt) console.log(`encryptionsalt: ${salt}`);' > "$salt_file" || true
    fi
    # A stack removed since (`stack rm`, `destroy --remove`) is made again with the salt kept for it: the secrets
    # in the stack file were encrypted with it.
    if { [ "$command" = preview ] || [ "$command" = up ]; } && ! stack_exists; then
        say "creating stack $stack in $PULUMI_BACKEND_URL (secrets: passphrase provider; salt kept in $salt_file)"
        scratch="$(mktemp -d)"
        cp Pulumi.yaml "$scratch/"
        mkdir "$scratch/stacks"
        [ ! -s "$salt_file" ] || cp "$salt_file" "$scratch/stacks/Pulumi.$stack_name.yaml"
        (cd "$scratch" && "${pulumi_cli[@]}" stack init --secrets-provider passphrase "$stack" >&2)
        grep -E '^encryptionsalt:' "$scratch/stacks/Pulumi.$stack_name.yaml" > "$salt_file"
        rm -rf "$scratch"
        stack_known=yes
    fi
    if [ -s "$salt_file" ]; then
        config_copy="$salt_dir/Pulumi.$stack_name.yaml"
        { cat "$stack_file"; echo; cat "$salt_file"; } > "$config_copy"
        cp "$config_copy" "$config_copy.before"
    fi
fi

if [ -n "$stack" ] && [ -z "$config_copy" ]; then
    case "$command" in
        preview | up)
            if ! stack_exists; then
                say "creating stack $stack in $PULUMI_BACKEND_URL (secrets: passphrase provider)"
                "${pulumi_cli[@]}" stack init --secrets-provider passphrase "$stack" >&2
            fi
            ;;
    esac
fi
# `stack rm` deletes the stack's config file unless told not to: in local mode that file is the committed one. The
# salt stays: the stack file's secrets are encrypted with it, and a stack made again under that name reuses it.
if [ "$local_mode" = true ] && [ "$command" = stack ] && [ "$subcommand" = rm ] && [ -n "$stack" ] && [ -f "$stack_file" ]; then
    status=0
    "${pulumi_cli[@]}" "${args[@]}" --preserve-config || status=$?
    [ "$status" -ne 0 ] || rm -f "$repo/.pulumi-state/stack-config/Pulumi.$stack_name.yaml"*
    exit "$status"
fi
[ -z "$config_copy" ] || [ "$uses_config" = false ] || args+=(--config-file "$config_copy")
# A command that changed the config (`config set`, `-c` on preview or up) changes the stack file, without the salt.
write_back_config() {
    if [ -n "$config_copy" ] && ! cmp -s "$config_copy" "$config_copy.before"; then
        grep -vE '^encryptionsalt:' "$config_copy" > "$stack_file" || true
        say "wrote the config change to $stack_file"
    fi
}

if [ "$needs_host" = true ]; then
    host_address=""
    read -r -t 120 host_address <&"$host_out" || true
    if [ -z "$host_address" ]; then
        say "the program host did not start (scripts/program-host.js)"
        exit 1
    fi
    args+=(--client="$host_address")
fi
status=0
"${pulumi_cli[@]}" "${args[@]}" || status=$?
write_back_config
[ "$needs_host" = true ] || exit "$status"
exec {host_in}>&- {host_out}<&-
[ -z "${PROGRAM_HOST[1]:-}" ] || exec {PROGRAM_HOST[1]}>&-
# Plugins inherited the pipe; a long-lived one must not keep the host (or this script) waiting.
kill "$host_pid" 2>/dev/null || true
wait "$host_pid" 2>/dev/null || true
exit "$status"
