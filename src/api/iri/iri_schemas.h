// The IRI v2 component schemas of the OpenAPI document (spec §2-§5), as the spec defines them.
#pragma once

#include <boost/json/object.hpp>

namespace sfapid::iri {

void AddIriSchemas(boost::json::object& schemas);

}  // namespace sfapid::iri
