// A QR code as an SVG image (libqrencode), for the TOTP enrolment: authenticator apps scan it.
#pragma once

#include <string>

namespace sfapid::web {

// The SVG document, or "" when the text does not fit a QR code.
std::string QrSvg(const std::string& text);

}  // namespace sfapid::web
