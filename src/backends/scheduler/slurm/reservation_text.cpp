#include "backends/scheduler/slurm/reservation_text.h"

#include "backends/scheduler/slurm/hostlist.h"
#include "backends/scheduler/slurm/slurm_command.h"
#include "backends/scheduler/slurm_time.h"
#include "util/split.h"

namespace sfapid::slurm {

namespace {

// "Key=Value Key=Value ...": scontrol's one-line form; values hold no spaces.
std::map<std::string, std::string, std::less<>> Fields(std::string_view line) {
  std::map<std::string, std::string, std::less<>> fields;
  for (const std::string& token : SplitList(std::string(line), ' ')) {
    const size_t eq = token.find('=');
    if (eq != std::string::npos) fields[token.substr(0, eq)] = token.substr(eq + 1);
  }
  return fields;
}

}  // namespace

Result<std::optional<PlacedReservation>> ParseReservationLine(std::string_view line, int64_t now) {
  const std::string text = Trim(std::string(line));
  if (text.starts_with("Reservation ") && text.ends_with(" not found"))
    return std::optional<PlacedReservation>();
  auto f = Fields(text);
  const auto name = f.find("ReservationName");
  const auto start = f.find("StartTime"), end = f.find("EndTime");
  if (name == f.end() || start == f.end() || end == f.end())
    return Status::Internal("scontrol show reservation printed something unexpected: " + text);
  PlacedReservation r;
  r.name = name->second;
  auto s = ParseBegin(start->second, now), e = ParseBegin(end->second, now);
  if (!s || !e)
    return Status::Internal("scontrol show reservation printed an unreadable time: " + text);
  r.start = *s;
  r.end = *e;
  auto nodes = ExpandHostlist(f.count("Nodes") ? f["Nodes"] : "");
  if (!nodes)
    return Status::Internal("scontrol show reservation printed unreadable nodes: " + text);
  r.node_names = std::move(*nodes);
  r.active = f["State"] == "ACTIVE";
  if (f["Accounts"] != "(null)") r.account = f["Accounts"];
  if (f["Users"] != "(null)") r.unix_users = SplitList(f["Users"]);
  return std::optional<PlacedReservation>(std::move(r));
}

Result<ReservationMap> ParseReservationList(std::string_view text, int64_t now) {
  ReservationMap all;
  if (Trim(std::string(text)) == "No reservations in the system") return all;
  for (const std::string& line : SplitList(text, '\n')) {
    auto r = ParseReservationLine(line, now);
    if (!r) return r.status();
    if (*r) all[(*r)->name] = std::move(**r);
  }
  return all;
}

}  // namespace sfapid::slurm
