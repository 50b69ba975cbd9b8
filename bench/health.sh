#!/usr/bin/env bash
# bench/health.sh: GET /health on user-service (release build, its own throwaway
# PostgreSQL) against nginx answering `return 200` (bench/peers/nginx-health.conf), one
# after the other in one run, with the same wrk settings and the same number of server
# threads. Prints req/s, p50 and p99 of both and the ratio ours/nginx on stdout;
# progress goes to stderr. Stops everything it started, also on failure and Ctrl-C.
#
# Environment: BIN (user-service binary, default build/release/...), WRK_THREADS (2),
# WRK_CONNECTIONS (50), WRK_DURATION (10s), WRK_WARMUP (2s, not counted), BENCH_THREADS
# (2: user-service HTTP_THREADS = nginx worker_processes), BENCH_PATH (/health),
# BENCH_KEEP=1 keeps the work dir (logs) under /tmp.
set -euo pipefail
BZ_TAG=bench-health
# shellcheck source=../deploy/local/lib.sh disable=SC2034
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../deploy/local/lib.sh"

BIN=${BIN:-$(bz_service_bin user release)}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
WRK_DURATION=${WRK_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
WRK_WARMUP=${WRK_WARMUP:-2s}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_PATH=${BENCH_PATH:-/health}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

[ -x "$BIN" ] || bz_die "user-service binary not found at $BIN (./dev build release, or ./dev bench health)"
[ -x "$NGINX" ] || bz_die "nginx not found (./dev setup)"
command -v wrk >/dev/null || bz_die "wrk not found (./dev setup)"

bz_bench_start health

# user-service and its database
bz_on_exit bz_pg_stop "$work/pg"
db=$(bz_pg_start "$work/pg" users)
bz_ensure_jwt_key "$work/jwt.pem"
ours_port=$(bz_free_port)
bz_start_user_service "$BIN" "$ours_port" "$db/users" "$work/jwt.pem" "$work/user-service.log" \
  LOG_LEVEL=info HTTP_THREADS="$BENCH_THREADS"
ours_pid=$BZ_PID
bz_on_exit bz_stop_pid "$ours_pid" user-service
bz_wait_http "http://127.0.0.1:$ours_port/health/ready" 60 "$ours_pid" "$work/user-service.log" user-service

# nginx
nginx_port=$(bz_free_port)
user_line=
[ "$(id -u)" -eq 0 ] && user_line='user nobody nogroup;'
mkdir -p "$work/nginx-tmp"
sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$nginx_port|g" -e "s|@WORKERS@|$BENCH_THREADS|g" \
  -e "s|@USER@|$user_line|g" -e "/^#/d" "$BZ_ROOT/bench/peers/nginx-health.conf" >"$work/nginx.conf"
bz_spawn "$work/nginx.out" "$NGINX" -e "$work/nginx-error.log" -p "$work" -c "$work/nginx.conf"
nginx_pid=$BZ_PID
bz_on_exit bz_stop_pid "$nginx_pid" nginx
bz_say "started nginx (pid $nginx_pid) on 127.0.0.1:$nginx_port"
bz_wait_http "http://127.0.0.1:$nginx_port$BENCH_PATH" 10 "$nginx_pid" "$work/nginx-error.log" nginx

run_wrk() { # NAME URL ROUND
  bz_say "$1 round $3/$ROUNDS: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION --latency $2"
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --latency "$2" >"$work/wrk-$1-$3.txt"
  cp "$work/wrk-$1-$3.txt" "$work/wrk-$1.txt"
}
bz_say "warm-up $WRK_WARMUP each"
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_WARMUP" "http://127.0.0.1:$ours_port$BENCH_PATH" >/dev/null
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_WARMUP" "http://127.0.0.1:$nginx_port$BENCH_PATH" >/dev/null
# Rounds alternate ours and nginx, so that a noisy moment hurts both alike.
ours_all=() peer_all=()
for round in $(seq 1 "$ROUNDS"); do
  run_wrk user-service "http://127.0.0.1:$ours_port$BENCH_PATH" "$round"
  ours_all+=("$(bz_wrk_rps "$work/wrk-user-service.txt")")
  run_wrk nginx "http://127.0.0.1:$nginx_port$BENCH_PATH" "$round"
  peer_all+=("$(bz_wrk_rps "$work/wrk-nginx.txt")")
done
ours=$(bz_median "${ours_all[@]}")
peer=$(bz_median "${peer_all[@]}")
echo "health: GET $BENCH_PATH, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, $ROUNDS alternating rounds of $WRK_DURATION (medians; p50/p99 of the last round); servers on $BENCH_THREADS threads (HTTP_THREADS = worker_processes)"
echo "  rounds user-service: ${ours_all[*]}"
echo "  rounds nginx:        ${peer_all[*]}"
printf '  %-14s %12s %10s %10s\n' side 'req/s' 'p50 ms' 'p99 ms'
for side in user-service nginx; do
  f=$work/wrk-$side.txt
  median=$ours
  [ "$side" = nginx ] && median=$peer
  printf '  %-14s %12s %10s %10s\n' "$side" "$median" \
    "$(bz_wrk_latency_ms "$f" 50)" "$(bz_wrk_latency_ms "$f" 99)"
  bz_wrk_problems "$f" | sed "s/^/  $side: /"
done
echo "  ratio ours/nginx (req/s): $(bz_ratio "$ours" "$peer")"
bz_host_speed_line
