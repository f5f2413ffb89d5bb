#!/usr/bin/env bash
# bench/api.sh: `make bench-api` and `make bench-api-pg`. Seeds 1,000 projects and 100,000
# events, then measures GET /api/v1/events?limit=50 with a bearer token (wrk, CONNECTIONS
# connections, DURATION seconds) on each target, in the same run on the same machine:
#   sqlite  one mstation server on SQLite (the default install)
#   pg1     one mstation server on PostgreSQL 15 (a durable throwaway cluster, scripts/pgtmp)
#   pg2     two mstation servers on that database, the connections split between them (as a
#           layer-4 balancer would), each with its own pool and half the cores' threads
#   nginx   the same response bytes as a static file, served by nginx (the peer)
# ROUNDS alternating rounds; medians are reported, and ratios are medians of per-round ratios.
#   TARGETS="sqlite nginx" DURATION=20 ROUNDS=5 CONNECTIONS=64 bench/api.sh    (bench-api)
#   TARGETS="sqlite pg1 pg2 nginx" bench/api.sh                                (bench-api-pg)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=${TARGETS:-sqlite nginx}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
BUILD=${BUILD:-build}
work=$(mktemp -d)
chmod 755 "$work"
pids=()
pgdir=""
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    [[ -n $pgdir ]] && scripts/pgtmp stop "$pgdir"
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wants() { [[ " $TARGETS " == *" $1 "* ]]; }

# An initialized, seeded installation on database $2 in data folder $1; prints a token.
seed() {
    printf 'bench-password-1\n' >"$work/pw"
    MSTATION_DATABASE=$2 "$BUILD"/mstation init --data "$1" --admin-email bench@example.com \
        --admin-password-file "$work/pw" >/dev/null 2>&1
    MSTATION_DATABASE=$2 "$BUILD"/bench_seed "$1" bench@example.com 1000 100000 >&2
    MSTATION_DATABASE=$2 "$BUILD"/mstation token create --data "$1" --user bench@example.com \
        --name bench 2>/dev/null
}

# Start a server on data folder $1 and database $2 (more settings after); sets $port. (Not
# in $(...): the substitution would wait for the server's end.)
serve() {
    port=$(free_port)
    MSTATION_DATABASE=$2 "$BUILD"/mstation serve --data "$1" --listen "127.0.0.1:$port" "${@:3}" \
        >/dev/null 2>>"$work/mstation.log" &
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}

declare -A urls tokens
echo "bench-api: seeding (targets: $TARGETS)"
if wants sqlite || wants nginx; then
    tokens[sqlite]=$(seed "$work/data" "sqlite:$work/data/mstation.db")
    sqlite3 "$work/data/mstation.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    serve "$work/data" "sqlite:$work/data/mstation.db"
    urls[sqlite]="http://127.0.0.1:$port/api/v1/events?limit=50"
fi
if wants pg1 || wants pg2; then
    pgdir="$work/pg"
    PGTMP_DURABLE=1 scripts/pgtmp start "$pgdir" >"$work/pgurl" # its server is detached
    pgurl=$(scripts/pgtmp createdb "$(cat "$work/pgurl")" bench)
    # PG_SOCKET=1: through the cluster's Unix socket instead of TCP on 127.0.0.1.
    [[ -n ${PG_SOCKET:-} ]] && pgurl="postgres://mstation@/bench?host=$pgdir&port=$(cat "$pgdir/port")"
    tokens[pg1]=$(seed "$work/pgdata" "$pgurl")
    # As pgbench does before measuring: statistics and visibility map up to date, and the
    # seeding's dirty pages written, so no autovacuum or checkpoint lands in a round.
    psql -X -q "$pgurl" -c 'VACUUM ANALYZE' -c 'CHECKPOINT'

    tokens[pg2]=${tokens[pg1]}
    serve "$work/pgdata" "$pgurl"
    urls[pg1]="http://127.0.0.1:$port/api/v1/events?limit=50"
    if wants pg2; then
        # Two servers share this machine's cores as one server's threads do: each gets half
        # (threads defaults to one per core, for one server per machine; two servers with
        # that default oversubscribe 2 cores and their p99 grows to 100-500 ms).
        half=$(($(nproc) / 2 > 0 ? $(nproc) / 2 : 1))
        serve "$work/pgdata" "$pgurl" --threads "$half"
        urls[pg2]="http://127.0.0.1:$port/api/v1/events?limit=50"
        serve "$work/pgdata" "$pgurl" --threads "$half"
        urls[pg2]+=" http://127.0.0.1:$port/api/v1/events?limit=50"
    fi
fi

