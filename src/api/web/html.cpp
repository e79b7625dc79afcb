#include "api/web/html.h"

namespace sfapid::web {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         Escape(title) +
         "</title><link rel=\"stylesheet\" href=\"/web/assets/site.css\"></head><body>"
         "<header><nav aria-label=\"Site\"><a href=\"/\">Your profile</a> "
         "<a href=\"/status\">System status</a> <a href=\"/api/v1.2/\">API documentation</a>"
         "</nav></header><main>" +
         body + "</main></body></html>\n";
}

}  // namespace sfapid::web
