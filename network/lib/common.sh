# Shared by network/up, network/down, network/status and network/node: where things
# are, which ports each node uses, how to find Fabric's programs, and how to start and
# stop one node. Sourced, never run.
#
# Environment:
#   FABRIC_BIN         folder holding peer, orderer, configtxgen, cryptogen, osnadmin
#                      (otherwise they are looked up on PATH)
#   ZFC_NETWORK_DATA   state folder (default network/data); everything the network
#                      writes goes there
#   ZFC_PORT_BASE      first port of the block the network uses (default 7000)
#   DOCKER=1           run orderers and peers from Hyperledger's images (network/up --docker)

NET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$NET_DIR/.." && pwd)
DATA=${ZFC_NETWORK_DATA:-$NET_DIR/data}
CHANNEL=zfc
ORGS=(regulator producers trade)
FABRIC_TOOLS=(peer orderer configtxgen cryptogen osnadmin)

log() { printf '%s network: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The MSP ID of an organisation's short name.
msp_of() {
  case $1 in
    regulator) echo RegulatorMSP ;;
    producers) echo ProducersMSP ;;
    trade) echo TradeMSP ;;
    *) die "unknown organisation $1" ;;
  esac
}

# Ports: orderer k uses BASE+50+10(k-1) (+3 admin, +4 operations); the peer of the
# i-th organisation uses BASE+100i+51 (+1 chaincode listener, +3 operations); the
# i-th organisation's server of chaincode j uses BASE+900+10j+i.
set_ports() {
  local base=${1:-${ZFC_PORT_BASE:-7000}}
  PORT_BASE=$base
  ORDERER1_PORT=$((base + 50)); ORDERER2_PORT=$((base + 60)); ORDERER3_PORT=$((base + 70))
  PEER_REGULATOR_PORT=$((base + 151)); PEER_PRODUCERS_PORT=$((base + 251)); PEER_TRADE_PORT=$((base + 351))
  export PORT_BASE ORDERER1_PORT ORDERER2_PORT ORDERER3_PORT PEER_REGULATOR_PORT PEER_PRODUCERS_PORT PEER_TRADE_PORT
}
orderer_port() { echo $((PORT_BASE + 50 + 10 * ($1 - 1))); }
orderer_admin_port() { echo $(($(orderer_port "$1") + 3)); }
orderer_ops_port() { echo $(($(orderer_port "$1") + 4)); }
peer_port() {
  local i
  for i in 0 1 2; do [ "${ORGS[$i]}" = "$1" ] && echo $((PORT_BASE + 100 * (i + 1) + 51)) && return; done
  die "unknown organisation $1"
}
peer_ops_port() { echo $(($(peer_port "$1") + 3)); }

# Finds Fabric's five programs; sets FABRIC_BIN_DIR, or returns 1 naming what is missing.
# With Docker, the images stand in for whatever is not installed.
find_fabric() {
  local tool dir missing=()
  if [ "${DOCKER:-0}" = 1 ]; then
    docker compose version >/dev/null 2>&1 || { log "docker compose is not available"; return 1; }
    FABRIC_BIN_DIR=docker
    return 0
  fi
  for tool in "${FABRIC_TOOLS[@]}"; do
    if [ -n "${FABRIC_BIN:-}" ] && [ -x "$FABRIC_BIN/$tool" ]; then continue; fi
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "Fabric's programs not found (${missing[*]}): put them on PATH or in FABRIC_BIN (see network/README.md)"
    return 1
  fi
  if [ -n "${FABRIC_BIN:-}" ] && [ -x "$FABRIC_BIN/peer" ]; then dir=$FABRIC_BIN; else dir=$(dirname "$(command -v peer)"); fi
  FABRIC_BIN_DIR=$(cd "$dir" && pwd)
}
fabric() {
  local tool=$1
  shift
  if [ -n "${FABRIC_BIN:-}" ] && [ -x "$FABRIC_BIN/$tool" ]; then "$FABRIC_BIN/$tool" "$@"
  elif command -v "$tool" >/dev/null 2>&1 || [ "${DOCKER:-0}" != 1 ]; then "$tool" "$@"
  else
    # The tools image, on the host's network, with the caller's FABRIC_CFG_PATH and CORE_* settings.
    local envs=() v
    for v in $(compgen -e | grep -E '^(FABRIC_CFG_PATH|CORE_)'); do envs+=(-e "$v=${!v}"); done
    compose --profile tools run --rm -T "${envs[@]}" tools "$tool" "$@"
  fi
}

