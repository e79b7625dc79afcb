#include "store/web_store.h"

namespace sfapid {

const char* ToString(SessionStage stage) {
  switch (stage) {
    case SessionStage::kSecondFactor:
      return "second_factor";
    case SessionStage::kEnrolling:
      return "enrolling";
    case SessionStage::kSignedIn:
      return "signed_in";
  }
  return "second_factor";
}

std::optional<SessionStage> ParseSessionStage(std::string_view text) {
  for (auto s : {SessionStage::kSecondFactor, SessionStage::kEnrolling, SessionStage::kSignedIn})
    if (text == ToString(s)) return s;
  return std::nullopt;
}

}  // namespace sfapid
