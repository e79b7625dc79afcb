// PathOperations end to end: the real programs (find, stat, head, tar, ...) run on real folders by
// a fake RunAs that checks each operation's paths against the roots as the worker does
// (fileops::CheckRoots, exit 126 with "sfapid: why") and then runs the program as this user. What
// each operation answers, where errors go (a Status for the system and the user, in-band for the
// rest), and that no path can be taken for an option or reach outside the roots.
#include "core/files/path_operations.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "backends/runas/file_ops.h"
#include "support/fake_run_as.h"
#include "support/temp_dir.h"
#include "support/test_store.h"
#include "support/wait_for_task.h"

namespace sfapid {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// FakeRunAs with the worker's check of `paths` before the program starts.
class RootsCheckingRunAs : public testing::FakeRunAs {
 public:
  Result<RunningCommand> StartProgram(const UnixIdentity& who, const std::vector<std::string>& argv,
                                      const json::array& paths, const std::string& cwd) override {
    for (const auto& item : paths) {
      const json::object& p = item.as_object();
      std::vector<std::string> roots;
      for (const auto& r : p.at("roots").as_array()) roots.emplace_back(r.as_string());
      Status s = fileops::CheckRoots(std::string(p.at("path").as_string()), roots);
      if (!s.ok())
        return FakeRunAs::StartProgram(
            who, {"/bin/sh", "-c", "echo \"sfapid: $1\" >&2; exit 126", "sh", s.message()}, paths,
            cwd);
    }
    return FakeRunAs::StartProgram(who, argv, paths, cwd);
  }
};

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> Names(const std::vector<DirectoryEntry>& entries) {
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  return names;
}

class PathOperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    systems_[0].name = "perlmutter";
    systems_[0].system_type = SystemType::kCompute;
    systems_[0].roots = {dir_.path()};
    systems_[1].name = "spin";
    systems_[1].system_type = SystemType::kService;
    runas_.AddUser("alice", "alice", dir_.path());
    fs::create_directories(dir_ / "d/sub");
    fs::create_directories(dir_ / "d/.hidden");
    WriteFile(dir_ / "d/a.txt", "hi\n");
    WriteFile(dir_ / "d/sub/x.txt", "x\n");
    WriteFile(dir_ / "d/sub/y.dat", "y\n");
    WriteFile(dir_ / "d/.hidden/h.txt", "h\n");
    fs::create_symlink(dir_ / "d/sub", dir_ / "d/link");
    WriteFile(dir_ / "lines", "l1\nl2\nl3\nl4\n");
  }

  // The one value of an operation that must succeed.
  template <typename T>
  T Ok(const Result<PathResult<T>>& r) {
    EXPECT_TRUE(r) << r.status().message();
    if (!r) return T{};
    EXPECT_FALSE(r->error) << *r->error;
    return r->value;
  }
  // The in-band error of an operation that must fail.
  template <typename T>
  std::string Error(const Result<PathResult<T>>& r) {
    EXPECT_TRUE(r) << r.status().message();
    if (!r || !r->error) {
      ADD_FAILURE() << "no error";
      return "";
    }
    return *r->error;
  }

  testing::TempDir dir_{"paths"};
  std::vector<SystemConfig> systems_{2};
  UtilitiesConfig utilities_;
  RootsCheckingRunAs runas_;
  FileService files_{systems_, utilities_, runas_};
  PathOperations ops_{systems_, utilities_, runas_, files_};
  testing::TestStore store_;
  TaskContext task_{"task-1", "node-a", store_->tasks()};
};

TEST_F(PathOperationsTest, SystemAndUserAreRefusedBeforeAnyProgram) {
  auto unknown = ops_.Stat(task_, "alice", "cori", dir_ / "d", false);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  auto service = ops_.Stat(task_, "alice", "spin", dir_ / "d", false);
  ASSERT_FALSE(service);
  EXPECT_EQ(service.status().code(), Code::kInvalidArgument);
  auto stranger = ops_.Stat(task_, "mallory", "perlmutter", dir_ / "d", false);
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(runas_.programs().empty());
}

