#!/usr/bin/env bash
# The benchmark of issue 5 (method and figures: docs/benchmarks.md). On a Debian machine with the .NET SDK
# and PostgreSQL's binaries (.ci/install-deps.sh installs them):
#   1. builds the platform and the load generator (Release);
#   2. starts a throwaway PostgreSQL on a free loopback port and measures the reference, pgbench -N;
#      --profile production: also a throwaway RabbitMQ, migrate, import-directory and two silos (see .ci/cluster-lib.sh);
#   3. starts the platform and measures start to ready, then warms it up (unmeasured);
#   4. drives the workflow mix at 16 and 64 connections, then reads of one referral at 64 connections;
#   5. (embedded) restarts the platform on the same data and measures bytes per active referral grain;
#   6. measures pgbench again (the drift) and prints the tables and the goals.
# --scenario dashboards (issue 12) instead: seeds N synthetic referrals (seed-synthetic) into a fresh data folder or a
# throwaway PostgreSQL, starts the platform (one silo in production), times the first answer of every dashboard for a
# year (cold, then another year in the warm process), then measures warm answers at 1 and 4 connections and while
# another year is computed; no pgbench reference. Everything it starts is stopped on exit, whatever the exit; results
# stay in .bench/<time>-<profile>/ (dashboards: .bench/<time>-dashboards-<profile>-<N>/).
# --scenario surge (issue 17) instead: imports the benchmark's embassies (bench surge-directory: a fictional consular
# section in TH per nationality without a focal point), starts the platform on fresh data, warms it up, measures the
# workflow mix alone at 16 connections (quiet), then N synthetic people of 20 nationalities imported in batches of 500,
# screened, grouped into flights of at most 250 per nationality and returned (offer, accept, verification, plan, both
# sides' handover), the mix running throughout: each step's wall time and the mix's p99 during each against quiet
# (goal: ≤ 2× during the import). No pgbench reference. Results in .bench/<time>-surge-<profile>-<N>/.
#
#   ./bench.sh [--profile embedded|production] [--duration S] [--warmup S] [--process-warmup S] [--read-duration S]
#              [--platform-env KEY=VALUE]...   e.g. --platform-env DOTNET_gcServer=0 to try a lever without changing the app
#              [--ready-to-run]                the platform precompiled (dotnet publish -p:PublishReadyToRun=true; minutes)
#              [--scenario workflow|dashboards|surge] [--referrals N]   dashboards: N synthetic referrals (default 10000)
#              [--people N]                    surge: N people (default 7000)
#              [--batches-at-once B] [--screening-workers W] [--groups-at-once G]   surge: its own concurrency (1, 4, 1)
#              [--smoke]                       under a minute once built: the embedded mix at 16 and 64 connections and the
#                                              reads, 5 s each, with no pgbench, no restart and no memory phase; for a person
#                                              to run before and after a change to a hot path, never for figures in the docs
# Defaults: 20 s measured per phase after 5 s of warm-up; 30 s of process warm-up; about 4 to 5 minutes in all.
# Dashboards: about 2 minutes at 10,000 referrals, 10 to 20 at 1,000,000 (mostly the seed and the first answers).
set -euo pipefail
cd "$(dirname "$0")"
repo=$PWD

profile=embedded
duration=20          # seconds measured per load phase
warmup=5             # seconds of load before each measurement window
process_warmup=30    # seconds of the mix after start-up, unmeasured: the JIT is busy for the first half minute of load
read_duration=20     # the read-only phase
platform_env=()      # --platform-env KEY=VALUE: runtime or platform settings to try without changing the app
ready_to_run=false   # --ready-to-run: run a ReadyToRun publish of the platform instead of the build output
scenario=workflow    # --scenario dashboards: the dashboards of issue 12 over synthetic referrals instead of the workflow mix
referrals=10000      # --referrals N: how many synthetic referrals the dashboards scenario seeds
people=7000          # --people N: how many people the surge scenario imports and returns
surge_options=()     # --batches-at-once, --screening-workers, --groups-at-once: the surge's concurrency (bench surge's defaults)
scenario_env=()      # the scenario's own settings of the platform
pgbench_seconds=20
smoke=false          # --smoke: the short run before and after a change to a hot path (no reference, no memory)
pgbench_clients=16

