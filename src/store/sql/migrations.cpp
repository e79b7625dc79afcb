#include "store/sql/migrations.h"

#include <regex>
#include <string>
#include <vector>

#include "sql/postgres_database.h"
#include "util/log_status.h"

namespace sfapid::sql {

namespace {

// Append only: a released migration is never edited, a new one is added at the end.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> m = {
      // 1: operator-managed system status, outages and notes.
      R"sql(
      CREATE TABLE system_status (
        name TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE outages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        start_at INTEGER NOT NULL,
        end_at INTEGER NOT NULL,
        description TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        status TEXT,
        swo TEXT NOT NULL DEFAULT 'fals',
        update_at INTEGER NOT NULL
      );
      CREATE INDEX outages_by_name ON outages(name, start_at);
      CREATE TABLE notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        notes TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        timestamp INTEGER NOT NULL
      );
      CREATE INDEX notes_by_name ON notes(name, timestamp);
      )sql",
      // 2: API clients, the assertion replay cache and the token audit trail.
      R"sql(
      CREATE TABLE clients (
        client_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        comments TEXT NOT NULL DEFAULT '',
        level TEXT NOT NULL,
        ip_ranges TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        public_key_pem TEXT NOT NULL
      );
      CREATE INDEX clients_by_owner ON clients(owner);
      CREATE TABLE assertion_ids (
        client_id TEXT NOT NULL,
        jti TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (client_id, jti)
      );
      CREATE INDEX assertion_ids_by_expiry ON assertion_ids(expires_at);
      CREATE TABLE auth_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        user TEXT NOT NULL,
        ip TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL
      );
      )sql",
      // 3: tasks.
      R"sql(
      CREATE TABLE tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        owner TEXT NOT NULL,
        kind TEXT NOT NULL,
        system TEXT NOT NULL,
        status TEXT NOT NULL,
        result TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX tasks_by_owner ON tasks(owner, id);
      CREATE INDEX tasks_by_status ON tasks(status, updated_at);
      )sql",
      // 4: transfers.
      R"sql(
      CREATE TABLE transfers (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        label TEXT NOT NULL,
        source_endpoint TEXT NOT NULL,
        source_path TEXT NOT NULL,
        target_endpoint TEXT NOT NULL,
        target_path TEXT NOT NULL,
        task_id TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        bytes_transferred INTEGER NOT NULL,
        bytes_per_second INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        completed_at INTEGER
      );
      CREATE INDEX transfers_by_status ON transfers(status, owner);
      )sql",
      // 5: finished jobs (usage charges), job-end callback registrations and their deliveries.
      R"sql(
      CREATE TABLE finished_jobs (
        system TEXT NOT NULL,
        jobid TEXT NOT NULL,
        user TEXT NOT NULL,
        account TEXT NOT NULL,
        state TEXT NOT NULL,
        exit_code TEXT NOT NULL,
        submit_time INTEGER NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER NOT NULL,
        nodes INTEGER NOT NULL,
        node_seconds INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (system, jobid)
      );
      CREATE INDEX finished_jobs_by_account ON finished_jobs(account, system);
      CREATE TABLE callback_registrations (
        system TEXT NOT NULL,
        jobid TEXT NOT NULL,
        client_id TEXT NOT NULL,
        user TEXT NOT NULL,
        url TEXT NOT NULL,
        email TEXT NOT NULL,
        timeout_ms INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (system, jobid)
      );
      CREATE TABLE callback_deliveries (
        id TEXT PRIMARY KEY,
        system TEXT NOT NULL,
        jobid TEXT NOT NULL,
        client_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        next_attempt_ms INTEGER NOT NULL,
        last_error TEXT NOT NULL,
        delivered_at INTEGER,
        body TEXT NOT NULL,
        UNIQUE (system, jobid, kind)
      );
      CREATE INDEX callback_deliveries_due ON callback_deliveries(state, next_attempt_ms);
      )sql",
      // 6: accounts: users' public details, projects with allocations and roles, project groups.
      R"sql(
      CREATE TABLE account_users (
        name TEXT PRIMARY KEY,
        uid INTEGER,
        firstname TEXT NOT NULL DEFAULT '',
        lastname TEXT NOT NULL DEFAULT '',
        middlename TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        workphone TEXT NOT NULL DEFAULT '',
        other_phones TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        repo_name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL,
        cpu_hours_given REAL NOT NULL,
        gpu_hours_given REAL NOT NULL,
        project_dir TEXT NOT NULL,
        project_dir_bytes INTEGER NOT NULL,
        project_dir_files INTEGER NOT NULL,
        archive_dir TEXT NOT NULL,
        archive_bytes INTEGER NOT NULL,
        archive_files INTEGER NOT NULL
      );
      CREATE TABLE project_members (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        user TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (project_id, user)
      );
      CREATE INDEX project_members_by_user ON project_members(user);
      CREATE TABLE project_groups (
        name TEXT PRIMARY KEY,
        gid INTEGER NOT NULL UNIQUE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        is_unix INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE group_members (
        group_name TEXT NOT NULL REFERENCES project_groups(name) ON DELETE CASCADE,
        user TEXT NOT NULL,
        PRIMARY KEY (group_name, user)
      );
      CREATE INDEX group_members_by_user ON group_members(user);
      )sql",
      // 7: advance reservations (domain/reservation.h). name_held: the name is taken on the
      // machine until the reservation is final and the scheduler's copy is gone.
      R"sql(
      CREATE TABLE reservations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        machine TEXT NOT NULL,
        account TEXT NOT NULL,
        users TEXT NOT NULL,
        all_members INTEGER NOT NULL,
        nodes INTEGER NOT NULL,
        node_names TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER NOT NULL,
        partition TEXT NOT NULL,
        features TEXT NOT NULL,
        reason TEXT NOT NULL,
        state TEXT NOT NULL,
        state_reason TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        client_id TEXT NOT NULL,
        callback_url TEXT NOT NULL,
        callback_email TEXT NOT NULL,
        charge_factor REAL NOT NULL,
        charged_node_seconds INTEGER NOT NULL,
        charged INTEGER NOT NULL,
        released INTEGER NOT NULL,
        policy_override INTEGER NOT NULL,
        change_nodes INTEGER,
        change_start INTEGER,
        change_end INTEGER,
        change_users TEXT,
        change_all_members INTEGER,
        change_by TEXT,
        change_approved INTEGER,
        name_held INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX reservations_name ON reservations(machine, name) WHERE name_held = 1;
      CREATE INDEX reservations_by_machine ON reservations(machine, state);
      CREATE INDEX reservations_by_account ON reservations(account);
      CREATE TABLE reservation_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        reservation_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        note TEXT NOT NULL
      );
      CREATE INDEX reservation_events_by_id ON reservation_events(reservation_id, seq);
      )sql",
      // 8: reservation state changes reach the requester's callbackUrl / callbackEmail through
      // the callback deliveries: each delivery names its event, each reservation how far in its
      // history the notifications have got.
      R"sql(
      ALTER TABLE callback_deliveries ADD COLUMN event TEXT NOT NULL DEFAULT 'job.ended';
      ALTER TABLE reservations ADD COLUMN notified_seq INTEGER NOT NULL DEFAULT 0;
      )sql",
      // 9: the web pages (docs/web.md): browser sessions (by the hash of the cookie), TOTP
      // enrolments with the last accepted step (replays), sign-in failures (lockout), one-time
      // sign-in links, API enablement and access requests; when a client last got a token.
      R"sql(
      CREATE TABLE web_sessions (
        id_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        stage TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        source_ip TEXT NOT NULL,
        method TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        pending_totp_secret TEXT NOT NULL
      );
      CREATE INDEX web_sessions_by_user ON web_sessions(user);
      CREATE TABLE totp_enrolments (
        user TEXT PRIMARY KEY,
        secret_base32 TEXT NOT NULL,
        last_step INTEGER NOT NULL,
        enrolled_at INTEGER NOT NULL
      );
      CREATE TABLE sign_in_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX sign_in_failures_by_key ON sign_in_failures(key, at);
      CREATE TABLE sign_in_links (
        secret_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE api_enablement (
        user TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        by TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE TABLE access_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL,
        reason TEXT NOT NULL,
        state TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        decided_at INTEGER,
        decided_by TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT ''
      );
      CREATE UNIQUE INDEX access_requests_one_pending ON access_requests(user)
        WHERE state = 'pending';
      ALTER TABLE clients ADD COLUMN last_used_at INTEGER;
      )sql",
      // 10: the token-signing keys move from files under data_dir/keys into the store, so that
      // every node signs and verifies with the same keys (files found there are imported).
      R"sql(
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        created_ns INTEGER NOT NULL,
        private_pem TEXT NOT NULL
      );
      )sql",
      // 11: a task belongs to the node that runs it, under a lease it renews while it lives, so
      // that a node's start or death ends only its own unfinished tasks (docs/operations.md).
      // Tasks from before have no node and an expired lease: the first sweep ends them. A
      // callback delivery is claimed by one node for each attempt (claim_until_ms, Unix ms).
      R"sql(
      ALTER TABLE tasks ADD COLUMN node TEXT NOT NULL DEFAULT '';
      ALTER TABLE tasks ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX tasks_unfinished_by_node ON tasks(status, node);
      ALTER TABLE callback_deliveries ADD COLUMN claim_until_ms INTEGER NOT NULL DEFAULT 0;
      )sql",
      // 12: scheduler views shared by the nodes on one store (domain/shared_views.h): the last
      // view of each (its data and when its reading started), who may refresh it until when, and
      // when each user last changed what it shows (times in Unix ms); and the node that runs
      // each local-scheduler system (domain/scheduler_owners.h).
      R"sql(
      CREATE TABLE scheduler_views (
        key TEXT PRIMARY KEY,
        taken_ms INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL DEFAULT '',
        refresher TEXT NOT NULL DEFAULT '',
        claim_until_ms INTEGER NOT NULL DEFAULT 0,
        attempted_ms INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE scheduler_view_changes (
        key TEXT NOT NULL,
        user TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        PRIMARY KEY(key, user)
      );
      CREATE TABLE scheduler_owners (
        system TEXT PRIMARY KEY,
        node TEXT NOT NULL,
        claimed_at INTEGER NOT NULL
      );
      )sql",
      // 13: the Slurm jobs submitted through sfapid and watched until they end
      // (domain/watched_jobs.h); before, each node kept its own in a JSON file.
      R"sql(
      CREATE TABLE slurm_watched_jobs (
        cluster TEXT NOT NULL,
        jobid TEXT NOT NULL,
        user TEXT NOT NULL,
        submitted INTEGER NOT NULL,
        reservation TEXT NOT NULL DEFAULT '',
        PRIMARY KEY(cluster, jobid)
      );
      )sql",
      // 14: what a task noted before an effect it cannot take back (a job submission), so that a
      // node ending it after its own node died can find out whether it happened.
      R"sql(
      ALTER TABLE tasks ADD COLUMN checkpoint TEXT NOT NULL DEFAULT '';
      )sql",
      // 15: idempotency keys (store/idempotency_store.h): per user, operation and key (hashed
      // into scope), the request's fingerprint, and its lock or its reply.
      R"sql(
      CREATE TABLE idempotency_keys (
        scope TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL,
        lock_until_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        status INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        body TEXT NOT NULL
      );
      )sql",
      // 16: the JobSpec of each job submitted through the IRI API (store/job_spec_store.h).
      R"sql(
      CREATE TABLE iri_job_specs (
        system TEXT NOT NULL,
        jobid TEXT NOT NULL,
        owner TEXT NOT NULL,
        spec TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        PRIMARY KEY(system, jobid)
      );
      )sql",
      // 17: resumable uploads and the spans of each that are written (store/upload_store.h).
      R"sql(
      CREATE TABLE uploads (
        id TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        system TEXT NOT NULL,
        path TEXT NOT NULL,
        part_path TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        state TEXT NOT NULL,
        sha256 TEXT NOT NULL
      );
      CREATE INDEX uploads_by_expiry ON uploads(expires_ms);
      CREATE TABLE upload_spans (
        upload_id TEXT NOT NULL,
        offset_bytes INTEGER NOT NULL,
        length_bytes INTEGER NOT NULL,
        PRIMARY KEY(upload_id, offset_bytes)
      );
      )sql",
      // 18: how many chunks each upload has had (a node trusts its running checksum only when it
      // wrote them all) and the completing lease (no chunk lands while the checksum is taken).
      R"sql(
      ALTER TABLE uploads ADD COLUMN writes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE uploads ADD COLUMN completing_until_ms INTEGER NOT NULL DEFAULT 0;
      )sql",
      // 19: events of users' tasks, jobs, reservations and transfers (store/event_store.h).
      R"sql(
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_ms INTEGER NOT NULL,
        owner TEXT NOT NULL,
        kind TEXT NOT NULL,
        object_id TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX events_by_owner ON events(owner, id);
      CREATE INDEX events_by_time ON events(created_ms);
      )sql",
      // 20: the states of a watched Slurm job last reported to the event stream.
      R"sql(
      ALTER TABLE slurm_watched_jobs ADD COLUMN states TEXT NOT NULL DEFAULT '';
      )sql",
      // 21: a task's request, to run it again when its sfapid died before it started; the
      // idempotency token of the request that made it, so that a retry after such a death finds
      // it; and per idempotency key the token its retries share.
      R"sql(
      ALTER TABLE tasks ADD COLUMN request TEXT NOT NULL DEFAULT '';
      ALTER TABLE tasks ADD COLUMN idempotency_token TEXT NOT NULL DEFAULT '';
      CREATE UNIQUE INDEX tasks_by_idempotency_token ON tasks(idempotency_token)
        WHERE idempotency_token != '';
      ALTER TABLE idempotency_keys ADD COLUMN token TEXT NOT NULL DEFAULT '';
      )sql",
      // 22: per account, the node-seconds of its finished jobs so far, kept with each job's end
      // (ComputeStore::RecordUsage) so that the check at every submission reads one row instead
      // of summing every job the project ever ran; filled from the jobs already recorded.
      R"sql(
      CREATE TABLE finished_job_totals (
        account TEXT PRIMARY KEY,
        node_seconds INTEGER NOT NULL
      );
      INSERT INTO finished_job_totals(account, node_seconds)
        SELECT account, SUM(node_seconds) FROM finished_jobs GROUP BY account;
      )sql",
  };
  return m;
}

