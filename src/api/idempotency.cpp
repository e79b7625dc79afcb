#include "api/idempotency.h"

#include <spdlog/spdlog.h>

#include "util/log_status.h"
#include "util/secret_tokens.h"
#include "util/time_format.h"
#include "util/uuid.h"

namespace sfapid::api {

namespace {

// The multipart boundary of a content type, or "".
std::string BoundaryOf(const std::string& content_type) {
  const size_t at = content_type.find("boundary=");
  if (at == std::string::npos) return "";
  std::string b = content_type.substr(at + 9);
  if (const size_t end = b.find(';'); end != std::string::npos) b.resize(end);
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
  return b;
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

bool PrintableAscii(const std::string& key) {
  for (unsigned char c : key)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

}  // namespace

std::string IdempotentRoutes::Fingerprint(const http::Request& req) {
  const std::string* type = req.Header("content-type");
  std::string content_type = type ? *type : "";
  std::string body = req.body;
  if (const std::string boundary = BoundaryOf(content_type); !boundary.empty()) {
    ReplaceAll(body, boundary, "\x1f");
    ReplaceAll(content_type, boundary, "\x1f");
  }
  std::string text = req.method;
  text += '\n';
  text += req.target;  // path and query, as sent
  text += '\n';
  text += content_type;
  text += '\n';
  text += body;
  return Sha256Hex(text);
}

void IdempotentRoutes::Wrap(http::Route& route, IdempotencyErrors errors,
                            IdempotencyIdentity identity, AfterInterruption after) {
  // The operation a key belongs to: by default the method and the route's pattern (not the
  // route itself, which moves when the router grows).
  route.handler = [this, route_operation = route.method + " " + route.pattern,
                   inner = std::move(route.handler), errors = std::move(errors),
                   identity = std::move(identity), after](http::Request& req) {
    const std::string* header = req.Header("idempotency-key");
    if (!header || header->empty() || !req.principal) return inner(req);
    std::string fingerprint;
    if (identity.fingerprint) {
      auto checked = identity.fingerprint(req);
      if (auto* answer = std::get_if<http::Response>(&checked)) return std::move(*answer);
      fingerprint = std::move(std::get<std::string>(checked));
    } else {
      fingerprint = Fingerprint(req);
    }
    return Handle(req, identity.operation ? identity.operation(req) : route_operation, fingerprint,
                  inner, errors, after);
  };
}

http::Response IdempotentRoutes::Handle(http::Request& req, const std::string& operation,
                                        const std::string& fingerprint, const http::Handler& inner,
                                        const IdempotencyErrors& errors, AfterInterruption after) {
  const std::string& key = *req.Header("idempotency-key");
  if (key.size() > kMaxKeyBytes || !PrintableAscii(key))
    return errors.bad_key(req, "Idempotency-Key must be at most 255 printable ASCII characters");
  const int64_t now = NowUnixMs();
  if (purge_gate_.Due())
    // A lock that ran out stays as long as a reply would: its request's retry needs its token.
    if (auto purged = store_.PurgeIdempotency(now, now - keep_ms_); !purged)
      spdlog::warn("idempotency keys: purging expired ones: {}", purged.status().message());
  std::string scope_text = req.principal->user;
  scope_text += '\n';
  scope_text += operation;
  scope_text += '\n';
  scope_text += key;
  const std::string scope = Sha256Hex(scope_text);
  auto claim = store_.Claim(scope, req.principal->user, fingerprint, now, now + kLockSeconds * 1000,
                            NewUuid());
  if (!claim) return errors.store(req, "idempotency keys: " + claim.status().message());
  switch (claim->state) {
    case IdempotencyClaim::State::kInFlight:
      return errors.in_flight(
          req, "a request with this Idempotency-Key is still being processed; retry shortly");
    case IdempotencyClaim::State::kMismatch:
      return errors.mismatch(
          req,
          "this Idempotency-Key was already used for a different request (method, path or "
          "body); use a new key for a new request");
    case IdempotencyClaim::State::kDone: {
      http::Response replay = http::Response::Text(claim->reply->status, claim->reply->body,
                                                   claim->reply->content_type);
      replay.headers.emplace_back("Idempotency-Key-Reply", "hit");
      return replay;
    }
    case IdempotencyClaim::State::kStarted:
      break;
  }
  if (claim->interrupted && after == AfterInterruption::kRefuse) {
    // Kept like a reply: every later retry with the key hears the same.
    http::Response refused = errors.interrupted(
        req,
        "the first request with this Idempotency-Key was interrupted (sfapid stopped) before it "
        "answered and may have taken effect; look whether it did, and send it again with a new "
        "key if not");
    Status kept = store_.Complete(scope, {refused.status, refused.content_type, refused.body},
                                  NowUnixMs() + keep_ms_);
    LogIfFailed(kept, "idempotency key of " + req.principal->user + ": keeping its refusal");
    refused.headers.emplace_back("Idempotency-Key-Reply", "miss");
    return refused;
  }
  if (claim->interrupted)
    spdlog::info("idempotency key of {}: its first request was interrupted; running it again",
                 req.principal->user);
  req.idempotency_token = claim->token;
  http::Response reply = inner(req);
  if (reply.status >= 200 && reply.status < 300) {
    if (Status s = store_.Complete(scope, {reply.status, reply.content_type, reply.body},
                                   NowUnixMs() + keep_ms_);
        !s.ok())
      spdlog::error(
          "idempotency key of {}: the reply could not be kept (a retry will run "
          "again): {}",
          req.principal->user, s.message());
  } else if (Status s = store_.Release(scope); !s.ok()) {
    spdlog::warn("idempotency key of {}: releasing after a failure: {}", req.principal->user,
                 s.message());
  }
  reply.headers.emplace_back("Idempotency-Key-Reply", "miss");
  return reply;
}

}  // namespace sfapid::api
