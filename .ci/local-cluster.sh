#!/usr/bin/env bash
# A production-like ReferralNetwork on this machine: PostgreSQL, RabbitMQ and two silos of the production
# profile, everything on 127.0.0.1, in one throwaway folder. It prints the URLs and a demo client, and
# stops everything (and deletes the folder) on Ctrl+C.
#
#   .ci/local-cluster.sh            # from the repository root; needs the .NET SDK, openssl, PostgreSQL 15
#                                   # server binaries and rabbitmq-server (.ci/install-deps.sh installs them)
#
# Settings (environment): HTTP_PORTS="5081 5082", SILO_PORTS="11111 11112", GATEWAY_PORTS="30001 30002",
# PG_PORT=55432, AMQP_PORT=55672, RABBITMQ_DIST_PORT=55673, EPMD_PORT=54369, KEEP=1 keeps the folder
# (databases, certificates, logs) after the stop.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
source "$repo/.ci/cluster-lib.sh"

read -r -a http_ports <<<"${HTTP_PORTS:-5081 5082}"
read -r -a silo_ports <<<"${SILO_PORTS:-11111 11112}"
read -r -a gateway_ports <<<"${GATEWAY_PORTS:-30001 30002}"
pg_port=${PG_PORT:-55432}
amqp_port=${AMQP_PORT:-55672}
dist_port=${RABBITMQ_DIST_PORT:-55673}
epmd_port=${EPMD_PORT:-54369}

log() { printf 'local-cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "${http_ports[@]}" "${silo_ports[@]}" "${gateway_ports[@]}" "$pg_port" "$amqp_port" "$dist_port" "$epmd_port"; do
    if port_in_use "$port"; then
        die "port $port on 127.0.0.1 is taken; choose others (see the settings at the top of $0)"
    fi
done

pg_bin=$(pg_config --bindir 2>/dev/null || true)
[[ -x "$pg_bin/initdb" ]] || pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$pg_bin/initdb" && -x "$pg_bin/postgres" ]] || die "PostgreSQL server binaries not found: run 'bash .ci/install-deps.sh' as root"
rabbit_script=/usr/lib/rabbitmq/bin/rabbitmq-server
[[ -x "$rabbit_script" ]] || die "rabbitmq-server not found: run 'bash .ci/install-deps.sh' as root"
command -v epmd >/dev/null || die "epmd not found (it comes with rabbitmq-server)"
command -v openssl >/dev/null || die "openssl not found"
command -v curl >/dev/null || die "curl not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/referral-network-local.XXXXXX")
chmod 755 "$work"
pids=()

stop() {
    trap - EXIT
    trap '' INT TERM
    log "stopping…"
    # Silos first (they leave the cluster and hand their grains over), then the broker, then the database.
    local pid
    for pid in "${silo_pids[@]:-}"; do [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${silo_pids[@]:-}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
    [[ -n "${rabbit_pid:-}" ]] && { kill -TERM "$rabbit_pid" 2>/dev/null || true; wait "$rabbit_pid" 2>/dev/null || true; }
    [[ -n "${epmd_pid:-}" ]] && { kill -TERM "$epmd_pid" 2>/dev/null || true; wait "$epmd_pid" 2>/dev/null || true; }
    [[ -n "${pg_pid:-}" ]] && { kill -INT "$pg_pid" 2>/dev/null || true; wait "$pg_pid" 2>/dev/null || true; }
    if [[ "${KEEP:-}" == 1 ]]; then
        log "kept $work"
    else
        rm -rf "$work"
    fi
}
trap stop EXIT
trap 'exit 130' INT TERM

# Each server runs in a session of its own (setsid), so that Ctrl+C reaches this script only, which
# then stops them in order.
start() { # start <log> <command...>
    local logfile=$1
    shift
    setsid "$@" >>"$logfile" 2>&1 </dev/null &
}

wait_for() { # wait_for <what> <seconds> <command...>
    local what=$1 seconds=$2
    shift 2
    for ((i = 0; i < seconds * 5; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    die "$what was not ready within $seconds s (logs in $work)"
}

# --- the application, built as the image runs it (dotnet ReferralNetwork.dll) ---
log "building…"
dotnet build "$repo/src/ReferralNetwork" -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "build failed"; }
app="$repo/src/ReferralNetwork/bin/Release/net10.0"

# --- PostgreSQL: a private server on 127.0.0.1:$pg_port (as the postgres user when run as root) ---
log "starting PostgreSQL on 127.0.0.1:$pg_port…"
pg_password=$(openssl rand -hex 16)
mkdir -p "$work/pg/socket"
printf '%s' "$pg_password" >"$work/pg/password"
as_pg=()
if ((EUID == 0)); then
    chown -R postgres:postgres "$work/pg"
    as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
"${as_pg[@]}" "$pg_bin/initdb" --pgdata "$work/pg/data" --username postgres --pwfile "$work/pg/password" \
    --auth-host scram-sha-256 --auth-local trust --encoding UTF8 --no-locale --no-instructions >"$work/pg/initdb.log" 2>&1 ||
    { cat "$work/pg/initdb.log" >&2; die "initdb failed"; }
rm "$work/pg/password"
start "$work/postgres.log" "${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg/data" -c "port=$pg_port" -c listen_addresses=127.0.0.1 \
    -c "unix_socket_directories=$work/pg/socket" -c max_connections=200
pg_pid=$!
wait_for PostgreSQL 60 "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port"
for database in referrals_orleans referrals_platform; do
    "${as_pg[@]}" "$pg_bin/psql" -h "$work/pg/socket" -p "$pg_port" -U postgres -q -c "CREATE DATABASE $database" postgres
done
connection() { echo "Host=127.0.0.1;Port=$pg_port;Database=$1;Username=postgres;Password=$pg_password;No Reset On Close=true;Maximum Pool Size=16"; }

# --- RabbitMQ: its own node name, ports, epmd, cookie and data, so it never meets a system broker ---
log "starting RabbitMQ on 127.0.0.1:$amqp_port…"
rabbit_password=$(openssl rand -hex 16)
rabbitmq_prepare "$work/rabbitmq" "$rabbit_password"
start "$work/epmd.log" epmd -port "$epmd_port" -address 127.0.0.1
epmd_pid=$!
node="referral-local-$$@localhost"
rabbitmq_command "$work/rabbitmq" "$node" "$amqp_port" "$dist_port" "$epmd_port"
start "$work/rabbitmq.log" "${rabbitmq_cmd[@]}"
rabbit_pid=$!
# The AMQP listener opens last: once it accepts a connection the node is ready.
wait_for RabbitMQ 120 bash -c "exec 3<>/dev/tcp/127.0.0.1/$amqp_port"

# --- token certificates, as the chart's README makes them ---
cert_password=$(openssl rand -hex 16)
token_certificates "$work" "$cert_password"

# --- the settings every process gets, as the chart's ConfigMap and Secrets give them ---
export ASPNETCORE_ENVIRONMENT=Production
export ReferralNetwork__Profile=production
export ConnectionStrings__Orleans="$(connection referrals_orleans)"
export ConnectionStrings__Platform="$(connection referrals_platform)"
export RabbitMq__Host=127.0.0.1 RabbitMq__Port="$amqp_port" RabbitMq__VirtualHost=/ RabbitMq__Username=referral RabbitMq__Password="$rabbit_password"
export Identity__Issuer="http://localhost:${http_ports[0]}/"
export Identity__SigningCertificate__Path="$work/signing.pfx" Identity__SigningCertificate__Password="$cert_password"
export Identity__EncryptionCertificate__Path="$work/encryption.pfx" Identity__EncryptionCertificate__Password="$cert_password"
key_ring "$work/key-ring.json"
export Protection__KeyRingPath="$work/key-ring.json"
export Cluster__ServiceId=referral-network Cluster__ClusterId=local Cluster__AdvertisedIPAddress=127.0.0.1
# Declare a killed silo dead within seconds, so that trying it out is quick.
export Cluster__Membership__ProbeTimeout=00:00:02 Cluster__Membership__NumMissedProbesLimit=2

platform() { (cd "$app" && dotnet ReferralNetwork.dll "$@"); }

log "migrating…"
platform migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }

# The demo organizations of DESIGN §5 (.ci/cluster-lib.sh), each with a client of the same id, and one secret made for this run.
client_secret=$(openssl rand -hex 12)
demo_directory "$client_secret" >"$work/directory.json"
platform import-directory "$work/directory.json" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; die "import-directory failed"; }

