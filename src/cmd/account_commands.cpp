// `sfapid user ...` and `sfapid project ...`: operators register users, create projects with their
// allocations, and choose who belongs to them in which role. They write the store through the same
// services the API uses (so Unix groups stay in step when run as root); a running server sees the
// change at once.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "app/application.h"
#include "cmd/accounts_context.h"
#include "cmd/command.h"
#include "core/accounts/account_service.h"
#include "util/byte_size.h"

namespace sfapid::cmd {

namespace {

// Runs body with the accounts of the configured store, seeded from the config like the server's.
int WithAccounts(const CommandContext& ctx, const std::function<Status(Accounts&)>& body) {
  return WithStore(ctx, [&](const Config& config, Store& store) -> Status {
    Accounts accounts(config, store);
    if (Status s = accounts.service.Seed(); !s.ok()) return s;
    return body(accounts);
  });
}

// Allocation options: text so that "not given" is visible (set-allocation changes only those).
struct AllocationArgs {
  std::string description, cpu_hours, gpu_hours, project_dir, project_dir_quota, project_dir_files,
      archive_dir, archive_quota, archive_files;

  void AddTo(CLI::App* cmd) {
    cmd->add_option("--description", description, "What the project is");
    cmd->add_option("--cpu-hours", cpu_hours, "CPU node-hours given");
    cmd->add_option("--gpu-hours", gpu_hours, "GPU node-hours given");
    cmd->add_option("--project-dir", project_dir, "Project folder, measured for usage");
    cmd->add_option("--project-dir-quota", project_dir_quota, "Its quota, e.g. 1TiB (0: none)");
    cmd->add_option("--project-dir-files", project_dir_files, "Its file-count quota");
    cmd->add_option("--archive-dir", archive_dir, "Archive folder, measured for usage");
    cmd->add_option("--archive-quota", archive_quota, "Archive quota, e.g. 10TiB");
    cmd->add_option("--archive-files", archive_files, "Archive file-count quota");
  }

  // Writes the options that were given into p.
  Status Apply(CLI::App* cmd, ProjectRecord& p) const {
    if (cmd->count("--description")) p.description = description;
    auto number = [&](const char* opt, const std::string& text, double& out) -> Status {
      if (!cmd->count(opt)) return Status::Ok();
      char* end = nullptr;
      out = std::strtod(text.c_str(), &end);
      if (text.empty() || *end || out < 0)
        return Status::InvalidArgument(std::string(opt) + " '" + text +
                                       "' must be a number of hours, 0 or more");
      return Status::Ok();
    };
    auto size = [&](const char* opt, const std::string& text, int64_t& out) -> Status {
      if (!cmd->count(opt)) return Status::Ok();
      auto bytes = ParseByteSize(text);
      if (!bytes)
        return Status::InvalidArgument(std::string(opt) + " '" + text +
                                       "' must be a size like 1048576, 500G or 1.5TiB");
      out = *bytes;
      return Status::Ok();
    };
    for (Status s : {number("--cpu-hours", cpu_hours, p.cpu_hours_given),
                     number("--gpu-hours", gpu_hours, p.gpu_hours_given),
                     size("--project-dir-quota", project_dir_quota, p.project_dir_bytes),
                     size("--project-dir-files", project_dir_files, p.project_dir_files),
                     size("--archive-quota", archive_quota, p.archive_bytes),
                     size("--archive-files", archive_files, p.archive_files)})
      if (!s.ok()) return s;
    if (cmd->count("--project-dir")) p.project_dir = project_dir;
    if (cmd->count("--archive-dir")) p.archive_dir = archive_dir;
    return Status::Ok();
  }
};

void PrintProject(Accounts& a, const ProjectRecord& p) {
  auto usage = a.service.Usage(p.repo_name);
  const double used = usage ? usage->hours : 0;
  std::printf("project %s (id %lld)  %s\n", p.repo_name.c_str(), static_cast<long long>(p.id),
              p.description.c_str());
  std::printf("  node-hours: %.2f used of %.2f given (cpu %.2f, gpu %.2f)\n", used,
              p.cpu_hours_given + p.gpu_hours_given, p.cpu_hours_given, p.gpu_hours_given);
  if (usage)
    for (const auto& [user, hours] : usage->by_user)
      std::printf("    %-16s %.2f\n", user.c_str(), hours);
  if (!p.project_dir.empty())
    std::printf("  project folder %s, quota %s, %lld files\n", p.project_dir.c_str(),
                FormatByteSize(static_cast<double>(p.project_dir_bytes)).c_str(),
                static_cast<long long>(p.project_dir_files));
  if (!p.archive_dir.empty() || p.archive_bytes)
    std::printf("  archive %s, quota %s, %lld files\n",
                p.archive_dir.empty() ? "-" : p.archive_dir.c_str(),
                FormatByteSize(static_cast<double>(p.archive_bytes)).c_str(),
                static_cast<long long>(p.archive_files));
  if (auto members = a.service.Members(p.id)) {
    std::printf("  members:\n");
    for (const auto& m : *members)
      std::printf("    %-16s %s\n", m.user.c_str(), RoleTitle(m.role).c_str());
  }
  if (auto groups = a.groups.ProjectGroups(p.id)) {
    for (const auto& g : *groups) {
      std::string members;
      for (const auto& m : g.members) members += (members.empty() ? "" : ",") + m;
      std::printf("  group %s (gid %lld%s): %s\n", g.name.c_str(), static_cast<long long>(g.gid),
                  g.is_unix ? ", Unix" : ", store only", members.c_str());
    }
  }
}

void AddUser(CLI::App& app, CommandContext& ctx) {
  auto* user = app.add_subcommand("user", "Register API users and show what they belong to");
  user->require_subcommand(1);

  struct AddArgs {
    std::string name;
    int64_t uid = -1;
    UserRecord details;
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = user->add_subcommand("add", "Register a user (GET /account shows these details)");
  add->add_option("name", args->name, "API user name")->required();
  add->add_option("--uid", args->uid, "uid to report (default: the Unix account's)");
  add->add_option("--firstname", args->details.firstname);
  add->add_option("--lastname", args->details.lastname);
  add->add_option("--middlename", args->details.middlename);
  add->add_option("--email", args->details.email);
  add->add_option("--workphone", args->details.workphone);
  add->add_option("--other-phones", args->details.other_phones);
  add->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return WithAccounts(ctx, [&](Accounts& a) -> Status {
        UserRecord r = args->details;
        r.name = args->name;
        if (args->uid >= 0) r.uid = args->uid;
        if (Status s = a.service.AddUser(r); !s.ok()) return s;
        std::printf("user %s added\n", r.name.c_str());
        return Status::Ok();
      });
    };
  });

