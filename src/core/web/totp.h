// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), through liboath.
// The secrets are what authenticator apps import (base32, as in otpauth:// URIs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/time_format.h"

namespace sfapid {

inline constexpr int kTotpStepSeconds = 30;

// 20 random bytes (RFC 4226's recommended 160 bits), base32 without padding.
std::string NewTotpSecret();
// otpauth://totp/<issuer>:<user>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string TotpUri(const std::string& issuer, const std::string& user,
                    const std::string& secret_base32);
// The time step `code` is right for, within one step either side of `now` (clock drift), or
// nullopt. Whether that step was used before is the caller's to check (WebStore::UseTotpStep).
std::optional<int64_t> MatchTotp(const std::string& secret_base32, const std::string& code,
                                 TimePoint now);
// The code for a time: for tests and the `sfapid user totp-code` of a test set-up.
std::string TotpCode(const std::string& secret_base32, TimePoint at);

}  // namespace sfapid
