# deploy/local/lib.sh: helpers shared by ./dev and bench/*.sh (source it, bash only).
# shellcheck shell=bash disable=SC2016,SC2154
# Defines bz_* functions and BZ_ROOT; runs nothing when sourced.
#
# The one rule of every script here: whatever it starts, it stops, on success, on
# failure and on Ctrl-C. bz_install_traps + bz_on_exit give that: register the stop
# right after the start, and the EXIT trap runs the registrations in reverse order.

BZ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BZ_PG_CLUSTER=$BZ_ROOT/deploy/local/pg-cluster
BZ_TAG=${BZ_TAG:-bazaar}

bz_say() { printf '%s: %s\n' "$BZ_TAG" "$*" >&2; }
bz_die() { bz_say "error: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup on exit
BZ_CLEANUPS=()

# bz_on_exit CMD [ARGS...]: run CMD ARGS at exit (last registered runs first).
bz_on_exit() { BZ_CLEANUPS+=("$(printf '%q ' "$@")"); }

# Run the registered cleanups now (in reverse) and forget them. Signals are ignored
# meanwhile so that a second Ctrl-C cannot leave a half-stopped system behind.
bz_cleanup_now() {
  local i
  trap '' INT TERM HUP
  for ((i = ${#BZ_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${BZ_CLEANUPS[i]}" || true
  done
  BZ_CLEANUPS=()
}

bz_install_traps() {
  trap 'bz_rc=$?; bz_cleanup_now; exit $bz_rc' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

# ---------------------------------------------------------------- processes and ports
# bz_alive PID: the process exists and is not a zombie.
bz_alive() {
  local st
  st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# bz_start_time PID: the process's start time (clock ticks since boot), which with the
# PID names one process for good: record both, and a recycled PID is never killed.
bz_start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# bz_pid_is PID START_TIME: PID is alive and is still the process that started then.
bz_pid_is() { bz_alive "$1" && [ "$(bz_start_time "$1")" = "$2" ]; }

# bz_spawn LOG CMD...: start CMD in a session of its own (so Ctrl-C on the terminal
# reaches only the script, which then stops everything in order), stdin closed, stdout
# and stderr appended to LOG. Sets BZ_PID.
bz_spawn() {
  local log=$1
  shift
  setsid "$@" </dev/null >>"$log" 2>&1 &
  BZ_PID=$!
}

# bz_stop_pid PID NAME [TIMEOUT_S]: SIGTERM, wait up to TIMEOUT_S (default 20), then
# SIGKILL. Reports a non-zero exit status when PID is a child of this shell.
bz_stop_pid() {
  local pid=$1 name=$2 t=${3:-20} i rc
  if bz_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < t * 10; i++)); do
      bz_alive "$pid" || break
      sleep 0.1
    done
    if bz_alive "$pid"; then
      bz_say "$name (pid $pid) still running ${t}s after SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  if wait "$pid" 2>/dev/null; then rc=0; else rc=$?; fi
  case $rc in
    0 | 127) bz_say "stopped $name (pid $pid)" ;; # 127: not our child, status unknown
    *) bz_say "stopped $name (pid $pid), exit status $rc" ;;
  esac
}

bz_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bz_port_busy PORT: something accepts connections on 127.0.0.1:PORT.
bz_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# bz_tail_log LOG [N]: the last N (30) lines of a service log, readable, to stderr.
bz_tail_log() {
  [ -f "$1" ] || return 0
  tail -n "${2:-30}" "$1" | bz_pretty_logs >&2 || true
}

# bz_wait_http URL TIMEOUT_S PID LOG NAME: wait until URL answers 2xx; fail early
# when PID dies, fail after TIMEOUT_S; both with the log's tail.
bz_wait_http() {
  local url=$1 t=$2 pid=$3 log=$4 name=$5 deadline=$((SECONDS + $2))
  while :; do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    if ! bz_alive "$pid"; then
      bz_say "$name exited during start-up; last lines of $log:"
      bz_tail_log "$log"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      bz_say "$name not ready: $url did not answer 2xx within ${t}s; last lines of $log:"
      bz_tail_log "$log"
      return 1
    fi
    sleep 0.2
  done
}

# bz_workdir NAME: a fresh directory under /tmp that the postgres user can enter
# (clusters go inside it). Removed at exit unless BENCH_KEEP=1.
bz_workdir() {
  local d
  d=$(mktemp -d "/tmp/bazaar-$1.XXXXXX")
  chmod 755 "$d"
  printf '%s\n' "$d"
}

# bz_bench_start NAME: what every bench script does first: exit traps, a work dir of its own
# in $work, removed at exit unless BENCH_KEEP=1 (then its path is printed), and the host's
# speed before the run (bz_host_speed_line prints it with the speed after).
bz_bench_start() {
  bz_install_traps
  work=$(bz_workdir "$1")
  if [ "${BENCH_KEEP:-0}" = 1 ]; then bz_on_exit bz_say "kept $work"; else bz_on_exit rm -rf "$work"; fi
  bz_speed_before=$(bz_host_speed)
}

# bz_host_speed: the CPU seconds a fixed piece of work takes (20 million additions in
# Python, one core). On a shared VM the host's load changes what the same work costs: the dev
# VM took 1.9-3.1 s within one hour, and every CPU figure of a bench moves with it.
bz_host_speed() {
  python3 -c 'import resource
s = 0
for i in range(20000000): s += i
print("%.2f" % resource.getrusage(resource.RUSAGE_SELF).ru_utime)'
}

# bz_host_speed_line: the bench's last line, so that runs are compared at similar speeds.
bz_host_speed_line() {
  echo "host speed: a fixed CPU loop took ${bz_speed_before:-?} s before the run, $(bz_host_speed) s after (lower is faster; compare runs' CPU figures at similar speeds)"
}

# ---------------------------------------------------------------- PostgreSQL
# bz_pg_start DIR DB...: start (or reuse) the cluster in DIR; prints the base URL.
bz_pg_start() { "$BZ_PG_CLUSTER" start "$@"; }
bz_pg_stop() { "$BZ_PG_CLUSTER" stop "$1" || true; }

# ---------------------------------------------------------------- services
# bz_service_bin NAME PRESET: where the build puts services/NAME's binary.
bz_service_bin() { printf '%s/build/%s/services/%s/%s-service\n' "$BZ_ROOT" "$2" "$1" "$1"; }

# bz_ensure_jwt_key FILE: an RSA-2048 private key (PEM), generated once.
bz_ensure_jwt_key() {
  [ -s "$1" ] && return 0
  mkdir -p "$(dirname "$1")"
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.tmp" 2>/dev/null &&
    mv "$1.tmp" "$1") || bz_die "could not generate the JWT key $1"
}

# bz_start_user_service BIN PORT DB_URL KEY_FILE LOG [VAR=VALUE...]: start user-service
# with its required config (plus extra variables); sets BZ_PID. The caller registers
# the stop and waits for readiness.
# bz_start_service NAME BIN PORT LOG [VAR=value...]: a service binary on 127.0.0.1:PORT.
bz_start_service() {
  local name=$1 bin=$2 port=$3 log=$4
  shift 4
  [ -x "$bin" ] || bz_die "$name binary not found at $bin (build it: ./dev build release)"
  bz_spawn "$log" env BIND_ADDRESS=127.0.0.1 PORT="$port" "$@" "$bin"
  bz_say "started $name (pid $BZ_PID) on 127.0.0.1:$port, log $log"
}

bz_start_user_service() {
  local bin=$1 port=$2 db_url=$3 key=$4 log=$5
  shift 5
  [ -x "$bin" ] || bz_die "user-service binary not found at $bin (build it: ./dev build release)"
  bz_spawn "$log" env BIND_ADDRESS=127.0.0.1 PORT="$port" DB_URL="$db_url" \
    JWT_PRIVATE_KEY_FILE="$key" "$@" "$bin"
  bz_say "started user-service (pid $BZ_PID) on 127.0.0.1:$port, log $log"
}

# ---------------------------------------------------------------- logs
# bz_pretty_logs: JSON log lines on stdin -> "HH:MM:SS level service msg key=value ...";
# other lines pass through unchanged. Colours when stdout is a terminal. To run the
# formatter as a background process of its own: jq "${BZ_LOG_JQ[@]}" <input &
BZ_LOG_FILTER='
  def val: if type == "string" then (if test("[\\s\"=]") or . == "" then tojson else . end)
           else tojson end;
  def paint($l): if $c != "1" then ""
    else ({"debug": "\u001b[2m", "info": "\u001b[32m", "warn": "\u001b[33m",
           "error": "\u001b[31m"}[$l] // "") end;
  def reset: if $c == "1" then "\u001b[0m" else "" end;
  def pad($n): . + ((" " * ($n - length)) // "");
  (try fromjson catch null) as $j
  | if ($j | type) != "object" then .
    else $j
    | ((.ts // "") | tostring | if length >= 19 then .[11:19] else . end) as $t
    | ((.level // "?") | tostring) as $l
    | [$t, paint($l) + ($l | pad(5)) + reset, (.service // "-" | tostring),
       (.msg // "" | tostring)]
      + [to_entries[]
         | select(.key | IN("ts", "level", "service", "msg", "trace_id", "span_id") | not)
         | "\(.key)=\(.value | val)"]
      + (if ((.trace_id // "") | tostring) != "" then ["trace=\(.trace_id | tostring | .[0:8])"]
         else [] end)
    | join(" ")
    end'

# bz_log_jq_args: sets BZ_LOG_JQ, the jq arguments of the formatter (colour decided by
# whether stdout is a terminal now).
bz_log_jq_args() {
  local colour=0
  [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && colour=1
  BZ_LOG_JQ=(--unbuffered -R -r --arg c "$colour" "$BZ_LOG_FILTER")
}

bz_pretty_logs() {
  local BZ_LOG_JQ
  bz_log_jq_args
  jq "${BZ_LOG_JQ[@]}"
}

# ---------------------------------------------------------------- CPU accounting
# bz_cpu_ticks PID...: the user + system clock ticks (getconf CLK_TCK per second) those
# processes have used so far, all their threads together; gone processes count 0.
bz_cpu_ticks() {
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$t"
}

# ---------------------------------------------------------------- wrk output
# bz_wrk_rps FILE: Requests/sec from wrk's output.
bz_wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }

# bz_wrk_latency_ms FILE PCT: a percentile (50, 99, ...) of `wrk --latency`, in ms.
bz_wrk_latency_ms() {
  awk -v p="$2%" '
    $1 == p {
      v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
      printf "%.2f\n", v * f; exit
    }' "$1"
}

# bz_wrk_problems FILE: wrk's error lines (non-2xx answers, socket errors), if any.
bz_wrk_problems() { grep -E 'Non-2xx|Socket errors' "$1" | sed 's/^ *//' || true; }

# bz_ratio A B: A/B with two decimals ("n/a" when either is missing or B is 0).
bz_ratio() {
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# bz_median N...: the median of the numbers given (the machine is noisy: benches alternate
# rounds of ours and the peer's and compare medians).
bz_median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
