// [facility] and [facility.site]: the centre's description for the IRI facility API.
#include <cctype>

#include "config/section_readers.h"

namespace sfapid::config_reading {

namespace {

// An id in IRI URLs: letters, digits, '.', '_', '~' or '-' (the spec's path segment rule).
bool ValidId(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '~' &&
        c != '-')
      return false;
  return true;
}

}  // namespace

void ReadFacility(TableReader& root, FacilityConfig& f) {
  const toml::table* t = root.Table("facility");
  if (!t) return;
  TableReader r(*t, root.source(), "facility");
  r.Read("short_name", f.short_name);
  r.Read("name", f.name);
  r.Read("description", f.description);
  r.Read("organization_name", f.organization_name);
  r.Read("support_uri", f.support_uri);
  r.Require(ValidId(f.short_name), "short_name",
            "must be 1-64 letters, digits, '.', '_', '~' or '-' (it is the facility's id)");
  r.Require(f.support_uri.empty() || ((f.support_uri.rfind("https://", 0) == 0 ||
                                       f.support_uri.rfind("http://", 0) == 0) &&
                                      f.support_uri.size() <= 2083),
            "support_uri", "must be an http(s) URL of at most 2083 characters");
  if (const toml::table* st = r.Table("site")) {
    SiteConfig& s = f.site;
    TableReader sr(*st, root.source(), "facility.site");
    sr.Read("short_name", s.short_name);
    sr.Read("name", s.name);
    sr.Read("description", s.description);
    sr.Read("operating_organization", s.operating_organization);
    sr.Read("country_name", s.country_name);
    sr.Read("locality_name", s.locality_name);
    sr.Read("state_or_province_name", s.state_or_province_name);
    sr.Read("street_address", s.street_address);
    sr.Read("unlocode", s.unlocode);
    sr.ReadSigned("latitude", s.latitude);
    sr.ReadSigned("longitude", s.longitude);
    sr.ReadSigned("altitude", s.altitude);
    sr.RejectUnknown();
    sr.Require(ValidId(s.short_name), "short_name",
               "must be 1-64 letters, digits, '.', '_', '~' or '-' (it is the site's id)");
    sr.Require(!s.latitude || (*s.latitude >= -90 && *s.latitude <= 90), "latitude",
               "must be between -90 and 90");
    sr.Require(!s.longitude || (*s.longitude >= -180 && *s.longitude <= 180), "longitude",
               "must be between -180 and 180");
  }
  r.RejectUnknown();
}

}  // namespace sfapid::config_reading
