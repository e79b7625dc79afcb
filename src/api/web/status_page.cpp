// GET /status: the facility's status as a person reads it, public like GET /api/v1.2/status and
// made from the same snapshot: each system's state and since when, outages going on now (until
// when) and planned ones, and the operators' notes. Plain HTML, no script: it works everywhere
// and refreshes itself every minute.
#include <algorithm>

#include "api/web/html.h"
#include "api/web/web_api.h"
#include "api/web/web_security.h"

namespace sfapid::web {

namespace {

// "2026-12-04 06:03 UTC" for people, the full ISO 8601 for machines.
std::string When(TimePoint t) {
  const std::string iso = FormatIso8601(t);
  return "<time datetime=\"" + iso + "\">" + iso.substr(0, 10) + " " + iso.substr(11, 5) +
         " UTC</time>";
}

const std::string& Label(const SystemConfig* system, const std::string& name) {
  return system && !system->full_name.empty() ? system->full_name : name;
}

bool Over(const OutageRecord& o) {
  return o.status && (*o.status == "Cancelled" || *o.status == "Completed");
}

std::string OutageRow(const OutageRecord& o, const SystemConfig* system) {
  const char* effect = o.swo == "true" ? "down" : o.swo == "degr" ? "degraded" : "up throughout";
  return "<tr><td>" + Escape(Label(system, o.name)) + "</td><td>" + When(o.start_at) + "</td><td>" +
         When(o.end_at) + "</td><td>" + effect + "</td><td>" + Escape(o.description) +
         (o.notes.empty() ? "" : " — " + Escape(o.notes)) + "</td></tr>";
}

std::string OutageTable(const std::string& caption, const std::vector<std::string>& rows,
                        const std::string& none) {
  if (rows.empty()) return "<h2>" + caption + "</h2><p>" + none + "</p>";
  std::string out = "<h2>" + caption +
                    "</h2><table><thead><tr><th scope=\"col\">System</th>"
                    "<th scope=\"col\">From</th><th scope=\"col\">Until</th>"
                    "<th scope=\"col\">The system is</th><th scope=\"col\">What</th></tr></thead>"
                    "<tbody>";
  for (const auto& r : rows) out += r;
  return out + "</tbody></table>";
}

std::string Render(const StatusSnapshot& snap) {
  const TimePoint now = Now();
  std::string body = "<h1>System status</h1><p class=\"muted\">As of " + When(now) +
                     ". This page refreshes itself every minute; the same is at "
                     "<a href=\"/api/v1.2/status\">/api/v1.2/status</a>.</p>";
  body +=
      "<table id=\"systems\"><caption>Systems</caption><thead><tr><th scope=\"col\">System"
      "</th><th scope=\"col\">Status</th><th scope=\"col\">Since</th><th scope=\"col\">"
      "Details</th></tr></thead><tbody>";
  for (const auto& s : snap.systems) {
    std::string details = Escape(s.description);
    for (const auto& n : s.notes) details += "<br>" + Escape(n);
    const std::string& label = Label(s.system, s.system->name);
    const std::string aside =
        label == s.system->name ? ""
                                : " <span class=\"muted\">(" + Escape(s.system->name) + ")</span>";
    body += "<tr><th scope=\"row\">" + Escape(label) + aside +
            "</th><td><span class=\"state state-" + Escape(s.status) + "\">" + Escape(s.status) +
            "</span></td><td>" + When(s.updated_at) + "</td><td>" + details + "</td></tr>";
  }
  body += "</tbody></table>";

  std::vector<const OutageRecord*> current, planned;
  std::map<std::string, const SystemConfig*> by_name;
  for (const auto& s : snap.systems) by_name[s.system->name] = s.system;
  for (const auto& [name, list] : snap.outages)
    for (const auto& o : list) {
      if (Over(o) || o.end_at <= now) continue;
      (o.start_at <= now ? current : planned).push_back(&o);
    }
  auto by_start = [](const OutageRecord* a, const OutageRecord* b) {
    return a->start_at < b->start_at;
  };
  std::sort(current.begin(), current.end(), by_start);
  std::sort(planned.begin(), planned.end(), by_start);
  std::vector<std::string> rows;
  for (const auto* o : current) rows.push_back(OutageRow(*o, by_name[o->name]));
  body += OutageTable("Outages now", rows, "None.");
  rows.clear();
  for (const auto* o : planned) rows.push_back(OutageRow(*o, by_name[o->name]));
  body += OutageTable("Planned outages", rows, "None planned.");

  std::string notes;
  for (const auto& [name, list] : snap.notes)
    for (const auto& n : list)
      if (n.active)
        notes += "<li><strong>" + Escape(Label(by_name[name], name)) + "</strong> (" +
                 When(n.timestamp) + "): " + Escape(n.notes) + "</li>";
  body += "<h2>Notes</h2>" + (notes.empty() ? "<p>None.</p>" : "<ul>" + notes + "</ul>");
  return Page("System status", body);
}

}  // namespace

void AddStatusPage(WebContext& ctx) {
  ctx.router.Add({.method = "GET",
                  .pattern = "/status",
                  .handler =
                      [&ctx](http::Request&) {
                        http::Response r = http::Response::Text(200, Render(*ctx.status.Snapshot()),
                                                                "text/html; charset=utf-8");
                        r.headers.emplace_back("Refresh", "60");
                        r.headers.emplace_back("Cache-Control", "no-cache");
                        return Secured(std::move(r));
                      },
                  .documented = false});
}

}  // namespace sfapid::web
