#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine that already has the .NET SDK:
#   - PostgreSQL 15 server binaries (tests start their own throwaway servers with initdb/pg_ctl),
#   - rabbitmq-server (tests start their own nodes with their own ports and data folders),
#   - chromium (browser tests drive Debian's build headless; browsers cannot be downloaded here),
#   - Go with Debian's sprig and sigs.k8s.io/yaml sources (the Helm chart tests build tests/helm-render,
#     Helm's template engine, because no Helm binary can be installed here),
#   - Node.js and npm when missing, then the OpenAPI linters pinned in tests/openapi-lint (npm ci, once per lock file).
# Idempotent and quick when everything is present: apt is only touched when something is missing.
# The packages' own system services are stopped and disabled: a system broker or database would
# only take ports and CPU away from the servers the tests start.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

log() { printf 'install-deps: %s\n' "$*" >&2; }

have_postgres_binaries() {
    local dir
    local -a candidates=()
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    candidates+=(/usr/lib/postgresql/15/bin)
    for dir in "${candidates[@]}"; do
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
            return 0
        fi
    done
    return 1
}

have_rabbitmq() {
    [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server || -x /usr/sbin/rabbitmq-server ]] &&
        command -v rabbitmqctl >/dev/null 2>&1
}

have_chromium() {
    command -v chromium >/dev/null 2>&1
}

# tests/helm-render builds in GOPATH mode against Debian's source packages under /usr/share/gocode.
gocode=/usr/share/gocode/src

have_go() {
    command -v go >/dev/null 2>&1
}

have_sprig() {
    [[ -f "$gocode/github.com/Masterminds/sprig/functions.go" ]]
}

have_k8s_yaml() {
    [[ -f "$gocode/sigs.k8s.io/yaml/yaml.go" ]]
}

have_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1
}

# The linters of the OpenAPI document (tests/ReferralNetwork.Tests/Api/OpenApiLintTests.cs), from the npm registry.
install_openapi_linters() {
    bash "$(dirname "$0")/../tests/openapi-lint/install.sh"
}

missing=()
have_postgres_binaries || missing+=(postgresql-15 postgresql-client-15)
have_rabbitmq || missing+=(rabbitmq-server)
have_chromium || missing+=(chromium)
have_go || missing+=(golang-go)
have_sprig || missing+=(golang-github-masterminds-sprig-dev)
have_k8s_yaml || missing+=(golang-k8s-sigs-yaml-dev)
have_node || missing+=(nodejs npm)

if ((${#missing[@]} == 0)); then
    log "PostgreSQL, RabbitMQ, Chromium, Go with sprig and Node.js are present; nothing to install from apt."
    install_openapi_linters
    exit 0
fi

if ((EUID != 0)); then
    log "missing packages: ${missing[*]}"
    log "run as root, or: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
fi

# Keep maintainer scripts from starting services while installing. Docker-style images already
# ship a policy-rc.d that refuses every start; add one only for the install when there is none.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=true
fi
cleanup_policy() {
    if [[ "$added_policy" == true ]]; then
        rm -f "$policy"
    fi
}
trap cleanup_policy EXIT

log "installing: ${missing[*]}"
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null

# Stop and disable whatever system service the packages set up, whether systemd runs or not.
stop_and_disable() {
    local service=$1
    if [[ -d /run/systemd/system ]]; then
        systemctl stop "$service" >/dev/null 2>&1 || true
        systemctl disable "$service" >/dev/null 2>&1 || true
    elif [[ -x "/etc/init.d/$service" ]]; then
        # policy-rc.d may be what kept it from starting; the init script itself stops it either way.
        "/etc/init.d/$service" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1 && [[ -e "/etc/init.d/$service" ]]; then
        update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
}

for pkg in "${missing[@]}"; do
    case "$pkg" in
        rabbitmq-server)
            stop_and_disable rabbitmq-server
            # The package's epmd socket unit (systemd only) would hold port 4369 for nothing.
            if [[ -d /run/systemd/system ]]; then
                systemctl stop epmd.socket epmd.service >/dev/null 2>&1 || true
                systemctl disable epmd.socket epmd.service >/dev/null 2>&1 || true
            fi
            # rabbitmqctl (run by the package and by the init script's stop) leaves an epmd daemon
            # behind on port 4369; it refuses to stop while a node is registered with it.
            epmd -kill >/dev/null 2>&1 || true
            ;;
        postgresql-15)
            stop_and_disable postgresql
            ;;
    esac
done

have_postgres_binaries || { log "PostgreSQL server binaries still missing after install"; exit 1; }
have_rabbitmq || { log "rabbitmq-server still missing after install"; exit 1; }
have_chromium || { log "chromium still missing after install"; exit 1; }
have_go || { log "go still missing after install"; exit 1; }
have_sprig || { log "sprig sources still missing under $gocode after install"; exit 1; }
have_k8s_yaml || { log "sigs.k8s.io/yaml sources still missing under $gocode after install"; exit 1; }
have_node || { log "node or npm still missing after install"; exit 1; }
install_openapi_linters
log "done."
