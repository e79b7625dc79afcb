#include "http/form.h"

#include <algorithm>
#include <cctype>

#include "util/percent.h"

namespace sfapid::http {

const FormField* Form::Field(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

const std::string* Form::Get(std::string_view name) const {
  const FormField* f = Field(name);
  return f ? &f->value : nullptr;
}

std::vector<std::string> Form::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}

Result<Params> ParseUrlEncoded(std::string_view text) {
  Params out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view pair = text.substr(pos, amp - pos);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string_view raw_key = pair.substr(0, eq);
      const std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      auto key = PercentDecode(raw_key, true);
      if (!key)
        return Status::InvalidArgument("malformed %-escape in the name '" + std::string(raw_key) +
                                       "'");
      auto value = PercentDecode(raw_value, true);
      if (!value)
        return Status::InvalidArgument("malformed %-escape in the value of '" + *key + "'");
      out.emplace_back(std::move(*key), std::move(*value));
    }
    pos = amp + 1;
  }
  return out;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The value of a header parameter such as boundary=... or name="...", or nullopt.
std::optional<std::string> HeaderParam(std::string_view header, std::string_view param) {
  size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    ++pos;
    std::string_view rest = Trim(header.substr(pos));
    const size_t eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (Lower(Trim(rest.substr(0, eq))) != param) continue;
    std::string_view v = Trim(rest.substr(eq + 1));
    if (!v.empty() && v.front() == '"') {
      std::string out;
      for (size_t i = 1; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size())
          out.push_back(v[++i]);
        else if (v[i] == '"')
          return out;
        else
          out.push_back(v[i]);
      }
      return std::nullopt;  // unterminated quote
    }
    const size_t end = v.find(';');
    return std::string(Trim(v.substr(0, end)));
  }
  return std::nullopt;
}

Result<Form> ParseMultipart(std::string_view content_type, std::string_view body) {
  auto boundary = HeaderParam(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200)
    return Status::InvalidArgument("multipart/form-data body without a usable boundary parameter");
  const std::string delimiter = "--" + *boundary;
  Form form;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos)
    return Status::InvalidArgument("multipart body does not contain its boundary");
  pos += delimiter.size();
  for (;;) {
    if (body.substr(pos, 2) == "--") return form;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n")
      return Status::InvalidArgument("multipart body: malformed boundary line");
    pos += 2;
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos)
      return Status::InvalidArgument("multipart body: a part has no end of headers");
    FormField field;
    bool has_disposition = false;
    std::string_view headers = body.substr(pos, headers_end - pos);
    while (!headers.empty()) {
      size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos)
        return Status::InvalidArgument("multipart body: malformed part header");
      const std::string name = Lower(Trim(line.substr(0, colon)));
      const std::string_view value = Trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        if (Lower(value.substr(0, 9)) != "form-data")
          return Status::InvalidArgument("multipart body: a part is not form-data");
        auto n = HeaderParam(value, "name");
        if (!n) return Status::InvalidArgument("multipart body: a part has no name");
        field.name = *n;
        if (auto f = HeaderParam(value, "filename")) {
          field.filename = *f;
          field.is_file = true;
        }
        has_disposition = true;
      } else if (name == "content-type") {
        field.content_type = std::string(value);
      }
    }
    if (!has_disposition)
      return Status::InvalidArgument("multipart body: a part has no Content-Disposition header");
    pos = headers_end + 4;
    const size_t next = body.find("\r\n" + delimiter, pos);
    if (next == std::string_view::npos)
      return Status::InvalidArgument("multipart body ends before its closing boundary");
    field.value = std::string(body.substr(pos, next - pos));
    form.fields.push_back(std::move(field));
    pos = next + 2 + delimiter.size();
  }
}

}  // namespace

Result<Form> ParseForm(std::string_view content_type, std::string_view body) {
  const std::string type = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (type == "application/x-www-form-urlencoded") {
    auto pairs = ParseUrlEncoded(body);
    if (!pairs) return pairs.status();
    Form form;
    for (auto& [k, v] : *pairs) form.fields.push_back({k, v, "", "", false});
    return form;
  }
  if (type == "multipart/form-data") return ParseMultipart(content_type, body);
  if (body.empty()) return Form{};
  return Status::InvalidArgument(
      "unsupported Content-Type '" + std::string(content_type) +
      "': send application/x-www-form-urlencoded or multipart/form-data");
}

}  // namespace sfapid::http
