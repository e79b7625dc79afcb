// Operator commands for what users read under /status: `sfapid status`, `sfapid outage` and
// `sfapid note`. They go through core's StatusAdmin, which checks and stores them; a running server
// serves the change within status.refresh_interval_seconds.
#include <cstdio>

#include "app/application.h"
#include "cmd/command.h"
#include "core/status/status_admin.h"
#include "util/time_format.h"

namespace sfapid::cmd {

namespace {

// Runs body with the operator's status service over the configured store; reports failures the
// same way everywhere.
int WithStatusAdmin(const CommandContext& ctx, const std::function<Status(StatusAdmin&)>& body) {
  return WithStore(ctx, [&](const Config& config, Store& store) {
    StatusAdmin admin(config.systems, store.status());
    return body(admin);
  });
}

Result<TimePoint> ParseTimeOption(const std::string& option, const std::string& text) {
  auto t = ParseIso8601(text);
  if (!t)
    return Status::InvalidArgument(option + " '" + text +
                                   "' is not a date and time; use ISO 8601, e.g. "
                                   "2026-12-01T08:00:00-08:00 or 2026-12-01 08:00");
  return *t;
}

void AddStatus(CLI::App& app, CommandContext& ctx) {
  auto* status = app.add_subcommand("status", "Set, list or clear what /status says of a system");
  status->require_subcommand(1);

  struct SetArgs {
    std::string system, value, description, note;
  };
  auto set_args = std::make_shared<SetArgs>();
  auto* set = status->add_subcommand("set", "Set a system's status");
  set->add_option("system", set_args->system, "System name")->required();
  set->add_option("status", set_args->value, "active, degraded, unavailable or other")->required();
  set->add_option("--description", set_args->description, "What users see (default from status)");
  set->add_option("--note", set_args->note, "Also add an active note to the system");
  set->callback([&ctx, set_args] {
    ctx.run = [&ctx, set_args] {
      return WithStatusAdmin(ctx, [&](StatusAdmin& admin) -> Status {
        if (Status s = admin.SetStatus(set_args->system, set_args->value, set_args->description,
                                       set_args->note);
            !s.ok())
          return s;
        std::printf("%s is now %s\n", set_args->system.c_str(), set_args->value.c_str());
        return Status::Ok();
      });
    };
  });

  status->add_subcommand("list", "List the statuses operators have set")->callback([&ctx] {
    ctx.run = [&ctx] {
      return WithStatusAdmin(ctx, [](StatusAdmin& admin) -> Status {
        auto list = admin.Statuses();
        if (!list) return list.status();
        for (const auto& s : *list) {
          const std::string when = s.updated_at ? FormatIso8601(*s.updated_at) : "(default)";
          std::printf("%-12s %-12s %-26s %s\n", s.name.c_str(), s.status.c_str(), when.c_str(),
                      s.description.c_str());
        }
        return Status::Ok();
      });
    };
  });

  auto clear_system = std::make_shared<std::string>();
  auto* clear =
      status->add_subcommand("remove", "Forget a system's set status (it is active again)");
  clear->add_option("system", *clear_system, "System name")->required();
  clear->callback([&ctx, clear_system] {
    ctx.run = [&ctx, clear_system] {
      return WithStatusAdmin(ctx,
                             [&](StatusAdmin& admin) { return admin.ClearStatus(*clear_system); });
    };
  });
}

void AddOutage(CLI::App& app, CommandContext& ctx) {
  auto* outage = app.add_subcommand("outage", "Add, list or remove outages of a system");
  outage->require_subcommand(1);

  struct AddArgs {
    std::string system, start, end, description, notes, status = "Planned", swo = "true";
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = outage->add_subcommand("add", "Record an outage");
  add->add_option("system", args->system, "System name")->required();
  add->add_option("--start", args->start, "Start, ISO 8601")->required();
  add->add_option("--end", args->end, "End, ISO 8601")->required();
  add->add_option("--description", args->description, "e.g. \"Scheduled Maintenance\"")->required();
  add->add_option("--notes", args->notes, "Details for users");
  add->add_option("--status", args->status, "Planned, Active, Extended, Completed or Cancelled")
      ->check(CLI::IsMember({"Planned", "Active", "Extended", "Completed", "Cancelled"}));
  add->add_option("--swo", args->swo, "Will the system be off: true, degr or fals")
      ->check(CLI::IsMember({"true", "degr", "fals"}));
  add->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return WithStatusAdmin(ctx, [&](StatusAdmin& admin) -> Status {
        auto start = ParseTimeOption("--start", args->start);
        if (!start) return start.status();
        auto end = ParseTimeOption("--end", args->end);
        if (!end) return end.status();
        if (*end < *start) return Status::InvalidArgument("--end must not be before --start");
        OutageRecord o{0,           args->system, *start,    *end, args->description,
                       args->notes, args->status, args->swo, Now()};
        auto id = admin.AddOutage(o);
        if (!id) return id.status();
        std::printf("outage %lld added for %s\n", static_cast<long long>(*id),
                    args->system.c_str());
        return Status::Ok();
      });
    };
  });

