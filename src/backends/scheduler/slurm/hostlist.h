// Slurm's compressed host lists ("nid[001-003,007],login01") written out name by name, as
// scontrol prints a reservation's nodes and the API shows them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfapid::slurm {

// Every host in order; "" and "(null)" are empty. nullopt when the text is not a host list
// (an unclosed bracket, a range running backwards, more than `limit` names).
std::optional<std::vector<std::string>> ExpandHostlist(std::string_view text,
                                                       size_t limit = 100000);

}  // namespace sfapid::slurm
