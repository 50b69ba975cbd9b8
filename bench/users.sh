#!/usr/bin/env bash
# bench/users.sh: reading one user. GET /users/{id} on user-service (release build, its
# own throwaway PostgreSQL) against the database ceiling: pgbench running the same
# SELECT straight on the same `users` database, with the same number of connections.
# Prints both throughputs, the ratio ours/pgbench and user-service's resident memory
# (VmRSS) after the run on stdout; progress goes to stderr. Stops everything it
# started, also on failure and Ctrl-C.
#
# Environment: BIN (user-service binary), BENCH_CONNECTIONS (32: wrk connections =
# pgbench clients), WRK_THREADS (2: wrk threads = pgbench -j), WRK_DURATION (10s),
# WRK_WARMUP (2s, not counted), BENCH_ROUNDS (3 alternating rounds; medians compared), BENCH_THREADS (2: HTTP_THREADS), DB_POOL_SIZE (passed
# on when set), BENCH_KEEP=1 keeps the work dir (logs) under /tmp.
set -euo pipefail
BZ_TAG=bench-users
# shellcheck source=../deploy/local/lib.sh disable=SC2034
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../deploy/local/lib.sh"

BIN=${BIN:-$(bz_service_bin user release)}
CONNS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
WRK_DURATION=${WRK_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
WRK_WARMUP=${WRK_WARMUP:-2s}
BENCH_THREADS=${BENCH_THREADS:-2}
PGBENCH=/usr/lib/postgresql/15/bin/pgbench

[ -x "$BIN" ] || bz_die "user-service binary not found at $BIN (./dev build release, or ./dev bench users)"
[ -x "$PGBENCH" ] || bz_die "pgbench not found (./dev setup)"
command -v wrk >/dev/null || bz_die "wrk not found (./dev setup)"

# "10s" / "1m" -> seconds, for pgbench -T
secs() {
  case $1 in
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *h) echo $((${1%h} * 3600)) ;;
    *) echo "$1" ;;
  esac
}

bz_bench_start users

bz_on_exit bz_pg_stop "$work/pg"
db=$(bz_pg_start "$work/pg" users)/users
bz_ensure_jwt_key "$work/jwt.pem"
port=$(bz_free_port)
extra=(LOG_LEVEL=info HTTP_THREADS="$BENCH_THREADS")
[ -n "${DB_POOL_SIZE:-}" ] && extra+=(DB_POOL_SIZE="$DB_POOL_SIZE")
bz_start_user_service "$BIN" "$port" "$db" "$work/jwt.pem" "$work/user-service.log" "${extra[@]}"
pid=$BZ_PID
bz_on_exit bz_stop_pid "$pid" user-service
base=http://127.0.0.1:$port
bz_wait_http "$base/health/ready" 60 "$pid" "$work/user-service.log" user-service

# One user to read, created through the API (so the row is what the service writes).
answer=$(curl -sS -w '\n%{http_code}' -H 'content-type: application/json' \
  -d '{"name":"Bench Reader","email":"bench.reader@example.com","password":"bench-password-1"}' \
  "$base/users")
code=${answer##*$'\n'}
body=${answer%$'\n'*}
[ "$code" = 201 ] || bz_die "POST /users answered $code: $body"
id=$(jq -r '.id // empty' <<<"$body")
[[ $id =~ ^[0-9a-fA-F-]+$ ]] || bz_die "no usable id in the POST /users answer: $body"
bz_say "created user $id"
curl -fsS -o /dev/null "$base/users/$id" || bz_die "GET /users/$id does not answer 2xx"

printf "SELECT id, name, email, role FROM users WHERE id = '%s';\n" "$id" >"$work/select.sql"
bz_say "warm-up $WRK_WARMUP each"
wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WRK_WARMUP" "$base/users/$id" >/dev/null
"$PGBENCH" -n -M prepared -c "$CONNS" -j "$WRK_THREADS" -T "$(secs "$WRK_WARMUP")" \
  -f "$work/select.sql" "$db" >/dev/null 2>&1

# Rounds alternate ours and the peer's, so that a noisy moment hurts both alike.
ours_all=() peer_all=()
for round in $(seq 1 "$ROUNDS"); do
  bz_say "round $round/$ROUNDS: wrk -t$WRK_THREADS -c$CONNS -d$WRK_DURATION --latency $base/users/$id"
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WRK_DURATION" --latency "$base/users/$id" >"$work/wrk-$round.txt"
  ours_all+=("$(bz_wrk_rps "$work/wrk-$round.txt")")
  bz_say "round $round/$ROUNDS: pgbench -n -M prepared -c $CONNS -j $WRK_THREADS -T $(secs "$WRK_DURATION") -f select.sql"
  "$PGBENCH" -n -M prepared -c "$CONNS" -j "$WRK_THREADS" -T "$(secs "$WRK_DURATION")" \
    -f "$work/select.sql" "$db" >"$work/pgbench-$round.txt" 2>"$work/pgbench.err" ||
    { cat "$work/pgbench.err" >&2; bz_die "pgbench failed"; }
  peer_all+=("$(awk '/^tps = / {printf "%.2f\n", $3; exit}' "$work/pgbench-$round.txt")")
done
rss=$(awk '/^VmRSS:/ {print $2, $3}' "/proc/$pid/status" 2>/dev/null || echo "n/a")
cp "$work/wrk-$ROUNDS.txt" "$work/wrk.txt"
cp "$work/pgbench-$ROUNDS.txt" "$work/pgbench.txt"

ours=$(bz_median "${ours_all[@]}")
peer=$(bz_median "${peer_all[@]}")
peer_lat=$(awk '/^latency average = / {print $4, $5; exit}' "$work/pgbench.txt")
peer_failed=$(awk -F': ' '/^number of failed transactions/ {split($2, a, " "); print a[1]; exit}' "$work/pgbench.txt")
echo "users: GET /users/{id} with $CONNS connections vs pgbench -c $CONNS -j $WRK_THREADS on the same SELECT; $ROUNDS alternating rounds of $WRK_DURATION (medians; latencies of the last round)"
echo "  rounds user-service: ${ours_all[*]}"
echo "  rounds pgbench:      ${peer_all[*]}"
printf '  %-14s %12s %10s %10s\n' side 'per second' 'p50 ms' 'p99 ms'
printf '  %-14s %12s %10s %10s\n' user-service "$ours" \
  "$(bz_wrk_latency_ms "$work/wrk.txt" 50)" "$(bz_wrk_latency_ms "$work/wrk.txt" 99)"
bz_wrk_problems "$work/wrk.txt" | sed 's/^/  user-service: /'
printf '  %-14s %12s %21s\n' pgbench "$peer" "(average ${peer_lat:-?})"
[ "${peer_failed:-0}" = 0 ] || echo "  pgbench: $peer_failed failed transactions"
echo "  ratio ours/pgbench (per second): $(bz_ratio "$ours" "$peer")"
echo "  user-service VmRSS after the run: $rss"
bz_host_speed_line
