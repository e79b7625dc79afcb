#include "core/callbacks/callback_request.h"

#include <boost/url/parse.hpp>
#include <cctype>
#include <cmath>
#include <string_view>

#include "util/network_blocklist.h"

namespace sfapid {

namespace {

constexpr size_t kMaxUrl = 2048;
constexpr size_t kMaxEmail = 254;  // RFC 5321's limit on a path

bool HasControl(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// Every problem names its field: the API points at it (the SFAPI's 422 loc).
Status BadUrl(std::string message) {
  return Status::InvalidField("callbackUrl", std::move(message));
}

Status ValidateUrl(const std::string& url, const NetworkBlocklist& blocked) {
  if (url.size() > kMaxUrl)
    return BadUrl("callbackUrl is longer than " + std::to_string(kMaxUrl) + " characters");
  if (HasControl(url))
    return BadUrl("callbackUrl must not contain line breaks or control characters");
  auto starts = [&url](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != prefix[i]) return false;
    return true;
  };
  if (!starts("http://") && !starts("https://"))
    return BadUrl("callbackUrl must start with http:// or https://");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return BadUrl("callbackUrl is not a valid URL: " + parsed.error().message());
  const auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
    return BadUrl("callbackUrl must start with http:// or https://");
  if (!parsed->has_authority() || parsed->encoded_host().empty())
    return BadUrl("callbackUrl must name a host, e.g. https://example.org/hook");
  // Credentials in a URL end up in logs and process listings; the signature authenticates us.
  if (parsed->has_userinfo())
    return BadUrl(
        "callbackUrl must not contain a user name or password; check X-Sfapi-Signature instead");
  if (parsed->has_port() && parsed->port_number() == 0)
    return BadUrl("callbackUrl has an invalid port");
  // An address written into the URL is judged now; a name, on the addresses it resolves to when
  // the callback is sent.
  if (auto address = LiteralAddress(parsed->encoded_host()))
    if (auto why = blocked.Blocks(*address))
      return BadUrl("callbackUrl's host " + std::string(parsed->encoded_host()) + " is " + *why +
                    ", which callbacks may not reach (callbacks.blocked_networks)");
  return Status::Ok();
}

Status ValidateEmail(const std::string& email) {
  const Status bad = Status::InvalidField(
      "callbackEmail",
      "callbackEmail must be one mail address such as alice@example.org (no name, spaces, commas "
      "or line breaks)");
  if (email.size() > kMaxEmail || HasControl(email)) return bad;
  for (char c : email)
    if (c == ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')' ||
        c == '"' || c == '\\' || c == '[' || c == ']' || c == ':')
      return bad;
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string::npos)
    return bad;
  const std::string domain = email.substr(at + 1);
  if (domain.front() == '.' || domain.front() == '-' || domain.back() == '.' ||
      domain.find("..") != std::string::npos)
    return bad;
  return Status::Ok();
}

}  // namespace

Result<ValidCallbackRequest> ValidateCallbackRequest(CallbackRequest r,
                                                     const CallbacksConfig& config) {
  if (!r.url.empty())
    if (Status s = ValidateUrl(
            r.url, NetworkBlocklist(config.blocked_networks, config.block_host_addresses));
        !s.ok())
      return s;
  if (!r.email.empty())
    if (Status s = ValidateEmail(r.email); !s.ok()) return s;
  if (r.timeout_seconds) {
    const double t = *r.timeout_seconds;
    if (!std::isfinite(t) || t <= 0 || t > config.max_timeout_seconds)
      return Status::InvalidField(
          "callbackTimeout",
          std::string("callbackTimeout must be a number of seconds above 0 and at most ")
              .append(std::to_string(static_cast<int64_t>(config.max_timeout_seconds))));
  }
  return ValidCallbackRequest(std::move(r));
}

}  // namespace sfapid
