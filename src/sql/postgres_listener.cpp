#include "sql/postgres_listener.h"

#include <libpq-fe.h>

namespace sfapid::sql {

Result<std::unique_ptr<PostgresListener>> PostgresListener::Open(const std::string& url,
                                                                 const std::string& channel) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (!conn) return Status::Unavailable("PostgreSQL: out of memory");
  std::unique_ptr<PostgresListener> listener(new PostgresListener(conn));
  if (PQstatus(conn) != CONNECTION_OK)
    return Status::Unavailable(std::string("cannot reach PostgreSQL to listen: ") +
                               PQerrorMessage(conn));
  // The channel is one of the server's own names, never a user's: no quoting needed.
  PGresult* r = PQexec(conn, ("LISTEN " + channel).c_str());
  const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) return Status::Unavailable(std::string("LISTEN failed: ") + PQerrorMessage(conn));
  PQsetnonblocking(conn, 1);
  return listener;
}

PostgresListener::~PostgresListener() { PQfinish(conn_); }

int PostgresListener::socket() const { return PQsocket(conn_); }

bool PostgresListener::Consume() {
  if (!PQconsumeInput(conn_)) return false;
  while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  return PQstatus(conn_) == CONNECTION_OK;
}

}  // namespace sfapid::sql
