#include "core/web/password_factor.h"

#include "store/web_store.h"
#include "util/secret_tokens.h"

namespace sfapid {

namespace {

std::string Field(const SignInFields& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? "" : it->second;
}

// Unix account names as useradd takes them (and no longer): anything else is refused unchecked.
bool PlausibleAccountName(const std::string& name) {
  if (name.empty() || name.size() > 32 || name.front() == '-') return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  return true;
}

}  // namespace

std::string PasswordFactor::Claimed(const SignInFields& fields) const {
  const std::string user = Field(fields, "username");
  return PlausibleAccountName(user) ? user : "";
}

Result<std::string> PasswordFactor::Identify(const SignInFields& fields) {
  const std::string user = Field(fields, "username");
  const std::string password = Field(fields, "password");
  if (!PlausibleAccountName(user) || password.empty() || password.size() > 1024)
    return Status::Unauthenticated("wrong user name or password");
  if (Status s = check_.Check(user, password); !s.ok()) return s;
  return user;
}

Result<std::string> LinkFactor::Identify(const SignInFields& fields) {
  const std::string link = Field(fields, "link");
  if (link.empty() || link.size() > 128)
    return Status::Unauthenticated("this sign-in link is not valid");
  auto user = store_.ConsumeSignInLink(Sha256Hex(link), Now());
  if (!user)
    return user.status().code() == Code::kNotFound
               ? Status::Unauthenticated(
                     "this sign-in link is unknown, used or expired; ask for a new one")
               : user.status();
  return user;
}

}  // namespace sfapid
