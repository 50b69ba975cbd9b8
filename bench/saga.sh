#!/usr/bin/env bash
# bench/saga.sh: the saga end to end. Starts PostgreSQL (durability on: fsync and
# synchronous_commit as PostgreSQL ships them), Kafka, the SMTP server and the four release
# services, then in one run:
#   1. Kafka's own produce->consume round trip (kafka.tools.EndToEndLatency, acks=all,
#      one message at a time): the floor of one hop of the saga;
#   2. latency: orders offered at a steady SAGA_RATE per second (open loop) for
#      SAGA_DURATION; POST -> CONFIRMED p50/p99, next to the single-hop round trip;
#   3. throughput: saga-load places orders from BENCH_CONNECTIONS closed-loop clients for
#      SAGA_DURATION; orders per second reaching a terminal state (CONFIRMED/CANCELLED).
# An order's POST -> CONFIRMED crosses three Kafka hops (order.created, payment.succeeded,
# order.confirmed is the third, whose ce_time marks the moment), each behind a database
# commit. Prints the figures and ratios on stdout; progress on stderr. Stops everything it
# started, also on failure and Ctrl-C.
#
# Kafka's CPU is also shown without its JIT compiler threads: a broker started a minute ago
# still compiles its hot paths (about half of its CPU in a short run), a cost of its start, not of
# each order; SAGA_WARMUP lengthens the warm-up to see the settled figures.
#
# Environment: SAGA_DURATION (10 s), SAGA_WARMUP (3 s at 50 orders/s), BENCH_CONNECTIONS (32),
# SAGA_RATE (100 orders/s),
# KAFKA_E2E_MESSAGES (2000), BENCH_NOTIFICATIONS (1: run notification-service and the
# SMTP server too, as in production), BENCH_KEEP=1 keeps the work dir (logs) under /tmp.
set -euo pipefail
BZ_TAG=bench-saga
# shellcheck source=../deploy/local/lib.sh disable=SC2034
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../deploy/local/lib.sh"

DURATION=${SAGA_DURATION:-10}
WARMUP=${SAGA_WARMUP:-3}
CONNS=${BENCH_CONNECTIONS:-32}
RATE=${SAGA_RATE:-100}
E2E_MESSAGES=${KAFKA_E2E_MESSAGES:-2000}
NOTIFY=${BENCH_NOTIFICATIONS:-1}
LOAD=${SAGA_LOAD_BIN:-$BZ_ROOT/build/release/bench/saga-load}

[ -x "$LOAD" ] || bz_die "saga-load not found at $LOAD (./dev bench saga builds it)"
for s in user order payment notification; do
  [ -x "$(bz_service_bin $s release)" ] || bz_die "$s-service not built (./dev bench saga builds it)"
done

bz_bench_start saga
declare -A part_pids snap # part -> its pids; phase.part -> CPU ticks
mkdir -p "$work/logs"

bz_on_exit bz_pg_stop "$work/pg"
db=$(bz_pg_start "$work/pg" users orders payments notifications)
db_url=$db
bz_on_exit "$BZ_ROOT/deploy/local/kafka-broker" stop "$work/kafka"
kafka=$("$BZ_ROOT/deploy/local/kafka-broker" start "$work/kafka")
kafka_libs=$("$BZ_ROOT/deploy/local/kafka-broker" fetch)
part_pids[kafka]=$(head -n 1 "$work/kafka/kafka.pid")

