#!/usr/bin/env bash
# bench/avails.sh: `make bench-avails`. The avails engine at 10,000 titles and 1,000,000
# rights windows (bench/avails_seed.c: rights in, exclusive / sole / non-exclusive licenses,
# holdbacks; 250 territories, 20 media, 30 languages), three questions measured three ways:
#   avails  one title: 1-5 random territories x 1-2 random media, 2 years from a random day,
#           exclusive wanted
#   check   the conflict check of one proposed exclusive right (a regional group or 1-3
#           territories, one medium, 1-5 years)
#   grid    the whole catalogue (10,000 titles x 250 territories) for one medium on one day
# 1. engine      bench/avails_engine.c: av_compute / av_status_on on the loaded windows, in
#                process (what the server calls per request), ROUNDS rounds of 20,000 questions
#                (100 grids)
# 2. PostgreSQL  15 (Debian, scripts/pgtmp), the same windows with daterange terms and GiST
#                indexes (bench/avails_pg.sql); the same questions in SQL
#                (bench/avails_pg_{avails,check,grid}.sql: range_agg of rights in minus
#                range_agg of what blocks, && for overlaps) timed by pgbench on the Unix socket,
#                one client, prepared statements, DURATION s per question per round (the grid:
#                PG_GRIDS grids), percentiles from pgbench's per-transaction log. The answers
#                to the first questions are compared with the engine's first.
# 3. HTTP API    build/mstation serve on the seeded folder, wrk with CONNECTIONS connections,
#                DURATION s per route per round (the avails route also with one connection),
#                random questions from a Lua script:
#                GET /titles/{id}/avails, POST /orgs/{id}/avails/check, GET /orgs/{id}/avails/grid
#                (one JSON page of GRID_LIMIT titles, and the whole catalogue as one CSV); the
#                first request after the start (which loads the organization's windows)
#                reported on its own.
# Medians over the rounds of each round's p50 and p99. The last line:
#   BENCH avails engine_p50_us=.. engine_p99_us=.. pg_p50_us=.. vs_postgres=.. api_p99_ms=..
# (the single-title avails question; vs_postgres = PostgreSQL's p50 over the engine's).
# Not a test: it stops when a program fails, reports answers that differ or are not 2xx, and
# measures whatever the build does.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
PG_GRIDS=${PG_GRIDS:-5}
CONNECTIONS=${CONNECTIONS:-4}
THREADS=${THREADS:-2}
SETTLE=${SETTLE:-2}
GRID_LIMIT=${GRID_LIMIT:-200}
SKIP_API=${SKIP_API:-}
work=$(mktemp -d /tmp/mstation-bench-avails.XXXXXX)
pgdir=""
pid=""
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [[ -n $pgdir ]] && scripts/pgtmp stop "$pgdir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
say() { echo "bench-avails: $*" >&2; }
median() { sort -n | awk '{v[NR]=$1} END {if (!NR) print ""; else print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
pct() { sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int(NR*p/100+0.999999); if (i<1) i=1; print v[i]}'; }
secs() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(secs)" 'BEGIN{printf "%.1f", b - a}'; }
# results: "<where> <question> <round> <p50> <p99> [rate]" lines; units: us (engine, pg), ms (api)
res="$work/results"
: >"$res"

# ---- Seed. ----
t0=$(secs)
say "seeding 10,000 titles and 1,000,000 windows"
mkdir -p "$work/csv" "$work/samples"
printf 'bench-password-1\n' >"$work/pw"
"$BUILD"/mstation init --data "$work/data" --admin-email bench@example.com \
    --admin-password-file "$work/pw" >/dev/null 2>&1
"$BUILD"/bench_avails_seed "$work/data" bench@example.com "$work/csv" >"$work/ids" 2>"$work/seed.log" ||
    { cat "$work/seed.log" >&2; exit 1; }
tail -1 "$work/seed.log" >&2
org=$(sed -n 's/^org=//p' "$work/ids")
say "seeded in $(elapsed "$t0") s"

# ---- 1. The engine. ----
t0=$(secs)
"$BUILD"/bench_avails_engine "$work/data" "$org" "$work/samples" "$ROUNDS" >"$work/engine.out"
cat "$work/engine.out" >&2
awk '$1=="engine" {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    print "engine", f["name"], f["round"], f["p50_us"], f["p99_us"] }' "$work/engine.out" >>"$res"
load_ms=$(awk '$1=="load" {split($2, kv, "="); print kv[2]}' "$work/engine.out")
say "engine done in $(elapsed "$t0") s"

# ---- 2. PostgreSQL. ----
t0=$(secs)
pgdir=$(mktemp -d /tmp/mstation-pg.XXXXXX)
scripts/pgtmp start "$pgdir" >/dev/null
pgport=$(cat "$pgdir/port")
export PGOPTIONS="-c client_min_messages=warning"
psqlx() { psql -X -q -v ON_ERROR_STOP=1 -h "$pgdir" -p "$pgport" -U mstation postgres "$@"; }
psqlx -v indexes=false -f bench/avails_pg.sql
psqlx -c "COPY avail_window FROM STDIN WITH (FORMAT csv)" <"$work/csv/windows.csv"
psqlx -c "COPY avail_title FROM STDIN WITH (FORMAT csv)" <"$work/csv/titles.csv"
psqlx -c "COPY avail_group FROM STDIN WITH (FORMAT csv)" <"$work/csv/groups.csv"
psqlx -v indexes=true -f bench/avails_pg.sql
pg_load_s=$(elapsed "$t0")
say "PostgreSQL loaded and indexed in $pg_load_s s ($(psqlx -At -c "SELECT pg_size_pretty(pg_total_relation_size('avail_window'))"))"

# The same answers? The engine wrote its first questions (psql -v arguments) and answers.
agree=0 disagree=0
compare() { # name index pg-output-file
    if cmp -s "$3" "$work/samples/$1_$2.engine"; then
        agree=$((agree + 1))
    else
        disagree=$((disagree + 1))
        say "$1 question $2 ($(cat "$work/samples/$1_$2.vars")): PostgreSQL and the engine differ:"
        diff "$3" "$work/samples/$1_$2.engine" | head -6 >&2 || true
    fi
}
ntitles=$(wc -l <"$work/csv/titles.csv")
nterr=$(wc -l <"$work/csv/codes.txt")
for v in "$work"/samples/avails_*.vars; do
    i=${v##*_}; i=${i%.vars}
    # shellcheck disable=SC2046
    psqlx -At $(cat "$v") -f bench/avails_pg_avails.sql >"$work/samples/avails_$i.pg"
    compare avails "$i" "$work/samples/avails_$i.pg"
done
for v in "$work"/samples/check_*.vars; do
    i=${v##*_}; i=${i%.vars}
    # shellcheck disable=SC2046
    psqlx -At $(cat "$v") -f bench/avails_pg_check.sql | cut -d'|' -f2 | sort -nu | paste -sd, \
        >"$work/samples/check_$i.pg"
    compare check "$i" "$work/samples/check_$i.pg"
done
for v in "$work"/samples/grid_*.vars; do
    i=${v##*_}; i=${i%.vars}
    # shellcheck disable=SC2046
    psqlx -At $(cat "$v") -f bench/avails_pg_grid.sql |
        awk -F'|' -v titles="$ntitles" -v nterr="$nterr" '
            { got[$1] = $2 }
            END {
                for (n = 1; n <= titles; n++) {
                    delete cell
                    k = split(got[n], a, ",")
                    for (i = 1; i <= k; i++) { split(a[i], p, ":"); cell[p[1]] = p[2] }
                    s = ""
                    for (t = 0; t < nterr; t++) s = s ((t in cell) ? cell[t] : "N")
                    print n "|" s
                }
            }' >"$work/samples/grid_$i.pg"
    compare grid "$i" "$work/samples/grid_$i.pg"
done
if ((disagree)); then
    same="no ($disagree of $((agree + disagree)) answers differ)"
else
    same="yes ($agree of $agree answers)"
fi
say "PostgreSQL's answers equal the engine's: $same"

# pgbench scripts: the questions drawn as bench_avails_engine draws them.
cat >"$work/avails.pgb" <<EOF
\\set t random(1, $ntitles)
\\set t1 random(0, $((nterr - 1)))
\\set t2 random(0, $((nterr - 1)))
\\set t3 random(0, $((nterr - 1)))
\\set t4 random(0, $((nterr - 1)))
\\set t5 random(0, $((nterr - 1)))
\\set nt random(1, 5)
\\set m1 random(0, 19)
\\set m2 random(0, 19)
\\set nm random(1, 2)
\\set s random(15340, 23375)
\\set x 2
EOF
cat >"$work/check.pgb" <<EOF
\\set t random(1, $ntitles)
\\set gsel random(0, 1)
\\set g random(0, $(($(wc -l <"$work/csv/groups.csv") - 1)))
\\set t1 random(0, $((nterr - 1)))
\\set t2 random(0, $((nterr - 1)))
\\set t3 random(0, $((nterr - 1)))
\\set nt random(1, 3)
\\set m random(0, 19)
\\set s random(15340, 23375)
\\set y random(1, 5)
EOF
cat >"$work/grid.pgb" <<EOF
\\set m random(0, 19)
\\set d random(16436, 22279)
\\set x 2
EOF
for q in avails check grid; do grep -v '^--' "bench/avails_pg_$q.sql" >>"$work/$q.pgb"; done
# pgbench NAME [pgbench args]: one run, its per-transaction latencies -> results (us).
pgb() {
    local name=$1 r=$2
    shift 2
    rm -f "$work"/pglog.*
    (cd "$work" && pgbench -n -h "$pgdir" -p "$pgport" -U mstation -M prepared -c 1 -j 1 \
        -l --log-prefix=pglog -f "$work/$name.pgb" "$@" postgres >"$work/pgbench.out" 2>&1) ||
        { cat "$work/pgbench.out" >&2; exit 1; }
    local lat="$work/lat.$name.$r"
    cat "$work"/pglog.* | awk '{print $3}' >"$lat"
    echo "pg $name $r $(pct 50 <"$lat") $(pct 99 <"$lat") $(wc -l <"$lat")" >>"$res"
}
say "pgbench warm-up"
pgb avails 0 -T 3
pgb check 0 -T 3
pgb grid 0 -t 1
sed -i '/^pg [a-z]* 0 /d' "$res"
for r in $(seq "$ROUNDS"); do
    say "PostgreSQL round $r"
    pgb avails "$r" -T "$DURATION"
    sleep "$SETTLE"
    pgb check "$r" -T "$DURATION"
    sleep "$SETTLE"
    pgb grid "$r" -t "$PG_GRIDS"
    sleep "$SETTLE"
done
scripts/pgtmp stop "$pgdir" >/dev/null
pgdir=""
say "PostgreSQL done in $(elapsed "$t0") s"

# ---- 3. The HTTP API. ----
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cold_avails="" cold_check="" cold_grid="" cold_csv="" csv_bytes="" srv_avails="" srv_check="" srv_grid=""
if [[ -z $SKIP_API ]]; then
    t0=$(secs)
    token=$("$BUILD"/mstation token create --data "$work/data" --user bench@example.com --name bench 2>/dev/null)
    port=$(free_port)
    "$BUILD"/mstation serve --data "$work/data" --listen "127.0.0.1:$port" --log_level warn \
        >/dev/null 2>>"$work/mstation.log" &
    pid=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null ||
        { say "the server did not start"; cat "$work/mstation.log" >&2; exit 1; }
    base="http://127.0.0.1:$port/api/v1"
    title1=$(sed -n 1p "$work/csv/titles.csv" | cut -d, -f2)
    # call NAME METHOD PATH [BODY] -> the time in ms; fails on a non-2xx answer
    call() {
        local out code t args=(-s -o "$work/answer" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token")
        [[ $2 == POST ]] && args+=(-X POST -H 'Content-Type: application/json' --data-binary "$4")
        out=$(curl "${args[@]}" "$base$3")
        code=${out% *}
        t=${out#* }
        if [[ $code != 2* ]]; then
            say "$1: $2 $3 answered $code: $(head -c 400 "$work/answer")"
            exit 1
        fi
        awk -v t="$t" 'BEGIN{printf "%.2f", t * 1000}'
    }
    # answer EXPR: a Python expression over the last answer's JSON (d)
    answer() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$work/answer" "$1"; }
    # The first request loads the organization's windows into the engine's cache.
    cold_avails=$(call avails GET "/titles/$title1/avails?territories=FR,DE&media=svod&start=2024-01-01&end=2025-12-31&exclusivity=exclusive")
    [[ $(answer 'len(d["cells"])') -gt 0 ]] || { say "avails: no cells"; exit 1; }
    cold_check=$(call check POST "/orgs/$org/avails/check" \
        "{\"rights\":[{\"title_id\":\"$title1\",\"territories\":{\"include\":[\"EUROPE\"]},\"media\":[\"svod\"],\"start\":\"2024-01-01\",\"end\":\"2026-12-31\",\"exclusivity\":\"exclusive\"}]}")
    [[ $(answer 'type(d["conflicts"]).__name__') == list ]] || { say "check: no conflicts list"; exit 1; }
    cold_grid=$(call grid GET "/orgs/$org/avails/grid?media=svod&date=2025-06-01&exclusivity=exclusive&limit=$GRID_LIMIT")
    grid_rows=$(answer 'len(d["rows"])')
    [[ $grid_rows -gt 0 ]] || { say "grid: no rows"; exit 1; }
    cold_csv=$(call gridcsv GET "/orgs/$org/avails/grid?media=svod&date=2025-06-01&exclusivity=exclusive&format=csv&limit=100000")
    csv_rows=$(($(wc -l <"$work/answer") - 1))
    csv_bytes=$(wc -c <"$work/answer")
    [[ $csv_rows == "$ntitles" ]] || { say "grid as CSV: $csv_rows rows, not $ntitles"; exit 1; }
    say "first requests: avails $cold_avails ms (loads the windows), check $cold_check ms, grid $cold_grid ms ($grid_rows rows), whole grid as CSV $cold_csv ms ($csv_rows rows, $csv_bytes bytes)"

    # wrk scripts: random questions, drawn as the engine's and pgbench's are.
    cat >"$work/common.lua" <<EOF
titles, codes, media, groups = {}, {}, {}, {}
for l in io.lines("$work/csv/titles.csv") do titles[#titles + 1] = l:match(",(.*)") end
for l in io.lines("$work/csv/codes.txt") do codes[#codes + 1] = l end
for l in io.lines("$work/csv/media.txt") do media[#media + 1] = l end
for l in io.lines("$work/csv/groups.csv") do groups[#groups + 1] = l:match("^%d+,([^,]+)") end
auth = {["Authorization"] = "Bearer $token"}
-- answers that are not 2xx: the first few, with what was asked, for the report
last, bad = nil, 0
response = function(status, headers, body)
  if status >= 300 then
    bad = bad + 1
    if bad <= 3 then
      local f = io.open("$work/non2xx.txt", "a")
      f:write(status, " ", last or "", "\n  ", body:sub(1, 300), "\n")
      f:close()
    end
  end
end
local n = 0
setup = function(thread) n = n + 1; thread:set("seed", n) end
init = function() math.randomseed(os.time() * 100 + (seed or 0)) end
function day(d) return os.date("!%Y-%m-%d", d * 86400) end
EOF
    cat "$work/common.lua" - >"$work/avails.lua" <<EOF
request = function()
  local t = {}
  for i = 1, math.random(1, 5) do t[#t + 1] = codes[math.random(#codes)] end
  local m = {}
  for i = 1, math.random(1, 2) do m[#m + 1] = media[math.random(#media)] end
  local s = math.random(15340, 23375)
  last = "/api/v1/titles/" .. titles[math.random(#titles)] .. "/avails?territories="
    .. table.concat(t, ",") .. "&media=" .. table.concat(m, ",") .. "&start=" .. day(s)
    .. "&end=" .. day(s + 729) .. "&exclusivity=exclusive"
  return wrk.format("GET", last, auth)
end
EOF
    cat "$work/common.lua" - >"$work/check.lua" <<EOF
local post = {["Authorization"] = auth["Authorization"], ["Content-Type"] = "application/json"}
request = function()
  local terr
  if math.random(0, 1) == 1 then
    terr = '{"include":["' .. groups[math.random(#groups)] .. '"]}'
  else
    local t = {}
    for i = 1, math.random(1, 3) do t[#t + 1] = '"' .. codes[math.random(#codes)] .. '"' end
    terr = "[" .. table.concat(t, ",") .. "]"
  end
  local s = math.random(15340, 23375)
  local body = '{"rights":[{"title_id":"' .. titles[math.random(#titles)] .. '","territories":'
    .. terr .. ',"media":["' .. media[math.random(#media)] .. '"],"start":"' .. day(s)
    .. '","end":"' .. day(s + 365 * math.random(1, 5) - 1) .. '","exclusivity":"exclusive"}]}'
  last = body
  return wrk.format("POST", "/api/v1/orgs/$org/avails/check", post, body)
end
EOF
    cat "$work/common.lua" - >"$work/grid.lua" <<EOF
request = function()
  return wrk.format("GET", "/api/v1/orgs/$org/avails/grid?media=" .. media[math.random(#media)]
    .. "&date=" .. day(math.random(16436, 22279)) .. "&exclusivity=exclusive&limit=$GRID_LIMIT", auth)
end
EOF
    cat "$work/common.lua" - >"$work/gridcsv.lua" <<EOF
request = function()
  return wrk.format("GET", "/api/v1/orgs/$org/avails/grid?media=" .. media[math.random(#media)]
    .. "&date=" .. day(math.random(16436, 22279)) .. "&exclusivity=exclusive&format=csv&limit=100000", auth)
end
EOF
    to_ms() { # wrk prints 812.00us, 4.20ms or 1.02s
        case $1 in
        *us) awk -v v="${1%us}" 'BEGIN{printf "%.3f", v / 1000}' ;;
        *ms) awk -v v="${1%ms}" 'BEGIN{printf "%.3f", v}' ;;
        *s) awk -v v="${1%s}" 'BEGIN{printf "%.3f", v * 1000}' ;;
        esac
    }
    measure() { # NAME ROUND [SCRIPT CONNECTIONS THREADS]
        local out p50 p99 rps bad
        out=$(wrk -t"${5:-$THREADS}" -c"${4:-$CONNECTIONS}" -d"${DURATION}s" --latency --timeout 10s \
            -s "$work/${3:-$1}.lua" "http://127.0.0.1:$port")
        p50=$(awk '$1=="50%"{print $2}' <<<"$out")
        p99=$(awk '$1=="99%"{print $2}' <<<"$out")
        rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
        bad=$(awk '/Non-2xx/{print $NF}' <<<"$out")
        if [[ -n $bad ]]; then
            say "$1: $bad non-2xx answers, the first:"
            cat "$work/non2xx.txt" >&2 2>/dev/null || true
            rm -f "$work/non2xx.txt"
            echo "$1 round $2: $bad non-2xx answers" >>"$work/non2xx.all"
        fi
        echo "api $1 $2 $(to_ms "$p50") $(to_ms "$p99") $rps" >>"$res"
        sleep "$SETTLE"
    }
    for r in $(seq "$ROUNDS"); do
        say "API round $r"
        measure avails "$r"
        measure avails1 "$r" avails 1 1
        measure check "$r"
        measure grid "$r"
        measure gridcsv "$r"
    done
    # The server's own view of the same requests (first byte in to answer queued; every
    # request of every round): the share under each histogram bound, and the mean.
    curl -sf "http://127.0.0.1:$port/metrics" >"$work/metrics" || : >"$work/metrics"
    server_side() { # METHOD ROUTE
        awk -v m="$1" -v r="$2" '
            index($0, "mstation_http_request_duration_seconds") == 1 &&
            index($0, "method=\"" m "\",route=\"" r "\"") {
                if (match($0, /le="[^"]*"/)) { le = substr($0, RSTART + 4, RLENGTH - 5); b[le] = $NF }
                else if ($0 ~ /_sum/) sum = $NF
                else if ($0 ~ /_count/) n = $NF
            }
            END {
                if (!n) { print "not in /metrics"; exit }
                printf "%d requests, mean %.3f ms, within 0.5 ms %.2f%%, 1 ms %.2f%%, 2.5 ms %.2f%%, 5 ms %.2f%%",
                    n, sum / n * 1000, b["0.0005"] / n * 100, b["0.001"] / n * 100, b["0.0025"] / n * 100, b["0.005"] / n * 100
            }' "$work/metrics"
    }
    srv_avails=$(server_side GET "/api/v1/titles/{id}/avails")
    srv_check=$(server_side POST "/api/v1/orgs/{id}/avails/check")
    srv_grid=$(server_side GET "/api/v1/orgs/{id}/avails/grid")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
    say "API done in $(elapsed "$t0") s"
fi

# ---- Report. ----
col() { awk -v w="$1" -v q="$2" -v c="$3" '$1==w && $2==q {print $c}' "$res" | median; }
fmt() { [[ -n $1 ]] && awk -v v="$1" -v d="$2" 'BEGIN{if (v >= 100) d = 0; printf "%.*f", d, v}' || echo "-"; }
ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", a / b}' || echo "-"; }
echo
echo "Per round (where question round p50 p99 [req/s | transactions]; engine and pg in µs, api in ms):"
cat "$res"
echo
printf '| question | engine p50 µs | engine p99 µs | PostgreSQL p50 µs | PostgreSQL p99 µs | PostgreSQL / engine (p50) | API p50 ms | API p99 ms | API req/s |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for q in avails avails1 check grid gridcsv; do
    case $q in
    avails) label="single-title avails (1-5 territories x 1-2 media, 2 years, exclusive)" ;;
    check) label="conflict check (one exclusive right: a group or 1-3 territories, 1 medium, 1-5 years)" ;;
    grid) label="catalogue grid, one medium, one day: 10,000 titles x 250 territories (API: a JSON page of $GRID_LIMIT titles)" ;;
    avails1) label="the same through the API with one connection" ;;
    gridcsv) label="the same whole grid through the API as one CSV of 10,000 rows" ;;
    esac
    e50=$(col engine $q 4) e99=$(col engine $q 5) p50=$(col pg $q 4) p99=$(col pg $q 5)
    a50=$(col api $q 4) a99=$(col api $q 5) arps=$(col api $q 6)
    printf '| %s | %s | %s | %s | %s | %s× | %s | %s | %s |\n' "$label" "$(fmt "$e50" 2)" "$(fmt "$e99" 2)" \
        "$(fmt "$p50" 0)" "$(fmt "$p99" 0)" "$(ratio "$p50" "$e50")" "$(fmt "$a50" 2)" "$(fmt "$a99" 2)" "$(fmt "$arps" 0)"
done
echo
echo "- windows loaded by the engine in ${load_ms} ms; PostgreSQL loaded and indexed in ${pg_load_s} s"
echo "- PostgreSQL's answers equal the engine's: $same"
if [[ -z $SKIP_API ]]; then
    echo "- API first requests after the start: avails ${cold_avails} ms (it loads the organization's windows), then check ${cold_check} ms, grid page ${cold_grid} ms, whole grid as CSV ${cold_csv} ms"
    echo "- the whole grid as CSV is $csv_bytes bytes"
    echo "- in the server (its /metrics histogram, every request of the run): avails route $srv_avails; check $srv_check; grid (pages and CSV) $srv_grid"
    [[ -f $work/non2xx.all ]] && sed 's/^/- NOT 2xx: /' "$work/non2xx.all"
    echo "- API: wrk, $CONNECTIONS connections, $THREADS threads, ${DURATION} s per route per round"
fi
echo
e50=$(col engine avails 4) e99=$(col engine avails 5) p50=$(col pg avails 4) a99=$(col api avails 5)
vs=$(awk -v a="$p50" -v b="$e50" 'BEGIN{printf "%.0f", a / b}')
echo "BENCH avails engine_p50_us=$(fmt "$e50" 2) engine_p99_us=$(fmt "$e99" 2) pg_p50_us=$(fmt "$p50" 0) vs_postgres=$vs api_p99_ms=$(fmt "$a99" 2)"
