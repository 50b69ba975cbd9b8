#!/usr/bin/env bash
# bench/saga.sh: the saga end to end. Starts PostgreSQL (durability on: fsync and
# synchronous_commit as PostgreSQL ships them), Kafka, the SMTP server and the four release
# services, then in one run:
#   1. Kafka's own produce->consume round trip (kafka.tools.EndToEndLatency, acks=all,
#      one message at a time): the floor of one hop of the saga;
#   2. latency: orders offered at a steady SAGA_RATE per second (open loop) for
#      SAGA_DURATION; POST -> CONFIRMED p50/p99, next to the single-hop round trip;
#   3. throughput: saga-load places orders from BENCH_CONNECTIONS closed-loop clients for
#      SAGA_DURATION; orders per second reaching a terminal state (CONFIRMED/CANCELLED),
#      and sustained: until their e-mails have also been sent.
# An order's POST -> CONFIRMED crosses three Kafka hops (order.created, payment.succeeded,
# order.confirmed is the third, whose ce_time marks the moment), each behind a database
# commit. Prints the figures and ratios on stdout; progress on stderr. Stops everything it
# started, also on failure and Ctrl-C.
#
# Kafka's CPU is also shown without its JIT compiler threads: a broker started a minute ago
# still compiles its hot paths (about half of its CPU in a short run), a cost of its start, not of
# each order; SAGA_WARMUP lengthens the warm-up to see the settled figures.
#
# SAGA_PG_STATEMENTS=1 starts PostgreSQL with pg_stat_statements and prints, for the
# throughput phase, figures that do not depend on the machine's load: per database the top
# statements per order (calls, execution ms, rows, WAL bytes), and the WAL written per order
# (records, full-page images, bytes, fsyncs) with the checkpoints that ran. The extension
# costs PostgreSQL some CPU itself: compare CPU figures only between runs with the same setting.
# SAGA_PG_CHECKPOINT=1 (with it) runs a CHECKPOINT just before the phase: the first change
# of each page after a checkpoint writes the whole page to the WAL, and the phase then
# shows that cost as it is right after every checkpoint (the worst case).
#
# Environment: SAGA_DURATION (10 s), SAGA_WARMUP (3 s at 50 orders/s), BENCH_CONNECTIONS (32),
# SAGA_RATE (100 orders/s), SAGA_PG_STATEMENTS (0), PG_EXTRA_CONF (extra postgresql.conf
# lines, see deploy/local/pg-cluster),
# KAFKA_E2E_MESSAGES (2000), BENCH_NOTIFICATIONS (1: run notification-service and the
# SMTP server too, as in production), SAGA_SMTP (sink: Postfix's smtp-sink, a C server that
# keeps no message, standing in for a production mail relay, which would not share the two
# cores; maildir: the Python server of ./dev up and the tests, which costs about 0.6 ms of
# CPU per message itself), BENCH_KEEP=1 keeps the work dir (logs) under /tmp.
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
PG_STATEMENTS=${SAGA_PG_STATEMENTS:-0}
PG_CHECKPOINT=${SAGA_PG_CHECKPOINT:-0}
SMTP_KIND=${SAGA_SMTP:-sink}
LOAD=${SAGA_LOAD_BIN:-$BZ_ROOT/build/release/bench/saga-load}

[ -x "$LOAD" ] || bz_die "saga-load not found at $LOAD (./dev bench saga builds it)"
for s in user order payment notification; do
  [ -x "$(bz_service_bin $s release)" ] || bz_die "$s-service not built (./dev bench saga builds it)"
done

bz_bench_start saga
declare -A part_pids snap # part -> its pids; phase.part -> CPU ticks
mkdir -p "$work/logs"

bz_on_exit bz_pg_stop "$work/pg"
if [ "$PG_STATEMENTS" = 1 ]; then
  export PG_EXTRA_CONF="${PG_EXTRA_CONF:-}
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 1000"
fi
db=$(bz_pg_start "$work/pg" users orders payments notifications)
db_url=$db
pg() { psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$db_url/postgres" "$@"; }
[ "$PG_STATEMENTS" = 1 ] && pg -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
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
  while read -r db commits; do snap["$1.xact.$db"]=$commits; done < <(pg \
    -c "SELECT datname, xact_commit FROM pg_stat_database WHERE datname IN ('users', 'orders', 'payments', 'notifications')")
}

# pg_kind_ticks: "KIND TICKS" per PostgreSQL process kind (a backend is named by its
# database, e.g. "backend orders"); "exited" is what finished children (autovacuum workers,
# closed connections) used, which the postmaster's cutime/cstime collect.
pg_kind_ticks() {
  local pm p kind
  pm=$(head -n 1 "$work/pg/data/postmaster.pid")
  echo "exited $(sed 's/^.*) //' "/proc/$pm/stat" | awk '{print $14 + $15}')"
  echo "postmaster $(bz_cpu_ticks "$pm")"
  for p in $(ps -o pid= --ppid "$pm"); do
    kind=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | sed -E 's/^postgres: //; s/^postgres ([a-z_]+) .*/backend \1/; s/ +$//') || continue
    echo "${kind// /_} $(bz_cpu_ticks "$p")"
  done | awk '{t[$1] += $2} END {for (k in t) print k, t[k]}'
}