silo_pids=()
for i in 0 1; do
    name=$([[ $i == 0 ]] && echo a || echo b)
    log "starting silo $name on http://localhost:${http_ports[$i]}…"
    start "$work/silo-$name.log" env ASPNETCORE_URLS="http://127.0.0.1:${http_ports[$i]}" \
        Cluster__SiloPort="${silo_ports[$i]}" Cluster__GatewayPort="${gateway_ports[$i]}" \
        bash -c "cd '$app' && exec dotnet ReferralNetwork.dll"
    silo_pids+=($!)
done
for i in 0 1; do
    wait_for "silo on port ${http_ports[$i]}" 120 curl -sf "http://127.0.0.1:${http_ports[$i]}/health/ready"
done

a="http://localhost:${http_ports[0]}"
b="http://localhost:${http_ports[1]}"
cat <<EOF

ReferralNetwork, production profile, two silos on PostgreSQL and RabbitMQ (Ctrl+C stops everything)
  silo A          $a/swagger   (pid ${silo_pids[0]}, log $work/silo-a.log)
  silo B          $b/swagger   (pid ${silo_pids[1]}, log $work/silo-b.log)
  issuer          $Identity__Issuer (tokens from either silo are valid on both)
  PostgreSQL      127.0.0.1:$pg_port, databases referrals_orleans and referrals_platform, user postgres, password $pg_password
  RabbitMQ        127.0.0.1:$amqp_port, user referral, password $rabbit_password
  clients         client id = organization id (th-focal-point, vn-focal-point, …), secret $client_secret

  Create through A, read through B:
    TOKEN=\$(curl -s $a/connect/token -d grant_type=client_credentials -d client_id=th-focal-point -d client_secret=$client_secret | tr -d ' \\n' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
    curl -si $a/api/v1/referrals -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' -d '{"subject": {"givenName": "Lan", "familyName": "Nguyen Thi", "sex": "female", "nationality": "VN", "languages": ["vi"]}, "identifiedIn": "TH", "identifiedAt": "2026-11-20T08:00:00Z", "exploitation": ["forced-criminality"]}'
    curl -s $b/api/v1/referrals/<id> -H "Authorization: Bearer \$TOKEN"
  Kill a silo (kill -9 ${silo_pids[0]}) and its referrals answer through the other within seconds.

EOF

# Wait until Ctrl+C; a silo that dies by itself (or by kill -9) is reported once.
running() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; }
declare -A reported=()
while true; do
    for pid in "${silo_pids[@]}"; do
        if [[ -z "${reported[$pid]:-}" ]] && ! running "$pid"; then
            reported[$pid]=1
            log "silo pid $pid has exited (see its log); the other keeps serving. Ctrl+C stops everything."
        fi
    done
    sleep 2
done
