#!/usr/bin/env bash
# Transfer benchmark: a 2 GiB file copied through sfapid (POST /storage/globus/transfer, rsync as
# the user, checksummed) versus plain `cp` by the same user on the same disk, in the same run.
# Both read the source from the page cache (it was just written); each copy is synced to disk
# before its clock stops. Usage: bench/transfers.sh [BUILD_DIR]   Environment: ROUNDS (3), SIZE_MIB (2048).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
rounds="${ROUNDS:-3}"
size_mib="${SIZE_MIB:-2048}"

bench_user

bench_config
bench_start_sfapid
bench_token yellow
base="http://127.0.0.1:$port/api/v1.2"

as_user "head -c $((size_mib * 1024 * 1024)) /dev/urandom > $home/source.bin"
now() { date +%s.%N; }

time_cp() {
  local t0
  as_user "rm -f $home/cp.bin; sync"
  t0="$(now)"
  as_user "cp $home/source.bin $home/cp.bin && sync $home/cp.bin"
  echo "$(now) $t0" | awk '{print $1 - $2}' >>"$work/cp"
}

time_sfapid() {
  local t0 t1 id state
  as_user "rm -f $home/rsync.bin; sync"
  t0="$(now)"
  id="$(curl -s -H "Authorization: Bearer $token" --data-urlencode source_uuid=dtn \
    --data-urlencode target_uuid=perlmutter --data-urlencode "source_dir=$home/source.bin" \
    --data-urlencode "target_dir=$home/rsync.bin" "$base/storage/globus/transfer" |
    sed -n 's/.*"transfer_id":"\([^"]*\)".*/\1/p')"
  while :; do
    state="$(curl -s -H "Authorization: Bearer $token" "$base/storage/globus/transfer/$id" |
      sed -n 's/.*"globus_status":"\([A-Z]*\)".*/\1/p')"
    [[ "$state" == ACTIVE ]] || break
    sleep 0.05
  done
  [[ "$state" == SUCCEEDED ]] || { echo "transfers.sh: transfer ended $state" >&2; exit 1; }
  t1="$(now)"
  as_user "sync $home/rsync.bin"
  echo "$(now) $t1 $t0" | awk '{printf "%.2f %.2f\n", $2 - $3, $1 - $2}' >>"$work/phases"
  echo "$(now) $t0" | awk '{print $1 - $2}' >>"$work/sfapid"
  cmp -s "$home/source.bin" "$home/rsync.bin" || { echo "transfers.sh: copy differs" >&2; exit 1; }
}

# The order alternates between rounds: whichever runs second may meet the first's write-back.
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then time_cp; time_sfapid; else time_sfapid; time_cp; fi
done

median() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
cp_s="$(median "$work/cp")"
sf_s="$(median "$work/sfapid")"
ratio="$(awk -v c="$cp_s" -v s="$sf_s" 'BEGIN {printf "%.0f", 100 * c / s}')"
mibs() { awk -v s="$1" -v m="$size_mib" 'BEGIN {printf "%.0f", m / s}'; }

echo "### Transfers: $size_mib MiB file, sfapid (rsync) vs cp"
echo
echo "$rounds rounds (order alternating), medians; source in the page cache, each copy synced before its clock stops;"
echo "sfapid's time is from POST to the transfer reading SUCCEEDED (polled every 50 ms)."
echo
echo "| copy | seconds | MiB/s |"
echo "|---|---:|---:|"
echo "| cp | $(printf '%.2f' "$cp_s") | $(mibs "$cp_s") |"
echo "| sfapid transfer | $(printf '%.2f' "$sf_s") | $(mibs "$sf_s") |"
echo
echo "sfapid rounds, seconds to SUCCEEDED and then to synced: $(tr '\n' ';' <"$work/phases")"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| ≥ 80% of cp's throughput | ${ratio}% | $(verdict "$ratio >= 80") |"