# With SAGA_PG_STATEMENTS=1: statement and WAL counters from zero at the phase's start
# (pg_stat_statements, pg_stat_wal), and the WAL position and checkpoint counts then.
pg_stats_reset() {
  [ "$PG_STATEMENTS" = 1 ] || return 0
  [ "$PG_CHECKPOINT" != 1 ] || pg -c CHECKPOINT >/dev/null
  pg -c "SELECT pg_stat_statements_reset()" -c "SELECT pg_stat_reset_shared('wal')" >/dev/null
  pg_lsn_before=$(pg -c "SELECT pg_current_wal_lsn()")
  pg_ckpt_before=$(pg -c "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")
  pg_kinds_before=$(pg_kind_ticks)
}
# The throughput phase ends once notification-service has also sent the phase's e-mails
# (waiting at most 120 s): their work, CPU included, is part of what an order costs, and an
# e-mail backlog must not pass for throughput. Sets email_wait (seconds waited).
wait_for_emails() {
  email_wait=0
  [ "$NOTIFY" = 1 ] || return 0
  local i start
  start=$(date +%s.%N)
  for ((i = 0; i < 600; i++)); do
    if [ "$(psql -X -A -t -d "$db_url/notifications" -c "SELECT count(*) FROM notifications WHERE status = 'PENDING'")" = 0 ]; then
      email_wait=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
      return 0
    fi
    sleep 0.2
  done
  bz_die "e-mails still pending 120 s after the throughput phase"
}
# pg_stats_report N: the counters since pg_stats_reset, per order of the N that reached a
# terminal state.
pg_stats_report() {
  [ "$PG_STATEMENTS" = 1 ] || return 0
  local n=$1 d
  echo "PostgreSQL CPU per order by process (ms):"
  join -a 2 -e 0 -o 0,1.2,2.2 <(sort <<<"$pg_kinds_before") <(pg_kind_ticks | sort) |
    awk -v n="$n" -v hz="$(getconf CLK_TCK)" '{printf "%.2f %s\n", ($3 - $2) * 1000 / hz / n, $1}' |
    sort -rn | awk '$1 > 0 {printf "  %-32s %6.2f\n", $2, $1}'
  echo "PostgreSQL per order (pg_stat_statements, throughput phase; exec ms excludes parse, plan and client waits):"
  pg -c "SELECT format('  WAL: %s bytes (%s by LSN), %s records, %s full-page images, %s fsyncs, %s writes; checkpoints in the phase: %s',
           round(wal_bytes / $n), round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$pg_lsn_before') / $n),
           round(wal_records::numeric / $n, 1), round(wal_fpi::numeric / $n, 2),
           round(wal_sync::numeric / $n, 2), round(wal_write::numeric / $n, 2),
           (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) - $pg_ckpt_before)
         FROM pg_stat_wal"
  for d in users orders payments notifications; do
    pg -c "SELECT format('  %s: %s statements, %s ms executing, %s WAL bytes per order', '$d',
             round(sum(calls)::numeric / $n, 1), round((sum(total_exec_time) / $n)::numeric, 3),
             round(sum(wal_bytes) / $n))
           FROM pg_stat_statements s JOIN pg_database b ON b.oid = s.dbid WHERE b.datname = '$d'"
    pg -c "SELECT format('    %6s calls %7s ms %6s rows %6s WAL B %5s FPI  %s',
             round(calls::numeric / $n, 2), round((total_exec_time / $n)::numeric, 4),
             round(rows::numeric / $n, 2), round(wal_bytes / $n), round(wal_fpi::numeric / $n, 2),
             left(regexp_replace(query, '\s+', ' ', 'g'), 110))
           FROM pg_stat_statements s JOIN pg_database b ON b.oid = s.dbid
           WHERE b.datname = '$d' ORDER BY total_exec_time DESC LIMIT 8"
  done
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
  smtp=$(SMTP_KIND=$SMTP_KIND "$BZ_ROOT/deploy/local/smtp-server" start "$work/smtp")
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
pg_stats_reset
sample before
through=$(load RATE=0 CONNECTIONS="$CONNS")
wait_for_emails
sample after
pg_report=$(pg_stats_report "$(field terminal "$through")")

tput=$(field terminal_per_s "$through")
# Sustained: the same orders over the time until their last e-mail had also gone out.
sustained=$(awk -v n="$(field terminal "$through")" -v r="$tput" -v w="$email_wait" \
  'BEGIN {if (r > 0) printf "%.0f", n / (n / r + w); else print 0}')
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
  their e-mails (SMTP server: $SMTP_KIND) all sent ${email_wait} s after the last order's terminal state: $sustained orders/s with their e-mails
saga latency at $RATE orders/s offered: POST -> CONFIRMED p50 $p50 ms, p90 $(field p90_ms "$steady") ms, p99 $p99 ms, max $(field max_ms "$steady") ms ($(field confirmed "$steady") orders)
  where it goes (p50 / p99 of each step, by the events' ce_time): POST -> order.created $(field post_to_created_p50_ms "$steady") / $(field post_to_created_p99_ms "$steady") ms, -> payment.succeeded $(field created_to_paid_p50_ms "$steady") / $(field created_to_paid_p99_ms "$steady") ms, -> order.confirmed $(field paid_to_confirmed_p50_ms "$steady") / $(field paid_to_confirmed_p99_ms "$steady") ms
Kafka produce->consume round trip (EndToEndLatency, acks=all): p50 $hop_p50 ms, p99 $hop_p99 ms
$cpu_table
${pg_report:+$pg_report
}ratio: p99 POST->CONFIRMED / p99 single hop = $(bz_ratio "$p99" "$hop_p99")x (target <= 5x); throughput / 1000 orders/s target = $(bz_ratio "$tput" 1000)x (with their e-mails $(bz_ratio "$sustained" 1000)x)
EOF
bz_host_speed_line
