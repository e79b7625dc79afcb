#!/usr/bin/env bash
# Files of any size: a 3 GiB streamed download (GET /utilities/files, bench/download_driver.py, which
# writes 4 MiB at a time; curl's 16 KiB writes are slower than the server here) and a chunked resumable
# upload (/utilities/uploads, bench/upload_driver.py, 8 MiB chunks) through sfapid versus plain `cp`
# of the same file on the same disk, in the same run, with sfapid's resident memory sampled every
# 0.1 s during each transfer. The source is in the page cache (just written); each copy is synced to
# disk before its clock stops. Usage: bench/large_files.sh [BUILD_DIR]
# Environment: ROUNDS (3), SIZE_MIB (3072), CHUNK_MIB (8).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
rounds="${ROUNDS:-3}"
size_mib="${SIZE_MIB:-3072}"
chunk_mib="${CHUNK_MIB:-8}"

bench_user

bench_config
bench_start_sfapid
bench_token yellow
base="http://127.0.0.1:$port/api/v1.2"

as_user "head -c $((size_mib * 1024 * 1024)) /dev/urandom > $home/source.bin"
now() { date +%s.%N; }
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$sfapid_pid/status"; }
baseline_rss="$(rss_mb)"

# Samples sfapid's RSS into $work/rss.<name> until the sampler is killed.
sample_rss() { while :; do rss_mb >>"$work/rss.$1"; echo >>"$work/rss.$1"; sleep 0.1; done; }

timed() {  # timed NAME TARGET COMMAND: runs COMMAND, syncs TARGET, appends seconds to $work/NAME
  local name="$1" target="$2" t0 sampler
  rm -f "$target"; sync
  sample_rss "$name" & sampler=$!
  t0="$(now)"
  eval "$3"
  sync "$target"
  echo "$(now) $t0" | awk '{print $1 - $2}' >>"$work/$name"
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  cmp -s "$home/source.bin" "$target" || { echo "large_files.sh: $name differs" >&2; exit 1; }
}

url="$base/utilities/files/perlmutter$home/source.bin"
copy_cp() { timed cp "$home/cp.bin" "as_user 'cp $home/source.bin $home/cp.bin'"; }
copy_download() {
  timed download "$home/download.bin" \
    "python3 $here/bench/download_driver.py $url $token $home/download.bin"
}
copy_upload() {
  timed upload "$home/upload.bin" \
    "python3 $here/bench/upload_driver.py $base $token perlmutter $home/source.bin $home/upload.bin $((chunk_mib << 20))"
}
# The server's own pace: the stream read and thrown away, no disk write on the client's side.
for ((round = 1; round <= rounds; round++)); do
  t0="$(now)"
  curl -sf -H "Authorization: Bearer $token" -o /dev/null "$url"
  echo "$(now) $t0" | awk '{print $1 - $2}' >>"$work/stream"
done
# The order turns each round: whichever runs after another meets its write-back.
for ((round = 1; round <= rounds; round++)); do
  case $((round % 3)) in
    1) copy_cp; copy_download; copy_upload ;;
    2) copy_download; copy_upload; copy_cp ;;
    0) copy_upload; copy_cp; copy_download ;;
  esac
  rm -f "$home/cp.bin" "$home/download.bin" "$home/upload.bin"
done

median() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
peak() { sort -g "$work/rss.$1" | tail -1; }
cp_s="$(median "$work/cp")"
mibs() { awk -v s="$1" -v m="$size_mib" 'BEGIN {printf "%.0f", m / s}'; }
ratio() { awk -v c="$cp_s" -v s="$1" 'BEGIN {printf "%.2f", c / s}'; }
dl_s="$(median "$work/download")"
stream_s="$(median "$work/stream")"
up_s="$(median "$work/upload")"

echo "### Large files: $size_mib MiB, streamed download and chunked upload vs cp"
echo
echo "$rounds rounds (order turning), medians; source in the page cache, each copy synced before its clock stops;"
echo "upload in $chunk_mib MiB chunks over one keep-alive connection, SHA-256 checked by the server."
echo "sfapid's RSS before: $baseline_rss MB."
echo
echo "| copy | seconds | MiB/s | × cp | sfapid peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|"
echo "| cp | $(printf '%.2f' "$cp_s") | $(mibs "$cp_s") | 1.00 | |"
echo "| download (GET /utilities/files) | $(printf '%.2f' "$dl_s") | $(mibs "$dl_s") | $(ratio "$dl_s") | $(peak download) |"
echo "| stream only (curl -o /dev/null) | $(printf '%.2f' "$stream_s") | $(mibs "$stream_s") | $(ratio "$stream_s") | |"
echo "| upload (/utilities/uploads) | $(printf '%.2f' "$up_s") | $(mibs "$up_s") | $(ratio "$up_s") | $(peak upload) |"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| download ≥ 0.8× cp | $(ratio "$dl_s")× | $(verdict "$(ratio "$dl_s") >= 0.8") |"
echo "| upload ≥ 0.8× cp | $(ratio "$up_s")× | $(verdict "$(ratio "$up_s") >= 0.8") |"
echo "| RSS ≤ 64 MB during the download | $(peak download) MB | $(verdict "$(peak download) <= 64") |"
echo "| RSS ≤ 64 MB during the upload | $(peak upload) MB | $(verdict "$(peak upload) <= 64") |"
