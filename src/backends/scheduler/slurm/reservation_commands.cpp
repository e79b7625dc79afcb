#include "backends/scheduler/slurm/reservation_commands.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "backends/scheduler/slurm_time.h"
#include "util/split.h"

namespace sfapid::slurm {

namespace {

// Names as Slurm takes them for reservations, users, accounts and partitions.
bool IsName(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

// A feature expression (Features=): names joined by & | , with brackets, counts and '*'.
bool IsFeatureExpression(const std::string& s) {
  return s.size() <= 256 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isalnum(c) || std::string_view("_-.&|,()[]*:").find(static_cast<char>(c)) !=
                                         std::string_view::npos;
         });
}

Status BadValue(const std::string& what, const std::string& value) {
  return Status::InvalidArgument("Slurm does not take " + what + " '" + value + "'");
}

Result<std::string> UsersValue(const ReservationSpec& spec) {
  std::string users;
  for (const auto& u : spec.unix_users) {
    if (!IsName(u)) return BadValue("the user name", u);
    users += (users.empty() ? "" : ",") + u;
  }
  return users;
}

std::string TimeValue(int64_t t, int64_t now) { return t <= now ? "now" : FormatTimestamp(t); }

Status CheckCommon(const ReservationSpec& spec) {
  if (!IsName(spec.name)) return BadValue("the reservation name", spec.name);
  if (spec.nodes <= 0) return BadValue("the node count", std::to_string(spec.nodes));
  if (spec.end <= spec.start)
    return Status::InvalidArgument("the reservation ends before it starts");
  return Status::Ok();
}

bool Mentions(const std::string& text, std::string_view words) {
  return text.find(words) != std::string::npos;
}

}  // namespace

bool IsMadeFrom(const PlacedReservation& placed, const ReservationSpec& spec) {
  std::vector<std::string> have = placed.unix_users, want = spec.unix_users;
  std::sort(have.begin(), have.end());
  std::sort(want.begin(), want.end());
  return placed.name == spec.name && placed.account == spec.account && have == want &&
         placed.end == spec.end;
}

Result<std::vector<std::string>> CreateReservationArgs(const ReservationSpec& spec, int64_t now) {
  if (Status s = CheckCommon(spec); !s.ok()) return s;
  if (!IsName(spec.account)) return BadValue("the account", spec.account);
  auto users = UsersValue(spec);
  if (!users) return users.status();
  std::vector<std::string> args{"create",
                                "reservation",
                                "ReservationName=" + spec.name,
                                "StartTime=" + TimeValue(spec.start, now),
                                "EndTime=" + FormatTimestamp(spec.end),
                                "NodeCnt=" + std::to_string(spec.nodes),
                                "Accounts=" + spec.account};
  // Users and Accounts both given: a job must match both (Slurm's rule), so a listed user still
  // charges the project. No Users: every user of the account.
  if (!users->empty()) args.push_back("Users=" + *users);
  if (!spec.partition.empty()) {
    if (!IsName(spec.partition)) return BadValue("the partition", spec.partition);
    args.push_back("PartitionName=" + spec.partition);
  }
  if (!spec.constraint.empty()) {
    if (!IsFeatureExpression(spec.constraint)) return BadValue("the constraint", spec.constraint);
    args.push_back("Features=" + spec.constraint);
  }
  return args;
}

Result<std::vector<std::string>> UpdateReservationArgs(const ReservationSpec& spec,
                                                       const PlacedReservation& current,
                                                       int64_t now) {
  if (Status s = CheckCommon(spec); !s.ok()) return s;
  auto users = UsersValue(spec);
  if (!users) return users.status();
  std::vector<std::string> args{"update", "reservation", "ReservationName=" + spec.name};
  if (spec.start != current.start) args.push_back("StartTime=" + TimeValue(spec.start, now));
  args.push_back("EndTime=" + FormatTimestamp(spec.end));
  args.push_back("NodeCnt=" + std::to_string(spec.nodes));
  args.push_back("Users=" + *users);  // empty: back to every user of the account
  return args;
}