  auto list_system = std::make_shared<std::string>();
  auto* list = outage->add_subcommand("list", "List outages");
  list->add_option("system", *list_system, "Only this system");
  list->callback([&ctx, list_system] {
    ctx.run = [&ctx, list_system] {
      return WithStatusAdmin(ctx, [&](StatusAdmin& admin) -> Status {
        auto outages = admin.Outages(*list_system);
        if (!outages) return outages.status();
        for (const auto& o : *outages)
          std::printf("%-5lld %-12s %s .. %s  %-10s swo=%s  %s\n", static_cast<long long>(o.id),
                      o.name.c_str(), FormatIso8601(o.start_at).c_str(),
                      FormatIso8601(o.end_at).c_str(), o.status.value_or("-").c_str(),
                      o.swo.c_str(), o.description.c_str());
        return Status::Ok();
      });
    };
  });

  auto remove_id = std::make_shared<int64_t>();
  auto* remove = outage->add_subcommand("remove", "Remove an outage by id");
  remove->add_option("id", *remove_id, "Outage id (see `outage list`)")->required();
  remove->callback([&ctx, remove_id] {
    ctx.run = [&ctx, remove_id] {
      return WithStatusAdmin(ctx,
                             [&](StatusAdmin& admin) { return admin.RemoveOutage(*remove_id); });
    };
  });
}

void AddNote(CLI::App& app, CommandContext& ctx) {
  auto* note = app.add_subcommand("note", "Add, list or remove notes on a system");
  note->require_subcommand(1);

  struct AddArgs {
    std::string system, text;
    bool inactive = false;
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = note->add_subcommand("add", "Add a note");
  add->add_option("system", args->system, "System name")->required();
  add->add_option("text", args->text, "The note")->required();
  add->add_flag("--inactive", args->inactive, "Record it without showing it in the status");
  add->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return WithStatusAdmin(ctx, [&](StatusAdmin& admin) -> Status {
        auto id = admin.AddNote(args->system, args->text, !args->inactive);
        if (!id) return id.status();
        std::printf("note %lld added for %s\n", static_cast<long long>(*id), args->system.c_str());
        return Status::Ok();
      });
    };
  });

  auto list_system = std::make_shared<std::string>();
  auto* list = note->add_subcommand("list", "List notes");
  list->add_option("system", *list_system, "Only this system");
  list->callback([&ctx, list_system] {
    ctx.run = [&ctx, list_system] {
      return WithStatusAdmin(ctx, [&](StatusAdmin& admin) -> Status {
        auto notes = admin.Notes(*list_system);
        if (!notes) return notes.status();
        for (const auto& n : *notes)
          std::printf("%-5lld %-12s %s %s  %s\n", static_cast<long long>(n.id), n.name.c_str(),
                      FormatIso8601(n.timestamp).c_str(), n.active ? "active  " : "inactive",
                      n.notes.c_str());
        return Status::Ok();
      });
    };
  });

  auto remove_id = std::make_shared<int64_t>();
  auto* remove = note->add_subcommand("remove", "Remove a note by id");
  remove->add_option("id", *remove_id, "Note id (see `note list`)")->required();
  remove->callback([&ctx, remove_id] {
    ctx.run = [&ctx, remove_id] {
      return WithStatusAdmin(ctx, [&](StatusAdmin& admin) { return admin.RemoveNote(*remove_id); });
    };
  });
}

}  // namespace

void AddStatusCommands(CLI::App& app, CommandContext& ctx) {
  AddStatus(app, ctx);
  AddOutage(app, ctx);
  AddNote(app, ctx);
}

}  // namespace sfapid::cmd
