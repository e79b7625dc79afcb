#include "http/form.h"

#include <gtest/gtest.h>

namespace sfapid::http {
namespace {

TEST(UrlEncoded, RepeatedKeysBecomeLists) {
  auto f = ParseForm("application/x-www-form-urlencoded",
                     "job=%2Fhome%2Fx.sh&isPath=true&args=1&args=2+3&kwargs=a%3Db&empty=&flag");
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(*f->Get("job"), "/home/x.sh");
  EXPECT_EQ(f->GetAll("args"), (std::vector<std::string>{"1", "2 3"}));
  EXPECT_EQ(*f->Get("kwargs"), "a=b");
  EXPECT_EQ(*f->Get("empty"), "");
  EXPECT_EQ(*f->Get("flag"), "");
  EXPECT_EQ(f->Get("missing"), nullptr);
}

TEST(UrlEncoded, MalformedEscapeNamesTheKey) {
  auto f = ParseForm("application/x-www-form-urlencoded; charset=utf-8", "ok=1&job=%G1");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.status().message(), "malformed %-escape in the value of 'job'");
  EXPECT_FALSE(ParseUrlEncoded("a%=1"));
  EXPECT_FALSE(ParseUrlEncoded("a=%4"));
}

constexpr char kMultipart[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "line1\r\n\0binary--XyZ-ish\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"note\"\r\n"
    "\r\n"
    "hello\r\n"
    "--XyZ--\r\n";

TEST(Multipart, FilesAndFields) {
  std::string body(kMultipart, sizeof kMultipart - 1);
  auto f = ParseForm("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(f) << f.status().message();
  ASSERT_EQ(f->fields.size(), 2u);
  const FormField* file = f->Field("file");
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->is_file);
  EXPECT_EQ(file->filename, "upload");
  EXPECT_EQ(file->content_type, "application/octet-stream");
  EXPECT_EQ(file->value, std::string("line1\r\n\0binary--XyZ-ish", 23));
  EXPECT_EQ(*f->Get("note"), "hello");
}

TEST(Multipart, EmptyFileIsAllowed) {
  auto f = ParseForm("multipart/form-data; boundary=\"b\"",
                     "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e\"\r\n\r\n"
                     "\r\n--b--\r\n");
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(*f->Get("file"), "");
}

TEST(Multipart, MalformedBodiesAreRejected) {
  const char* type = "multipart/form-data; boundary=b";
  EXPECT_FALSE(ParseForm("multipart/form-data", "--b--"));  // no boundary parameter
  EXPECT_FALSE(ParseForm(type, "no boundary here"));
  EXPECT_FALSE(
      ParseForm(type, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated"));
  EXPECT_FALSE(ParseForm(type, "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--"));  // no name
  EXPECT_FALSE(ParseForm(type, "--b\r\nbroken header line\r\n\r\nx\r\n--b--"));
  EXPECT_FALSE(ParseForm(type, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nx\r\n--b--"));
}

TEST(Form, UnsupportedTypeSaysWhatIsAccepted) {
  auto f = ParseForm("application/json", "{}");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.status().message(),
            "unsupported Content-Type 'application/json': send application/x-www-form-urlencoded "
            "or multipart/form-data");
  EXPECT_TRUE(ParseForm("", ""));  // an empty body of any type is an empty form
}

}  // namespace
}  // namespace sfapid::http
