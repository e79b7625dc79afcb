// The IRI JobSpec (spec §3) on the wire: parsed and checked into core's BatchJobSpec — an unknown
// top-level key, a wrong type, an empty string or a count below 1 is a 400 naming the field —
// and written back in one canonical form (every field, defaults filled, keys sorted): the
// Idempotency-Key fingerprint hashes it, so two bodies that mean the same job are the same.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <variant>
#include <vector>

#include "api/iri/problem.h"
#include "core/compute/batch_job_spec.h"

namespace sfapid::iri {

// The spec, or the bad fields ("body.resources.node_count": "must be an integer of at least 1").
std::variant<BatchJobSpec, std::vector<InvalidParam>> ParseJobSpec(const boost::json::value& v);

// The canonical JSON text of a spec.
std::string CanonicalJobSpec(const BatchJobSpec& spec);

// JSON text with every object's keys sorted, at every depth.
std::string SortedJson(const boost::json::value& v);

}  // namespace sfapid::iri
