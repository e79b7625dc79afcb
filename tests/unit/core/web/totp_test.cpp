// TOTP against RFC 6238's own test vectors (SHA-1 secret "12345678901234567890"; the 6-digit codes
// are the last six digits of the RFC's eight), the drift window and malformed codes.
#include "core/web/totp.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

// base32 of the ASCII "12345678901234567890".
constexpr const char* kRfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

TimePoint At(int64_t unix_seconds) { return TimePoint{std::chrono::seconds{unix_seconds}}; }

TEST(Totp, MatchesTheRfc6238Vectors) {
  EXPECT_EQ(TotpCode(kRfcSecret, At(59)), "287082");
  EXPECT_EQ(TotpCode(kRfcSecret, At(1111111109)), "081804");
  EXPECT_EQ(TotpCode(kRfcSecret, At(1234567890)), "005924");
  EXPECT_EQ(TotpCode(kRfcSecret, At(2000000000)), "279037");
  EXPECT_EQ(MatchTotp(kRfcSecret, "005924", At(1234567890)), 1234567890 / 30);
}

TEST(Totp, AcceptsOneStepOfDriftEitherSideAndNoMore) {
  const TimePoint t = At(1234567890);
  const std::string code = TotpCode(kRfcSecret, t);
  EXPECT_EQ(MatchTotp(kRfcSecret, code, t + std::chrono::seconds(30)), 1234567890 / 30);
  EXPECT_EQ(MatchTotp(kRfcSecret, code, t - std::chrono::seconds(30)), 1234567890 / 30);
  EXPECT_FALSE(MatchTotp(kRfcSecret, code, t + std::chrono::seconds(90)));
  EXPECT_FALSE(MatchTotp(kRfcSecret, code, t - std::chrono::seconds(90)));
}

TEST(Totp, RefusesMalformedCodesAndSecrets) {
  const TimePoint t = At(1234567890);
  for (const char* bad : {"", "00592", "0059244", "00592a", " 05924", "005 24"})
    EXPECT_FALSE(MatchTotp(kRfcSecret, bad, t)) << bad;
  EXPECT_FALSE(MatchTotp("not base32 at all!", "005924", t));
}

TEST(Totp, NewSecretsAre160BitsOfBase32AndDiffer) {
  const std::string a = NewTotpSecret(), b = NewTotpSecret();
  EXPECT_EQ(a.size(), 32u);  // 20 bytes
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << c;
  EXPECT_EQ(TotpCode(a, Now()).size(), 6u);
}

TEST(Totp, TheUriIsWhatAuthenticatorAppsImport) {
  EXPECT_EQ(TotpUri("My Site", "al ice", "ABC"),
            "otpauth://totp/My%20Site:al%20ice?secret=ABC&issuer=My%20Site&algorithm=SHA1"
            "&digits=6&period=30");
}

}  // namespace
}  // namespace sfapid
