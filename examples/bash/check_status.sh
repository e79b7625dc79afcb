#!/usr/bin/env bash
# Before submitting: is the system up, and does an outage start before the job would end?
# Exits 0 when it is a good time to submit, 1 when not. Status needs no token.
#
#   check_status.sh [HOURS]      # HOURS: how long the job needs (default 2)
#
# sfapi_client: client.compute(Machine.perlmutter).status,
#               client.resources.planned_outages(Resource.perlmutter)
set -euo pipefail
source "$(dirname "$0")/sfapi.sh"
hours="${1:-2}"

# {"name": "perlmutter", "status": "active", "notes": [...], ...}
system="$(curl -sS --fail-with-body "$SFAPI_URL/status/$SFAPI_SYSTEM")"
status="$(jq -r .status <<<"$system")"
echo "$SFAPI_SYSTEM is $status"
# Planned outages, and how many start before the job would end (GNU date reads ISO 8601).
planned="$(curl -sS --fail-with-body "$SFAPI_URL/status/outages/planned/$SFAPI_SYSTEM")"
ends=$(($(date +%s) + ${hours%.*} * 3600))
soon=0
while IFS=$'\t' read -r start end description; do
  echo "planned: $description from $start to $end"
  if (($(date -d "$start" +%s) < ends)); then soon=$((soon + 1)); fi
done < <(jq -r '.[] | [.start_at, .end_at, .description] | @tsv' <<<"$planned")
if [[ "$status" != active || "$soon" -gt 0 ]]; then
  echo "not a good time for a $hours h job"
  exit 1
fi
echo "good to submit a $hours h job"