TEST_F(PathOperationsTest, EveryProgramRunsAsTheUserWithTheSystemsRoots) {
  Ok(ops_.Type(task_, "alice", "perlmutter", dir_ / "d"));
  ASSERT_EQ(runas_.programs().size(), 1u);
  const auto program = runas_.programs()[0];
  EXPECT_EQ(program.account, "alice");
  EXPECT_EQ(program.paths,
            (json::array{json::object{{"path", dir_ / "d"}, {"roots", json::array{dir_.path()}}}}));
}

TEST_F(PathOperationsTest, AFolderListsItsVisibleEntries) {
  auto entries = Ok(ops_.List(task_, "alice", "perlmutter", dir_ / "d", false, false, false));
  EXPECT_EQ(Names(entries),
            (std::vector<std::string>{"a.txt", "link -> " + dir_ / "d/sub", "sub"}));
  const DirectoryEntry& file = entries[0];
  EXPECT_EQ(file.permissions[0], '-');
  EXPECT_EQ(file.size, 3);
  EXPECT_EQ(file.owner, ::getpwuid(::getuid())->pw_name);
}

TEST_F(PathOperationsTest, ListingOptionsShowMore) {
  auto hidden = Ok(ops_.List(task_, "alice", "perlmutter", dir_ / "d", true, false, false));
  EXPECT_EQ(Names(hidden),
            (std::vector<std::string>{".hidden", "a.txt", "link -> " + dir_ / "d/sub", "sub"}));
  // Hidden folders are not entered.
  auto tree = Ok(ops_.List(task_, "alice", "perlmutter", dir_ / "d", false, true, false));
  EXPECT_EQ(Names(tree), (std::vector<std::string>{"a.txt", "link -> " + dir_ / "d/sub", "sub",
                                                   "sub/x.txt", "sub/y.dat"}));
  auto followed = Ok(ops_.List(task_, "alice", "perlmutter", dir_ / "d", false, false, true));
  EXPECT_EQ(Names(followed), (std::vector<std::string>{"a.txt", "link", "sub"}));
  EXPECT_EQ(followed[1].permissions[0], 'd');
  auto numeric = Ok(ops_.List(task_, "alice", "perlmutter", dir_ / "d", false, false, false, true));
  EXPECT_EQ(numeric[0].owner, std::to_string(::getuid()));
}

TEST_F(PathOperationsTest, AFileAndAHiddenFolderListAsThemselves) {
  auto file = Ok(ops_.List(task_, "alice", "perlmutter", dir_ / "d/a.txt", false, false, false));
  EXPECT_EQ(Names(file), (std::vector<std::string>{dir_ / "d/a.txt"}));
  auto hidden =
      Ok(ops_.List(task_, "alice", "perlmutter", dir_ / "d/.hidden", false, false, false));
  EXPECT_EQ(Names(hidden), (std::vector<std::string>{"h.txt"}));
}

TEST_F(PathOperationsTest, StatAndTypeDescribeThePathOrWhatItPointsTo) {
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "d/a.txt").c_str(), &st), 0);
  auto s = Ok(ops_.Stat(task_, "alice", "perlmutter", dir_ / "d/a.txt", false));
  EXPECT_EQ(s.mode, static_cast<int64_t>(st.st_mode));
  EXPECT_EQ(s.ino, static_cast<int64_t>(st.st_ino));
  EXPECT_EQ(s.size, 3);
  EXPECT_EQ(s.mtime, st.st_mtim.tv_sec);
  auto link = Ok(ops_.Stat(task_, "alice", "perlmutter", dir_ / "d/link", false));
  EXPECT_TRUE(S_ISLNK(link.mode));
  auto followed = Ok(ops_.Stat(task_, "alice", "perlmutter", dir_ / "d/link", true));
  EXPECT_TRUE(S_ISDIR(followed.mode));
  EXPECT_EQ(Ok(ops_.Type(task_, "alice", "perlmutter", dir_ / "d")), "directory");
  EXPECT_EQ(Ok(ops_.Type(task_, "alice", "perlmutter", dir_ / "d/a.txt")), "ASCII text");
  EXPECT_EQ(
      Ok(ops_.Type(task_, "alice", "perlmutter", dir_ / "d/link")).rfind("symbolic link to ", 0),
      0u);
}