# The response every target must give (same data, same shape): 50 items.
check_response() { # url token out
    curl -sf -H "Authorization: Bearer $2" "$1" -o "$3"
    local items
    items=$(python3 -c "import json,sys; print(len(json.load(open('$3'))['items']))")
    [[ $items == 50 ]] || { echo "bench-api: expected 50 items from $1, got $items" >&2; exit 1; }
}
for t in "${!urls[@]}"; do
    for u in ${urls[$t]}; do check_response "$u" "${tokens[$t]}" "$work/check.json"; done
done

if wants nginx; then
    mkdir -p "$work/www" "$work/nginx"
    check_response "${urls[sqlite]}" "${tokens[sqlite]}" "$work/www/events.json"
    chmod 755 "$work/www" # nginx's workers run as an unprivileged user
    chmod 644 "$work/www/events.json"
    nport=$(free_port)
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
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/events.json" >/dev/null && break; sleep 0.1; done
    cmp -s <(curl -sf "http://127.0.0.1:$nport/events.json") "$work/www/events.json"
    urls[nginx]="http://127.0.0.1:$nport/events.json"
fi
echo "bench-api: response is $(stat -c %s "$work/check.json") bytes"

to_ms() { # wrk units: us, ms, s
    python3 -c "v='$1'; import re; m=re.match(r'([0-9.]+)(us|ms|s)', v); x=float(m.group(1)); print(round(x/1000 if m.group(2)=='us' else x*1000 if m.group(2)=='s' else x, 3))"
}

# One wrk run per URL of the target, at the same time, the connections split between them.
# Prints "target rps p50 p99": requests/s summed, latencies of the slowest server.
measure() { # target
    local t=$1 n=0 i=0 outs=()
    local list=(${urls[$t]})
    n=${#list[@]}
    local c=$((CONNECTIONS / n)) th=$(((THREADS + n - 1) / n))
    local hdr=()
    [[ $t != nginx ]] && hdr=(-H "Authorization: Bearer ${tokens[$t]}")
    for u in "${list[@]}"; do
        wrk -t"$th" -c"$c" -d"${DURATION}s" --latency "${hdr[@]}" "$u" >"$work/wrk.$i" &
        outs+=($!)
        i=$((i + 1))
    done
    wait "${outs[@]}"
    local rps=0 p50=0 p99=0
    for ((i = 0; i < n; i++)); do
        local out errs
        out=$(cat "$work/wrk.$i")
        errs=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
        [[ -z $errs ]] || { echo "bench-api: $t answered $errs errors" >&2; echo "$out" >&2; exit 1; }
        rps=$(python3 -c "print($rps + $(awk '/^Requests\/sec:/ {print $2}' <<<"$out"))")
        p50=$(python3 -c "print(max($p50, $(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")))")
        p99=$(python3 -c "print(max($p99, $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")))")
    done
    echo "$t $rps $p50 $p99"
}

echo "bench-api: $ROUNDS rounds of ${DURATION}s per target, $CONNECTIONS connections, wrk -t$THREADS"
results=()
for r in $(seq "$ROUNDS"); do
    line="  round $r:"
    for t in $TARGETS; do
        results+=("$(measure "$t")")
        line+=" ${results[-1]} |"
    done
    echo "$line"
done

python3 - "$TARGETS" "${results[@]}" <<'PY'
import statistics, sys
targets = sys.argv[1].split()
rows = [r.split() for r in sys.argv[2:]]
by = {t: [r for r in rows if r[0] == t] for t in targets}
med = lambda t, i: statistics.median(float(r[i]) for r in by[t])
# Each round measures every target back to back; the machine's speed drifts between rounds,
# so a ratio is the median of the per-round ratios (a paired comparison).
def ratio(a, b):
    return statistics.median(float(x[1]) / float(y[1]) for x, y in zip(by[a], by[b]))
names = {"sqlite": "SQLite, 1 server", "pg1": "PostgreSQL, 1 server",
         "pg2": "PostgreSQL, 2 servers", "nginx": "nginx static file"}
base = "sqlite" if "sqlite" in targets else targets[0]
print(f"| {'target':22} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'vs ' + base:>9} |")
print(f"|{'-' * 24}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 11}|")
for t in targets:
    print(f"| {names.get(t, t):22} | {med(t, 1):>8.0f} | {med(t, 2):>7.2f} | {med(t, 3):>7.2f} | "
          f"{ratio(t, base):>9.2f} |")
print(f"(medians of {len(by[base])} rounds)")
if set(targets) == {"sqlite", "nginx"}:
    print(f"BENCH api rps={med('sqlite', 1):.0f} nginx_rps={med('nginx', 1):.0f} "
          f"ratio={ratio('sqlite', 'nginx'):.2f} p50_ms={med('sqlite', 2):.2f} "
          f"p99_ms={med('sqlite', 3):.2f}")
else:
    print("BENCH api-pg " + " ".join(
        f"{t}_rps={med(t, 1):.0f} {t}_p99_ms={med(t, 3):.2f}" for t in targets))
PY
