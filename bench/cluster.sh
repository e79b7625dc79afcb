#!/usr/bin/env bash
# Several nodes (issue 19): the same requests through HAProxy to one sfapid node on SQLite (the
# baseline), one node on PostgreSQL and three nodes on PostgreSQL, each started by
# scripts/cluster-up: an authenticated GET /tasks/{id} (a store read per request; spread over the
# nodes), the queue query by job id and the submission rate with 8 clients (both on the local
# scheduler, so on node 1 whatever the node count). ROUNDS rounds, the setups in turn within each;
# medians and ratios to the SQLite node of the same run. Then, on three nodes, the same GET
# /tasks/{id} load while node 3 is killed with SIGKILL after 3 s: its p99 and failed requests
# against the same load without the kill. As root (cluster-up starts PostgreSQL and HAProxy).
# Usage: bench/cluster.sh [BUILD_DIR]   Environment: DURATION (10), ROUNDS (3), CONNECTIONS (32).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
if [[ $(id -u) -ne 0 ]]; then
  echo "### Several nodes"; echo; echo "Skipped: bench/cluster.sh needs root (cluster-up starts PostgreSQL)."
  exit 0
fi
duration="${DURATION:-10}"
rounds="${ROUNDS:-3}"
conns="${CONNECTIONS:-32}"
lb_port=18680
bench_user

# Starts a setup ("sqlite 1", "postgresql 1", "postgresql 3"); sets token and base.
setup_up() {
  local store=$1 nodes=$2
  export SFAPID_BINARY="$sfapid" CLUSTER_PORT=$lb_port CLUSTER_DIR="$work/cluster"
  export CLUSTER_SCHEMA="bench_cluster_$$" CLUSTER_STORE="$store" SUDO_USER="$user"
  "$here/scripts/cluster-up" "$nodes" >"$work/cluster-up.out" 2>&1 ||
    { cat "$work/cluster-up.out" >&2; exit 1; }
  local key
  key="$(sed -n 's/.*Your API client (red, for user [^)]*): //p' "$work/cluster-up.out")"
  token="$("$here/scripts/sfapi-token" "$key" "http://127.0.0.1:$lb_port/oauth2/token")"
  base="http://127.0.0.1:$lb_port/api/v1.2"
}
setup_down() { "$here/scripts/cluster-down" --purge >/dev/null 2>&1; }
trap 'setup_down; bench_cleanup; pkill -KILL -u sfapidbench 2>/dev/null || true; userdel -r sfapidbench >/dev/null 2>&1 || true' EXIT

# One measurement of the current setup: "tasks_rps tasks_p99 byid_rps byid_p99 submits_per_s".
measure() {
  local driver rate mid task_id
  driver="$(python3 "$here/bench/compute_driver.py" "$lb_port" "$token" "$duration" 8 0)"
  rate="$(sed -n 2p <<<"$driver" | awk '{print $2}')"
  read -r _ _ mid _ task_id <<<"$(tail -1 <<<"$driver")"
  local auth="Authorization: Bearer $token"
  read -r tk_rps _ tk_p99 tk_err < <(wrk_run "$duration" "$conns" "$base/tasks/$task_id" -H "$auth")
  read -r id_rps _ id_p99 id_err < <(wrk_run "$duration" "$conns" \
    "$base/compute/jobs/perlmutter?kwargs=jobid%3D$mid&cached=false" -H "$auth")
  ((tk_err == 0 && id_err == 0)) || { echo "bench/cluster.sh: errors ($tk_err, $id_err)" >&2; exit 1; }
  echo "$tk_rps $tk_p99 $id_rps $id_p99 $rate $task_id"
}

setups=("sqlite 1" "postgresql 1" "postgresql 3")
declare -A results
for round in $(seq 1 "$rounds"); do
  for s in "${setups[@]}"; do
    setup_up $s
    results["$s/$round"]="$(measure)"
    echo "round $round, $s: ${results["$s/$round"]}" >&2
    setup_down
  done
done

# The kill: three nodes, GET /tasks/{id} through HAProxy, node 3 SIGKILLed 3 s in.
setup_up postgresql 3
task_id="$(measure | awk '{print $6}')"
read -r calm_rps _ calm_p99 calm_err < <(wrk_run "$duration" "$conns" "$base/tasks/$task_id" -H "Authorization: Bearer $token")
(sleep 3; kill -KILL "$(<"$work/cluster/node3.pid")") &
read -r kill_rps _ kill_p99 kill_err < <(wrk_run "$duration" "$conns" "$base/tasks/$task_id" -H "Authorization: Bearer $token")
wait
setup_down

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
column() {  # column N of setup S over the rounds, median
  local s=$1 n=$2
  for round in $(seq 1 "$rounds"); do awk -v n="$n" '{print $n}' <<<"${results["$s/$round"]}"; done | median
}
echo "### Several nodes behind HAProxy (bench/cluster.sh)"
printf '\n| through HAProxy (median of %s rounds) | GET /tasks/{id} req/s | p99 ms | query by id req/s | p99 ms | submits/s (8 clients) |\n' "$rounds"
printf '|---|---|---|---|---|---|\n'
for s in "${setups[@]}"; do
  printf '| %s node(s) on %s | %s | %s | %s | %s | %s |\n' "${s#* }" "${s% *}" \
    "$(column "$s" 1)" "$(column "$s" 2)" "$(column "$s" 3)" "$(column "$s" 4)" "$(column "$s" 5)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
for s in "postgresql 1" "postgresql 3"; do
  printf '\n%s node(s) on PostgreSQL / 1 on SQLite: tasks %s×, query by id %s×, submits %s×' "${s#* }" \
    "$(ratio "$(column "$s" 1)" "$(column "sqlite 1" 1)")" \
    "$(ratio "$(column "$s" 3)" "$(column "sqlite 1" 3)")" \
    "$(ratio "$(column "$s" 5)" "$(column "sqlite 1" 5)")"
done
pg1="$(ratio "$(column "postgresql 1" 5)" "$(column "sqlite 1" 5)")"
echo
echo "goal: PostgreSQL single node >= 0.7x SQLite (submits): $(verdict "$pg1 >= 0.7")"
printf '\nGET /tasks/{id} on 3 nodes, %s s at %s connections: without a kill %s req/s, p99 %s ms, %s failed; node 3 SIGKILLed 3 s in: %s req/s, p99 %s ms, %s failed\n' \
  "$duration" "$conns" "$calm_rps" "$calm_p99" "$calm_err" "$kill_rps" "$kill_p99" "$kill_err"
