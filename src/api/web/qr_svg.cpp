#include "api/web/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace sfapid::web {

std::string QrSvg(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!code) return "";
  const int width = code->width;
  const int border = 4;  // the quiet zone scanners need
  const int size = width + 2 * border;
  const std::string n = std::to_string(size), px = std::to_string(size * 6);
  std::string svg;
  svg.reserve(64 + static_cast<size_t>(width) * width * 12);
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ";
  svg += n;
  svg += ' ';
  svg += n;
  svg += "\" width=\"";
  svg += px;
  svg += "\" height=\"";
  svg += px;
  svg +=
      "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code of your TOTP secret\">";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < width; ++y)
    for (int x = 0; x < width; ++x)
      if (code->data[y * width + x] & 1) {  // bit 0: a dark module
        svg += 'M';
        svg += std::to_string(x + border);
        svg += ',';
        svg += std::to_string(y + border);
        svg += "h1v1h-1z";
      }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace sfapid::web
