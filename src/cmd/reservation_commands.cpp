// `sfapid reservation list|show|approve|deny|cancel|create`: operators decide on reservation
// requests and make reservations beyond policy (maintenance). They work through core's
// ReservationService over the configured store, as the API does; every decision is a line in the
// reservation's history with the operator's name. A running server's lifecycle pass (every
// second) makes, changes or removes the scheduler's copy.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include "app/application.h"
#include "cmd/accounts_context.h"
#include "cmd/command.h"
#include "cmd/operator_name.h"
#include "core/reservations/reservation_service.h"
#include "util/time_format.h"

namespace sfapid::cmd {

namespace {

int WithReservations(
    const CommandContext& ctx,
    const std::function<Status(ReservationService&, const ReservationActor&)>& body) {
  return WithStore(ctx, [&](const Config& config, Store& store) {
    Accounts accounts(config, store);
    ReservationService service(config.systems, store.reservations(), store.accounts(),
                               accounts.service);
    return body(service, ReservationActor{OperatorName(), true, ""});
  });
}

std::string Iso(int64_t t) { return FormatIso8601(TimePoint{std::chrono::seconds{t}}); }

std::string Users(const Reservation& r) {
  if (r.all_members) return "*";
  std::string out;
  for (const auto& u : r.users) out += (out.empty() ? "" : ",") + u;
  return out;
}

void PrintRow(const Reservation& r) {
  std::printf("%-6lld %-12s %-20s %-12s %5d  %-25s %-25s %-10s %s\n", static_cast<long long>(r.id),
              r.machine.c_str(), r.name.c_str(), r.account.c_str(), r.nodes, Iso(r.start).c_str(),
              Iso(r.end).c_str(), std::string(ReservationStateName(r.state)).c_str(),
              r.state_reason.c_str());
}

void PrintDetail(const Reservation& r, const std::vector<ReservationEvent>& history) {
  std::printf("id:            %lld\n", static_cast<long long>(r.id));
  std::printf("name:          %s\n", r.name.c_str());
  std::printf("machine:       %s\n", r.machine.c_str());
  std::printf("account:       %s\n", r.account.c_str());
  std::printf("users:         %s\n", Users(r).c_str());
  std::printf("nodes:         %d %s\n", r.nodes, r.node_names.empty() ? "" : "(placed)");
  for (const auto& n : r.node_names) std::printf("               %s\n", n.c_str());
  std::printf("start:         %s\n", Iso(r.start).c_str());
  std::printf("end:           %s\n", Iso(r.end).c_str());
  std::printf("state:         %s %s\n", std::string(ReservationStateName(r.state)).c_str(),
              r.state_reason.c_str());
  std::printf("requested by:  %s\n", r.requested_by.c_str());
  std::printf("decided by:    %s\n", r.decided_by.c_str());
  std::printf("reason:        %s\n", r.reason.c_str());
  std::printf("node-hours:    %.2f (x %.2f = %.2f estimated)\n", r.NodeHours(), r.charge_factor,
              r.EstimatedCharge());
  std::printf("charged:       %s\n",
              r.charged ? std::to_string(r.charged_node_hours).c_str() : "not yet");
  if (r.pending_change)
    std::printf("pending change: %d nodes %s - %s (%s)\n", r.pending_change->nodes,
                Iso(r.pending_change->start).c_str(), Iso(r.pending_change->end).c_str(),
                r.pending_change->approved ? "approved, being made" : "waits for approval");
  std::printf("history:\n");
  for (const auto& e : history)
    std::printf("  %s  %-22s %-9s -> %-10s %s\n", Iso(e.at).c_str(), e.actor.c_str(),
                e.action.c_str(), e.state.c_str(), e.note.c_str());
}

Result<int64_t> ParseId(const std::string& text) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v > 0) return static_cast<int64_t>(v);
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument("'" + text + "' is not a reservation id");
}

}  // namespace