usage() {
    sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

while (($#)); do
    case "$1" in
        --profile) profile=${2:?}; shift 2 ;;
        --duration) duration=${2:?}; shift 2 ;;
        --warmup) warmup=${2:?}; shift 2 ;;
        --process-warmup) process_warmup=${2:?}; shift 2 ;;
        --read-duration) read_duration=${2:?}; shift 2 ;;
        --platform-env) platform_env+=("${2:?}"); shift 2 ;;
        --ready-to-run) ready_to_run=true; shift ;;
        --scenario) scenario=${2:?}; shift 2 ;;
        --referrals) referrals=${2:?}; shift 2 ;;
        --people) people=${2:?}; shift 2 ;;
        --batches-at-once | --screening-workers | --groups-at-once) surge_options+=("$1" "${2:?}"); shift 2 ;;
        --smoke) smoke=true; shift ;;
        -h | --help) usage 0 ;;
        *) echo "bench: unknown argument '$1'" >&2; usage ;;
    esac
done

if [[ "$smoke" == true ]]; then
    [[ "$profile" == embedded && "$scenario" == workflow ]] ||
        { echo "bench: --smoke is the embedded workflow mix only" >&2; exit 2; }
    duration=5 warmup=2 process_warmup=10 read_duration=5
fi

case "$scenario" in
    workflow) ;;
    dashboards)
        [[ "$referrals" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --referrals is a positive number, not '$referrals'" >&2; exit 2; }
        scenario_env=(Dashboards__RefreshInterval=01:00:00 Logging__LogLevel__ReferralNetwork.Dashboards.DashboardService=Information)
        ;;
    surge)
        [[ "$people" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --people is a positive number, not '$people'" >&2; exit 2; }
        ;;
    *) echo "bench: --scenario is workflow, dashboards or surge, not '$scenario'" >&2; exit 2 ;;
esac

case "$profile" in
    embedded) ;;
    production)
        for tool in /usr/lib/rabbitmq/bin/rabbitmq-server epmd openssl; do
            command -v "$tool" >/dev/null ||
                { echo "bench: $tool not found; the production profile needs rabbitmq-server and openssl (.ci/install-deps.sh)" >&2; exit 1; }
        done
        # The throwaway RabbitMQ, the token certificates and the demo directory are made as .ci/local-cluster.sh makes them.
        source "$repo/.ci/cluster-lib.sh"
        ;;
    *) echo "bench: --profile is embedded or production, not '$profile'" >&2; exit 2 ;;
esac

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

run_dir=$repo/.bench/$(date -u +%Y%m%dT%H%M%SZ)-$profile
if [[ "$smoke" == true ]]; then run_dir=$run_dir-smoke; fi
if [[ "$scenario" == dashboards ]]; then run_dir=$repo/.bench/$(date -u +%Y%m%dT%H%M%SZ)-dashboards-$profile-$referrals; fi
if [[ "$scenario" == surge ]]; then run_dir=$repo/.bench/$(date -u +%Y%m%dT%H%M%SZ)-surge-$profile-$people; fi
mkdir -p "$run_dir"
echo "$profile" >"$run_dir/profile"
work=$(mktemp -d "${TMPDIR:-/tmp}/rn-bench.XXXXXX")
chmod 711 "$work" # the postgres user only needs to reach its own folder inside
platform_pid=""
postgres_pid=""
silo_pids=()         # the production profile: two silos, RabbitMQ and its epmd
rabbit_pid=""
epmd_pid=""
started_pids=()