# docker compose on network/docker-compose.yaml, with the paths it mounts.
compose() {
  ZFC_NETWORK_DATA=$DATA ZFC_NETWORK_DIR=$NET_DIR docker compose -p zfc -f "$NET_DIR/docker-compose.yaml" "$@"
}
service_of() { echo "${1/./-}"; }

# Saved settings of the network in $DATA (ports, orderer count, chaincodes, programs).
# FABRIC_BIN or DOCKER set by the caller win over the saved ones, so that a stopped
# network can be restarted on other programs (say, upgraded from Fabric 2.4 to 2.5).
load_state() {
  [ -f "$DATA/network.env" ] || return 1
  local bin=${FABRIC_BIN:-} docker=${DOCKER:-}
  # shellcheck disable=SC1091
  . "$DATA/network.env"
  [ -z "$bin" ] || FABRIC_BIN=$bin
  [ -z "$docker" ] || DOCKER=$docker
  set_ports "$PORT_BASE"
}

orderer_crypto() { echo "$DATA/crypto/ordererOrganizations/orderer.zfc.local/orderers/orderer$1.orderer.zfc.local"; }
orderer_admin_tls() { echo "$DATA/crypto/ordererOrganizations/orderer.zfc.local/users/Admin@orderer.zfc.local/tls"; }
orderer_tls_ca() { echo "$DATA/crypto/ordererOrganizations/orderer.zfc.local/tlsca/tlsca.orderer.zfc.local-cert.pem"; }
org_dir() { echo "$DATA/crypto/peerOrganizations/$1.zfc.local"; }
peer_crypto() { echo "$(org_dir "$1")/peers/peer0.$1.zfc.local"; }
peer_tls_ca() { echo "$(org_dir "$1")/tlsca/tlsca.$1.zfc.local-cert.pem"; }

# Replaces ${NAME} in a template with the exported variable of that name.
render() { # template output var...
  local template=$1 out=$2 vars='' v
  shift 2
  for v in "$@"; do vars="$vars \${$v}"; done
  mkdir -p "$(dirname "$out")"
  envsubst "$vars" < "$template" > "$out"
}

# --- processes: one pid file per node under $DATA/run ---

LOG_FORMAT='%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{message}'
pid_file() { echo "$DATA/run/$1.pid"; }
is_running() {
  local f
  f=$(pid_file "$1")
  [ -f "$f" ] || return 1
  if [ "$(cat "$f")" = docker ]; then
    [ -n "$(compose ps -q --status running "$(service_of "$1")" 2>/dev/null)" ]
  else
    alive "$(cat "$f")"
  fi
}

# Starts an orderer or a peer: its binary here, or its container with --docker.
launch() { # name dir command...
  if [ "${DOCKER:-0}" = 1 ]; then
    mkdir -p "$DATA/run"
    compose up -d --no-deps "$(service_of "$1")" >>"$DATA/logs/docker.log" 2>&1
    echo docker > "$(pid_file "$1")"
  else
    spawn "$@"
  fi
}

# Starts a program in its own session, detached from this script; logs to $DATA/logs.
spawn() { # name dir command...
  local name=$1 dir=$2
  shift 2
  mkdir -p "$DATA/run" "$DATA/logs"
  (cd "$dir" && FABRIC_LOGGING_FORMAT="$LOG_FORMAT" exec setsid "$@" >>"$DATA/logs/$name.log" 2>&1 </dev/null) &
  echo $! > "$(pid_file "$name")"
}

# True while a process runs (a zombie left to a parent that does not reap it has ended).
alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

# Asks one node to stop (SIGTERM), without waiting.
signal_node() { # name
  local f pid
  f=$(pid_file "$1")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  [ "$pid" = docker ] || kill "$pid" 2>/dev/null || true
}

