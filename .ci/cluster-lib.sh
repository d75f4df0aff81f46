# Shared by .ci/local-cluster.sh and bench.sh (sourced, not run): the parts of a production-like platform on
# this machine that both start the same way. Each function only prepares files or fills a variable; the
# caller starts the processes, so that it keeps their ids and stops them in its own way.

# rabbitmq_prepare <folder> <password>: the configuration of a throwaway RabbitMQ node (user "referral"),
# with its own home and Erlang cookie, so that it never meets a system broker.
rabbitmq_prepare() {
    local dir=$1 password=$2
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    openssl rand -hex 20 >"$dir/home/.erlang.cookie"
    chmod 400 "$dir/home/.erlang.cookie"
    cat >"$dir/rabbitmq.conf" <<CONF
default_user = referral
default_pass = $password
default_user_tags.administrator = true
log.console = false
CONF
    : >"$dir/rabbitmq-env.conf"
    echo "[]." >"$dir/enabled_plugins"
}

# rabbitmq_command <folder> <node name> <AMQP port> <distribution port> <epmd port>: sets the array
# rabbitmq_cmd to the command that runs the node in the foreground, on 127.0.0.1 only (its epmd must run
# already: epmd -port <epmd port> -address 127.0.0.1).
rabbitmq_command() {
    local dir=$1 node=$2 amqp=$3 dist=$4 epmd_port=$5
    rabbitmq_cmd=(env -u NOTIFY_SOCKET HOME="$dir/home" RABBITMQ_NODENAME="$node" RABBITMQ_USE_LONGNAME=false
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$amqp" RABBITMQ_DIST_PORT="$dist"
        ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE="$dir/mnesia"
        RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        /usr/lib/rabbitmq/bin/rabbitmq-server)
}

# token_certificates <folder> <password>: signing.pfx and encryption.pfx, as the chart's README makes them.
token_certificates() {
    local dir=$1 password=$2 kind usage
    for kind in signing encryption; do
        usage=$([[ $kind == signing ]] && echo digitalSignature || echo keyEncipherment)
        openssl req -x509 -newkey rsa:2048 -sha256 -days 30 -nodes -subj "/CN=ReferralNetwork local $kind" \
            -addext "keyUsage=critical,$usage" -keyout "$dir/$kind.key" -out "$dir/$kind.crt" 2>/dev/null
        openssl pkcs12 -export -inkey "$dir/$kind.key" -in "$dir/$kind.crt" -out "$dir/$kind.pfx" -passout "pass:$password"
        rm "$dir/$kind.key"
    done
}

# key_ring <file>: a production key ring for encryption at rest (one default ring of one 256-bit key), mode 0600,
# as the chart's README makes it. Keep it apart from every backup of the data: whoever holds both reads everything.
key_ring() {
    local file=$1 id
    id="default-$(date -u +%Y%m%d)-$(openssl rand -hex 6)"
    (umask 077 && printf '{"version": 1, "default": {"current": "%s", "keys": {"%s": "%s"}}}\n' "$id" "$id" "$(openssl rand -base64 32)" >"$file")
}

# demo_directory <secret>: on standard output, an import-directory file with the demo countries and
# organizations of DESIGN §5 (src/ReferralNetwork/Organizations/DemoDirectory.cs: the same services and
# capacities), each with an OAuth client of the same id and the given secret.
demo_directory() {
    local secret=$1 id
    local ids=(th-focal-point th-shelter-bangkok vn-focal-point vn-shelter-hanoi vn-ngo-reintegration kh-focal-point
        kh-shelter-phnom-penh la-focal-point mm-focal-point regional-secretariat)
    shelter() { # id name country beds
        printf '{"id": "%s", "name": "%s", "country": "%s", "kind": "shelter", "services": [{"service": "shelter", "capacity": %d}, {"service": "medical", "capacity": %d}, {"service": "psychosocial", "capacity": %d}]}' \
            "$1" "$2" "$3" "$4" "$4" $(($4 / 2))
    }
    organization() { printf '{"id": "%s", "name": "%s", "country": "%s", "kind": "%s"}' "$@"; }
    cat <<JSON
{
  "countries": [
    {"code": "VN", "name": "Viet Nam"}, {"code": "KH", "name": "Cambodia"}, {"code": "LA", "name": "Lao PDR"},
    {"code": "MM", "name": "Myanmar"}, {"code": "TH", "name": "Thailand"}, {"code": "REGIONAL", "name": "COMMIT regional"}
  ],
  "organizations": [
    $(organization th-focal-point "Thailand national focal point (MSDHS)" TH focal-point),
    $(shelter th-shelter-bangkok "Bangkok protection and occupational development centre" TH 40),
    $(organization vn-focal-point "Viet Nam national focal point (MOLISA)" VN focal-point),
    $(shelter vn-shelter-hanoi "Hanoi social protection shelter" VN 30),
    {"id": "vn-ngo-reintegration", "name": "Viet Nam reintegration NGO", "country": "VN", "kind": "ngo",
     "services": [{"service": "reintegration", "capacity": 60}, {"service": "vocational", "capacity": 25},
                  {"service": "psychosocial", "capacity": 25}, {"service": "family-tracing", "capacity": 15}]},
    $(organization kh-focal-point "Cambodia national focal point (MoSVY)" KH focal-point),
    $(shelter kh-shelter-phnom-penh "Phnom Penh recovery shelter" KH 25),
    $(organization la-focal-point "Lao PDR national focal point (MoLSW)" LA focal-point),
    $(organization mm-focal-point "Myanmar national focal point (DSW)" MM focal-point),
    $(organization regional-secretariat "COMMIT regional secretariat" REGIONAL international)
  ],
  "clients": [
$(for id in "${ids[@]}"; do printf '    {"clientId": "%s", "organizationId": "%s", "secret": "%s"},\n' "$id" "$id" "$secret"; done | sed '$ s/,$//')
  ]
}
JSON
}
