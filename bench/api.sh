#!/usr/bin/env bash
# bench/api.sh: `make bench-api`. Seeds 1,000 projects and 100,000 events, then measures
# GET /api/v1/events?limit=50 with a bearer token (wrk, 64 connections, DURATION seconds)
# against mstation, and the same response bytes served as a static file by nginx, in the
# same run on the same machine. ROUNDS alternating rounds; medians are reported, and the ratio
# is the median of the per-round ratios.
#   DURATION=20 ROUNDS=5 CONNECTIONS=64 bench/api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
BUILD=${BUILD:-build}
work=$(mktemp -d)
srv_pid=""
ngx_pid=""
cleanup() {
    [[ -n $srv_pid ]] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null || true
    [[ -n $ngx_pid ]] && kill "$ngx_pid" 2>/dev/null && wait "$ngx_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "bench-api: seeding"
printf 'bench-password-1\n' >"$work/pw"
"$BUILD"/mstation init --data "$work/data" --admin-email bench@example.com \
    --admin-password-file "$work/pw" >/dev/null 2>&1
"$BUILD"/bench_seed "$work/data" bench@example.com 1000 100000
token=$("$BUILD"/mstation token create --data "$work/data" --user bench@example.com --name bench 2>/dev/null)

port=$(free_port)
"$BUILD"/mstation serve --data "$work/data" --listen "127.0.0.1:$port" 2>"$work/mstation.log" &
srv_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/api/v1/events?limit=50"
mkdir -p "$work/www"
curl -sf -H "Authorization: Bearer $token" "$url" -o "$work/www/events.json"
# nginx's workers run as an unprivileged user: let them reach the file (nothing else there).
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/events.json"
bytes=$(stat -c %s "$work/www/events.json")
items=$(python3 -c "import json,sys; print(len(json.load(open('$work/www/events.json'))['items']))")
[[ $items == 50 ]] || { echo "bench-api: expected 50 items, got $items" >&2; exit 1; }

nport=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGX
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    # As Debian's /etc/nginx/nginx.conf ships: sendfile and tcp_nopush on, access log on.
    sendfile on;
    tcp_nopush on;
    access_log $work/nginx/access.log;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nport;
        location / { root $work/www; default_type application/json; }
    }
}
NGX
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
ngx_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/events.json" >/dev/null && break; sleep 0.1; done
cmp -s <(curl -sf "http://127.0.0.1:$nport/events.json") "$work/www/events.json"

# wrk prints "Requests/sec: N" and, with --latency, the 50% and 99% lines.
measure() { # name url [header]
    local out
    if [[ -n ${3:-} ]]; then
        out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$3" "$2")
    else
        out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2")
    fi
    local rps p50 p99 errs
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errs=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
    [[ -z $errs ]] || { echo "bench-api: $1 answered $errs errors" >&2; echo "$out" >&2; exit 1; }
    echo "$1 $rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { # wrk units: us, ms, s
    python3 -c "v='$1'; import re; m=re.match(r'([0-9.]+)(us|ms|s)', v); x=float(m.group(1)); print(round(x/1000 if m.group(2)=='us' else x*1000 if m.group(2)=='s' else x, 3))"
}

echo "bench-api: response is $bytes bytes; $ROUNDS rounds of ${DURATION}s, $CONNECTIONS connections, wrk -t$THREADS"
results=()
for r in $(seq "$ROUNDS"); do
    results+=("$(measure mstation "$url" "Authorization: Bearer $token")")
    results+=("$(measure nginx "http://127.0.0.1:$nport/events.json")")
    echo "  round $r: ${results[-2]} | ${results[-1]}"
done

python3 - "${results[@]}" <<'PY'
import statistics, sys
rows = [r.split() for r in sys.argv[1:]]
ours = [r for r in rows if r[0] == "mstation"]
peer = [r for r in rows if r[0] == "nginx"]
def med(rs, i):
    return statistics.median(float(r[i]) for r in rs)
# Each round measures both back to back; the machine's speed drifts between rounds, so the
# ratio is the median of the per-round ratios (a paired comparison), not a ratio of medians.
ratios = [float(o[1]) / float(p[1]) for o, p in zip(ours, peer)]
rps, p50, p99 = med(ours, 1), med(ours, 2), med(ours, 3)
nrps, np50, np99 = med(peer, 1), med(peer, 2), med(peer, 3)
print(f"{'':10} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}   (medians of {len(ours)} rounds)")
print(f"{'mstation':10} {rps:>10.0f} {p50:>8.2f} {p99:>8.2f}")
print(f"{'nginx':10} {nrps:>10.0f} {np50:>8.2f} {np99:>8.2f}")
print("per-round ratios: " + " ".join(f"{x:.2f}" for x in ratios))
print(f"BENCH api rps={rps:.0f} nginx_rps={nrps:.0f} ratio={statistics.median(ratios):.2f} p50_ms={p50:.2f} p99_ms={p99:.2f}")
PY