TEST_F(PathOperationsTest, AProgramsFailureIsItsOwnWords) {
  const std::string error = Error(ops_.Stat(task_, "alice", "perlmutter", dir_ / "nope", false));
  EXPECT_EQ(error.rfind("stat: cannot stat", 0), 0u) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

TEST_F(PathOperationsTest, PathsOutsideTheRootsAreRefused) {
  EXPECT_EQ(Error(ops_.Checksum(task_, "alice", "perlmutter", "/etc/passwd")),
            "/etc/passwd is outside the folders this system exposes");
  // Through a symlink inside the roots, too.
  fs::create_symlink("/etc", dir_ / "etc");
  EXPECT_EQ(Error(ops_.List(task_, "alice", "perlmutter", dir_ / "etc", false, false, true)),
            dir_ / "etc" + " is outside the folders this system exposes");
  // A target is checked as well as the source: nothing moves out.
  EXPECT_EQ(Error(ops_.Move(task_, "alice", "perlmutter", dir_ / "lines", "/tmp/lines-moved")),
            "/tmp/lines-moved is outside the folders this system exposes");
  EXPECT_TRUE(fs::exists(dir_ / "lines"));
  EXPECT_EQ(Error(ops_.Symlink(task_, "alice", "perlmutter", "/etc/shadow", dir_ / "s")),
            "/etc/shadow is outside the folders this system exposes");
}

TEST_F(PathOperationsTest, ARelativePathNeverReachesAProgram) {
  EXPECT_EQ(Error(ops_.Remove(task_, "alice", "perlmutter", "-rf")),
            "'-rf': the path must be absolute");
  EXPECT_EQ(Error(ops_.Copy(task_, "alice", "perlmutter", dir_ / "lines", "--help", false)),
            "'--help': the path must be absolute");
  EXPECT_TRUE(runas_.programs().empty());
}

TEST_F(PathOperationsTest, HeadTakesTheStartOfAFile) {
  const std::string lines = dir_ / "lines";  // "l1\nl2\nl3\nl4\n"
  EXPECT_EQ(Ok(ops_.Head(task_, "alice", "perlmutter", lines, 4, std::nullopt, false)),
            (ByteSlice{"l1\nl", 0, 4, false}));
  EXPECT_EQ(Ok(ops_.Head(task_, "alice", "perlmutter", lines, std::nullopt, 2, false)),
            (ByteSlice{"l1\nl2\n", 0, 2, true}));
  EXPECT_EQ(Ok(ops_.Head(task_, "alice", "perlmutter", lines, std::nullopt, 1, true)),
            (ByteSlice{"l1\nl2\nl3\n", 0, 3, true}));
  EXPECT_EQ(Ok(ops_.Head(task_, "alice", "perlmutter", lines, 10, std::nullopt, true)),
            (ByteSlice{"l1", 0, 2, false}));
}

TEST_F(PathOperationsTest, TailTakesTheEndOfAFile) {
  const std::string lines = dir_ / "lines";
  EXPECT_EQ(Ok(ops_.Tail(task_, "alice", "perlmutter", lines, std::nullopt, 2, false)),
            (ByteSlice{"l3\nl4\n", 2, 4, true}));
  EXPECT_EQ(Ok(ops_.Tail(task_, "alice", "perlmutter", lines, 3, std::nullopt, false)),
            (ByteSlice{"l4\n", 9, 12, false}));
  // All but the first N.
  EXPECT_EQ(Ok(ops_.Tail(task_, "alice", "perlmutter", lines, std::nullopt, 1, true)),
            (ByteSlice{"l2\nl3\nl4\n", 1, 4, true}));
  EXPECT_EQ(Ok(ops_.Tail(task_, "alice", "perlmutter", lines, 10, std::nullopt, true)),
            (ByteSlice{"4\n", 10, 12, false}));
  WriteFile(dir_ / "open", "a\nb\nc");
  EXPECT_EQ(Ok(ops_.Tail(task_, "alice", "perlmutter", dir_ / "open", std::nullopt, 2, false)),
            (ByteSlice{"b\nc", 1, 3, true}));
}

TEST_F(PathOperationsTest, ViewTakesAByteRange) {
  EXPECT_EQ(Ok(ops_.View(task_, "alice", "perlmutter", dir_ / "lines", 3, 4)),
            (ByteSlice{"l2\nl", 3, 7, false}));
  EXPECT_EQ(Ok(ops_.View(task_, "alice", "perlmutter", dir_ / "lines", 100, 4)),
            (ByteSlice{"", 100, 100, false}));
  auto too_big = ops_.View(task_, "alice", "perlmutter", dir_ / "lines", 0, kOpsSizeLimit + 1);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.status().field(), "size");
}