Status ScontrolFailure(const CommandResult& r, std::string_view what) {
  // stderr has the reason, once per layer ("Error updating the reservation: X" then
  // "slurm_update error: X"); stdout only notes about partitions.
  std::string words;
  for (const std::string& line : SplitList(r.err, '\n')) {
    const std::string l = Trim(line);
    if (l.empty() || l.starts_with("slurm_update error:")) continue;
    words += (words.empty() ? "" : "\n") + l;
  }
  if (words.empty()) words = Trim(r.out);
  if (words.empty())
    words = std::string(what) + " failed (scontrol exit " + std::to_string(r.exit_code) + ")";
  if (r.timed_out) return Status::Unavailable(words + " (timed out)");
  if (r.exit_code < 0 || Mentions(words, "Unable to contact slurm controller") ||
      Mentions(words, "Socket timed out") || Mentions(words, "Zero Bytes were transmitted"))
    return Status::Unavailable(words);
  if (Mentions(words, "Duplicate reservation name")) return Status::AlreadyExists(words);
  return Status::InvalidArgument(words);
}

Result<std::optional<PlacedReservation>> ShowReservation(SlurmCommands& commands,
                                                         const std::string& name, int64_t now) {
  if (!IsName(name)) return BadValue("the reservation name", name);
  auto r = commands.AsServer("scontrol", {"-o", "show", "reservation", name});
  if (r.exit_code != 0 && !Mentions(r.out, " not found"))
    return ScontrolFailure(r, "scontrol show reservation");
  return ParseReservationLine(r.out, now);
}

Result<ReservationMap> ShowAllReservations(SlurmCommands& commands, int64_t now) {
  auto r = commands.AsServer("scontrol", {"-o", "show", "reservation"});
  if (r.exit_code != 0) return ScontrolFailure(r, "scontrol show reservation");
  return ParseReservationList(r.out, now);
}

Result<PlacedReservation> CreateReservation(SlurmCommands& commands, const ReservationSpec& spec,
                                            int64_t now) {
  auto args = CreateReservationArgs(spec, now);
  if (!args) return args.status();
  auto r = commands.AsServer("scontrol", *args);
  const bool existed = r.exit_code != 0 && ScontrolFailure(r, "").code() == Code::kAlreadyExists;
  if (r.exit_code != 0 && !existed) return ScontrolFailure(r, "scontrol create reservation");
  auto placed = ShowReservation(commands, spec.name, now);
  // Made before a crash took the answer away, or someone else's of that name (an operator's
  // maintenance window): only the first is taken over, or cancelling would remove the other.
  if (existed && placed && *placed && !IsMadeFrom(**placed, spec))
    return Status::InvalidArgument(ScontrolFailure(r, "").message() + " (" + spec.name +
                                   " is another reservation in Slurm)");
  if (!placed) return placed.status();
  if (!*placed)
    return Status::Unavailable("Slurm made reservation " + spec.name + " but does not show it");
  return std::move(**placed);
}

Result<PlacedReservation> UpdateReservation(SlurmCommands& commands, const ReservationSpec& spec,
                                            int64_t now) {
  auto current = ShowReservation(commands, spec.name, now);
  if (!current) return current.status();
  if (!*current) return Status::InvalidArgument("Slurm has no reservation " + spec.name);
  auto args = UpdateReservationArgs(spec, **current, now);
  if (!args) return args.status();
  auto r = commands.AsServer("scontrol", *args);
  if (r.exit_code != 0) return ScontrolFailure(r, "scontrol update reservation");
  auto placed = ShowReservation(commands, spec.name, now);
  if (!placed) return placed.status();
  if (!*placed) return Status::Unavailable("reservation " + spec.name + " is gone from Slurm");
  return std::move(**placed);
}

Status DeleteReservation(SlurmCommands& commands, const std::string& name, int64_t now) {
  if (!IsName(name)) return BadValue("the reservation name", name);
  auto r = commands.AsServer("scontrol", {"delete", "ReservationName=" + name});
  if (r.exit_code == 0) return Status::Ok();
  // Gone already (deleted before a crash, or ended and purged by Slurm): what was wanted.
  auto still = ShowReservation(commands, name, now);
  if (still && !*still) return Status::Ok();
  return ScontrolFailure(r, "scontrol delete reservation");
}

Result<int> CountNodes(SlurmCommands& commands) {
  auto r = commands.AsServer("scontrol", {"-o", "show", "node"});
  if (r.exit_code != 0) return ScontrolFailure(r, "scontrol show node");
  int nodes = 0;
  for (const std::string& line : SplitList(r.out, '\n'))
    if (line.starts_with("NodeName=")) ++nodes;
  return nodes;
}

}  // namespace sfapid::slurm