// A migration (written in SQLite's words, the first dialect) in PostgreSQL's: the same tables,
// columns, keys and indexes; 64-bit integers, doubles, identity keys, `user` quoted.
std::string PostgresDdl(const std::string& sqlite) {
  std::string ddl = std::regex_replace(sqlite, std::regex(R"(INTEGER PRIMARY KEY AUTOINCREMENT)"),
                                       "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  ddl = std::regex_replace(ddl, std::regex(R"(\bINTEGER\b)"), "BIGINT");
  ddl = std::regex_replace(ddl, std::regex(R"(\bREAL\b)"), "DOUBLE PRECISION");
  return PostgresDatabase::Translate(ddl);
}

}  // namespace

Result<int> SchemaVersionOf(Database& db) {
  std::string sql = "PRAGMA user_version";
  if (IsPostgres(db)) {  // a new database has no schema_version table yet
    auto exists = db.Prepare("SELECT to_regclass('schema_version') IS NOT NULL");
    if (!exists) return exists.status();
    if (!exists->Step()) return Status::Unavailable("database: cannot read its schema version");
    if (exists->Text(0) != "t") return 0;
    sql = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
  }
  auto stmt = db.Prepare(sql);
  if (!stmt) return stmt.status();
  if (!stmt->Step()) return Status::Unavailable("database: cannot read its schema version");
  return static_cast<int>(stmt->Int(0));
}

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Status Migrate(Database& db) {
  const bool pg = IsPostgres(db);
  auto version = SchemaVersionOf(db);
  if (!version) return version.status();
  if (*version > LatestSchemaVersion())
    return Status::Unavailable("the database is at schema version " + std::to_string(*version) +
                               ", newer than this sfapid knows (" +
                               std::to_string(LatestSchemaVersion()) + "); upgrade sfapid");
  for (int v = *version; v < LatestSchemaVersion(); ++v) {
    // Two processes (nodes) opening a new database at once migrate one after the other: SQLite's
    // BEGIN IMMEDIATE, PostgreSQL's transaction-scoped advisory lock.
    if (Status s = db.Exec(pg ? "BEGIN; SELECT pg_advisory_xact_lock(7261626)" : "BEGIN IMMEDIATE");
        !s.ok())
      return s;
    auto again = SchemaVersionOf(db);
    if (!again) return again.status();
    if (*again > v) {  // the other process did it
      if (Status s = db.Exec("COMMIT"); !s.ok()) return s;
      v = *again - 1;
      continue;
    }
    Status s = db.Exec(pg ? PostgresDdl(Migrations()[v]) : Migrations()[v]);
    if (s.ok())
      s = db.Exec(pg ? "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL); "
                       "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                           std::to_string(v + 1) + ")"
                     : "PRAGMA user_version = " + std::to_string(v + 1));
    if (!s.ok()) {
      LogIfFailed(db.Exec("ROLLBACK"), "rolling back the failed migration");
      return Status::Unavailable("migration to schema version " + std::to_string(v + 1) +
                                 " failed: " + s.message());
    }
    if (Status c = db.Exec("COMMIT"); !c.ok()) return c;
  }
  return Status::Ok();
}

}  // namespace sfapid::sql
