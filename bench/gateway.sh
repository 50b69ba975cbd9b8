#!/usr/bin/env bash
# bench/gateway.sh: one upstream, one load, one run, through
#   (i)   Bazaar's gateway with jwt (RS256) + rate-limiting + request-transformer,
#   (ii)  Debian's HAProxy 2.6 doing jwt_verify and a stick-table limit (the same checks),
#   (iii) Debian's nginx doing a plain proxy_pass with no checks at all,
# and the upstream called directly. The upstream is nginx answering 200 with a small JSON
# body (bench/peers/nginx-health.conf, one worker). Every side gets the same token and the
# same wrk load, in alternating rounds; the limit is set high enough never to refuse.
# Prints req/s, p50 and p99 per side, the ratios ours/HAProxy and ours/nginx, and the p99
# each proxy adds over calling the upstream directly, twice: with every connection busy (the
# throughput rounds, where p99 is mostly queueing on two shared cores), and at a paced load
# (each of the 50 connections waits BENCH_PACE_MS between requests, bench/peers/paced.lua),
# where the machine has room and the p99 added is the proxy's own. Progress on stderr. Stops
# everything it started, also on failure and Ctrl-C.
#
# Environment: GATEWAY_BIN (the gateway binary), WRK_THREADS (2), WRK_CONNECTIONS (50),
# WRK_DURATION (10s), WRK_WARMUP (2s), BENCH_ROUNDS (3), BENCH_PACED_ROUNDS (5: one round's
# p99 moves by milliseconds with the VM's scheduling, the upstream's own too), BENCH_PACE_MS
# (5), BENCH_THREADS (2: the gateway's HTTP_THREADS = HAProxy's nbthread = nginx's
# worker_processes), BENCH_SIDES (all four: a subset such as "gateway" for quick iterations;
# ratios then print n/a), BENCH_KEEP=1 keeps the work dir (logs) under /tmp,
# BENCH_CALLGRIND=1 counts the gateway's instructions per request under callgrind instead of
# timing the sides (see below).
set -euo pipefail
BZ_TAG=bench-gateway
# shellcheck source=../deploy/local/lib.sh disable=SC2034
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../deploy/local/lib.sh"

GATEWAY_BIN=${GATEWAY_BIN:-$BZ_ROOT/build/release/gateway/gateway}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
WRK_DURATION=${WRK_DURATION:-10s}
WRK_WARMUP=${WRK_WARMUP:-2s}
ROUNDS=${BENCH_ROUNDS:-3}
PACED_ROUNDS=${BENCH_PACED_ROUNDS:-5}
PACE_MS=${BENCH_PACE_MS:-5}
THREADS=${BENCH_THREADS:-2}
LIMIT=100000000 # per minute and client: counted, never reached
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

[ -x "$GATEWAY_BIN" ] || bz_die "gateway not found at $GATEWAY_BIN (./dev bench gateway builds it)"
[ -x "$NGINX" ] || bz_die "nginx not found (./dev setup)"
[ -x "$HAPROXY" ] || bz_die "haproxy not found (./dev setup)"
command -v wrk >/dev/null || bz_die "wrk not found (./dev setup)"

bz_bench_start gateway
mkdir -p "$work/nginx-tmp"
user_line=
[ "$(id -u)" -eq 0 ] && user_line='user nobody nogroup;'

# The token: RS256, iss = the consumer's key, valid for a day.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/jwt.pem" 2>/dev/null
openssl pkey -in "$work/jwt.pem" -pubout -out "$work/jwt.pub"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"bench","sub":"bench-user","exp":%d}' $(($(date +%s) + 86400)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/jwt.pem" -binary | b64url)
token="$header.$payload.$signature"
# The same signature on other claims: must be refused.
forged="$header.$(printf '{"iss":"bench","sub":"someone-else","exp":%d}' $(($(date +%s) + 86400)) | b64url).$signature"

# start_nginx NAME CONF PORT WORKERS [UPSTREAM]
start_nginx() {
  sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$3|g" -e "s|@WORKERS@|$4|g" -e "s|@USER@|$user_line|g" \
    -e "s|@UPSTREAM@|${5:-}|g" -e "/^#/d" "$BZ_ROOT/bench/peers/$2" >"$work/$1.conf"
  bz_spawn "$work/$1.out" "$NGINX" -e "$work/$1-error.log" -p "$work" -c "$work/$1.conf"
  bz_on_exit bz_stop_pid "$BZ_PID" "$1"
  bz_say "started $1 (pid $BZ_PID) on 127.0.0.1:$3"
}