TEST_F(PathOperationsTest, MoreThanFiveMebibytesIsRefused) {
  {
    std::ofstream big(dir_ / "big");
    big << std::string(kOpsSizeLimit + 10, 'z');
  }
  EXPECT_EQ(
      Ok(ops_.Head(task_, "alice", "perlmutter", dir_ / "big", kOpsSizeLimit, std::nullopt, false))
          .end,
      kOpsSizeLimit);
  EXPECT_EQ(Error(ops_.Head(task_, "alice", "perlmutter", dir_ / "big", kOpsSizeLimit + 1,
                            std::nullopt, false)),
            "head: the output is larger than 5 MiB (5242880 bytes); ask for less");
  EXPECT_EQ(Error(ops_.Tail(task_, "alice", "perlmutter", dir_ / "big", 1, std::nullopt, true)),
            "tail: the output is larger than 5 MiB (5242880 bytes); ask for less");
}

TEST_F(PathOperationsTest, BadCountsAreInvalidFields) {
  auto both = ops_.Head(task_, "alice", "perlmutter", dir_ / "lines", 1, 1, false);
  ASSERT_FALSE(both);
  EXPECT_EQ(both.status().field(), "bytes");
  auto zero = ops_.Tail(task_, "alice", "perlmutter", dir_ / "lines", std::nullopt, 0, false);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.status().field(), "lines");
}

TEST_F(PathOperationsTest, ChecksumIsSha256) {
  EXPECT_EQ(Ok(ops_.Checksum(task_, "alice", "perlmutter", dir_ / "d/a.txt")),
            "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4");
  const std::string error = Error(ops_.Checksum(task_, "alice", "perlmutter", dir_ / "d"));
  EXPECT_NE(error.find("Is a directory"), std::string::npos) << error;
}

TEST_F(PathOperationsTest, MakeDirAnswersTheNewFolder) {
  auto made = Ok(ops_.MakeDir(task_, "alice", "perlmutter", dir_ / "new", false));
  EXPECT_EQ(made.name, dir_ / "new");
  EXPECT_EQ(made.permissions[0], 'd');
  EXPECT_TRUE(fs::is_directory(dir_ / "new"));
  const std::string exists = Error(ops_.MakeDir(task_, "alice", "perlmutter", dir_ / "new", false));
  EXPECT_NE(exists.find("File exists"), std::string::npos) << exists;
  Error(ops_.MakeDir(task_, "alice", "perlmutter", dir_ / "p/q", false));
  Ok(ops_.MakeDir(task_, "alice", "perlmutter", dir_ / "p/q", true));
  EXPECT_TRUE(fs::is_directory(dir_ / "p/q"));
}