  user->add_subcommand("list", "List registered users")->callback([&ctx] {
    ctx.run = [&ctx] {
      return WithAccounts(ctx, [](Accounts& a) -> Status {
        auto list = a.service.ListUsers();
        if (!list) return list.status();
        for (const auto& u : *list) {
          auto info = a.service.User(u.name, true);
          std::printf("%-16s uid %-8lld %s %s %s\n", u.name.c_str(),
                      static_cast<long long>(info ? info->uid : -1), u.firstname.c_str(),
                      u.lastname.c_str(), u.email.c_str());
        }
        return Status::Ok();
      });
    };
  });

  auto show_name = std::make_shared<std::string>();
  auto* show = user->add_subcommand("show", "A user's details, projects, roles and groups");
  show->add_option("name", *show_name, "API user name")->required();
  show->callback([&ctx, show_name] {
    ctx.run = [&ctx, show_name] {
      return WithAccounts(ctx, [&](Accounts& a) -> Status {
        auto info = a.service.User(*show_name, false);
        if (!info) return info.status();
        const UserRecord& d = info->details;
        std::printf("user %s  uid %lld  %s %s %s  %s\n", info->name.c_str(),
                    static_cast<long long>(info->uid), d.firstname.c_str(), d.middlename.c_str(),
                    d.lastname.c_str(), d.email.c_str());
        auto roles = a.service.Roles(*show_name);
        if (!roles) return roles.status();
        for (const auto& r : *roles)
          std::printf("  project %-16s %s\n", r.membership.repo_name.c_str(),
                      RoleTitle(r.membership.role).c_str());
        auto groups = a.groups.GroupsOf(*show_name);
        if (!groups) return groups.status();
        for (const auto& g : *groups)
          std::printf("  group %-8s gid %lld (project %s)\n", g.record.name.c_str(),
                      static_cast<long long>(g.record.gid), g.record.repo_name.c_str());
        return Status::Ok();
      });
    };
  });

  auto remove_name = std::make_shared<std::string>();
  auto* remove =
      user->add_subcommand("remove", "Forget a user and take them out of every project and group");
  remove->add_option("name", *remove_name, "API user name")->required();
  remove->callback([&ctx, remove_name] {
    ctx.run = [&ctx, remove_name] {
      return WithAccounts(ctx, [&](Accounts& a) { return a.service.RemoveUser(*remove_name); });
    };
  });
}