# Stops a process started with setsid, and anything it forked: TERM (or the given signal), then KILL after a grace period.
stop_group() {
    local pid=$1 signal=${2:-TERM} grace=${3:-30}
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill "-$signal" "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_group "$platform_pid" TERM 30
    # Silos first (they leave the cluster and hand their grains over), then the broker, then the database.
    for pid in "${silo_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${silo_pids[@]}"; do stop_group "$pid" TERM 30; done
    stop_group "$rabbit_pid" TERM 30
    stop_group "$epmd_pid" TERM 5
    # Immediate shutdown: the data is thrown away, so a checkpoint would only cost time.
    stop_group "$postgres_pid" QUIT 20
    cp "$work"/*.log "$run_dir/" 2>/dev/null || true
    rm -rf "$work"
    local left=()
    for pid in "${started_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then left+=("$pid"); fi
    done
    if ((${#left[@]})); then
        log "still running after cleanup: ${left[*]}"
        status=1
    else
        log "stopped everything it started (${#started_pids[@]} processes); results in ${run_dir#"$repo"/}"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build ----------------------------------------------------------------------------------------------
log "building (Release)"
dotnet build -c Release -nologo -v q src/ReferralNetwork/ReferralNetwork.csproj >"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; exit 1; }
dotnet build -c Release -nologo -v q tests/ReferralNetwork.Benchmarks/ReferralNetwork.Benchmarks.csproj >>"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; exit 1; }
platform_dir=$repo/src/ReferralNetwork/bin/Release/net10.0
if [[ "$ready_to_run" == true ]]; then
    log "publishing the platform with ReadyToRun (slow the first time)"
    platform_dir=$repo/.bench/publish-ready-to-run
    rid=linux-x64
    if [[ "$(uname -m)" == aarch64 ]]; then rid=linux-arm64; fi
    dotnet publish -c Release -nologo -v q -r "$rid" --self-contained false -p:PublishReadyToRun=true \
        -o "$platform_dir" src/ReferralNetwork/ReferralNetwork.csproj >>"$work/build.log" 2>&1 ||
        { cat "$work/build.log" >&2; exit 1; }
fi
bench() { dotnet "$repo/tests/ReferralNetwork.Benchmarks/bin/Release/net10.0/ReferralNetwork.Benchmarks.dll" "$@"; }

{
    echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r), .NET SDK $(dotnet --version)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)'); loadavg at start: $(cat /proc/loadavg)"
    if ((${#platform_env[@]})); then echo "platform environment: ${platform_env[*]}"; fi
    if [[ "$ready_to_run" == true ]]; then echo "platform: ReadyToRun publish"; fi
} >"$run_dir/machine.txt"
cat "$run_dir/machine.txt" >&2

pg_port=$(bench ports --count 1)

# ---- PostgreSQL and the reference ------------------------------------------------------------------------
# The dashboards scenario on the embedded profile needs no PostgreSQL: it has no pgbench reference (a durable commit
# says nothing about grouping a read model and protecting tables, which is CPU), and SQLite holds its data.
start_postgres() {
    pg_bin=$(pg_config --bindir 2>/dev/null || true)
    if [[ ! -x "$pg_bin/postgres" ]]; then
        pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    fi
    [[ -x "$pg_bin/postgres" && -x "$pg_bin/pgbench" ]] ||
        { echo "bench: PostgreSQL binaries not found (apt-get install postgresql-15, or .ci/install-deps.sh)" >&2; exit 1; }

    # PostgreSQL refuses to run as root: as root, run it as the postgres user, as the tests do.
    as_postgres=()
    if ((EUID == 0)); then as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi

    pg_root=$work/postgres
    mkdir -p "$pg_root/socket"
    PGPASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s' "$PGPASSWORD" >"$pg_root/password"
    chmod 700 "$pg_root"
    if ((EUID == 0)); then chown -R postgres:postgres "$pg_root"; fi
    log "PostgreSQL: initdb, then start on 127.0.0.1:$pg_port"
    "${as_postgres[@]}" "$pg_bin/initdb" --pgdata "$pg_root/data" --username postgres --pwfile "$pg_root/password" \
        --auth-host scram-sha-256 --auth-local trust --encoding UTF8 --no-locale --no-sync --no-instructions >"$work/initdb.log" 2>&1 ||
        { cat "$work/initdb.log" >&2; exit 1; }
    # The tests' settings: fsync and synchronous_commit stay on, so a commit costs what it costs in production.
    setsid "${as_postgres[@]}" "$pg_bin/postgres" -D "$pg_root/data" \
        -c port="$pg_port" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$pg_root/socket" \
        -c max_connections=200 -c shared_buffers=64MB -c fsync=on -c synchronous_commit=on -c jit=off -c huge_pages=off \
        -c logging_collector=off -c log_min_messages=warning >"$work/postgres.log" 2>&1 &
    postgres_pid=$!
    started_pids+=("$postgres_pid")
    export PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres PGPASSWORD
    for ((i = 0; i < 600; i++)); do
        "$pg_bin/pg_isready" -q -d postgres && break
        kill -0 "$postgres_pid" 2>/dev/null || { cat "$work/postgres.log" >&2; exit 1; }
        sleep 0.1
    done
    "$pg_bin/pg_isready" -q -d postgres || { echo "bench: PostgreSQL did not become ready" >&2; exit 1; }
}

# pgbench -N: the TPC-B-like script without the contended branch and teller updates; one durable commit per transaction.
reference() {
    local name=$1
    log "reference: pgbench -N, $pgbench_clients clients, $pgbench_seconds s ($name; loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
    "$pg_bin/pgbench" -N -c "$pgbench_clients" -j 2 -T "$pgbench_seconds" pgbench >"$run_dir/pgbench-$name.txt" 2>&1 ||
        { cat "$run_dir/pgbench-$name.txt" >&2; exit 1; }
    local tps latency
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$run_dir/pgbench-$name.txt")
    latency=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$run_dir/pgbench-$name.txt")
    printf '{"transactionsPerSecond": %s, "latencyMs": %s, "clients": %d, "seconds": %d}\n' \
        "$tps" "${latency:-0}" "$pgbench_clients" "$pgbench_seconds" >"$run_dir/pgbench-$name.json"
    log "reference: $tps tx/s"
}
if [[ "$smoke" == false && ("$scenario" == workflow || "$profile" == production) ]]; then start_postgres; fi
if [[ "$scenario" == workflow && "$smoke" == false ]]; then
    "$pg_bin/psql" -q -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
    "$pg_bin/pgbench" -i -q pgbench >"$work/pgbench-init.log" 2>&1 || { cat "$work/pgbench-init.log" >&2; exit 1; }
    reference before
fi

# ---- the production profile: RabbitMQ, migrate, import-directory, silos -------------------------------------------
# Silos of the production profile on the PostgreSQL server above (its own two databases) and a throwaway RabbitMQ
# node, as .ci/local-cluster.sh starts them. production_setup leaves the silos' environment in `settings` and
# platform_command to run a command of the executable with it; start_silos N starts N silos (urls, silo_pids).
production_setup() {
    "$pg_bin/psql" -q -d postgres -c 'CREATE DATABASE referrals_orleans' -c 'CREATE DATABASE referrals_platform' >/dev/null
    connection() { echo "Host=127.0.0.1;Port=$pg_port;Database=$1;Username=postgres;Password=$PGPASSWORD;No Reset On Close=true;Maximum Pool Size=16"; }

    local amqp_port dist_port epmd_port rabbit_password cert_password i
    mapfile -t ports < <(bench ports --count 3)
    amqp_port=${ports[0]} dist_port=${ports[1]} epmd_port=${ports[2]}
    log "RabbitMQ: start on 127.0.0.1:$amqp_port (epmd on $epmd_port)"
    rabbit_password=$(openssl rand -hex 16)
    rabbitmq_prepare "$work/rabbitmq" "$rabbit_password"
    setsid epmd -port "$epmd_port" -address 127.0.0.1 >"$work/epmd.log" 2>&1 </dev/null &
    epmd_pid=$!
    started_pids+=("$epmd_pid")
    rabbitmq_command "$work/rabbitmq" "referral-bench-$$@localhost" "$amqp_port" "$dist_port" "$epmd_port"
    setsid "${rabbitmq_cmd[@]}" >"$work/rabbitmq.log" 2>&1 </dev/null &
    rabbit_pid=$!
    started_pids+=("$rabbit_pid")
    # The AMQP listener opens last: once it accepts a connection the node is ready.
    for ((i = 0; i < 1200; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null && break
        kill -0 "$rabbit_pid" 2>/dev/null || { cat "$work/rabbitmq.log" >&2; exit 1; }
        sleep 0.1
    done
    (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null || { echo "bench: RabbitMQ did not become ready" >&2; exit 1; }

    cert_password=$(openssl rand -hex 16)
    mkdir -p "$work/certificates"
    token_certificates "$work/certificates" "$cert_password"
    key_ring "$work/certificates/key-ring.json"
    mapfile -t ports < <(bench ports --count 6)
    http_ports=("${ports[0]}" "${ports[1]}") silo_ports=("${ports[2]}" "${ports[3]}") gateway_ports=("${ports[4]}" "${ports[5]}")
    # The settings of the chart's ConfigMap and Secrets (README, "Production profile"); Warning-level logs everywhere.
    settings=(
        ASPNETCORE_ENVIRONMENT=Production ReferralNetwork__Profile=production
        ConnectionStrings__Orleans="$(connection referrals_orleans)" ConnectionStrings__Platform="$(connection referrals_platform)"
        RabbitMq__Host=127.0.0.1 RabbitMq__Port="$amqp_port" RabbitMq__VirtualHost=/ RabbitMq__Username=referral RabbitMq__Password="$rabbit_password"
        Identity__Issuer="http://127.0.0.1:${http_ports[0]}/"
        Identity__SigningCertificate__Path="$work/certificates/signing.pfx" Identity__SigningCertificate__Password="$cert_password"
        Identity__EncryptionCertificate__Path="$work/certificates/encryption.pfx" Identity__EncryptionCertificate__Password="$cert_password"
        Protection__KeyRingPath="$work/certificates/key-ring.json"
        Matching__NetworkKey="$(openssl rand -base64 32)"
        Cluster__ServiceId=referral-network Cluster__ClusterId="bench-$$" Cluster__AdvertisedIPAddress=127.0.0.1
        Logging__LogLevel__Default=Warning
        "${scenario_env[@]}"
        "${platform_env[@]}"
    )
    platform_command() { (cd "$platform_dir" && env "${settings[@]}" dotnet ReferralNetwork.dll "$@"); }
    log "platform: migrate, then import-directory (the demo organizations; clients with the generator's secret)"
    platform_command migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
    # The production profile refuses the demo seed: the same organizations come from import-directory, each with a
    # client of the same id and the secret the generator uses (a throwaway database on loopback).
    demo_directory demo-secret >"$work/directory.json"
    platform_command import-directory "$work/directory.json" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
}

start_silos() {
    local count=$1 i n name started
    started=$(date +%s%N)
    urls=()
    for ((i = 0; i < count; i++)); do
        name=$([[ $i == 0 ]] && echo a || echo b)
        urls+=("http://127.0.0.1:${http_ports[$i]}")
        (cd "$platform_dir" && exec setsid env "${settings[@]}" \
            Cluster__SiloPort="${silo_ports[$i]}" Cluster__GatewayPort="${gateway_ports[$i]}" \
            dotnet ReferralNetwork.dll --urls "${urls[$i]}") >"$work/silo-$name.log" 2>&1 </dev/null &
        silo_pids+=($!)
        started_pids+=($!)
    done
    for ((i = 0; i < count; i++)); do
        local ready=false
        for ((n = 0; n < 6000; n++)); do
            if curl -sf -o /dev/null --max-time 2 "${urls[$i]}/health/ready"; then ready=true; break; fi
            kill -0 "${silo_pids[$i]}" 2>/dev/null || break
            sleep 0.02
        done
        [[ $ready == true ]] || { echo "bench: silo ${urls[$i]} was not ready (log below)" >&2; tail -50 "$work/silo-$([[ $i == 0 ]] && echo a || echo b).log" >&2; exit 1; }
    done
    ready_ms=$((($(date +%s%N) - started) / 1000000))
    log "platform: $count silo(s) ready after ${ready_ms} ms (pids ${silo_pids[*]}; ${urls[*]})"
    echo "production: $count silo(s) ready after $(awk "BEGIN {print $ready_ms/1000}") s (from start, with migrate and import done before)" >>"$run_dir/machine.txt"
}

# The workflow mix against two silos; the generator spreads its connections over both.
run_production() {
    production_setup
    start_silos 2

    local targets=(--url "${urls[0]}" --url "${urls[1]}" --pid "${silo_pids[0]}" --pid "${silo_pids[1]}")
    log "warming the processes up: ${process_warmup} s of the mix at 16 connections, not measured"
    bench mix "${targets[@]}" --connections 16 --warmup "$process_warmup" --duration 1 \
        --out "$run_dir/process-warmup.json" >/dev/null
    bench mix "${targets[@]}" --connections 16 --warmup "$warmup" --duration "$duration" \
        --out "$run_dir/mix-16.json" --created "$run_dir/created-16.tsv" --pgbench "$run_dir/pgbench-before.json"
    bench mix "${targets[@]}" --connections 64 --warmup "$warmup" --duration "$duration" \
        --out "$run_dir/mix-64.json" --created "$run_dir/created-64.tsv" --pgbench "$run_dir/pgbench-before.json"
    bench read "${targets[@]}" --connections 64 --warmup 5 --duration "$read_duration" --out "$run_dir/read-64.json"

    log "platform: stop both silos"
    for pid in "${silo_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${silo_pids[@]}"; do stop_group "$pid" TERM 30; done
}

# ---- the platform ----------------------------------------------------------------------------------------
data=$work/data
ready_ms=0
# Starts the platform in the background (platform_pid, url) and waits for /health/ready; ready_ms is the time it
# took. Ports are picked anew for every start: a port freed a minute ago may have gone to someone's connection.
start_platform() {
    local name=$1 attempt started ready http_port silo_port gateway_port
    for attempt in 1 2 3; do
        mapfile -t ports < <(bench ports --count 3)
        http_port=${ports[0]} silo_port=${ports[1]} gateway_port=${ports[2]}
        url=http://127.0.0.1:$http_port
        started=$(date +%s%N)
        # From its output folder, so that its appsettings.json applies; Warning-level logs everywhere.
        (cd "$platform_dir" && exec setsid env \
            ReferralNetwork__Profile=embedded \
            ReferralNetwork__DataPath="$data" \
            Cluster__SiloPort="$silo_port" Cluster__GatewayPort="$gateway_port" Cluster__ClusterId="bench-$$" \
            Logging__LogLevel__Default=Warning \
            "${scenario_env[@]}" \
            "${platform_env[@]}" \
            dotnet ReferralNetwork.dll --urls "$url") >"$work/platform-$name.log" 2>&1 &
        platform_pid=$!
        started_pids+=("$platform_pid")
        for ((i = 0; i < 6000; i++)); do
            if curl -sf -o /dev/null --max-time 2 "$url/health/ready"; then
                ready=$(date +%s%N)
                ready_ms=$(((ready - started) / 1000000))
                return 0
            fi
            kill -0 "$platform_pid" 2>/dev/null || break
            sleep 0.02
        done
        if kill -0 "$platform_pid" 2>/dev/null; then
            echo "bench: the platform was not ready within 120 s" >&2
            exit 1
        fi
        grep -q "address already in use" "$work/platform-$name.log" || { cat "$work/platform-$name.log" >&2; exit 1; }
        log "platform: a port was taken meanwhile; again on other ports"
    done
    exit 1
}

# ---- the dashboards scenario (issue 12) --------------------------------------------------------------------------
# seed-synthetic N (development only) into a fresh data folder, or into the throwaway PostgreSQL (the production
# profile refuses it outside ASPNETCORE_ENVIRONMENT=Development), then one platform process and `bench dashboards`.
# Families are kept for an hour (Dashboards:RefreshInterval), so no background refresh runs during a measurement: the
# cost of a refresh is measured as such (a year computed in the warm process). The platform logs each family it
# computes (read and protection times); families.txt keeps those lines.
run_dashboards() {
    local load seed_started seed_seconds bytes target
    local seeding=(ReferralNetwork__Profile=embedded ReferralNetwork__DataPath="$data" Logging__LogLevel__Default=Warning)
    if [[ "$profile" == production ]]; then
        production_setup
    fi

    load=$(cat /proc/loadavg)
    log "seed-synthetic $referrals (loadavg $load)"
    seed_started=$(date +%s%N)
    if [[ "$profile" == production ]]; then
        (cd "$platform_dir" && env "${settings[@]}" ASPNETCORE_ENVIRONMENT=Development dotnet ReferralNetwork.dll seed-synthetic "$referrals") \
            >"$work/seed.log" 2>&1 || { tail -30 "$work/seed.log" >&2; exit 1; }
    else
        (cd "$platform_dir" && env "${seeding[@]}" "${platform_env[@]}" dotnet ReferralNetwork.dll seed-synthetic "$referrals") \
            >"$work/seed.log" 2>&1 || { tail -30 "$work/seed.log" >&2; exit 1; }
    fi
    seed_seconds=$(awk "BEGIN {print ($(date +%s%N) - $seed_started) / 1e9}")
    if [[ "$profile" == production ]]; then
        # A freshly loaded table has no statistics until autovacuum comes by (about a minute); a live database has them.
        "$pg_bin/psql" -q -d referrals_platform -c 'VACUUM ANALYZE "DashboardCases"' -c 'VACUUM ANALYZE "DashboardHandoffs"'
        bytes=$("$pg_bin/psql" -Atq -d postgres -c "SELECT pg_database_size('referrals_platform')")
    else
        bytes=$(stat -c %s "$data/platform.db")
    fi
    log "seed-synthetic: $referrals referrals in $seed_seconds s"
    printf '{"referrals": %d, "seconds": %s, "databaseBytes": %d, "loadAverageBefore": "%s"}\n' \
        "$referrals" "$seed_seconds" "$bytes" "$load" >"$run_dir/seed.json"

    if [[ "$profile" == production ]]; then
        start_silos 1
        target=(--url "${urls[0]}" --pid "${silo_pids[0]}")
    else
        start_platform dashboards
        log "platform: ready after ${ready_ms} ms (pid $platform_pid)"
        target=(--url "$url" --pid "$platform_pid")
    fi

    bench dashboards "${target[@]}" --referrals "$referrals" --connections 1 --connections 4 \
        --warmup "$warmup" --duration "$duration" --out "$run_dir/dashboards.json" >/dev/null
    grep -h "Dashboard table" "$work"/platform-*.log "$work"/silo-*.log 2>/dev/null | sed 's/^ *//' >"$run_dir/families.txt" || true
    log "platform: stop"
    if [[ "$profile" == production ]]; then
        stop_group "${silo_pids[0]}" TERM 30
    else
        stop_group "$platform_pid" TERM 30
    fi
}

