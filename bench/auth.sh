#!/usr/bin/env bash
# Authentication benchmark: tokens issued per second (an RS256 client assertion in, an ES256
# access token out, replay cache and audit row written), and req/s of GET /api/v1.2/status with a cached bearer
# token versus the same route without one, in the same run.
# Usage: bench/auth.sh [BUILD_DIR]   Environment: DURATION (10), ROUNDS (3).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
duration="${DURATION:-10}"
rounds="${ROUNDS:-3}"

bench_config
bench_start_sfapid
token_url="http://127.0.0.1:$port/oauth2/token"
key="$work/client.pem"
"$sfapid" --config "$work/sfapid.toml" client create --user bench --level green --out "$key" 2>/dev/null

# Every assertion is good for one token (a replay is refused, with or without jti), so the run
# needs one per request: pre-signed here (about 1 ms each), spread over wrk's two threads.
count="${ASSERTIONS:-$(((duration + 2) * rounds * 3000 + 5000))}"
python3 - "$key" "$token_url" "$count" >"$work/assertions" <<'PY'
import base64, json, os, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
path, url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path) as f:
    client_id = f.readline().strip()
    key = serialization.load_pem_private_key(f.read().encode(), None)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
header = b64(b'{"alg":"RS256"}')
exp = int(time.time()) + 3600
for i in range(count):
    claims = {"iss": client_id, "sub": client_id, "aud": url, "exp": exp, "jti": f"b{i}"}
    signed = header + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    print(signed + "." + b64(sig))
PY
form="grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="
cat >"$work/token.lua" <<LUA
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end
function init(args)
  assertions = {}
  for line in io.lines("$work/assertions") do assertions[#assertions + 1] = line end
  stride = 2
  -- Each thread takes its own share, from where the last run of this script stopped.
  local mark = io.open("$work/next-" .. id, "r")
  nexti = mark and tonumber(mark:read("*l")) or (id + 1)
  if mark then mark:close() end
end
function request()
  local a = assertions[nexti] or "exhausted"
  nexti = nexti + stride
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"},
                    "$form" .. a)
end
-- Where each thread stopped, so that the next run (warm-up, round) uses fresh assertions.
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local mark = io.open("$work/next-" .. t:get("id"), "w")
    mark:write(tostring(t:get("nexti")))
    mark:close()
  end
end
LUA
token="$(curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
  --data "${form}$(tail -n 1 "$work/assertions")" "$token_url" |
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[[ -n "$token" ]] || { echo "auth.sh: no token" >&2; exit 1; }
status_url="http://127.0.0.1:$port/api/v1.2/status"

for ((round = 1; round <= rounds; round++)); do
  wrk_run 2 16 "$token_url" -s "$work/token.lua" >/dev/null
  wrk_run "$duration" 16 "$token_url" -s "$work/token.lua" >>"$work/tokens"
  wrk_run 2 64 "$status_url" >/dev/null
  if ((round % 2)); then
    wrk_run "$duration" 64 "$status_url" -H "Authorization: Bearer $token" >>"$work/authed"
    wrk_run "$duration" 64 "$status_url" >>"$work/plain"
  else
    wrk_run "$duration" 64 "$status_url" >>"$work/plain"
    wrk_run "$duration" 64 "$status_url" -H "Authorization: Bearer $token" >>"$work/authed"
  fi
done

median() { cut -d' ' -f"$2" "$1" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
tokens_rps="$(median "$work/tokens" 1)"
authed="$(median "$work/authed" 1)"
plain="$(median "$work/plain" 1)"
loss="$(awk -v a="$authed" -v p="$plain" 'BEGIN {printf "%.1f", 100 * (p - a) / p}')"
errors="$(cat "$work/tokens" "$work/authed" "$work/plain" | awk '{e += $4} END {print e + 0}')"

echo "### Authentication"
echo
echo "wrk -t2, ${duration} s per measurement after a 2 s warm-up, $rounds rounds, medians; tokens with"
echo "16 connections, GETs with 64; server threads = ${THREADS:-2}, blocking_threads = 4."
echo
echo "| measurement | req/s | p50 (ms) | p99 (ms) |"
echo "|---|---:|---:|---:|"
echo "| POST /oauth2/token (RS256 assertion in, ES256 token out) | $tokens_rps | $(median "$work/tokens" 2) | $(median "$work/tokens" 3) |"
echo "| GET /api/v1.2/status with a cached bearer token | $authed | $(median "$work/authed" 2) | $(median "$work/authed" 3) |"
echo "| GET /api/v1.2/status without a token | $plain | $(median "$work/plain" 2) | $(median "$work/plain" 3) |"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| ≥ 2,000 tokens/s | $tokens_rps | $(verdict "$tokens_rps >= 2000") |"
echo "| ≤ 10% throughput loss with a token | ${loss}% | $(verdict "$loss <= 10") |"
echo
echo "wrk errors (socket errors + non-2xx) over all runs: $errors"
