// A PostgreSQL connection of its own that LISTENs on one channel: whoever waits for news polls its
// socket, so that a NOTIFY sent by any node (in the same transaction as its change) wakes it at
// once instead of at its next poll.
#pragma once

#include <memory>
#include <string>

#include "util/status.h"

struct pg_conn;

namespace sfapid::sql {

class PostgresListener {
 public:
  static Result<std::unique_ptr<PostgresListener>> Open(const std::string& url,
                                                        const std::string& channel);
  ~PostgresListener();
  PostgresListener(const PostgresListener&) = delete;
  PostgresListener& operator=(const PostgresListener&) = delete;

  // The descriptor to poll for reading.
  int socket() const;
  // Takes in what arrived: true when the connection is still good (notifications are consumed;
  // the caller reads the table anyway, so which ones does not matter).
  bool Consume();

 private:
  explicit PostgresListener(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

}  // namespace sfapid::sql
