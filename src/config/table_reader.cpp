// ValidSystemName: the one naming rule several sections share.
#include "config/table_reader.h"

namespace sfapid::config_reading {

bool ValidSystemName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  return true;
}

}  // namespace sfapid::config_reading
