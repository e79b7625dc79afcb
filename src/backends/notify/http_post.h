// One HTTP(S) POST for a callback, with a deadline and no redirects followed. Beast, Asio and
// OpenSSL stay inside http_post.cpp: the rest of the callbacks module sees plain types.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "domain/delivery_attempt.h"

namespace sfapid {

struct HttpPost {
  std::string url;  // http:// or https://, already validated
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double timeout_seconds = 10;  // the whole attempt: resolve, connect, TLS, send, answer
  std::vector<std::string> blocked_networks;  // CIDRs never connected to (see CallbacksConfig)
  bool block_host_addresses = false;          // nor this host's own addresses
};

// Delivered on a 2xx answer. TLS verifies the peer against the system's CA store, by host name
// (SNI sent). stop cuts the attempt short (kInterrupted).
AttemptOutcome PostOnce(const HttpPost& post, StopSignal& stop);

// "https://example.org:8443/hook": the URL without user info, query or fragment, which may hold
// secrets, for log lines.
std::string UrlForLogs(const std::string& url);

}  // namespace sfapid
