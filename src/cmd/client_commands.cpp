// `sfapid client ...`: operators (and `make run`) create, list, show and revoke API clients, and
// print a client's callback secret; `sfapid keys ...` rotates the server's token-signing key.
// `sfapid audit` shows recent token decisions.
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/application.h"
#include "auth/client_registry.h"
#include "auth/signing_keys.h"
#include "backends/runas/account_policy.h"
#include "cmd/client_admission.h"
#include "cmd/command.h"
#include "cmd/key_file.h"
#include "core/accounts/user_directory.h"
#include "core/callbacks/callback_key.h"
#include "util/log_status.h"

namespace sfapid::cmd {

namespace json = boost::json;

namespace {

int WithAuthStore(const CommandContext& ctx,
                  const std::function<Status(const Config&, AuthStore&)>& body) {
  return WithStore(ctx, [&](const Config& c, Store& store) { return body(c, store.auth()); });
}

// The key file sfapi_client reads: PEM with the client id on the first line, or JSON.
std::string KeyFileText(const CreatedClient& c, const std::string& format) {
  if (format == "json") {
    json::object secret = c.private_key->PrivateJwk();
    secret["kid"] = c.private_key->Thumbprint();
    return json::serialize(json::object{{"client_id", c.record.client_id}, {"secret", secret}}) +
           "\n";
  }
  return c.record.client_id + "\n" + c.private_key->PrivatePem();
}

void PrintClient(const ClientRecord& c) {
  std::string ranges;
  for (const auto& r : c.ip_ranges) ranges += (ranges.empty() ? "" : ",") + r;
  const char* state = c.revoked_at ? "revoked" : Now() >= c.expires_at ? "expired" : "valid";
  std::printf("%s  %-10s %-6s %-7s expires %s  ip %s  %s\n", c.client_id.c_str(), c.owner.c_str(),
              ToString(c.level), state, FormatIso8601(c.expires_at).c_str(), ranges.c_str(),
              c.name.c_str());
}

struct CreateArgs {
  std::string user, level = "green", name, comments, lifetime, public_key, key_type = "rsa", out,
                    out_dir, format = "pem";
  std::vector<std::string> ips;
};

Status CreateClient(const Config& config, AuthStore& store, const CreateArgs& a,
                    std::string* written) {
  auto level = ParseLevel(a.level);
  if (!level) return Status::InvalidArgument("--level must be red, yellow or green");
  // A client for an account sfapid will never act as would only hand out refusals: say so now.
  if (::geteuid() == 0) {
    const std::string account = UserDirectory(config.runas).AccountName(a.user);
    if (auto why = AccountPolicy(config.runas).RefusalFor(account))
      return Status::InvalidArgument("no client for user " + a.user + ": " + *why +
                                     "; sfapid never acts as root, system or daemon accounts. "
                                     "Create clients for ordinary login accounts.");
  }
  NewClient request;
  request.owner = a.user;
  request.name = a.name;
  request.comments = a.comments;
  request.level = *level;
  request.ip_ranges = a.ips;
  request.key_type = a.key_type == "ec" ? Key::Type::kEc : Key::Type::kRsa;
  if (!a.lifetime.empty()) {
    request.lifetime_seconds = ParseDurationSeconds(a.lifetime);
    if (!request.lifetime_seconds)
      return Status::InvalidArgument("--lifetime '" + a.lifetime +
                                     "' is not a duration like 2d, 12h or 30m");
  }
  if (!a.public_key.empty()) {
    std::ifstream in(a.public_key);
    if (!in) return Status::NotFound("cannot read --public-key " + a.public_key);
    std::stringstream text;
    text << in.rdbuf();
    request.public_key = text.str();
  }
  if (!a.out.empty() && std::filesystem::exists(a.out))
    return Status::AlreadyExists(a.out + " exists; remove it or choose another --out");
  ClientRegistry registry(config.auth, store);
  auto created = registry.Create(request);
  if (!created) return created.status();
  const auto& c = *created;
  if (c.private_key) {
    const std::string text = KeyFileText(c, a.format);
    std::string path = a.out;
    std::string folder;  // made for the key file when missing
    if (path.empty() && !a.out_dir.empty()) {
      folder = a.out_dir;
      path = a.out_dir + "/" + c.record.client_id + (a.format == "json" ? ".json" : ".pem");
    }
    if (path.empty()) {
      std::fputs(text.c_str(), stdout);
      return Status::Ok();
    }
    if (Status s = WriteKeyFile(config.runas, a.user, folder, path, text); !s.ok()) {
      // Nobody can hold its key: retire it.
      LogIfFailed(store.RevokeClient(c.record.client_id, Now()),
                  "revoking client " + c.record.client_id + ", whose key could not be written");
      return s;
    }
    if (written) *written = path;
    std::fprintf(stderr, "created %s client %s for %s, key in %s (mode 0600)\n",
                 ToString(c.record.level), c.record.client_id.c_str(), c.record.owner.c_str(),
                 path.c_str());
  } else {
    std::printf("%s\n", c.record.client_id.c_str());
    std::fprintf(stderr, "registered %s client %s for %s with the given public key\n",
                 ToString(c.record.level), c.record.client_id.c_str(), c.record.owner.c_str());
  }
  return Status::Ok();
}

// The projects that admit client users take `user` in (the accounts live beside the auth store).
Status Admit(const Config& config, const std::string& user) {
  auto all = OpenConfiguredStore(config);
  if (!all) return all.status();
  return AdmitClientUser(config, **all, user);
}

Status Create(const Config& config, AuthStore& store, const CreateArgs& a, std::string* written) {
  if (Status s = CreateClient(config, store, a, written); !s.ok()) return s;
  return Admit(config, a.user);
}

void AddCreate(CLI::App* client, CommandContext& ctx) {
  auto a = std::make_shared<CreateArgs>();
  auto* create =
      client->add_subcommand("create", "Register an API client and hand out its key once");
  create->add_option("--user", a->user, "The API user the client acts for")->required();
  create->add_option("--level", a->level, "red, yellow or green")
      ->check(CLI::IsMember({"red", "yellow", "green"}));
  create->add_option("--name", a->name, "A name for the client");
  create->add_option("--comments", a->comments, "Free text");
  create->add_option("--ip", a->ips,
                     "Allowed source range (CIDR), repeatable; default loopback only");
  create->add_option("--lifetime", a->lifetime, "e.g. 2d, 12h; default the level's maximum");
  create->add_option("--public-key", a->public_key,
                     "Register this public key (PEM or JWK) instead of generating one");
  create->add_option("--key-type", a->key_type, "rsa or ec, for a generated key")
      ->check(CLI::IsMember({"rsa", "ec"}));
  create->add_option("--out", a->out, "Write the private key file here (0600, never overwritten)");
  create->add_option("--out-dir", a->out_dir, "Write <dir>/<client id>.pem (or .json)");
  create
      ->add_option("--format", a->format,
                   "pem (client id line + PEM, as sfapi_client reads) or json")
      ->check(CLI::IsMember({"pem", "json"}));
  create->callback([&ctx, a] {
    ctx.run = [&ctx, a] {
      return WithAuthStore(
          ctx, [&](const Config& c, AuthStore& s) { return Create(c, s, *a, nullptr); });
    };
  });

  // For `make run`: reuse the user's valid client whose key file is in the folder, or make one.
  auto e = std::make_shared<CreateArgs>();
  auto* ensure = client->add_subcommand(
      "ensure", "Print the key file of a valid client of the user, creating one if needed");
  ensure->add_option("--user", e->user, "The API user")->required();
  ensure->add_option("--level", e->level, "red, yellow or green")
      ->check(CLI::IsMember({"red", "yellow", "green"}));
  ensure->add_option("--out-dir", e->out_dir, "Folder of key files")->required();
  ensure->callback([&ctx, e] {
    ctx.run = [&ctx, e] {
      return WithAuthStore(ctx, [&](const Config& c, AuthStore& s) -> Status {
        auto list = s.ListClients(e->user);
        if (!list) return list.status();
        for (auto it = list->rbegin(); it != list->rend(); ++it) {
          const std::string path = e->out_dir + "/" + it->client_id + ".pem";
          // An hour of life left at least, so a quick start does not hand out a dying client.
          if (it->ValidAt(Now() + std::chrono::hours(1)) && ToString(it->level) == e->level &&
              std::filesystem::exists(path)) {
            std::printf("%s\n", path.c_str());
            return Admit(c, e->user);  // the client may predate the project's admission
          }
        }
        e->name = "make run";
        std::string written;
        if (Status st = Create(c, s, *e, &written); !st.ok()) return st;
        std::printf("%s\n", written.c_str());
        return Status::Ok();
      });
    };
  });
}

}  // namespace

void AddClientCommands(CLI::App& app, CommandContext& ctx) {
  auto* client = app.add_subcommand("client", "Manage API clients");
  client->require_subcommand(1);
  AddCreate(client, ctx);

  auto user = std::make_shared<std::string>();
  auto* list = client->add_subcommand("list", "List clients");
  list->add_option("--user", *user, "Only this user's");
  list->callback([&ctx, user] {
    ctx.run = [&ctx, user] {
      return WithAuthStore(ctx, [&](const Config&, AuthStore& s) -> Status {
        auto clients = s.ListClients(*user);
        if (!clients) return clients.status();
        for (const auto& c : *clients) PrintClient(c);
        return Status::Ok();
      });
    };
  });

  auto show_id = std::make_shared<std::string>();
  auto* show = client->add_subcommand("show", "Show one client, with its public key");
  show->add_option("id", *show_id, "Client id")->required();
  show->callback([&ctx, show_id] {
    ctx.run = [&ctx, show_id] {
      return WithAuthStore(ctx, [&](const Config&, AuthStore& s) -> Status {
        auto c = s.GetClient(*show_id);
        if (!c) return c.status();
        PrintClient(*c);
        std::printf("created %s%s\ncomments %s\n%s", FormatIso8601(c->created_at).c_str(),
                    c->revoked_at ? (", revoked " + FormatIso8601(*c->revoked_at)).c_str() : "",
                    c->comments.c_str(), c->public_key_pem.c_str());
        return Status::Ok();
      });
    };
  });

  auto revoke_id = std::make_shared<std::string>();
  auto* revoke = client->add_subcommand(
      "revoke", "Revoke a client; its live tokens stop working within seconds");
  revoke->add_option("id", *revoke_id, "Client id")->required();
  revoke->callback([&ctx, revoke_id] {
    ctx.run = [&ctx, revoke_id] {
      return WithAuthStore(ctx, [&](const Config&, AuthStore& s) -> Status {
        if (Status st = s.RevokeClient(*revoke_id, Now()); !st.ok()) return st;
        std::printf("client %s revoked\n", revoke_id->c_str());
        return Status::Ok();
      });
    };
  });

  auto secret_id = std::make_shared<std::string>();
  auto* secret = client->add_subcommand(
      "callback-secret",
      "Print the secret that signs this client's job-end callbacks (X-Sfapi-Signature), to hand "
      "to its user");
  secret->add_option("id", *secret_id, "Client id")->required();
  secret->callback([&ctx, secret_id] {
    ctx.run = [&ctx, secret_id] {
      return WithAuthStore(ctx, [&](const Config& config, AuthStore& s) -> Status {
        if (auto c = s.GetClient(*secret_id); !c) return c.status();  // a typo is not a client
        auto key = CallbackKey::LoadOrCreate(SigningKeyDir(config));
        if (!key) return key.status();
        std::printf("%s\n", key->SecretFor(*secret_id).c_str());
        return Status::Ok();
      });
    };
  });

  auto* keys = app.add_subcommand("keys", "The server's token-signing keys");
  keys->require_subcommand(1);
  keys->add_subcommand("rotate",
                       "Start signing with a new key; prune keys whose tokens have expired")
      ->callback([&ctx] {
        ctx.run = [&ctx] {
          return WithAuthStore(ctx, [](const Config& c, AuthStore& store) -> Status {
            SigningKeys ring(store, SigningKeyDir(c), c.auth.access_token_lifetime_seconds);
            auto kid = ring.Rotate();
            if (!kid) return kid.status();
            std::printf("signing with key %s\n", kid->c_str());
            return Status::Ok();
          });
        };
      });

  auto limit = std::make_shared<int>(50);
  auto* audit =
      app.add_subcommand("audit",
                         "Recent token decisions, web sign-ins, client and access changes, newest "
                         "first");
  audit->add_option("--limit", *limit, "How many");
  audit->callback([&ctx, limit] {
    ctx.run = [&ctx, limit] {
      return WithAuthStore(ctx, [&](const Config&, AuthStore& s) -> Status {
        auto rows = s.ListAudit(*limit);
        if (!rows) return rows.status();
        for (const auto& r : *rows)
          std::printf("%s %-7s client=%s user=%s ip=%s %s\n", FormatIso8601(r.at).c_str(),
                      r.outcome.c_str(), r.client_id.empty() ? "-" : r.client_id.c_str(),
                      r.user.empty() ? "-" : r.user.c_str(), r.ip.c_str(), r.reason.c_str());
        return Status::Ok();
      });
    };
  });
}

}  // namespace sfapid::cmd
