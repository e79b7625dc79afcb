// [facility] and [facility.site]: how the centre describes itself to the IRI facility API
// (GET /api/v2/facility, /facility/sites). One sfapid deployment is one facility with one site.
#pragma once

#include <optional>
#include <string>

namespace sfapid {

struct SiteConfig {
  std::string short_name = "main";  // also the site's id in URLs
  std::string name;                 // empty: the facility's name
  std::string description;
  std::string operating_organization;  // empty: the facility's organization_name
  std::string country_name, locality_name, state_or_province_name, street_address, unlocode;
  std::optional<double> latitude, longitude, altitude;
};

struct FacilityConfig {
  std::string short_name = "sfapid";  // also the facility's id
  std::string name = "sfapid facility";
  std::string description;
  std::string organization_name;
  std::string support_uri;  // an http(s) URL, or empty
  SiteConfig site;
};

}  // namespace sfapid
