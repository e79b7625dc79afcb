// [[systems.locations]] and [[systems.access_endpoints]]: what is read, and every value the IRI
// schemas would not allow refused with its line and key.
#include <gtest/gtest.h>

#include "config/config.h"

namespace sfapid {
namespace {

const std::string kSystem = "[[systems]]\nname = \"x\"\nsystem_type = \"compute\"\n";

Result<Config> Parse(const std::string& tables, const std::string& system = kSystem) {
  return ParseConfig(system + tables, "f");
}

// The error of a config that must be refused, or "" when it was accepted.
std::string Refusal(const std::string& tables, const std::string& system = kSystem) {
  auto c = Parse(tables, system);
  return c ? "" : c.status().message();
}

TEST(StorageConfig, LocationsAndEndpointsAreRead) {
  auto c = Parse(R"(
[[systems.locations]]
logical_name = "home"
path = "{home}"
[[systems.locations]]
logical_name = "scratch"
path = "/pscratch/sd/{user}"
filesystem = "lustre"
performance_tier = "high"
purge_policy_days = 56
[[systems.locations]]
logical_name = "project"
path = "/global/cfs/cdirs/{project}"
shared = true
[[systems.access_endpoints]]
id = "x-globus"
protocol = "globus"
auth_type = "oauth2"
capabilities = ["list", "read", "write", "transfer"]
endpoint_id = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
root_path = "/"
[[systems.access_endpoints]]
id = "x-s3"
protocol = "s3"
display_name = "Object store"
auth_type = "s3-keys"
bucket = "data"
region = "us-west"
endpoint_url = "https://s3.example.org"
)");
  ASSERT_TRUE(c) << c.status().message();
  const SystemConfig& s = c->systems[0];
  ASSERT_EQ(s.locations.size(), 3u);
  EXPECT_EQ(s.locations[0].path, "{home}");
  EXPECT_FALSE(s.locations[0].purge_policy_days);
  EXPECT_FALSE(s.locations[0].shared);
  EXPECT_EQ(s.locations[1].filesystem, "lustre");
  EXPECT_EQ(s.locations[1].performance_tier, "high");
  EXPECT_EQ(s.locations[1].purge_policy_days, 56);
  EXPECT_FALSE(s.locations[1].ProjectScoped());
  EXPECT_TRUE(s.locations[2].ProjectScoped());
  EXPECT_TRUE(s.locations[2].shared);
  ASSERT_EQ(s.access_endpoints.size(), 2u);
  EXPECT_EQ(s.access_endpoints[0].display_name, "x-globus");  // the id when not given
  EXPECT_EQ(s.access_endpoints[0].capabilities.size(), 4u);
  EXPECT_EQ(s.access_endpoints[0].endpoint_id, "6c54cade-bde5-45c1-bdea-f4bd71dba2cc");
  EXPECT_EQ(s.access_endpoints[1].display_name, "Object store");
  EXPECT_EQ(s.access_endpoints[1].endpoint_url, "https://s3.example.org");
}

TEST(StorageConfig, NoTablesMeansNone) {
  auto c = Parse("");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_TRUE(c->systems[0].locations.empty());
  EXPECT_TRUE(c->systems[0].access_endpoints.empty());
}

TEST(StorageConfig, LocationValuesOutsideTheSpecAreRefused) {
  const std::string loc = "[[systems.locations]]\n";
  EXPECT_EQ(Refusal(loc + "logical_name = \"attic\"\npath = \"/a\"\n"),
            "f:5: 'systems[0].locations[0].logical_name': must be home, scratch, project, "
            "campaign, archive, shared or temporary");
  EXPECT_EQ(Refusal(loc + "logical_name = \"home\"\npath = \"a/{user}\"\n"),
            "f:6: 'systems[0].locations[0].path': must be an absolute path (or start with {home})");
  EXPECT_EQ(Refusal(loc + "logical_name = \"home\"\npath = \"/a/{uid}\"\n"),
            "f:6: 'systems[0].locations[0].path': names {uid}; only {user}, {home} and {project} "
            "are filled in");
  EXPECT_EQ(Refusal(loc + "logical_name = \"home\"\npath = \"/a/{user\"\n"),
            "f:6: 'systems[0].locations[0].path': has a '{' without its '}'");
  EXPECT_EQ(Refusal(loc + "logical_name = \"home\"\npath = \"/a\"\nperformance_tier = \"fast\"\n"),
            "f:7: 'systems[0].locations[0].performance_tier': must be high, medium, low or tape");
  EXPECT_NE(Refusal(loc + "logical_name = \"home\"\npath = \"/a\"\npurge_policy_days = -1\n")
                .find("'systems[0].locations[0].purge_policy_days': is out of range"),
            std::string::npos);
  EXPECT_EQ(Refusal(loc + "logical_name = \"home\"\npath = \"/a\"\nquota = 1\n"),
            "f:7: 'systems[0].locations[0].quota': unknown key");
}

TEST(StorageConfig, EndpointValuesOutsideTheSpecAreRefused) {
  const std::string ep = "[[systems.access_endpoints]]\nid = \"e\"\nauth_type = \"oauth2\"\n";
  EXPECT_EQ(Refusal(ep + "protocol = \"ftp\"\n"),
            "f:7: 'systems[0].access_endpoints[0].protocol': must be globus, xrootd or s3");
  EXPECT_EQ(Refusal(ep + "protocol = \"s3\"\ncapabilities = [\"read\", \"delete\"]\n"),
            "f:8: 'systems[0].access_endpoints[0].capabilities': 'delete' must be list, read, "
            "write, transfer or streaming");
  EXPECT_EQ(Refusal(ep + "protocol = \"s3\"\ncapabilities = [\"read\", \"read\"]\n"),
            "f:8: 'systems[0].access_endpoints[0].capabilities': 'read' is listed twice");
  EXPECT_EQ(Refusal(ep + "protocol = \"s3\"\nendpoint_id = \"abc\"\n"),
            "f:8: 'systems[0].access_endpoints[0].endpoint_id': is a field of globus endpoints");
  EXPECT_EQ(Refusal(ep + "protocol = \"globus\"\nendpoint = \"root://h:1094\"\n"),
            "f:8: 'systems[0].access_endpoints[0].endpoint': is a field of xrootd endpoints");
  EXPECT_NE(Refusal("[[systems.access_endpoints]]\nid = \"e\"\nprotocol = \"s3\"\n")
                .find("'systems[0].access_endpoints[0].auth_type': must be given"),
            std::string::npos);
  EXPECT_EQ(Refusal(ep + "protocol = \"s3\"\n" + ep + "protocol = \"xrootd\"\n"),
            "f:8: 'systems[0].access_endpoints': endpoint 'e' is listed twice");
}

TEST(StorageConfig, OnlySystemsWithFilesHaveStorage) {
  const std::string service = "[[systems]]\nname = \"x\"\nsystem_type = \"service\"\n";
  EXPECT_NE(Refusal("[[systems.locations]]\nlogical_name = \"home\"\npath = \"/a\"\n", service)
                .find("'systems[0].locations': only systems with files"),
            std::string::npos);
  EXPECT_EQ(Refusal("[[systems.locations]]\nlogical_name = \"home\"\npath = \"/a\"\n",
                    "[[systems]]\nname = \"x\"\nsystem_type = \"storage\"\n"),
            "");
}

}  // namespace
}  // namespace sfapid
