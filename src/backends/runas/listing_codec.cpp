#include "backends/runas/listing_codec.h"

#include <boost/json.hpp>

#include "util/json_fields.h"

namespace sfapid {

namespace json = boost::json;

json::array EncodeListing(const std::vector<DirectoryEntry>& entries) {
  json::array out;
  out.reserve(entries.size());
  for (const auto& e : entries)
    out.push_back(json::object{{"permissions", e.permissions},
                               {"hardlinks", e.hardlinks},
                               {"owner", e.owner},
                               {"group", e.group},
                               {"size", e.size},
                               {"modified", e.modified.time_since_epoch().count()},
                               {"name", e.name}});
  return out;
}

Result<std::vector<DirectoryEntry>> DecodeListing(const json::array& encoded) {
  std::vector<DirectoryEntry> out;
  out.reserve(encoded.size());
  for (const auto& v : encoded) {
    if (!v.is_object()) return Status::Unavailable("a listing entry is not an object");
    const json::object& o = v.as_object();
    auto permissions = StringField(o, "permissions");
    auto hardlinks = IntField(o, "hardlinks");
    auto owner = StringField(o, "owner");
    auto group = StringField(o, "group");
    auto size = IntField(o, "size");
    auto modified = IntField(o, "modified");
    auto name = StringField(o, "name");
    for (const Status* s : {&permissions.status(), &hardlinks.status(), &owner.status(),
                            &group.status(), &size.status(), &modified.status(), &name.status()})
      if (!s->ok()) return *s;
    out.push_back({std::move(*permissions), *hardlinks, std::move(*owner), std::move(*group), *size,
                   TimePoint{std::chrono::seconds{*modified}}, std::move(*name)});
  }
  return out;
}

}  // namespace sfapid
