// Fuzzes the request-body parsers every POST and PUT goes through: urlencoded forms and multipart
// uploads. The first byte picks the Content-Type so one corpus explores both.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const char* type = data[0] % 3 == 0   ? "application/x-www-form-urlencoded"
                     : data[0] % 3 == 1 ? "multipart/form-data; boundary=XyZ"
                                        : "multipart/form-data; boundary=\"a b\"";
  auto form = sfapid::http::ParseForm(type, body);
  if (form)
    for (const auto& f : form->fields) (void)form->GetAll(f.name);
  return 0;
}