TEST_F(PathOperationsTest, SymlinkAnswersTheLink) {
  auto link = Ok(ops_.Symlink(task_, "alice", "perlmutter", dir_ / "lines", dir_ / "d/to-lines"));
  EXPECT_EQ(link.name, dir_ / "d/to-lines -> " + dir_ / "lines");
  EXPECT_EQ(link.permissions[0], 'l');
  // An existing folder is not entered: the link path is the link's name.
  const std::string error =
      Error(ops_.Symlink(task_, "alice", "perlmutter", dir_ / "lines", dir_ / "d/sub"));
  EXPECT_NE(error.find("File exists"), std::string::npos) << error;
}

TEST_F(PathOperationsTest, MoveAnswersTheTarget) {
  auto moved = Ok(ops_.Move(task_, "alice", "perlmutter", dir_ / "lines", dir_ / "d/-moved"));
  EXPECT_EQ(moved.name, dir_ / "d/-moved");
  EXPECT_EQ(moved.size, 12);
  EXPECT_FALSE(fs::exists(dir_ / "lines"));
  const std::string error =
      Error(ops_.Move(task_, "alice", "perlmutter", dir_ / "d/-moved", dir_ / "d/sub"));
  EXPECT_NE(error.find("mv:"), std::string::npos) << error;
  EXPECT_TRUE(fs::exists(dir_ / "d/-moved"));
}

TEST_F(PathOperationsTest, CopyTakesFoldersWholeAndLinksAsAsked) {
  auto copy = Ok(ops_.Copy(task_, "alice", "perlmutter", dir_ / "d", dir_ / "c", false));
  EXPECT_EQ(copy.name, dir_ / "c");
  EXPECT_EQ(ReadFile(dir_ / "c/sub/x.txt"), "x\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "c/link"));
  Ok(ops_.Copy(task_, "alice", "perlmutter", dir_ / "d", dir_ / "c2", true));
  EXPECT_FALSE(fs::is_symlink(dir_ / "c2/link"));
  EXPECT_EQ(ReadFile(dir_ / "c2/link/y.dat"), "y\n");
}

TEST_F(PathOperationsTest, ChangeModeTakesOctalModes) {
  auto changed = Ok(ops_.ChangeMode(task_, "alice", "perlmutter", dir_ / "lines", "750"));
  EXPECT_EQ(changed.permissions, "-rwxr-x---");
  auto bad = ops_.ChangeMode(task_, "alice", "perlmutter", dir_ / "lines", "u+s");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().field(), "mode");
}

TEST_F(PathOperationsTest, ChangeOwnerAsTheKernelAllows) {
  const std::string me = ::getpwuid(::getuid())->pw_name;
  const std::string my_group = ::getgrgid(::getgid())->gr_name;
  auto same = Ok(ops_.ChangeOwner(task_, "alice", "perlmutter", dir_ / "lines", me, my_group));
  EXPECT_EQ(same.owner, me);
  EXPECT_EQ(same.group, my_group);
  auto unchanged = Ok(ops_.ChangeOwner(task_, "alice", "perlmutter", dir_ / "lines", "", ""));
  EXPECT_EQ(unchanged.name, dir_ / "lines");
  const std::string error = Error(
      ops_.ChangeOwner(task_, "alice", "perlmutter", dir_ / "lines", "no-such-user-sfapid", ""));
  EXPECT_NE(error.find("invalid user"), std::string::npos) << error;
}

TEST_F(PathOperationsTest, RemoveTakesFoldersWholeAndNamesAsNames) {
  WriteFile(dir_ / "d/-rf", "");
  EXPECT_EQ(Ok(ops_.Remove(task_, "alice", "perlmutter", dir_ / "d/-rf")),
            "removed " + dir_ / "d/-rf");
  EXPECT_TRUE(fs::exists(dir_ / "d/a.txt"));
  // A symlink goes, not what it points to.
  Ok(ops_.Remove(task_, "alice", "perlmutter", dir_ / "d/link"));
  EXPECT_TRUE(fs::exists(dir_ / "d/sub/x.txt"));
  Ok(ops_.Remove(task_, "alice", "perlmutter", dir_ / "d"));
  EXPECT_FALSE(fs::exists(dir_ / "d"));
}

