#!/usr/bin/env bash
# Authentication benchmark: tokens issued per second (an RS256 client assertion in, an ES256
# access token out, audit row written), and req/s of GET /api/v1.2/status with a cached bearer
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

# One assertion without jti (a jti could be used once only), valid for the whole run.
client_id="$(head -n 1 "$key")"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header="$(printf '{"alg":"RS256"}' | b64url)"
payload="$(printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%d}' "$client_id" "$client_id" \
  "$token_url" "$(($(date +%s) + 3600))" | b64url)"
signature="$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign <(tail -n +2 "$key") | b64url)"
body="grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=$header.$payload.$signature"
cat >"$work/token.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
token="$(curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "$token_url" |
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