upstream_port=$(bz_free_port)
start_nginx upstream nginx-health.conf "$upstream_port" 1
upstream_pid=$BZ_PID
# (nginx-health.conf writes its pid and logs under fixed names; the proxy config has its own)
bz_wait_http "http://127.0.0.1:$upstream_port/" 10 "$BZ_PID" "$work/upstream-error.log" upstream

nginx_port=$(bz_free_port)
start_nginx nginx-proxy nginx-proxy.conf "$nginx_port" "$THREADS" "127.0.0.1:$upstream_port"
nginx_pid=$BZ_PID
bz_wait_http "http://127.0.0.1:$nginx_port/" 10 "$BZ_PID" "$work/nginx-proxy-error.log" nginx

haproxy_port=$(bz_free_port)
sed -e "s|@PORT@|$haproxy_port|g" -e "s|@THREADS@|$THREADS|g" -e "s|@PUBKEY@|$work/jwt.pub|g" \
  -e "s|@LIMIT@|$LIMIT|g" -e "s|@UPSTREAM@|127.0.0.1:$upstream_port|g" -e "/^#/d" \
  "$BZ_ROOT/bench/peers/haproxy-gateway.cfg" >"$work/haproxy.cfg"
"$HAPROXY" -c -q -f "$work/haproxy.cfg" || bz_die "haproxy refuses $work/haproxy.cfg"
bz_spawn "$work/haproxy.out" "$HAPROXY" -db -f "$work/haproxy.cfg"
bz_on_exit bz_stop_pid "$BZ_PID" haproxy
haproxy_pid=$BZ_PID
bz_say "started haproxy (pid $haproxy_pid) on 127.0.0.1:$haproxy_port"
for _ in $(seq 1 50); do bz_port_busy "$haproxy_port" && break; sleep 0.1; done
bz_alive "$haproxy_pid" || { cat "$work/haproxy.out" >&2; bz_die "haproxy did not start"; }

# Ours: the same three checks, as Kong configuration.
{
  cat <<EOF
_format_version: "3.0"
services:
  - name: bench
    url: http://127.0.0.1:$upstream_port
    routes:
      - name: bench-route
        paths: [/]
    plugins:
      - name: jwt
        config: {claims_to_verify: [exp]}
      - name: rate-limiting
        config: {minute: $LIMIT, limit_by: ip, policy: local}
      - name: request-transformer
        config:
          add:
            headers: ["X-Consumer-ID:\$(consumer.id)"]
consumers:
  - username: bench
    jwt_secrets:
      - key: bench
        algorithm: RS256
        rsa_public_key: |
EOF
  sed 's/^/          /' "$work/jwt.pub"
} >"$work/kong.yml"
gateway_port=$(bz_free_port)
status_port=$(bz_free_port)
# BENCH_CALLGRIND=1: the gateway runs on one thread under callgrind instead, which counts the
# instructions it executes: a figure the machine's noise does not move, for comparing changes.
profiler=()
gateway_threads=$THREADS
if [ "${BENCH_CALLGRIND:-0}" = 1 ]; then
  command -v callgrind_control >/dev/null || bz_die "valgrind not found (./dev setup)"
  profiler=(valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$work/callgrind.out")
  gateway_threads=1
fi
bz_spawn "$work/gateway.log" env KONG_DECLARATIVE_CONFIG="$work/kong.yml" BIND_ADDRESS=127.0.0.1 \
  PORT="$gateway_port" STATUS_PORT="$status_port" HTTP_THREADS="$gateway_threads" LOG_LEVEL=info \
  "${profiler[@]}" "$GATEWAY_BIN"
bz_on_exit bz_stop_pid "$BZ_PID" gateway
gateway_pid=$BZ_PID
bz_say "started gateway (pid $gateway_pid) on 127.0.0.1:$gateway_port"
bz_wait_http "http://127.0.0.1:$status_port/health/ready" 30 "$gateway_pid" "$work/gateway.log" gateway

declare -A url=(
  [gateway]="http://127.0.0.1:$gateway_port/"
  [haproxy]="http://127.0.0.1:$haproxy_port/"
  [nginx]="http://127.0.0.1:$nginx_port/"
  [direct]="http://127.0.0.1:$upstream_port/"
)
read -r -a sides <<<"${BENCH_SIDES:-gateway haproxy nginx direct}"
# side_pids SIDE: the processes that serve a side (nginx: master and workers); their CPU
# per request is the cost that decides throughput when everything shares two cores.
side_pids() {
  case $1 in
    gateway) echo "$gateway_pid" ;;
    haproxy) echo "$haproxy_pid" ;;
    nginx) echo "$nginx_pid" $(ps -o pid= --ppid "$nginx_pid") ;;
    direct) echo "$upstream_pid" $(ps -o pid= --ppid "$upstream_pid") ;;
  esac
}
hz=$(getconf CLK_TCK)
# Busy ticks of the whole machine (every process and the kernel's softirq work): on two shared
# cores this, not the proxy's own CPU, is what decides a side's throughput.
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }

# Each side must answer 200 with the token, and the checking ones 401 without it.
for side in "${sides[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "${url[$side]}" || true)
  [ "$code" = 200 ] || bz_die "$side answered $code with a valid token"
done
for side in gateway haproxy; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${url[$side]}" || true)
  [ "$code" = 401 ] || bz_die "$side answered $code without a token"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $forged" "${url[$side]}" || true)
  [ "$code" = 401 ] || bz_die "$side answered $code to a forged token"
done

run_wrk() { # SIDE DURATION OUT [WRK OPTION...]
  local side=$1 duration=$2 out=$3
  shift 3
  PACE_MS=$PACE_MS wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$duration" --latency "$@" \
    -H "Authorization: Bearer $token" "${url[$side]}" >"$out"
}
if [ ${#profiler[@]} -gt 0 ]; then
  run_wrk gateway "$WRK_WARMUP" /dev/null
  callgrind_control -z "$gateway_pid" >/dev/null
  run_wrk gateway "$WRK_DURATION" "$work/wrk-callgrind.txt"
  callgrind_control -d "$gateway_pid" >/dev/null
  requests=$(awk '/requests in/ {print $1}' "$work/wrk-callgrind.txt")
  instructions=$(awk '/^totals:/ {print $2}' "$work/callgrind.out.1")
  echo "gateway under callgrind (1 thread, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION): $requests requests"
  echo "  user-space instructions per request (jwt + rate-limiting + transformer): $((instructions / requests))"
  exit 0
fi

bz_say "warm-up $WRK_WARMUP each"
for side in "${sides[@]}"; do run_wrk "$side" "$WRK_WARMUP" /dev/null; done

declare -A rounds cpu_ticks all_ticks p50s p99s
for round in $(seq 1 "$ROUNDS"); do
  for side in "${sides[@]}"; do
    bz_say "$side round $round/$ROUNDS: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION"
    # shellcheck disable=SC2046
    before=$(bz_cpu_ticks $(side_pids "$side"))
    machine_before=$(machine_ticks)
    run_wrk "$side" "$WRK_DURATION" "$work/wrk-$side-$round.txt"
    # shellcheck disable=SC2046
    cpu_ticks[$side]=$(($(bz_cpu_ticks $(side_pids "$side")) - before))
    all_ticks[$side]=$(($(machine_ticks) - machine_before))
    rounds[$side]+="$(bz_wrk_rps "$work/wrk-$side-$round.txt") "
    p50s[$side]+="$(bz_wrk_latency_ms "$work/wrk-$side-$round.txt" 50) "
    p99s[$side]+="$(bz_wrk_latency_ms "$work/wrk-$side-$round.txt" 99) "
    cp "$work/wrk-$side-$round.txt" "$work/wrk-$side.txt"
  done
done
declare -A paced_rounds paced_p50s paced_p99s
sleep 0.2 # the gateway writes its log lines every 50 ms: the throughput rounds' are all out
paced_log_start=$(stat -c %s "$work/gateway.log")
for round in $(seq 1 "$PACED_ROUNDS"); do
  for side in "${sides[@]}"; do
    bz_say "$side paced round $round/$PACED_ROUNDS: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION, $PACE_MS ms between requests"
    out="$work/paced-$side-$round.txt"
    run_wrk "$side" "$WRK_DURATION" "$out" -s "$BZ_ROOT/bench/peers/paced.lua"
    paced_rounds[$side]+="$(bz_wrk_rps "$out") "
    paced_p50s[$side]+="$(bz_wrk_latency_ms "$out" 50) "
    paced_p99s[$side]+="$(bz_wrk_latency_ms "$out" 99) "
    bz_wrk_problems "$out" | sed "s/^/  $side paced: /"
  done
done

declare -A rps p50 p99 cpu_us all_us paced_rps paced_p50 paced_p99
per_request_us() { # TICKS WRK_OUTPUT: CPU microseconds per request answered
  awk -v t="$1" -v hz="$hz" -v f="$2" 'BEGIN {
    while ((getline l < f) > 0) if (l ~ /requests in/) { split(l, w, " "); n = w[1] }
    if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }'
}
for side in "${sides[@]}"; do
  # CPU per request answered in the last round: the serving processes', and the machine's
  cpu_us[$side]=$(per_request_us "${cpu_ticks[$side]}" "$work/wrk-$side.txt")
  all_us[$side]=$(per_request_us "${all_ticks[$side]}" "$work/wrk-$side.txt")
  # shellcheck disable=SC2086
  rps[$side]=$(bz_median ${rounds[$side]})
  # shellcheck disable=SC2086
  p50[$side]=$(bz_median ${p50s[$side]})
  # shellcheck disable=SC2086
  p99[$side]=$(bz_median ${p99s[$side]})
  # shellcheck disable=SC2086
  paced_rps[$side]=$(bz_median ${paced_rounds[$side]})
  # shellcheck disable=SC2086
  paced_p50[$side]=$(bz_median ${paced_p50s[$side]})
  # shellcheck disable=SC2086
  paced_p99[$side]=$(bz_median ${paced_p99s[$side]})
done
echo "gateway: GET / with an RS256 bearer token, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, $ROUNDS alternating rounds of $WRK_DURATION (medians of the rounds); proxies on $THREADS threads; upstream nginx return 200 (1 worker)"
declare -A label=(
  [gateway]="gateway (jwt + rate-limiting + transformer)"
  [haproxy]="haproxy 2.6 (jwt_verify + stick table)"
  [nginx]="nginx (plain proxy_pass)"
  [direct]="upstream directly"
)
printf '  %-44s %10s %8s %8s %8s %8s   %s\n' side 'req/s' 'p50 ms' 'p99 ms' 'CPU us' 'all us' rounds
for side in "${sides[@]}"; do
  printf '  %-44s %10s %8s %8s %8s %8s   %s\n' "${label[$side]}" "${rps[$side]}" "${p50[$side]}" "${p99[$side]}" \
    "${cpu_us[$side]}" "${all_us[$side]}" "${rounds[$side]}"
done
echo "  (CPU us: user + system time of the serving processes per request, last round; all us: the"
echo "  whole machine's busy time per request in that round: load generator, upstream and kernel too)"
for side in "${sides[@]}"; do bz_wrk_problems "$work/wrk-$side.txt" | sed "s/^/  $side: /"; done
echo "  ratio ours/haproxy (req/s): $(bz_ratio "${rps[gateway]:-}" "${rps[haproxy]:-}") (target >= 1.0)"
echo "  ratio ours/nginx (req/s):   $(bz_ratio "${rps[gateway]:-}" "${rps[nginx]:-}") (target >= 0.9)"
added_ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a - b}'; }
for side in gateway haproxy nginx; do
  [ -n "${p99[$side]:-}" ] && [ -n "${p99[direct]:-}" ] || continue
  echo "  p99 added over the upstream, every connection busy, $side: $(added_ms "${p99[$side]}" "${p99[direct]}") ms"
