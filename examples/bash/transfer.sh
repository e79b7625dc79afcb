#!/usr/bin/env bash
# Move data: copy a file (or a folder's contents) between endpoints, here from the data-transfer
# nodes to the compute system, and wait until the transfer has ended. It runs as you, with your
# permissions; missing target folders are made.
#
#   SFAPI_KEY=... SFAPI_DIR=/path/on/the/system transfer.sh
#
# SFAPI_DIR is an existing folder of yours; the example uploads SFAPI_DIR/results.csv and copies
# it to SFAPI_DIR/archive/results.csv. Endpoint ids: "dtn", each compute system's name, and what
# the centre adds.
set -euo pipefail
source "$(dirname "$0")/sfapi.sh"
: "${SFAPI_DIR:?set SFAPI_DIR to a folder of yours on the system}"
sfapi_token

printf 'step,energy\n1,-3.5\n' >"${tmp:=$(mktemp)}"
trap 'rm -f "$tmp"' EXIT
sfapi_upload "$tmp" "$SFAPI_DIR/results.csv"

started="$(sfapi POST storage/globus/transfer -d source_uuid=dtn -d "target_uuid=$SFAPI_SYSTEM" \
  --data-urlencode "source_dir=$SFAPI_DIR/results.csv" \
  --data-urlencode "target_dir=$SFAPI_DIR/archive/results.csv" --data-urlencode "label=example copy")"
[[ "$(jq -r .status <<<"$started")" == OK ]] || { echo "refused: $started" >&2; exit 1; }
id="$(jq -r .transfer_id <<<"$started")"
echo "transfer $id started"
while t="$(sfapi GET "storage/globus/transfer/$id")"; [[ "$(jq -r .globus_status <<<"$t")" == ACTIVE ]]; do
  sleep "$SFAPI_POLL_SECONDS"
done
jq -r '"transfer \(.globus_status): \(.bytes_transferred) bytes"' <<<"$t"
copied="$(sfapi_download "$SFAPI_DIR/archive/results.csv")"
echo "archive/results.csv: $(wc -c <<<"$copied") bytes"
[[ "$(jq -r .globus_status <<<"$t")" == SUCCEEDED && "$copied" == $'step,energy\n1,-3.5' ]]