# Stops one node: SIGTERM, then SIGKILL after 10 s.
stop_node() {
  local name=$1 f pid i
  f=$(pid_file "$name")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if [ "$pid" = docker ]; then
    compose rm -sf "$(service_of "$name")" >>"$DATA/logs/docker.log" 2>&1 || true
    rm -f "$f"
    return 0
  fi
  if alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Waits until an operations endpoint answers /healthz (or the process died).
wait_healthy() { # name port
  local i
  for i in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return 0
    is_running "$1" || die "$1 exited; see $DATA/logs/$1.log"
    sleep 0.2
  done
  die "$1 did not become healthy; see $DATA/logs/$1.log"
}

start_orderer() { # k
  local k=$1 name="orderer$1" dir="$DATA/orderers/orderer$1"
  is_running "$name" && return 0
  NODE_CRYPTO=$(orderer_crypto "$k") NODE_DATA=$dir ORDERER_PORT=$(orderer_port "$k") \
    ORDERER_ADMIN_PORT=$(orderer_admin_port "$k") ORDERER_OPS_PORT=$(orderer_ops_port "$k") \
    render "$NET_DIR/config/orderer.yaml" "$dir/orderer.yaml" \
    NODE_CRYPTO NODE_DATA ORDERER_PORT ORDERER_ADMIN_PORT ORDERER_OPS_PORT
  FABRIC_CFG_PATH=$dir launch "$name" "$dir" "$(fabric_path orderer)"
  wait_healthy "$name" "$(orderer_ops_port "$k")"
  wait_port "$name" "$(orderer_port "$k")"
}

start_peer() { # org
  local org=$1 name="peer.$1" dir="$DATA/peers/$1" port
  is_running "$name" && return 0
  port=$(peer_port "$org")
  NODE_CRYPTO=$(peer_crypto "$org") NODE_DATA=$dir PEER_NAME="peer0.$org.zfc.local" PEER_MSPID=$(msp_of "$org") \
    PEER_PORT=$port PEER_CC_PORT=$((port + 1)) PEER_OPS_PORT=$((port + 3)) BUILDERS_DIR="$NET_DIR/builders" \
    render "$NET_DIR/config/core.yaml" "$dir/core.yaml" \
    NODE_CRYPTO NODE_DATA PEER_NAME PEER_MSPID PEER_PORT PEER_CC_PORT PEER_OPS_PORT BUILDERS_DIR
  FABRIC_CFG_PATH=$dir launch "$name" "$dir" "$(fabric_path peer)" node start
  # The operations endpoint answers before the peer's gRPC service listens.
  wait_healthy "$name" "$(peer_ops_port "$org")"
  wait_port "$name" "$port"
}

# The absolute path of one of Fabric's programs.
fabric_path() { if [ -n "${FABRIC_BIN:-}" ] && [ -x "$FABRIC_BIN/$1" ]; then echo "$FABRIC_BIN/$1"; else command -v "$1"; fi; }

# Runs the peer CLI as an organisation's admin, against that organisation's peer.
peer_admin() { # org args...
  local org=$1
  shift
  FABRIC_CFG_PATH="$DATA/peers/$org" CORE_PEER_LOCALMSPID=$(msp_of "$org") \
    CORE_PEER_MSPCONFIGPATH="$(org_dir "$org")/users/Admin@$org.zfc.local/msp" \
    CORE_PEER_ADDRESS="127.0.0.1:$(peer_port "$org")" CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$(peer_tls_ca "$org")" \
    fabric peer "$@"
}

# Starts one organisation's server of a deployed chaincode (its package ID is saved at
# deploy). Each organisation runs its own server, as it would in production: its peer
# alone dials it, and checks its TLS certificate against the organisation's TLS CA.
start_chaincode() { # name org
  local name=$1 org=$2 node="cc.$1.$2" dir="$DATA/chaincode/$1" tls
  is_running "$node" && return 0
  tls="$(org_dir "$org")/peers/chaincode.$org.zfc.local/tls"
  spawn "$node" "$REPO_DIR" env -i PATH="$PATH" HOME="${HOME:-/tmp}" NODE_ENV=production \
    node "$REPO_DIR/node_modules/fabric-shim/cli.js" server \
    --module-path "$dir/module" \
    --chaincode-address "127.0.0.1:$(cat "$dir/$org/port")" \
    --chaincode-id "$(cat "$dir/$org/package-id")" \
    --chaincode-tls-cert-file "$tls/server.crt" --chaincode-tls-key-file "$tls/server.key"
  wait_port "$node" "$(cat "$dir/$org/port")"
}

# Waits until something listens on a port of 127.0.0.1.
wait_port() { # name port
  local i
  for i in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    is_running "$1" || die "$1 exited; see $DATA/logs/$1.log"
    sleep 0.2
  done
  die "$1 does not listen on port $2; see $DATA/logs/$1.log"
}

# Every node of the network, in start order.
all_nodes() {
  local k org cc
  for k in $(seq 1 "$ORDERERS"); do echo "orderer$k"; done
  for org in "${ORGS[@]}"; do echo "peer.$org"; done
  for cc in $CHAINCODES; do for org in "${ORGS[@]}"; do echo "cc.$cc.$org"; done; done
}

start_node() { # name
  case $1 in
    orderer[1-3]) start_orderer "${1#orderer}" ;;
    peer.*) start_peer "${1#peer.}" ;;
    cc.*.*) local rest=${1#cc.}; start_chaincode "${rest%.*}" "${rest##*.}" ;;
    *) die "unknown node $1" ;;
  esac
}
