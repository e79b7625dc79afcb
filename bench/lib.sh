# Shared by the benchmark scripts (source it): a throw-away sfapid on a loopback port, wrk runs and
# their numbers. Every server started here is stopped when the script exits.

bench_init() {
  here="$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)"
  build="${1:-build}"
  [[ "$build" = /* ]] || build="$here/$build"
  sfapid="$build/sfapid"
  work="$(mktemp -d "${TMPDIR:-/tmp}/sfapid-bench.XXXXXX")"
  chmod 755 "$work"
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}

# The default configuration on a kernel-chosen loopback port, data in $work, no access log, no
# rate limits (a benchmark measures capacity, which one loopback address would be held to), plus
# any extra TOML given as arguments: "[table] key = value" replaces the key in that table (it must
# be there), "+[table] key = value" adds it at the end of the table's first occurrence. Writes
# $work/sfapid.toml.
bench_config() {
  "$sfapid" config default |
    sed -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
        -e 's|^port = [^#]*|port = 0 |' \
        -e "s|^threads = [^#]*|threads = ${THREADS:-2} |" \
        -e 's|^access_log = [^#]*|access_log = false |' \
        -e 's/^\([a-z]*_per_\(client\|address\)\) = [^#]*/\1 = 0 /' >"$work/sfapid.toml"
  local extra
  for extra in "$@"; do
    python3 - "$work/sfapid.toml" "$extra" <<'PY'
import sys
path, extra = sys.argv[1], sys.argv[2]
text = open(path).read()
# "[table] key = value": replace the key inside that table; "+[table] key = value": add it.
table, assignment = extra.split(" ", 1)
add = table.startswith("+")
table = table.lstrip("+")
key = assignment.split("=")[0].strip()
lines, out, inside, done = text.splitlines(), [], False, False
for line in lines:
    if line.startswith("["):
        if inside and add and not done:
            while out and not out[-1].strip():
                out.pop()
            out += [assignment, ""]; done = True
        inside = line.strip() == table
    if inside and not add and not done and line.split("=")[0].strip() == key:
        out.append(assignment); done = True; continue
    out.append(line)
if inside and add and not done:
    out.append(assignment); done = True
if not done:
    sys.exit(f"bench_config: no key {key} in {table}")
open(path, "w").write("\n".join(out) + "\n")
PY
  done
  "$sfapid" config check "$work/sfapid.toml" >/dev/null
}

# Starts sfapid on $work/sfapid.toml; sets sfapid_pid and port.
bench_start_sfapid() {
  "$sfapid" --config "$work/sfapid.toml" serve >"$work/sfapid.log" 2>&1 &
  sfapid_pid="$!"
  pids+=("$sfapid_pid")
  for _ in $(seq 100); do
    if [[ "$(cat "$work/sfapid.log")" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+)/ ]]; then
      port="${BASH_REMATCH[1]}"
      return 0
    fi
    sleep 0.1
  done
  echo "sfapid did not start:" >&2
  cat "$work/sfapid.log" >&2
  exit 1
}

# A latency as wrk prints it (812.00us, 1.20ms, 1.02s) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n;
    else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# wrk_run SECONDS CONNECTIONS URL [wrk options...]: prints "req/s p50 p99 errors" (errors: count of
# socket errors and non-2xx answers).
wrk_run() {
  local seconds="$1" conns="$2" url="$3" out
  shift 3
  out="$(timeout $((seconds + 30)) wrk -t2 -c"$conns" -d"${seconds}s" --latency "$@" "$url")"
  awk '/^Requests\/sec:/ {r = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
       /Non-2xx/ {e += $NF} /Socket errors/ {for (i = 4; i <= NF; i += 2) e += $i + 0}
       END {printf "%s %s %s %d\n", r, p50, p99, e}' <<<"$out" |
    { read -r r p50 p99 e; printf '%.0f %s %s %d\n' "$r" "$(to_ms "$p50")" "$(to_ms "$p99")" "$e"; }
}

# As wrk_run, with the 90th percentile too: "<req/s> <p50 ms> <p90 ms> <p99 ms> <errors>".
wrk_run_p90() {
  local seconds="$1" conns="$2" url="$3" out
  shift 3
  out="$(timeout $((seconds + 30)) wrk -t2 -c"$conns" -d"${seconds}s" --latency "$@" "$url")"
  awk '/^Requests\/sec:/ {r = $2} $1 == "50%" {p50 = $2} $1 == "90%" {p90 = $2} $1 == "99%" {p99 = $2}
       /Non-2xx/ {e += $NF} /Socket errors/ {for (i = 4; i <= NF; i += 2) e += $i + 0}
       END {printf "%s %s %s %s %d\n", r, p50, p90, p99, e}' <<<"$out" |
    { read -r r p50 p90 p99 e; printf '%.0f %s %s %s %d\n' "$r" "$(to_ms "$p50")" "$(to_ms "$p90")" "$(to_ms "$p99")" "$e"; }
}

peak_rss_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "**not met**"; fi; }

# The user the benchmark acts as: this account, or (as root, since sfapid never acts as root) a
# fresh `sfapidbench` with its home in $work, removed at exit. Sets user and home.
bench_user() {
  user="$(id -un)"
  if [[ $(id -u) -eq 0 ]]; then
    user=sfapidbench
    pkill -KILL -u "$user" 2>/dev/null || true
    userdel -r "$user" >/dev/null 2>&1 || true
    useradd -m -d "$work/home" -s /bin/bash "$user"
    trap 'bench_cleanup; pkill -KILL -u sfapidbench 2>/dev/null || true; userdel -r sfapidbench >/dev/null 2>&1 || true' EXIT
  fi
  home="$(getent passwd "$user" | cut -d: -f6)"
}

# Runs a shell command as $user (bench_user).
as_user() { if [[ $(id -u) -eq 0 ]]; then su -s /bin/bash -c "$1" "$user"; else bash -c "$1"; fi; }

# A client for $user at the given level and a token for it: sets token.
bench_token() {
  "$sfapid" --config "$work/sfapid.toml" client create --user "$user" --level "$1" --out "$work/client.pem" 2>/dev/null
  token="$("$here/scripts/sfapi-token" "$work/client.pem" "http://127.0.0.1:$port/oauth2/token")"
}
