# Sourced by every bash example here: settings, a token, and the few waits a workflow needs.
# Read this first; each example is then a page of curl calls.
#
# Settings come from the environment:
#   SFAPI_KEY           your key file: the client id on the first line, then the private key (PEM)
#   SFAPI_URL           the API's base URL (default http://127.0.0.1:8080/api/v1.2)
#   SFAPI_TOKEN_URL     the token endpoint (default: /oauth2/token on the same server)
#   SFAPI_SYSTEM        the compute system (default perlmutter)
#   SFAPI_POLL_SECONDS  how often to ask whether something has ended (default 2)
# Needs curl, jq and openssl. The token comes from scripts/sfapi-token (20 lines of openssl and
# curl; copy it along with these files, or set SFAPI_TOKEN_SCRIPT).

SFAPI_URL="${SFAPI_URL:-http://127.0.0.1:8080/api/v1.2}"
SFAPI_URL="${SFAPI_URL%/}"
SFAPI_TOKEN_URL="${SFAPI_TOKEN_URL:-$(sed -E 's#^(https?://[^/]+).*#\1#' <<<"$SFAPI_URL")/oauth2/token}"
SFAPI_SYSTEM="${SFAPI_SYSTEM:-perlmutter}"
SFAPI_POLL_SECONDS="${SFAPI_POLL_SECONDS:-2}"
SFAPI_TOKEN_SCRIPT="${SFAPI_TOKEN_SCRIPT:-$(dirname "${BASH_SOURCE[0]}")/../../scripts/sfapi-token}"

# An access token lasts 10 minutes: sfapi asks for a new one when this one is 8 minutes old.
sfapi_token() {
  : "${SFAPI_KEY:?set SFAPI_KEY to your key file (make run prints it)}"
  TOKEN="$("$SFAPI_TOKEN_SCRIPT" "$SFAPI_KEY" "$SFAPI_TOKEN_URL")" || return 1
  TOKEN_AT=$SECONDS
}

# sfapi METHOD PATH [curl options]: prints the JSON answer; fails on an HTTP error (401, 403,
# 404, 422), printing the answer's "detail".
sfapi() {
  if [[ -z "${TOKEN:-}" ]] || ((SECONDS - TOKEN_AT > 480)); then sfapi_token || return 1; fi
  curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $TOKEN" "${@:3}" "$SFAPI_URL/$2"
}

# sfapi_wait_task TASK_ID: prints the task's result (JSON) once it has ended. Slow work (job
# submission and cancellation, commands) answers with a task id, once the task has ended or
# after [tasks] wait_for_end_ms (200 ms): a short one is done at the first read.
sfapi_wait_task() {
  local task
  while task="$(sfapi GET "tasks/$1")" && [[ "$(jq -r .status <<<"$task")" == new ]]; do
    sleep "$SFAPI_POLL_SECONDS"
  done
  [[ "$(jq -r .status <<<"$task")" == completed ]] || {
    echo "task $1 did not complete: $task" >&2
    return 1
  }
  jq -r .result <<<"$task"
}

# sfapi_submit SCRIPT_TEXT: submits a batch script and prints the job id; on a refusal prints
# sbatch's own words and fails.
sfapi_submit() {
  local answer result
  answer="$(sfapi POST "compute/jobs/$SFAPI_SYSTEM" --data-urlencode isPath=false \
    --data-urlencode "job=$1")" || return 1
  result="$(sfapi_wait_task "$(jq -r .task_id <<<"$answer")")" || return 1
  [[ "$(jq -r .status <<<"$result")" == ok ]] || {
    jq -r .error <<<"$result" >&2
    return 1
  }
  jq -r .jobid <<<"$result"
}

# sfapi_wait_job JOBID: prints each change of state on standard error, waits until every row of
# the job (one per task of an array) has ended, and prints sacct's rows as a JSON list.
sfapi_wait_job() {
  local rows shown="" now
  while true; do
    rows="$(sfapi GET "compute/jobs/$SFAPI_SYSTEM" -G --data-urlencode "kwargs=jobid=$1" \
      -d sacct=true | jq .output)" || return 1
    now="$(jq -r '.[] | "job \(.jobid): \(.state)"' <<<"$rows")"
    [[ "$now" != "$shown" && -n "$now" ]] && echo "$now" >&2
    shown="$now"
    if jq -e 'length > 0 and all(.[]; (.state | split(" ")[0]) as $s |
        ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
         "PREEMPTED", "BOOT_FAIL", "DEADLINE"] | index($s))' <<<"$rows" >/dev/null; then
      echo "$rows"
      return 0
    fi
    sleep "$SFAPI_POLL_SECONDS"
  done
}

# sfapi_download PATH: prints a text file on the system; fails with the in-band error.
sfapi_download() {
  local answer
  answer="$(sfapi GET "utilities/download/$SFAPI_SYSTEM/$1?binary=false")" || return 1
  [[ "$(jq -r .status <<<"$answer")" == OK ]] || {
    jq -r .error <<<"$answer" >&2
    return 1
  }
  jq -j .file <<<"$answer"
}

# sfapi_upload LOCAL_FILE PATH: writes a file on the system (its folder must exist).
sfapi_upload() {
  local answer
  answer="$(sfapi PUT "utilities/upload/$SFAPI_SYSTEM/$2" -F "file=@$1")" || return 1
  [[ "$(jq -r .status <<<"$answer")" == OK ]] || {
    jq -r .error <<<"$answer" >&2
    return 1
  }
}
