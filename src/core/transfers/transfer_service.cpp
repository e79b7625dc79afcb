#include "core/transfers/transfer_service.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "core/tasks/process_watch.h"
#include "core/transfers/transfer_task_result.h"
#include "util/log_status.h"
#include "util/uuid.h"

namespace sfapid {

namespace json = boost::json;

namespace {

json::array RootsOf(const SystemConfig& s) {
  json::array a;
  for (const auto& r : s.roots) a.emplace_back(r);
  return a;
}

}  // namespace

std::optional<int64_t> ParseRsyncProgressBytes(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  int64_t v = 0;
  bool any = false;
  for (; i < line.size() && (std::isdigit(static_cast<unsigned char>(line[i])) || line[i] == ',');
       ++i) {
    if (line[i] == ',') continue;
    v = v * 10 + (line[i] - '0');
    any = true;
  }
  // A progress line goes on with the percentage: "  1,234  45% ..."
  if (!any || line.find('%', i) == std::string_view::npos) return std::nullopt;
  return v;
}

const SystemConfig* TransferService::EndpointSystem(const std::string& id) const {
  for (const auto& e : transfers_.endpoints)
    if (e.id == id) return FindSystem(systems_, e.system);
  if (id == "dtn")
    for (const auto& s : systems_)
      if (s.system_type == SystemType::kFilesystem) return &s;
  const SystemConfig* s = FindSystem(systems_, id);
  return s && s->system_type == SystemType::kCompute ? s : nullptr;
}

void TransferService::Recover() {
  auto n = store_.FailTransfersWithoutTask(
      "sfapid restarted (or the node running it stopped) during the transfer; start it again "
      "(rsync skips what is already copied)",
      Now() - std::chrono::minutes(1));
  if (n && *n > 0) spdlog::warn("{} interrupted transfer(s) now FAILED", *n);
}

Result<std::string> TransferService::Start(const std::string& user, const TransferRequest& r) {
  const SystemConfig* source = EndpointSystem(r.source_endpoint);
  const SystemConfig* target = EndpointSystem(r.target_endpoint);
  if (!source)
    return Status::InvalidArgument("unknown source endpoint '" + r.source_endpoint + "'");
  if (!target)
    return Status::InvalidArgument("unknown target endpoint '" + r.target_endpoint + "'");
  for (const auto* p : {&r.source_path, &r.target_path})
    if (p->empty() || p->front() != '/' || p->find('\0') != std::string::npos)
      return Status::InvalidArgument("source_dir and target_dir must be absolute paths");
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  // What kind of thing the source is decides rsync's form (a folder's contents, or one file).
  auto listing = files_.List(user, source->name, r.source_path);
  if (!listing) return listing.status();
  if (listing->error) return Status::InvalidArgument("source: " + *listing->error);
  const auto& entries = listing->entries;
  const bool is_folder = !entries.empty() && entries[0].name == ".";

  auto mine = store_.CountActive(user);
  auto all = store_.CountActive("");
  if (!mine || !all) return !mine ? mine.status() : all.status();
  if (*mine >= transfers_.max_active_per_user)
    return Status::InvalidArgument(
        "you have " + std::to_string(*mine) + " transfers running; the limit is " +
        std::to_string(transfers_.max_active_per_user) + ": wait for one to end");
  if (*all >= transfers_.max_active)
    return Status::InvalidArgument("the server runs " + std::to_string(*all) +
                                   " transfers, its limit; try again later");

  TransferRecord t;
  t.id = NewUuid();
  t.owner = user;
  t.label = r.label;
  t.source_endpoint = r.source_endpoint;
  t.source_path = r.source_path;
  t.target_endpoint = r.target_endpoint;
  t.target_path = r.target_path;
  t.created_at = Now();
  if (Status s = store_.CreateTransfer(t); !s.ok()) return s;
  auto task = tasks_.Submit(
      user, "transfer", source->name,
      [this, who = *who, t, is_folder](TaskContext& ctx) { return Run(who, t, is_folder, ctx); });
  if (!task) {
    LogIfFailed(store_.FinishTransfer(t.id, "FAILED", task.status().message()),
                "transfer " + t.id + ": recording its end");
    return task.status();
  }
  LogIfFailed(store_.SetTransferTask(t.id, *task), "transfer " + t.id + ": recording its task");
  return t.id;
}

TaskOutcome TransferService::Run(const UnixIdentity& who, const TransferRecord& t,
                                 bool source_is_folder, TaskContext& ctx) {
  const SystemConfig* source = EndpointSystem(t.source_endpoint);
  const SystemConfig* target = EndpointSystem(t.target_endpoint);
  std::string src = t.source_path, dst = t.target_path;
  // A folder's contents go into the target folder; a file goes to the target path (or into it,
  // when that is a folder or ends with "/").
  if (source_is_folder) {
    if (src.back() != '/') src += '/';
    if (dst.back() != '/') dst += '/';
  }
  // One regular file on this host: an in-kernel copy, as cp does (rsync moves every byte through a
  // pipe between two processes: 20-25 % of cp's speed here, docs/benchmarks.md). Folders, and any
  // operator rsync options (bandwidth limits, ...), go to rsync.
  const bool kernel_copy =
      !source_is_folder && transfers_.same_host_copy && transfers_.rsync_options.empty();
  Result<RunningCommand> started = Status::Internal("not started");
  if (kernel_copy) {
    started =
        runas_.StartFileCopy(who, t.source_path, RootsOf(*source), t.target_path, RootsOf(*target));
  } else {
    std::vector<std::string> argv = {transfers_.rsync,
                                     "--archive",
                                     "--checksum",
                                     "--checksum-choice=xxh128",
                                     "--mkpath",
                                     "--no-inc-recursive",
                                     "--info=progress2,stats0",
                                     "--partial-dir=.sfapid-partial"};
    argv.insert(argv.end(), transfers_.rsync_options.begin(), transfers_.rsync_options.end());
    argv.insert(argv.end(), {"--", src, dst});
    const json::array paths{json::object{{"path", t.source_path}, {"roots", RootsOf(*source)}},
                            json::object{{"path", t.target_path}, {"roots", RootsOf(*target)}}};
    started = runas_.StartProgram(who, argv, paths);
  }
  if (!started) {
    LogIfFailed(store_.FinishTransfer(t.id, "FAILED", started.status().message()),
                "transfer " + t.id + ": recording its end");
    return {"failed", TransferTaskResult({.status = "error", .error = started.status().message()})};
  }
  const auto begin = std::chrono::steady_clock::now();
  std::string progress, errors;
  int64_t bytes = 0, last_saved = -1;
  auto last_save = begin;
  const WatchOutcome outcome = WatchProcess(
      *started, ctx, WatchLimits{},
      [&](int stream, std::string_view data) {
        if (stream == 2) {
          if (errors.size() < 65536) errors.append(data);
          return;
        }
        progress.append(data);
        // Lines end with '\r' while a file is in flight and '\n' at the end of one.
        size_t cut;
        while ((cut = progress.find_first_of("\r\n")) != std::string::npos) {
          const std::string_view line = std::string_view(progress).substr(0, cut);
          if (kernel_copy && line.rfind("progress ", 0) == 0)
            bytes = std::atoll(std::string(line.substr(9)).c_str());
          else if (auto b = ParseRsyncProgressBytes(line))
            bytes = *b;
          progress.erase(0, cut + 1);
        }
      },
      [&] {
        const auto now = std::chrono::steady_clock::now();
        if (bytes != last_saved && now - last_save > std::chrono::milliseconds(500)) {
          const double secs = std::chrono::duration<double>(now - begin).count();
          LogIfFailed(
              store_.UpdateProgress(t.id, bytes, secs > 0 ? static_cast<int64_t>(bytes / secs) : 0),
              "transfer " + t.id + ": recording progress");
          last_saved = bytes;
          last_save = now;
        }
      });
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  LogIfFailed(store_.UpdateProgress(t.id, bytes, secs > 0 ? static_cast<int64_t>(bytes / secs) : 0),
              "transfer " + t.id + ": recording progress");
  while (!errors.empty() && errors.back() == '\n') errors.pop_back();
  if (outcome.reason == WatchOutcome::kCancelled && ctx.shutting_down()) {
    LogIfFailed(store_.FinishTransfer(t.id, "FAILED",
                                      "sfapid stopped during the transfer; start it again (rsync "
                                      "skips what is already copied)"),
                "transfer " + t.id + ": recording its end");
    return {"failed", TransferTaskResult({.status = "error", .transfer_id = t.id})};
  }
  if (outcome.reason == WatchOutcome::kCancelled) {
    LogIfFailed(store_.FinishTransfer(t.id, "CANCELED", "cancelled by the user"),
                "transfer " + t.id + ": recording its end");
    return {"completed", TransferTaskResult({.status = "cancelled", .transfer_id = t.id})};
  }
  if (outcome.exit_code != 0) {
    std::string reason = errors.empty() ? (kernel_copy ? "the copy" : "rsync") +
                                              std::string(" exited with status ") +
                                              std::to_string(outcome.exit_code)
                                        : errors;
    if (reason.rfind("sfapid: ", 0) == 0) reason = reason.substr(8);
    LogIfFailed(store_.FinishTransfer(t.id, "FAILED", reason),
                "transfer " + t.id + ": recording its end");
    return {"completed",
            TransferTaskResult({.status = "error", .transfer_id = t.id, .error = reason})};
  }
  LogIfFailed(store_.FinishTransfer(t.id, "SUCCEEDED", ""),
              "transfer " + t.id + ": recording its end");
  return {"completed", TransferTaskResult({.status = "ok", .transfer_id = t.id, .bytes = bytes})};
}

Result<TransferRecord> TransferService::Get(const std::string& id, const std::string& user) {
  auto t = store_.GetTransfer(id);
  if (!t || t->owner != user) return Status::NotFound("Transfer " + id + " not found");
  return t;
}

Status TransferService::Cancel(const std::string& id, const std::string& user) {
  auto t = Get(id, user);
  if (!t) return t.status();
  if (t->status != "ACTIVE") return Status::Ok();
  if (!t->task_id.empty())
    if (Status s = tasks_.Cancel(t->task_id, user); !s.ok()) return s;
  // A running rsync is stopped (SIGTERM, then SIGKILL) and the run records CANCELED once it is
  // gone; answer after that, so "CANCELED" means nothing writes any more.
  for (int i = 0; i < 60; ++i) {
    auto now = store_.GetTransfer(id);
    if (now && now->status != "ACTIVE") return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Still ACTIVE: it was queued and never started, so nothing else will record the end.
  return store_.FinishTransfer(id, "CANCELED", "cancelled by the user");
}

}  // namespace sfapid
