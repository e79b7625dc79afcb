// Plain request and response types: what the API layer sees of HTTP. Beast and Asio stay inside
// http/server.cpp, so the rest of the code compiles fast and can be tested without sockets.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/principal.h"
#include "util/unique_fd.h"

namespace sfapid::http {

using Params = std::vector<std::pair<std::string, std::string>>;  // ordered, repeats kept

// First value of a key, or nullptr.
const std::string* FindParam(const Params& params, std::string_view key);
// Every value of a key, in order.
std::vector<std::string> AllParams(const Params& params, std::string_view key);

struct Request {
  std::string method;                              // "GET", "POST", ...
  std::string target;                              // as sent: path and query, not decoded
  std::string path;                                // the target's path, not decoded
  Params query;                                    // decoded query parameters
  Params headers;                                  // names lower-cased
  std::map<std::string, std::string> path_params;  // decoded
  std::string body;
  std::string remote_ip;  // the peer, or the client named by a trusted proxy
  // The peer is a trusted proxy: its X-Forwarded-Proto/-Host/-Prefix say how the client called.
  bool via_trusted_proxy = false;
  std::string request_id;
  std::optional<Principal> principal;  // set when a valid access token came with the request
  // The route's guard (authentication, rate limits) let it through already: a route's at_once
  // answer that declined hands the request to its handler, which must not count it again.
  bool admitted = false;
  // Names this request's effects across its retries under one Idempotency-Key
  // (api/idempotency.h); "" without a key. A route hands it to the task it makes.
  std::string idempotency_token;

  const std::string* Header(std::string_view lower_name) const {
    return FindParam(headers, lower_name);
  }
  const std::string* Query(std::string_view key) const { return FindParam(query, key); }
  const std::string& PathParam(const std::string& key) const { return path_params.at(key); }
};

// A body sent from a file rather than from memory: `length` bytes from `offset`, copied by the
// kernel (sendfile), so a download of any size costs no memory.
struct FileBody {
  UniqueFd fd;
  int64_t offset = 0;
  int64_t length = 0;
};

// Called from any thread, at any time (also after the connection ended): "look again".
using Wake = std::function<void()>;

// A body produced over time (Server-Sent Events): the server sends the header, then each piece
// of text as the source has it, with chunked transfer encoding, without holding a thread while it
// waits. Every call but Start's wake comes on the connection's thread and must not block.
class StreamBody {
 public:
  virtual ~StreamBody() = default;
  // Once, before the first Next: `wake` says there is more to take.
  virtual void Start(Wake wake) = 0;
  // The text ready now ("" when none yet), or nullopt when the body is complete.
  virtual std::optional<std::string> Next() = 0;
  // Sent when nothing was sent for heartbeat_interval(), so that proxies keep an idle stream.
  virtual std::string Heartbeat() const = 0;
  virtual std::chrono::milliseconds heartbeat_interval() const = 0;
  // The stream ended (complete, the client went away, the server stops): stop producing.
  virtual void Close() = 0;
};

struct Response;

// An answer that comes later (long-poll): the server waits without holding a thread, and calls
// Check on the blocking pool each time it is woken, and a last time (final) at the deadline or
// when the server stops.
class DeferredResponse {
 public:
  virtual ~DeferredResponse() = default;
  virtual void Start(Wake wake) = 0;
  virtual std::chrono::steady_clock::time_point deadline() const = 0;
  // The answer, when it is ready (always when final); nullopt to wait on.
  virtual std::optional<Response> Check(bool final) = 0;
  virtual void Close() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Params headers;  // extra headers
  std::string body;
  std::shared_ptr<FileBody> file;      // when set, the body (`body` is unused)
  std::shared_ptr<StreamBody> stream;  // when set, the body, sent as it comes
  // When set, the whole answer comes from it. An answer known now but given later (a task's
  // acceptance, api/sfapi/task_accepted.h) is also in status and body, for what keeps replies.
  std::shared_ptr<DeferredResponse> deferred;

  // By value: callers move their documents in instead of copying them.
  static Response Json(int status, boost::json::value v);
  static Response Json(boost::json::value v) { return Json(200, std::move(v)); }
  static Response Text(int status, std::string body, std::string content_type);
};

}  // namespace sfapid::http
