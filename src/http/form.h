// Request bodies and query strings as the SFAPI sends them: application/x-www-form-urlencoded
// forms and multipart/form-data uploads. Repeated keys are kept in order, so "args=1&args=2"
// reads as a list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "util/status.h"

namespace sfapid::http {

struct FormField {
  std::string name;
  std::string value;         // the text, or a file's bytes
  std::string filename;      // multipart file parts only
  std::string content_type;  // multipart parts only
  bool is_file = false;
};

struct Form {
  std::vector<FormField> fields;

  const FormField* Field(std::string_view name) const;
  const std::string* Get(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;
};

// "a=1&b=x%20y&a=2" → ordered pairs. A malformed escape is an InvalidArgument naming the key.
Result<Params> ParseUrlEncoded(std::string_view text);

// Parses a body by its Content-Type: urlencoded, multipart (boundary from the header), or an empty
// body of any type. Anything else is an InvalidArgument saying which types are accepted.
Result<Form> ParseForm(std::string_view content_type, std::string_view body);

}  // namespace sfapid::http