void AddProject(CLI::App& app, CommandContext& ctx) {
  auto* project = app.add_subcommand("project", "Projects: allocations, members and their roles");
  project->require_subcommand(1);

  struct AddArgs {
    std::string repo, pi;
    AllocationArgs allocation;
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = project->add_subcommand("add",
                                      "Create a project (its name is the account jobs "
                                      "charge, sbatch -A)");
  add->add_option("repo_name", args->repo, "Project name")->required();
  add->add_option("--pi", args->pi, "Its PI (a user)");
  args->allocation.AddTo(add);
  add->callback([&ctx, args, add] {
    ctx.run = [&ctx, args, add] {
      return WithAccounts(ctx, [&](Accounts& a) -> Status {
        ProjectRecord p;
        p.repo_name = args->repo;
        if (Status s = args->allocation.Apply(add, p); !s.ok()) return s;
        auto id = a.service.AddProject(p, args->pi);
        if (!id) return id.status();
        std::printf("project %s added (id %lld)\n", p.repo_name.c_str(),
                    static_cast<long long>(*id));
        return Status::Ok();
      });
    };
  });

  project->add_subcommand("list", "List projects with hours given and used")->callback([&ctx] {
    ctx.run = [&ctx] {
      return WithAccounts(ctx, [](Accounts& a) -> Status {
        auto list = a.service.ListProjects();
        if (!list) return list.status();
        std::printf("%-16s %6s %12s %12s %8s  %s\n", "PROJECT", "ID", "HOURS-GIVEN", "HOURS-USED",
                    "MEMBERS", "DESCRIPTION");
        for (const auto& p : *list) {
          auto usage = a.service.Usage(p.repo_name);
          auto members = a.service.Members(p.id);
          std::printf("%-16s %6lld %12.2f %12.2f %8zu  %s\n", p.repo_name.c_str(),
                      static_cast<long long>(p.id), p.cpu_hours_given + p.gpu_hours_given,
                      usage ? usage->hours : 0.0, members ? members->size() : 0,
                      p.description.c_str());
        }
        return Status::Ok();
      });
    };
  });

  auto show_repo = std::make_shared<std::string>();
  auto* show = project->add_subcommand("show", "A project's allocation, usage, members, groups");
  show->add_option("repo_name", *show_repo, "Project name")->required();
  show->callback([&ctx, show_repo] {
    ctx.run = [&ctx, show_repo] {
      return WithAccounts(ctx, [&](Accounts& a) -> Status {
        auto p = a.service.Project(*show_repo);
        if (!p) return p.status();
        PrintProject(a, *p);
        return Status::Ok();
      });
    };
  });

  auto remove_repo = std::make_shared<std::string>();
  auto* remove = project->add_subcommand(
      "remove", "Remove a project with its memberships and groups (Unix groups deleted too)");
  remove->add_option("repo_name", *remove_repo, "Project name")->required();
  remove->callback([&ctx, remove_repo] {
    ctx.run = [&ctx, remove_repo] {
      return WithAccounts(ctx, [&](Accounts& a) { return a.service.RemoveProject(*remove_repo); });
    };
  });

  struct MemberArgs {
    std::string repo, user, role = "member";
  };
  auto member = std::make_shared<MemberArgs>();
  auto* add_member =
      project->add_subcommand("add-member", "Add a user to a project, or change their role");
  add_member->add_option("repo_name", member->repo, "Project name")->required();
  add_member->add_option("user", member->user, "API user name")->required();
  add_member->add_option("--role", member->role, "pi, pi_proxy or member (default)")
      ->check(CLI::IsMember({"pi", "pi_proxy", "member"}));
  add_member->callback([&ctx, member] {
    ctx.run = [&ctx, member] {
      return WithAccounts(ctx, [&](Accounts& a) -> Status {
        if (Status s = a.service.SetMember(member->repo, member->user, member->role); !s.ok())
          return s;
        std::printf("%s is %s of %s\n", member->user.c_str(), RoleTitle(member->role).c_str(),
                    member->repo.c_str());
        return Status::Ok();
      });
    };
  });

  auto gone = std::make_shared<MemberArgs>();
  auto* remove_member = project->add_subcommand("remove-member", "Take a user out of a project");
  remove_member->add_option("repo_name", gone->repo, "Project name")->required();
  remove_member->add_option("user", gone->user, "API user name")->required();
  remove_member->callback([&ctx, gone] {
    ctx.run = [&ctx, gone] {
      return WithAccounts(
          ctx, [&](Accounts& a) { return a.service.RemoveMember(gone->repo, gone->user); });
    };
  });

  struct AllocArgs {
    std::string repo;
    AllocationArgs allocation;
  };
  auto alloc = std::make_shared<AllocArgs>();
  auto* set = project->add_subcommand(
      "set-allocation", "Change a project's hours, folders or quotas (only the options given)");
  set->add_option("repo_name", alloc->repo, "Project name")->required();
  alloc->allocation.AddTo(set);
  set->callback([&ctx, alloc, set] {
    ctx.run = [&ctx, alloc, set] {
      return WithAccounts(ctx, [&](Accounts& a) -> Status {
        auto p = a.service.Project(alloc->repo);
        if (!p) return p.status();
        if (Status s = alloc->allocation.Apply(set, *p); !s.ok()) return s;
        if (Status s = a.service.UpdateProject(*p); !s.ok()) return s;
        PrintProject(a, *p);
        return Status::Ok();
      });
    };
  });
}

}  // namespace

void AddAccountCommands(CLI::App& app, CommandContext& ctx) {
  AddUser(app, ctx);
  AddProject(app, ctx);
}

}  // namespace sfapid::cmd