# jit_ticks PID: CPU ticks of the JVM's JIT compiler threads (C1/C2 CompilerThreadN).
jit_ticks() {
  local t=0 task
  for task in /proc/"$1"/task/*; do
    case $(cat "$task/comm" 2>/dev/null) in
      C1\ CompilerThre* | C2\ CompilerThre*) t=$((t + $(sed 's/^.*) //' "$task/stat" | awk '{print $12 + $13}'))) ;;
    esac
  done
  echo "$t"
}
# Where the CPU goes: clock ticks (user + system) of each part, sampled around a phase.
pg_pids() { local pm; pm=$(head -n 1 "$work/pg/data/postmaster.pid"); echo "$pm" $(ps -o pid= --ppid "$pm"); }
sample() { # NAME: records every part's ticks and each database's commits under NAME
  local part db commits
  for part in "${!part_pids[@]}"; do snap["$1.$part"]=$(bz_cpu_ticks ${part_pids[$part]}); done
  snap["$1.postgresql"]=$(bz_cpu_ticks $(pg_pids))
  snap["$1.kafka-jit"]=$(jit_ticks "${part_pids[kafka]}")
  while read -r db commits; do snap["$1.xact.$db"]=$commits; done < <(psql -X -A -t -F ' ' -d "$db_url/postgres" \
    -c "SELECT datname, xact_commit FROM pg_stat_database WHERE datname IN ('users', 'orders', 'payments', 'notifications')")
}

# start NAME VAR=value...: a release service on a free port; sets $url.
start() {
  local name=$1 port pid
  shift
  port=$(bz_free_port)
  bz_start_service "$name" "$(bz_service_bin "${name%-service}" release)" "$port" \
    "$work/logs/$name.log" LOG_LEVEL=warn "$@"
  pid=$BZ_PID
  bz_on_exit bz_stop_pid "$pid" "$name"
  part_pids[$name]=$pid
  url=http://127.0.0.1:$port
  bz_wait_http "$url/health/ready" 60 "$pid" "$work/logs/$name.log" "$name"
}

bz_ensure_jwt_key "$work/jwt.pem"
start user-service DB_URL="$db/users" JWT_PRIVATE_KEY_FILE="$work/jwt.pem"
users=$url
start payment-service DB_URL="$db/payments" KAFKA_BROKERS="$kafka"
start order-service DB_URL="$db/orders" KAFKA_BROKERS="$kafka" USER_SERVICE_URL="$users"
orders=$url
if [ "$NOTIFY" = 1 ]; then
  bz_on_exit "$BZ_ROOT/deploy/local/smtp-server" stop "$work/smtp"
  smtp=$("$BZ_ROOT/deploy/local/smtp-server" start "$work/smtp")
  part_pids[smtp-server]=$(head -n 1 "$work/smtp/smtp.pid")
  start notification-service DB_URL="$db/notifications" KAFKA_BROKERS="$kafka" \
    USER_SERVICE_URL="$users" SMTP_URL="smtp://$smtp"
fi

# 1. The floor of a hop: Kafka's own tool (it creates its topic).
bz_say "Kafka round trip: kafka.tools.EndToEndLatency, $E2E_MESSAGES messages, acks=all"
java -cp "$kafka_libs/*" -Dlog4j.configuration=file:/dev/null kafka.tools.EndToEndLatency \
  "$kafka" bench.roundtrip "$E2E_MESSAGES" all 200 >"$work/e2e.txt" 2>"$work/e2e.err" ||
  { cat "$work/e2e.err" >&2; bz_die "EndToEndLatency failed"; }
hop_p50=$(sed -n 's/.*50th = \([0-9.]*\).*/\1/p' "$work/e2e.txt")
hop_p99=$(sed -n 's/.*99th = \([0-9.]*\).*/\1/p' "$work/e2e.txt" | head -1)
[ -n "$hop_p50" ] && [ -n "$hop_p99" ] || { cat "$work/e2e.txt" >&2; bz_die "no percentiles from EndToEndLatency"; }

load() { # VAR=value...: one saga-load run; prints its key=value line
  env ORDER_URL="$orders" USER_URL="$users" KAFKA_BROKERS="$kafka" DURATION="$DURATION" "$@" \
    "$LOAD" 2>>"$work/load.err" || { tail -5 "$work/load.err" >&2; bz_die "saga-load failed"; }
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

bz_say "warm-up: $WARMUP s at 50 orders/s"
DURATION=$WARMUP load RATE=50 >/dev/null
# Latency first, on a system with no backlog: the throughput phase leaves thousands of
# e-mails for notification-service and the SMTP server to work off for a while afterwards.
bz_say "latency: $RATE orders/s offered for ${DURATION}s"
steady=$(load RATE="$RATE")
bz_say "throughput: $CONNS closed-loop clients for ${DURATION}s"
sample before
through=$(load RATE=0 CONNECTIONS="$CONNS")
sample after

tput=$(field terminal_per_s "$through")
hz=$(getconf CLK_TCK)
cpu_table="CPU per order in the throughput phase (ms, user + system; the load generator not counted):"
total=0
for part in $(printf '%s\n' "${!part_pids[@]}" postgresql | sort); do
  d=$((snap[after.$part] - snap[before.$part]))
  total=$((total + d))
  cpu_table+=$'\n'$(awk -v d="$d" -v hz="$hz" -v n="$(field terminal "$through")" -v p="$part" \
    'BEGIN {printf "  %-22s %6.2f", p, d * 1000 / hz / n}')
done
cpu_table+=$'\n'$(awk -v d="$total" -v hz="$hz" -v n="$(field terminal "$through")" \
  'BEGIN {printf "  %-22s %6.2f", "all", d * 1000 / hz / n}')
cpu_table+=$'\n'$(awk -v d="$((snap[after.kafka-jit] - snap[before.kafka-jit]))" -v hz="$hz" \
  -v n="$(field terminal "$through")" -v all="$total" \
  'BEGIN {printf "  of which Kafka JIT compiling %.2f (all without it %.2f)", d * 1000 / hz / n, (all - d) * 1000 / hz / n}')
cpu_table+=$'\n'"PostgreSQL transactions per order:"
for d in users orders payments notifications; do
  cpu_table+=$(awk -v a="${snap[after.xact.$d]:-0}" -v b="${snap[before.xact.$d]:-0}" \
    -v n="$(field terminal "$through")" -v d="$d" 'BEGIN {printf " %s %.1f", d, (a - b) / n}')
done
p50=$(field p50_ms "$steady")
p99=$(field p99_ms "$steady")
cat <<EOF
saga throughput ($CONNS clients, ${DURATION}s): $(field placed "$through") placed, $(field terminal "$through") terminal, $tput orders/s reached a terminal state (placed at $(field placed_per_s "$through")/s)
saga latency at $RATE orders/s offered: POST -> CONFIRMED p50 $p50 ms, p90 $(field p90_ms "$steady") ms, p99 $p99 ms, max $(field max_ms "$steady") ms ($(field confirmed "$steady") orders)
  where it goes (p50, by the events' ce_time): POST -> order.created $(field post_to_created_p50_ms "$steady") ms, -> payment.succeeded $(field created_to_paid_p50_ms "$steady") ms, -> order.confirmed $(field paid_to_confirmed_p50_ms "$steady") ms
Kafka produce->consume round trip (EndToEndLatency, acks=all): p50 $hop_p50 ms, p99 $hop_p99 ms
$cpu_table
ratio: p99 POST->CONFIRMED / p99 single hop = $(bz_ratio "$p99" "$hop_p99")x (target <= 5x); throughput / 1000 orders/s target = $(bz_ratio "$tput" 1000)x
EOF