TEST_F(PathOperationsTest, CompressAndExtractRoundTrip) {
  for (auto c : {Compression::kGzip, Compression::kNone, Compression::kBzip2, Compression::kXz}) {
    fs::remove_all(dir_ / "out");
    auto archive = Ok(ops_.Compress(task_, "alice", "perlmutter", dir_ / "d/", dir_ / "d.tar",
                                    std::nullopt, false, c));
    EXPECT_EQ(archive.name, dir_ / "d.tar");
    EXPECT_GT(archive.size, 0);
    auto out = Ok(ops_.Extract(task_, "alice", "perlmutter", dir_ / "d.tar", dir_ / "out", c));
    EXPECT_EQ(out.name, dir_ / "out");
    EXPECT_EQ(ReadFile(dir_ / "out/d/sub/x.txt"), "x\n");
    EXPECT_EQ(ReadFile(dir_ / "out/d/.hidden/h.txt"), "h\n");
    EXPECT_TRUE(fs::is_symlink(dir_ / "out/d/link"));
  }
}

TEST_F(PathOperationsTest, AMatchPatternArchivesTheFilesWhosePathMatches) {
  WriteFile(dir_ / "d/-dash.txt", "dash\n");
  Ok(ops_.Compress(task_, "alice", "perlmutter", dir_ / "d", dir_ / "t.tgz", ".*\\.txt", false,
                   Compression::kGzip));
  Ok(ops_.Extract(task_, "alice", "perlmutter", dir_ / "t.tgz", dir_ / "out", Compression::kGzip));
  EXPECT_TRUE(fs::exists(dir_ / "out/d/a.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "out/d/sub/x.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "out/d/.hidden/h.txt"));
  EXPECT_EQ(ReadFile(dir_ / "out/d/-dash.txt"), "dash\n");
  EXPECT_FALSE(fs::exists(dir_ / "out/d/sub/y.dat"));
  EXPECT_FALSE(fs::exists(dir_ / "out/d/link"));
}

TEST_F(PathOperationsTest, AMatchPatternMustBeValidAndMatch) {
  auto bad = ops_.Compress(task_, "alice", "perlmutter", dir_ / "d", dir_ / "t.tgz", "(", false,
                           Compression::kGzip);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().field(), "match_pattern");
  EXPECT_EQ(Error(ops_.Compress(task_, "alice", "perlmutter", dir_ / "d", dir_ / "t.tgz",
                                ".*\\.none", false, Compression::kGzip)),
            "compress: nothing under " + dir_ / "d" + " matches match_pattern");
  EXPECT_FALSE(fs::exists(dir_ / "t.tgz"));
}

TEST_F(PathOperationsTest, ASourceWithoutANameIsAnError) {
  const std::string error =
      Error(ops_.Compress(task_, "alice", "perlmutter", dir_ / "d/..", dir_ / "t.tgz", std::nullopt,
                          false, Compression::kGzip));
  EXPECT_NE(error.find("has no name"), std::string::npos) << error;
}

TEST_F(PathOperationsTest, CancellingTheTaskStopsTheProgram) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  TasksConfig config;
  TaskEngine engine(store_->tasks(), config, "test-node");
  engine.Start();
  std::promise<std::string> error;
  auto id = engine.Submit("alice", "head", "perlmutter", [&](TaskContext& ctx) {
    // head waits for a writer to open the FIFO: forever.
    auto r = ops_.Head(ctx, "alice", "perlmutter", dir_ / "fifo", 1, std::nullopt, false);
    error.set_value(r && r->error ? *r->error : "no error");
    return TaskOutcome{"completed", json::object{}};
  });
  ASSERT_TRUE(id) << id.status().message();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(engine.Cancel(*id, "alice").ok());
  auto answer = error.get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(answer.get(), "head: cancelled");
  engine.Stop();
}

}  // namespace
}  // namespace sfapid
