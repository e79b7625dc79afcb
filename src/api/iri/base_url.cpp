#include "api/iri/base_url.h"

#include <cctype>

namespace sfapid::iri {

namespace {

// "/prefix" made of ordinary path characters, without a trailing slash; "" when unusable.
std::string UsablePrefix(std::string p) {
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (p.empty() || p.front() != '/' || p.size() > 255) return "";
  for (char c : p)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '.' && c != '-' &&
        c != '_' && c != '~')
      return "";
  return p;
}

// The first of a comma-separated header's values (a proxy chain lists the client's first).
std::string First(const std::string* v) {
  if (!v) return "";
  std::string s = v->substr(0, v->find(','));
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

bool UsableHost(const std::string& h) {
  if (h.empty() || h.size() > 255) return false;
  for (char c : h)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']')
      return false;
  return true;
}

std::string BaseUrl(const http::Request& req, const ServerConfig& server) {
  std::string scheme = "http", host = First(req.Header("host")), prefix;
  if (req.via_trusted_proxy) {
    if (std::string p = First(req.Header("x-forwarded-proto")); p == "https" || p == "http")
      scheme = p;
    if (std::string h = First(req.Header("x-forwarded-host")); UsableHost(h)) host = h;
    prefix = UsablePrefix(First(req.Header("x-forwarded-prefix")));
  }
  if (!UsableHost(host)) return PublicBaseUrl(server) + kPrefix;
  std::string url = scheme;
  url += "://";
  url += host;
  url += prefix;
  url += kPrefix;
  return url;
}

}  // namespace sfapid::iri
