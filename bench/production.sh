#!/usr/bin/env bash
# bench/production.sh: `make bench-production`. One mstation server on SQLite (the default
# install), measured by wrk with CONNECTIONS (16) concurrent clients, DURATION seconds per
# query, ROUNDS rounds (medians reported):
#   phase 1  a series: 80 episodes x 40 shots x 8 task types = 25,600 tasks, 200 artists
#            (bench/prod_seed.c base)
#   phase 2  the same plus a 3,000-shot feature (24,000 tasks) and 98 more series: 1,029,600
#            tasks in 100 projects, 1,200 artists (studio); artist 0's tasks stay the same
# Queries:
#   episode_grid   GET /projects/{series}/grid?entity_type_id=<Shot>&ancestor_id=<an episode>
#                  (a random episode per request: 40 rows x 8 cells)       both phases
#   my_tasks       GET /me/tasks?limit=100 as artist 0 (128 tasks)          both phases
#   filtered_list  GET /projects/{series}/tasks?task_type_id=<Animation>&status_id=<wip>&limit=100
#                                                                           both phases
#   bulk_1000      POST /projects/{series}/tasks/bulk: 1,000 tasks to wip or wfa, alternating,
#                  each client its own 1,000 tasks; it invalidates the series' cached grids, so
#                  each round's episode grids start cold                    both phases
#   feature_grid   GET /projects/{feature}/grid?entity_type_id=<Shot> (3,000 rows x 8 cells)
#                                                                           phase 2
#   feature_grid_identity  the same without gzip (a client that does not accept it), phase 2
#   feature grid after a write: one client, a PATCH then the grid (never cached), phase 2
# Then a CSV import of 100,000 shot rows (3 runs into fresh projects; median).
# The last line: BENCH production grid_p99_ms=<feature grid p99, phase 2> growth=<worst
# phase-2 over phase-1 p99 of the three reads of both phases> import_100k_s=<median>
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
BUILD=${BUILD:-build}
work=$(mktemp -d)
pid=""
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
db="$work/data/mstation.db"
sql() { sqlite3 -batch -noheader "$db" "$1"; }

