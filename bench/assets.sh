#!/usr/bin/env bash
# bench/assets.sh: `make bench-assets`. Generates a corpus in the run and measures, in the same
# run on the same disk:
#   (a) `mstation put` of the corpus into a running server on loopback (ingest MB/s)
#   (b) bytes the chunk store holds after both versions
#   (c) bytes sent for the second version of a camera file (1% changed in 10 places): the new
#       chunk bytes the server had to receive, from `mstation store stats` before and after
#   (d) restic (Debian's) `backup` of the same corpus into a fresh local repository, then of
#       the second version: time of the first backup, repository size after both
#   (e) `cp -r` of the corpus on the same disk (and cp -r + sync, which is what "durable" costs)
#   (f) BLAKE3 throughput on 1 GiB in memory, one core (bench_blake3)
# Corpus (~4 GiB at the defaults): two incompressible "camera files" of CAMERA_MB MiB and an
# uncompressed DPX sequence of FRAMES frames (10-bit RGB, 720x480, ~1.4 MB each). Every tool
# reads the corpus from the page cache (it was just written); the machine has the RAM for it.
#   CAMERA_MB=1536 FRAMES=500 ROUNDS=1 bench/assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CAMERA_MB=${CAMERA_MB:-1536}
FRAMES=${FRAMES:-500}
BIN=$PWD/$BUILD/mstation
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/mstation-bench-assets.XXXXXX")
pid=""
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
mbps() { python3 -c "import sys; print(f'{$1/1e6/$2:.0f}')"; }
bytes_of() { du -sb "$1" | cut -f1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
random_file() { # $1 path, $2 MiB: AES-CTR keystream, incompressible and fast to make
    # (head closes the pipe early, so openssl dies of SIGPIPE: check the size instead)
    { openssl enc -aes-128-ctr -pass "pass:$RANDOM$1" -nosalt -pbkdf2 </dev/zero 2>/dev/null || true; } |
        head -c "$(($2 << 20))" >"$1"
    [[ $(stat -c %s "$1") -eq $(($2 << 20)) ]]
}

echo "bench-assets: making the corpus in $work" >&2
corpus=$work/corpus
mkdir -p "$corpus/A001" "$corpus/SEQ" "$work/v2"
random_file "$corpus/A001/A001C001.MXF" "$CAMERA_MB"
random_file "$corpus/A001/A001C002.MXF" "$CAMERA_MB"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=720x480:rate=24" -frames:v "$FRAMES" \
    -c:v dpx -pix_fmt gbrp10le "$corpus/SEQ/plate.%04d.dpx"
# The second version: 1% of the bytes changed, in 10 places spread over the file.
cp "$corpus/A001/A001C001.MXF" "$work/v2/A001C001.MXF"
size=$(stat -c %s "$work/v2/A001C001.MXF")
piece=$((size / 1000)) # 0.1% x 10 places = 1%
for i in $(seq 0 9); do
    off=$(((size / 10) * i + size / 20))
    openssl rand "$piece" | dd of="$work/v2/A001C001.MXF" bs=1M seek="$off" oflag=seek_bytes conv=notrunc status=none
done
corpus_bytes=$(bytes_of "$corpus")
v2_bytes=$size
sync

# (f) BLAKE3 in memory.
blake=$("$BUILD"/bench_blake3 | tail -1)
blake3_gbps=$(sed -n 's/.*best_gbps=\([0-9.]*\).*/\1/p' <<<"$blake")
echo "bench-assets: $blake" >&2

# (a) ingest through a running server.
data=$work/data
printf 'bench-password-1\n' >"$work/pw"
"$BIN" init --data "$data" --admin-email bench@example.com --admin-password-file "$work/pw" >/dev/null 2>&1
port=$(free_port)
"$BIN" serve --data "$data" --listen "127.0.0.1:$port" --access-log false --workers 0 \
    >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
token=$("$BIN" token create --data "$data" --user bench@example.com --name bench)
api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
org=$(api -d '{"name":"Bench","kind":"studio"}' "http://127.0.0.1:$port/api/v1/orgs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
project=$(api -d "{\"org_id\":\"$org\",\"name\":\"Bench\"}" "http://127.0.0.1:$port/api/v1/projects" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export MSTATION_SERVER=http://127.0.0.1:$port MSTATION_TOKEN=$token
chunk_bytes() { sqlite3 "$data/mstation.db" 'SELECT COALESCE(SUM(size), 0) FROM chunk'; }
t0=$(now)
"$BIN" put "$corpus" --project "$project" --folder /bench --no-progress >"$work/put1.log"
t1=$(now)
ingest_s=$(python3 -c "print($t1-$t0)")
before=$(chunk_bytes)
t0=$(now)
"$BIN" put "$work/v2/A001C001.MXF" --project "$project" --folder /bench/A001 --no-progress >"$work/put2.log"
t1=$(now)
v2_s=$(python3 -c "print($t1-$t0)")
after=$(chunk_bytes)
sent_v2=$((after - before))
stored=$(bytes_of "$data/store/chunks")
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""

# (d) restic, the same corpus, then the second version in place of the first.
export RESTIC_PASSWORD=bench RESTIC_REPOSITORY=$work/restic
restic init --quiet >/dev/null
t0=$(now)
restic backup --quiet --no-cache "$corpus" >/dev/null
t1=$(now)
restic_s=$(python3 -c "print($t1-$t0)")
cp "$work/v2/A001C001.MXF" "$corpus/A001/A001C001.MXF"
restic backup --quiet --no-cache "$corpus" >/dev/null
restic_bytes=$(bytes_of "$work/restic")
rm -rf "$work/restic"

# (e) cp -r on the same disk, then with a sync.
t0=$(now)
cp -r "$corpus" "$work/copy"
t1=$(now)
sync
t2=$(now)
cp_s=$(python3 -c "print($t1-$t0)")
cp_sync_s=$(python3 -c "print($t2-$t0)")
rm -rf "$work/copy"

ingest_mbps=$(mbps "$corpus_bytes" "$ingest_s")
restic_mbps=$(mbps "$corpus_bytes" "$restic_s")
cp_mbps=$(mbps "$corpus_bytes" "$cp_s")
cp_sync_mbps=$(mbps "$corpus_bytes" "$cp_sync_s")
v2_mbps=$(mbps "$v2_bytes" "$v2_s")
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
printf '%-34s %12s\n' "corpus bytes" "$corpus_bytes" \
    "(a) mstation put MB/s" "$ingest_mbps" \
    "    second version put MB/s" "$v2_mbps" \
    "(b) stored bytes (chunks)" "$stored" \
    "(c) bytes sent for v2" "$sent_v2" \
    "(d) restic backup MB/s" "$restic_mbps" \
    "    restic repository bytes" "$restic_bytes" \
    "(e) cp -r MB/s" "$cp_mbps" \
    "    cp -r + sync MB/s" "$cp_sync_mbps" \
    "(f) BLAKE3 GB/s (one core)" "$blake3_gbps"
echo "BENCH assets ingest_mbps=$ingest_mbps vs_restic=$(ratio "$ingest_mbps" "$restic_mbps") vs_cp=$(ratio "$ingest_mbps" "$cp_mbps") stored_vs_restic=$(ratio "$stored" "$restic_bytes") resend_pct=$(python3 -c "print(f'{100*$sent_v2/$v2_bytes:.2f}')") blake3_gbps=$blake3_gbps"
