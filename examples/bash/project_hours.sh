#!/usr/bin/env bash
# How many node-hours are left in each of your projects, for you and for the whole project.
# Hours used are the node-hours (elapsed time x nodes) of finished jobs charged to the project.
#
#   SFAPI_KEY=... project_hours.sh
#
# sfapi_client: [(p.repo_name, p.project_hours_given - p.project_hours_used)
#                for p in client.user().projects()]
set -euo pipefail
source "$(dirname "$0")/sfapi.sh"
sfapi_token

echo "projects of $(sfapi GET account/ | jq -r .name):"
sfapi GET account/projects | jq -r '.[] |
  "  \(.repo_name): \(.project_hours_given - .project_hours_used) of \(.project_hours_given) node-hours left (you used \(.hours_used))"'