serve() {
    port=$(free_port)
    "$BUILD"/mstation serve --data "$work/data" --listen "127.0.0.1:$port" >/dev/null \
        2>>"$work/mstation.log" &
    pid=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
    echo "bench-production: the server did not start" >&2
    cat "$work/mstation.log" >&2
    exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

echo "bench-production: seeding phase 1 (the series)"
printf 'bench-password-1\n' >"$work/pw"
"$BUILD"/mstation init --data "$work/data" --admin-email bench@example.com \
    --admin-password-file "$work/pw" >/dev/null 2>&1
t0=$(date +%s.%N)
"$BUILD"/bench_prod_seed "$work/data" bench@example.com base >"$work/ids"
t1=$(date +%s.%N)
# shellcheck disable=SC1090
source "$work/ids"
admin=$("$BUILD"/mstation token create --data "$work/data" --user bench@example.com --name bench 2>/dev/null)
artist=$("$BUILD"/mstation token create --data "$work/data" --user artist0000@bench.example --name bench 2>/dev/null)
shot_s=$(sql "SELECT id FROM entity_type WHERE project_id='$series' AND kind='shot'")
anim=$(sql "SELECT id FROM task_type WHERE project_id='$series' AND name='Animation'")
wip=$(sql "SELECT id FROM task_status WHERE project_id='$series' AND short_name='wip'")
wfa=$(sql "SELECT id FROM task_status WHERE project_id='$series' AND short_name='wfa'")
sql "SELECT id FROM entity WHERE project_id='$series' AND parent_id IS NULL" >"$work/episodes"
sql "SELECT id FROM task WHERE project_id='$series' ORDER BY id LIMIT $((CONNECTIONS * 1000))" >"$work/bulk_ids"
printf 'seeded in %.1f s\n' "$(echo "$t1 - $t0" | bc)"

# wrk scripts: a random episode per request; per-connection bulk bodies.
cat >"$work/episode.lua" <<EOF
local eps = {}
for l in io.lines("$work/episodes") do eps[#eps + 1] = l end
request = function()
  return wrk.format(nil, "/api/v1/projects/$series/grid?entity_type_id=$shot_s&ancestor_id=" .. eps[math.random(#eps)])
end
EOF
cat >"$work/bulk.lua" <<EOF
local ids = {}
for l in io.lines("$work/bulk_ids") do ids[#ids + 1] = '"' .. l .. '"' end
local n = 0
local threads = 0
setup = function(thread) thread:set("tid", threads); threads = threads + 1 end
request = function()
  n = n + 1
  local set = ((tid or 0) * 8 + (n % 8)) % $CONNECTIONS
  local part = {}
  for i = 1, 1000 do part[i] = ids[set * 1000 + i] end
  local status = (math.floor(n / 8) % 2 == 0) and "$wfa" or "$wip"
  local body = '{"task_ids":[' .. table.concat(part, ",") .. '],"status_id":"' .. status .. '"}'
  return wrk.format("POST", "/api/v1/projects/$series/tasks/bulk",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $admin"}, body)
end
EOF

# measure NAME TOKEN PATH|@script [wrk args] -> appends "NAME p50 p99 rps" for this round.
# Requests say Accept-Encoding: gzip, as every browser does (the grid is then sent gzipped).
measure() {
    local name=$1 tok=$2 what=$3 args=() enc=${ENCODING:-gzip}
    if [[ $what == @* ]]; then args=(-s "${what#@}" "http://127.0.0.1:$port"); else args=("http://127.0.0.1:$port$what"); fi
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency --timeout 10s \
        -H "Authorization: Bearer $tok" -H "Accept-Encoding: $enc" "${args[@]}")
    local p50 p99 rps non2xx
    p50=$(awk '$1=="50%"{print $2}' <<<"$out")
    p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out")
    if [[ -n $non2xx ]]; then echo "bench-production: $name: $non2xx non-2xx answers" >&2; exit 1; fi
    echo "$name $(to_ms "$p50") $(to_ms "$p99") $rps" >>"$work/results.$phase"
    # wrk stops sending after DURATION, but the server may still work through what the
    # connections had queued (16 bulk changes of 1,000 tasks are about a second): let it finish
    # before the next measure starts.
    sleep "${SETTLE:-3}"
}
to_ms() { # wrk prints 812.00us, 4.20ms or 1.02s
    local v=$1
    case $v in
    *us) echo "$v" | sed 's/us$//' | awk '{printf "%.2f", $1 / 1000}' ;;
    *ms) echo "$v" | sed 's/ms$//' | awk '{printf "%.2f", $1}' ;;
    *s) echo "$v" | sed 's/s$//' | awk '{printf "%.2f", $1 * 1000}' ;;
    esac
}

# The feature grid right after a write (the cache cannot answer): one client, a PATCH then the
# grid, 30 times per round; the grid's times are appended to cold.<phase> in ms.
cold() {
    local task
    task=$(sql "SELECT id FROM task WHERE project_id='$feature' ORDER BY id LIMIT 1")
    for i in $(seq 30); do
        curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
            -d "{\"priority\":$((i % 4))}" "http://127.0.0.1:$port/api/v1/tasks/$task"
        curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $admin" \
            "http://127.0.0.1:$port/api/v1/projects/$feature/grid?entity_type_id=$shot_f"
    done | awk '{printf "%.2f\n", $1 * 1000}' >>"$work/cold.$phase"
}

reads() {
    measure episode_grid "$admin" "@$work/episode.lua"
    measure my_tasks "$artist" "/api/v1/me/tasks?limit=100"
    measure filtered_list "$admin" "/api/v1/projects/$series/tasks?task_type_id=$anim&status_id=$wip&limit=100"
}
feature_reads() {
    measure feature_grid "$admin" "/api/v1/projects/$feature/grid?entity_type_id=$shot_f"
    ENCODING=identity measure feature_grid_identity "$admin" "/api/v1/projects/$feature/grid?entity_type_id=$shot_f"
    cold
}

# Check each query answers what it should before timing it.
serve
check() { curl -sf -H "Authorization: Bearer $1" "http://127.0.0.1:$port$2"; }
mine=$(check "$artist" "/api/v1/me/tasks?limit=100" | jq '.items | length')
[[ $mine -gt 0 ]] || { echo "bench-production: my tasks is empty" >&2; exit 1; }

phase=1
for r in $(seq "$ROUNDS"); do
    echo "phase 1 (25,600 tasks), round $r"
    reads
    measure bulk_1000 "$admin" "@$work/bulk.lua"
done
stop

echo "bench-production: seeding phase 2 (the feature and 98 more series)"
t0=$(date +%s.%N)
"$BUILD"/bench_prod_seed "$work/data" bench@example.com studio >>"$work/ids"
t1=$(date +%s.%N)
# shellcheck disable=SC1090
source "$work/ids"
shot_f=$(sql "SELECT id FROM entity_type WHERE project_id='$feature' AND kind='shot'")
printf 'seeded in %.1f s\n' "$(echo "$t1 - $t0" | bc)"
total=$(sql "SELECT COUNT(*) FROM task")
serve
rows=$(check "$admin" "/api/v1/projects/$feature/grid?entity_type_id=$shot_f" | jq '.rows | length')
[[ $rows == 3000 ]] || { echo "bench-production: the feature grid has $rows rows, not 3000" >&2; exit 1; }
phase=2
for r in $(seq "$ROUNDS"); do
    echo "phase 2 ($total tasks), round $r"
    reads
    feature_reads
    measure bulk_1000 "$admin" "@$work/bulk.lua"
done

# CSV import of 100,000 shot rows, Kitsu's columns, into a fresh project each run.
python3 - "$work/import.csv" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Episode,Sequence,Name,Description,Frame In,Frame Out,Layout,Animation,Comp\n")
    n = 0
    for ep in range(1, 101):
        for sq in range(1, 11):
            for sh in range(1, 101):
                f.write(f"EP{ep:03d},SQ{sq*10:03d},SH{sh*10:04d},shot {n},1001,{1001+24+n%200},todo,wip,todo\n")
                n += 1
EOF
imports=()
for r in $(seq "$ROUNDS"); do
    org=$(sql "SELECT id FROM org WHERE name = 'Bench Studio'")
    proj=$(curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
        -d "{\"org_id\":\"$org\",\"name\":\"Import $r\",\"code\":\"IM$r\"}" "http://127.0.0.1:$port/api/v1/projects" | jq -r .id)
    curl -sf -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
        -d '{"template":"series"}' "http://127.0.0.1:$port/api/v1/projects/$proj/production/setup"
    s=$(curl -s -o "$work/import.out" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $admin" \
        -H 'Content-Type: text/csv' --data-binary "@$work/import.csv" \
        "http://127.0.0.1:$port/api/v1/projects/$proj/import/shots?atomic=true")
    code=${s% *}
    if [[ $code != 200 && $code != 201 ]]; then
        echo "bench-production: import answered $code: $(head -c 400 "$work/import.out")" >&2
        exit 1
    fi
    created=$(jq .created "$work/import.out")
    echo "import round $r: ${s#* } s, $created created"
    imports+=("${s#* }")
done
stop

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
col() { awk -v q="$2" -v c="$3" '$1==q{print $c}' "$work/results.$1" | median; }
printf '\n| query | phase 1 p50 ms | phase 1 p99 ms | phase 2 p50 ms | phase 2 p99 ms | growth (p99) | phase 1 req/s | phase 2 req/s |\n'
printf '|---|---|---|---|---|---|---|---|\n'
growth=0
for q in episode_grid my_tasks filtered_list bulk_1000; do
    a50=$(col 1 $q 2) a99=$(col 1 $q 3) ar=$(col 1 $q 4)
    b50=$(col 2 $q 2) b99=$(col 2 $q 3) br=$(col 2 $q 4)
    g=$(awk -v a="$a99" -v b="$b99" 'BEGIN{printf "%.2f", b / a}')
    # growth: the reads (not the write)
    [[ $q == bulk_1000 ]] || growth=$(awk -v a="$growth" -v b="$g" 'BEGIN{print (b > a) ? b : a}')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$q" "$a50" "$a99" "$b50" "$b99" "$g" "$ar" "$br"
done
for q in feature_grid feature_grid_identity; do
    printf '| %s | | | %s | %s | | | %s |\n' "$q" "$(col 2 $q 2)" "$(col 2 $q 3)" "$(col 2 $q 4)"
done
pct() { sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print v[i]}'; }
printf '| feature_grid after a write (1 client, not cached) | | | %s | %s | | | |\n' \
    "$(pct 50 <"$work/cold.2")" "$(pct 99 <"$work/cold.2")"
imp=$(printf '%s\n' "${imports[@]}" | median)
printf '| csv_import_100k | %s s (median of %s) | | | | | | |\n' "$imp" "$ROUNDS"
grid=$(col 2 feature_grid 3)
echo
echo "Per round (name p50_ms p99_ms req/s):"
for p in 1 2; do sed "s/^/phase $p: /" "$work/results.$p"; done
echo
echo "BENCH production grid_p99_ms=$grid growth=$growth import_100k_s=$imp"
