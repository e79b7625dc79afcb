// Fuzzes the configuration reader an operator's sfapid.toml goes through at every start and at
// `sfapid config check`: TOML parsing and every section's reader and cross-section checks. A
// malformed file must give an error naming the line, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = sfapid::ParseConfig(text, "fuzz.toml");
  if (config) (void)config->PublicBaseUrl();
  return 0;
}