void AddReservationCommands(CLI::App& app, CommandContext& ctx) {
  auto* resv =
      app.add_subcommand("reservation", "Advance reservations: list, decide, cancel, make");
  resv->require_subcommand(1);

  struct ListArgs {
    std::string machine, state, account;
  };
  auto list_args = std::make_shared<ListArgs>();
  auto* list = resv->add_subcommand("list", "Every reservation (newest last)");
  list->add_option("--machine", list_args->machine, "Only this system's");
  list->add_option("--state", list_args->state, "Only those in this state (e.g. requested)");
  list->add_option("--account", list_args->account, "Only this project's");
  list->callback([&ctx, list_args] {
    ctx.run = [&ctx, list_args] {
      return WithReservations(
          ctx, [&](ReservationService& s, const ReservationActor& op) -> Status {
            ReservationListQuery q{list_args->machine, std::nullopt, list_args->account};
            if (!list_args->state.empty()) {
              q.state = ParseReservationState(list_args->state);
              if (!q.state)
                return Status::InvalidArgument("unknown state '" + list_args->state + "'");
            }
            auto rows = s.List(op, q);
            if (!rows) return rows.status();
            std::printf("%-6s %-12s %-20s %-12s %5s  %-25s %-25s %-10s %s\n", "ID", "MACHINE",
                        "NAME", "ACCOUNT", "NODES", "START", "END", "STATE", "REASON");
            for (const auto& r : *rows) PrintRow(r);
            return Status::Ok();
          });
    };
  });

  auto show_id = std::make_shared<std::string>();
  auto* show = resv->add_subcommand("show", "One reservation with its whole history");
  show->add_option("id", *show_id, "Reservation id")->required();
  show->callback([&ctx, show_id] {
    ctx.run = [&ctx, show_id] {
      return WithReservations(ctx,
                              [&](ReservationService& s, const ReservationActor& op) -> Status {
                                auto id = ParseId(*show_id);
                                if (!id) return id.status();
                                auto rows = s.List(op, ReservationListQuery{});
                                if (!rows) return rows.status();
                                for (const auto& r : *rows) {
                                  if (r.id != *id) continue;
                                  auto history = s.History(op, r.machine, r.id);
                                  if (!history) return history.status();
                                  PrintDetail(r, *history);
                                  return Status::Ok();
                                }
                                return Status::NotFound("no reservation " + *show_id);
                              });
    };
  });

  auto approve_id = std::make_shared<std::string>();
  auto* approve = resv->add_subcommand("approve", "Approve a request (or its pending change)");
  approve->add_option("id", *approve_id, "Reservation id")->required();
  approve->callback([&ctx, approve_id] {
    ctx.run = [&ctx, approve_id] {
      return WithReservations(ctx,
                              [&](ReservationService& s, const ReservationActor& op) -> Status {
                                auto id = ParseId(*approve_id);
                                if (!id) return id.status();
                                auto r = s.Approve(op, *id);
                                if (!r) return r.status();
                                std::printf("reservation %lld approved by %s\n",
                                            static_cast<long long>(r->id), op.Label().c_str());
                                return Status::Ok();
                              });
    };
  });

  struct DenyArgs {
    std::string id, reason;
  };
  auto deny_args = std::make_shared<DenyArgs>();
  auto* deny = resv->add_subcommand("deny", "Deny a request (or drop its pending change)");
  deny->add_option("id", deny_args->id, "Reservation id")->required();
  deny->add_option("--reason", deny_args->reason, "Told to the requester");
  deny->callback([&ctx, deny_args] {
    ctx.run = [&ctx, deny_args] {
      return WithReservations(ctx,
                              [&](ReservationService& s, const ReservationActor& op) -> Status {
                                auto id = ParseId(deny_args->id);
                                if (!id) return id.status();
                                auto r = s.Deny(op, *id, deny_args->reason);
                                if (!r) return r.status();
                                std::printf("reservation %lld: %s\n", static_cast<long long>(r->id),
                                            r->state_reason.c_str());
                                return Status::Ok();
                              });
    };
  });

  auto cancel_args = std::make_shared<DenyArgs>();
  auto* cancel = resv->add_subcommand("cancel", "Cancel a reservation");
  cancel->add_option("id", cancel_args->id, "Reservation id")->required();
  cancel->add_option("--reason", cancel_args->reason, "Told to the requester");
  cancel->callback([&ctx, cancel_args] {
    ctx.run = [&ctx, cancel_args] {
      return WithReservations(
          ctx, [&](ReservationService& s, const ReservationActor& op) -> Status {
            auto id = ParseId(cancel_args->id);
            if (!id) return id.status();
            auto rows = s.List(op, ReservationListQuery{});
            if (!rows) return rows.status();
            for (const auto& r : *rows)
              if (r.id == *id) {
                auto done = s.Cancel(op, r.machine, r.id, cancel_args->reason);
                if (!done) return done.status();
                std::printf("reservation %lld cancelled\n", static_cast<long long>(r.id));
                return Status::Ok();
              }
            return Status::NotFound("no reservation " + cancel_args->id);
          });
    };
  });

  auto create = std::make_shared<ReservationRequest>();
  auto* make = resv->add_subcommand(
      "create", "Make a reservation beyond policy (maintenance), approved at once");
  make->add_option("machine", create->machine, "Compute system")->required();
  make->add_option("--account", create->account, "Project")->required();
  make->add_option("--nodes", create->nodes, "Nodes")->required();
  make->add_option("--start", create->start, "ISO 8601 with an offset, or now")->required();
  make->add_option("--end", create->end, "ISO 8601 with an offset");
  make->add_option("--duration", create->duration, "Slurm time syntax, e.g. 4:00:00");
  make->add_option("--name", create->name, "Reservation name");
  make->add_option("--users", create->users, "Comma list of users, or * (default: every member)");
  make->add_option("--reason", create->reason, "Why (e.g. maintenance)");
  make->callback([&ctx, create] {
    ctx.run = [&ctx, create] {
      return WithReservations(
          ctx, [&](ReservationService& s, const ReservationActor& op) -> Status {
            ReservationRequest req = *create;
            if (req.users.empty()) req.users = "*";
            auto r = s.Request(op, req);
            if (!r) return r.status();
            std::printf("reservation %lld (%s) approved; the server makes it within a second\n",
                        static_cast<long long>(r->id), r->name.c_str());
            return Status::Ok();
          });
    };
  });
}

}  // namespace sfapid::cmd