# ---- the surge scenario (issue 17) ----------------------------------------------------------------------------------
# The platform with the demo directory plus the benchmark's embassies (import-directory: embedded, after `migrate` has
# made and seeded the data folder; production, after the demo directory), warmed up as the workflow run is, then
# `bench surge`: the mix alone, then the mix while each step of the surge runs.
run_surge() {
    local target
    bench surge-directory --out "$work/surge-directory.json"
    if [[ "$profile" == production ]]; then
        production_setup
        platform_command import-directory "$work/surge-directory.json" >>"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
        start_silos 2
        target=(--url "${urls[0]}" --url "${urls[1]}" --pid "${silo_pids[0]}" --pid "${silo_pids[1]}")
    else
        local embedded=(ReferralNetwork__Profile=embedded ReferralNetwork__DataPath="$data" Logging__LogLevel__Default=Warning)
        log "platform: migrate (the demo directory), then import-directory (the surge's embassies)"
        (cd "$platform_dir" && env "${embedded[@]}" "${platform_env[@]}" dotnet ReferralNetwork.dll migrate) >"$work/migrate.log" 2>&1 ||
            { cat "$work/migrate.log" >&2; exit 1; }
        (cd "$platform_dir" && env "${embedded[@]}" "${platform_env[@]}" dotnet ReferralNetwork.dll import-directory "$work/surge-directory.json") \
            >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
        start_platform surge
        log "platform: ready after ${ready_ms} ms (pid $platform_pid)"
        target=(--url "$url" --pid "$platform_pid")
    fi

    log "warming the process up: ${process_warmup} s of the mix at 16 connections, not measured"
    bench mix "${target[@]}" --connections 16 --warmup "$process_warmup" --duration 1 --out "$run_dir/process-warmup.json" >/dev/null
    bench surge "${target[@]}" --people "$people" --connections 16 --warmup "$warmup" --duration "$duration" \
        "${surge_options[@]}" --out "$run_dir/surge.json" >/dev/null
    log "platform: stop"
    if [[ "$profile" == production ]]; then
        for pid in "${silo_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
        for pid in "${silo_pids[@]}"; do stop_group "$pid" TERM 30; done
    else
        stop_group "$platform_pid" TERM 30
    fi
}