done
echo "paced: the same $WRK_CONNECTIONS connections, each waiting $PACE_MS ms between an answer and its next request (medians of $PACED_ROUNDS alternating rounds of $WRK_DURATION)"
printf '  %-44s %10s %8s %8s   %s\n' side 'req/s' 'p50 ms' 'p99 ms' 'p99 of the rounds'
for side in "${sides[@]}"; do
  printf '  %-44s %10s %8s %8s   %s\n' "${label[$side]}" "${paced_rps[$side]}" "${paced_p50[$side]}" \
    "${paced_p99[$side]}" "${paced_p99s[$side]}"
done
for side in gateway haproxy nginx; do
  [ -n "${paced_p99[$side]:-}" ] && [ -n "${paced_p99[direct]:-}" ] || continue
  target=
  [ "$side" = gateway ] && target=" (target <= 1)"
  echo "  p99 added over the upstream, paced, $side: $(added_ms "${paced_p99[$side]}" "${paced_p99[direct]}") ms$target"
done
# What of that the gateway spends itself, by its own clock: each access log line's latency less
# its upstream's (from reading the request to the response written, the wait for the upstream
# taken out); the rest is the extra hop's wake-ups on the shared cores.
if [[ " ${sides[*]} " == *" gateway "* ]]; then
  tail -c +"$((paced_log_start + 1))" "$work/gateway.log" |
    sed -n 's/.*"latency_ms":\([0-9.]*\),"upstream_latency_ms":\([0-9.]*\).*/\1 \2/p' |
    awk '{printf "%.3f\n", $1 - $2}' | sort -g |
    awk '{ms[NR] = $1} END {if (NR) printf "  inside the gateway, paced (its access log: latency less the upstream'"'"'s): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms\n", ms[int(NR * 0.5) + 1], ms[int(NR * 0.99) + 1], ms[int(NR * 0.999) + 1]}'
fi
bz_host_speed_line
