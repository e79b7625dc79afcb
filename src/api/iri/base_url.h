// Where the client reached the IRI API, for the absolute URIs objects carry (self_uri, task_uri,
// ...): scheme, host and prefix as the client used them. X-Forwarded-Proto, -Host and -Prefix
// count only from a trusted proxy ([server] trusted_proxies): anyone else could make the server
// hand out links to a host of their choosing.
#pragma once

#include <string>

#include "config/config.h"
#include "http/message.h"

namespace sfapid::iri {

inline constexpr const char* kPrefix = "/api/v2";

// A host[:port] or [v6]:port as a client may name it: nothing that could break out of a URL.
bool UsableHost(const std::string& host);

// "http://api.example.org/api/v2" (no trailing slash). Without a usable Host header: the
// server's configured public address.
std::string BaseUrl(const http::Request& req, const ServerConfig& server);

}  // namespace sfapid::iri