if [[ "$scenario" == dashboards ]]; then
    run_dashboards
elif [[ "$scenario" == surge ]]; then
    run_surge
elif [[ "$profile" == production ]]; then
    run_production
else
log "platform: start with an empty data folder"
start_platform cold
cold_ms=$ready_ms
log "platform: ready after ${cold_ms} ms (pid $platform_pid)"

# The first half minute of load after a start is mostly the JIT (tier-up); it would be charged to the first phase.
log "warming the process up: ${process_warmup} s of the mix at 16 connections, not measured"
bench mix --url "$url" --pid "$platform_pid" --connections 16 --warmup "$process_warmup" --duration 1 \
    --out "$run_dir/process-warmup.json" >/dev/null

bench mix --url "$url" --pid "$platform_pid" --connections 16 --warmup "$warmup" --duration "$duration" \
    --out "$run_dir/mix-16.json" --created "$run_dir/created-16.tsv" --pgbench "$run_dir/pgbench-before.json"
bench mix --url "$url" --pid "$platform_pid" --connections 64 --warmup "$warmup" --duration "$duration" \
    --out "$run_dir/mix-64.json" --created "$run_dir/created-64.tsv" --pgbench "$run_dir/pgbench-before.json"
bench read --url "$url" --pid "$platform_pid" --connections 64 --warmup 5 --duration "$read_duration" --out "$run_dir/read-64.json"

if [[ "$smoke" == true ]]; then
    stop_group "$platform_pid" TERM 30
    printf '{"coldSeconds": %s, "warmSeconds": null}\n' "$(awk "BEGIN {print $cold_ms/1000}")" >"$run_dir/start.json"
else
# Memory per grain: a fresh process, so that the referrals created above are saved but not active.
log "platform: restart on the same data"
stop_group "$platform_pid" TERM 30
start_platform warm
warm_ms=$ready_ms
log "platform: ready after ${warm_ms} ms (pid $platform_pid)"
printf '{"coldSeconds": %s, "warmSeconds": %s}\n' "$(awk "BEGIN {print $cold_ms/1000}")" "$(awk "BEGIN {print $warm_ms/1000}")" >"$run_dir/start.json"
bench memory --url "$url" --pid "$platform_pid" --created "$run_dir/created-16.tsv" --created "$run_dir/created-64.tsv" \
    --count 100000 --out "$run_dir/memory.json" ||
    log "memory: the phase failed (see above); the run goes on without it"
stop_group "$platform_pid" TERM 30
fi

fi

if [[ "$scenario" == workflow && "$smoke" == false ]]; then reference after; fi
echo
bench summary --dir "$run_dir" | tee "$run_dir/summary.txt"
