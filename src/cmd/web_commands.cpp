// Operators and the web pages: `sfapid web link` (a one-time sign-in link, which `make run`
// prints), `sfapid user enable|disable|totp-reset`, and `sfapid access list|approve|deny` for
// users' requests to be enabled for the API.
#include <cstdio>

#include "app/application.h"
#include "cmd/command.h"
#include "cmd/operator_name.h"
#include "core/accounts/user_directory.h"
#include "core/web/api_access.h"
#include "core/web/sign_in_service.h"
#include "util/secret_tokens.h"

namespace sfapid::cmd {

namespace {

void PrintRequest(const AccessRequest& r) {
  std::printf("%-5lld %-10s %-8s requested %s%s%s  %s\n", static_cast<long long>(r.id),
              r.user.c_str(), r.state.c_str(), FormatIso8601(r.requested_at).c_str(),
              r.decided_at
                  ? (", decided " + FormatIso8601(*r.decided_at) + " by " + r.decided_by).c_str()
                  : "",
              r.note.empty() ? "" : (" (" + r.note + ")").c_str(), r.reason.c_str());
}

void AddLink(CLI::App& app, CommandContext& ctx) {
  auto* web = app.add_subcommand("web", "The web pages: sign-in links");
  web->require_subcommand(1);
  auto user = std::make_shared<std::string>();
  auto* link = web->add_subcommand(
      "link", "Print a one-time link that signs the user in to the profile page (no password)");
  link->add_option("--user", *user, "The API user")->required();
  link->callback([&ctx, user] {
    ctx.run = [&ctx, user] {
      return WithStore(ctx, [&](const Config& c, Store& store) -> Status {
        if (!c.web.enabled) return Status::FailedPrecondition("[web] enabled = false");
        const std::string secret = RandomToken(32);
        const TimePoint expires =
            Now() + std::chrono::seconds(static_cast<int64_t>(c.web.sign_in_link_minutes * 60));
        if (Status s = store.web().CreateSignInLink(Sha256Hex(secret), *user, expires); !s.ok())
          return s;
        // A fragment never reaches the server or its access log: the page posts it.
        std::printf("%s/#link=%s\n", c.PublicBaseUrl().c_str(), secret.c_str());
        std::fprintf(stderr, "sign-in link for %s, good once until %s\n", user->c_str(),
                     FormatIso8601(expires).c_str());
        return Status::Ok();
      });
    };
  });
}

void AddUserAccess(CLI::App& app, CommandContext& ctx) {
  CLI::App* user = app.get_subcommand("user");
  auto name = std::make_shared<std::string>();
  auto* enable = user->add_subcommand("enable", "Enable a user for the API (API clients)");
  enable->add_option("name", *name, "The API user")->required();
  enable->callback([&ctx, name] {
    ctx.run = [&ctx, name] {
      return WithStore(ctx, [&](const Config& c, Store& store) -> Status {
        ApiAccess access(c.web, store.web(), store.auth());
        if (Status s = access.Enable(*name, OperatorName()); !s.ok()) return s;
        std::printf("%s is enabled for the API\n", name->c_str());
        return Status::Ok();
      });
    };
  });
  auto* disable = user->add_subcommand(
      "disable", "Disable a user for the API: every client of theirs is revoked at once");
  disable->add_option("name", *name, "The API user")->required();
  disable->callback([&ctx, name] {
    ctx.run = [&ctx, name] {
      return WithStore(ctx, [&](const Config& c, Store& store) -> Status {
        ApiAccess access(c.web, store.web(), store.auth());
        auto revoked = access.Disable(*name, OperatorName());
        if (!revoked) return revoked.status();
        std::printf("%s is disabled for the API; %zu client(s) revoked\n", name->c_str(),
                    revoked->size());
        for (const auto& id : *revoked) std::printf("  revoked %s\n", id.c_str());
        return Status::Ok();
      });
    };
  });
  auto* reset = user->add_subcommand(
      "totp-reset", "Forget a user's TOTP second factor: they enrol again at the next sign-in");
  reset->add_option("name", *name, "The API user")->required();
  reset->callback([&ctx, name] {
    ctx.run = [&ctx, name] {
      return WithStore(ctx, [&](const Config& c, Store& store) -> Status {
        WebSessions sessions(c.web, store.web());
        UserDirectory users(c.runas);
        SignInService sign_in(c, store.web(), store.auth(), sessions, users);
        if (Status s = sign_in.ResetTotp(*name); !s.ok()) return s;
        std::printf("%s enrols a new second factor at the next sign-in; their sessions ended\n",
                    name->c_str());
        return Status::Ok();
      });
    };
  });
}

void AddAccessRequests(CLI::App& app, CommandContext& ctx) {
  auto* access = app.add_subcommand("access", "Users' requests to be enabled for the API");
  access->require_subcommand(1);
  auto state = std::make_shared<std::string>("pending");
  auto* list = access->add_subcommand("list", "List requests (pending ones by default)");
  list->add_option("--state", *state, "pending, approved, denied or all")
      ->check(CLI::IsMember({"pending", "approved", "denied", "all"}));
  list->callback([&ctx, state] {
    ctx.run = [&ctx, state] {
      return WithStore(ctx, [&](const Config& c, Store& store) -> Status {
        ApiAccess a(c.web, store.web(), store.auth());
        auto requests = a.List(*state == "all" ? "" : *state);
        if (!requests) return requests.status();
        for (const auto& r : *requests) PrintRequest(r);
        return Status::Ok();
      });
    };
  });
  for (bool approve : {true, false}) {
    auto id = std::make_shared<int64_t>(0);
    auto note = std::make_shared<std::string>();
    auto* decide = access->add_subcommand(
        approve ? "approve" : "deny",
        approve ? "Approve a request: the user is enabled for the API" : "Deny a request");
    decide->add_option("id", *id, "The request's id (sfapid access list)")->required();
    decide->add_option("--note", *note, "Words for the user, shown on their profile page");
    decide->callback([&ctx, id, note, approve] {
      ctx.run = [&ctx, id, note, approve] {
        return WithStore(ctx, [&](const Config& c, Store& store) -> Status {
          ApiAccess a(c.web, store.web(), store.auth());
          auto decided = a.Decide(*id, approve, OperatorName(), *note);
          if (!decided) return decided.status();
          PrintRequest(*decided);
          return Status::Ok();
        });
      };
    });
  }
}

}  // namespace

void AddWebCommands(CLI::App& app, CommandContext& ctx) {
  AddLink(app, ctx);
  AddUserAccess(app, ctx);
  AddAccessRequests(app, ctx);
}

}  // namespace sfapid::cmd
