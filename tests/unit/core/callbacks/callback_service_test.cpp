// Job-end callbacks end to end: a real SQLite store in a temporary folder, and a real HTTP
// receiver on a loopback port in the test (a thread with a socket), which can be down, answer
// 500, redirect, or hold the request without answering.
#include "core/callbacks/callback_service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct ReceivedRequest {
  std::string method, target;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

// A tiny HTTP/1.1 server. Its port exists from construction on, but until Listen() connections
// are refused: a receiver that is down.
class Receiver {
 public:
  Receiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Receiver() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int c : held_) ::close(c);
    ::close(fd_);
  }

  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // The status and extra header lines of each answer, in turn; the last one repeats. A status of
  // 0 reads the request and never answers.
  void SetAnswers(std::vector<std::pair<int, std::string>> answers) {
    std::lock_guard lock(mu_);
    answers_ = std::move(answers);
  }
  void Listen() {
    ASSERT_EQ(::listen(fd_, 16), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  bool WaitForRequests(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 60s, [&] { return requests_.size() >= n; });
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) Handle(c);
    }
  }
  void Handle(int c) {
    std::string data;
    char buf[4096];
    size_t header_end;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) return (void)::close(c);
      data.append(buf, static_cast<size_t>(n));
    }
    ReceivedRequest r;
    std::istringstream head(data.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    std::istringstream first(line);
    first >> r.method >> r.target;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    const size_t length = std::stoul(r.headers.count("content-length") ? r.headers["content-length"]
                                                                       : std::string("0"));
    r.body = data.substr(header_end + 4);
    while (r.body.size() < length) {
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      r.body.append(buf, static_cast<size_t>(n));
    }
    std::pair<int, std::string> answer{204, ""};
    {
      std::lock_guard lock(mu_);
      if (!answers_.empty()) {
        const size_t i = std::min(requests_.size(), answers_.size() - 1);
        answer = answers_[i];
      }
      requests_.push_back(std::move(r));
    }
    cv_.notify_all();
    if (answer.first == 0) {  // hold the connection, never answer
      held_.push_back(c);
      return;
    }
    const std::string reply = "HTTP/1.1 " + std::to_string(answer.first) + " X\r\n" +
                              answer.second + "Content-Length: 2\r\nConnection: close\r\n\r\nok";
    (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(c);
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<int, std::string>> answers_;
  std::vector<ReceivedRequest> requests_;
  std::vector<int> held_;
};

template <typename F>
bool WaitUntil(F done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

std::string Hex(const unsigned char* p, size_t n) {
  std::string out;
  char b[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    out += b;
  }
  return out;
}

// Computed here with OpenSSL directly, not with the code under test.
std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char mac[32];
  unsigned int len = sizeof mac;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return Hex(mac, len);
}

// A request the service accepts, as Register takes it.
ValidCallbackRequest Valid(const CallbackService& service, CallbackRequest r) {
  auto valid = service.Validate(std::move(r));
  EXPECT_TRUE(valid) << valid.status().message();
  return std::move(valid).value();
}

class CallbackServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = LoadDefaultConfig();
    ASSERT_TRUE(config) << config.status().message();
    config_ = std::move(config).value();
    config_.data_dir = dir_;
    // Fast retries keep the tests short; the logic is the same at any scale.
    config_.callbacks.blocked_networks.clear();  // the receivers are on loopback
    config_.callbacks.block_host_addresses = false;
    config_.callbacks.first_retry_seconds = 0.05;
    config_.callbacks.max_retry_seconds = 0.2;
    config_.callbacks.attempt_timeout_seconds = 20;
    config_.callbacks.default_timeout_seconds = 300;
    OpenStore();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
  }
  void OpenStore() {
    auto s = testing::OpenTestStore(dir_ + "/sfapid.db");
    ASSERT_TRUE(s) << s.status().message();
    store_ = std::move(s).value();
  }
  CallbackService& StartService() {
    service_ =
        std::make_unique<CallbackService>(config_.callbacks, store_->compute(), dir_ + "/keys",
                                          config_.DataPath(config_.callbacks.outbox_dir));
    Status s = service_->Start();
    EXPECT_TRUE(s.ok()) << s.message();
    return *service_;
  }
  // A job that has just ended (the callback timeout counts from its end).
  static FinishedJob Job(const std::string& jobid) {
    const int64_t now = static_cast<int64_t>(::time(nullptr));
    FinishedJob j;
    j.system = "perlmutter";
    j.jobid = jobid;
    j.user = "alice";
    j.account = "m1234";
    j.state = "COMPLETED";
    j.exit_code = "0:0";
    j.submit_time = now - 3660;
    j.start_time = now - 3600;
    j.end_time = now;
    j.nodes = 2;
    return j;
  }
  void RegisterUrl(const std::string& jobid, const std::string& url,
                   std::optional<double> timeout = std::nullopt) {
    Status s = service_->Register("perlmutter", jobid, "client1", "alice",
                                  Valid(*service_, {url, "", timeout}));
    ASSERT_TRUE(s.ok()) << s.message();
  }
  // The job's one delivery (waits until it exists).
  CallbackDelivery DeliveryOf(const std::string& jobid, const std::string& kind = "url") {
    CallbackDelivery found;
    EXPECT_TRUE(WaitUntil([&] {
      auto all = store_->compute().DeliveriesOfJob("perlmutter", jobid);
      for (const auto& d : all ? *all : std::vector<CallbackDelivery>{})
        if (d.kind == kind) {
          found = d;
          return true;
        }
      return false;
    }));
    return found;
  }
  bool WaitForDelivery(const std::string& id,
                       const std::function<bool(const CallbackDelivery&)>& done) {
    return WaitUntil([&] {
      auto d = store_->compute().GetDelivery(id);
      return d && done(*d);
    });
  }

  testing::TempDir tmp_{"callbacks"};
  std::string dir_ = tmp_.path();
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CallbackService> service_;
};

TEST_F(CallbackServiceTest, PostsASignedEventOnce) {
  Receiver receiver;
  receiver.Listen();
  auto& service = StartService();
  RegisterUrl("42", receiver.Url("/hook?token=abc"));
  FinishedJob job = Job("42");
  job.submit_time = 1795800000;
  job.start_time = 1795800060;
  job.end_time = 1795803660;
  ASSERT_TRUE(service.JobEnded(job).ok());
  ASSERT_TRUE(receiver.WaitForRequests(1));
  const CallbackDelivery d = DeliveryOf("42");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "delivered"; }));

  const ReceivedRequest r = receiver.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook?token=abc");
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("user-agent"), std::string("sfapid/") + SFAPID_VERSION);
  EXPECT_EQ(r.headers.at("x-sfapi-event"), "job.ended");
  EXPECT_EQ(r.headers.at("x-sfapi-delivery"), d.id);

  // The secret is HMAC(server key, client id); the signature is HMAC(secret text, exact body).
  const std::string key_path = dir_ + "/keys/callback.key";
  struct stat st;
  ASSERT_EQ(::stat(key_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream key_file(key_path);
  std::string key_hex;
  key_file >> key_hex;
  ASSERT_EQ(key_hex.size(), 64u);
  std::string key;
  for (size_t i = 0; i < 64; i += 2)
    key.push_back(static_cast<char>(std::stoi(key_hex.substr(i, 2), nullptr, 16)));
  auto secret = service.SecretFor("client1");
  ASSERT_TRUE(secret);
  EXPECT_EQ(*secret, Hmac(key, "client1"));
  EXPECT_NE(*secret, *service.SecretFor("client2"));
  EXPECT_EQ(r.headers.at("x-sfapi-signature"), "sha256=" + Hmac(*secret, r.body));
  EXPECT_NE(r.headers.at("x-sfapi-signature"), "sha256=" + Hmac(*secret, r.body + " "));

  const json::object body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("event"), "job.ended");
  EXPECT_EQ(body.at("delivery_id").as_string(), d.id);
  EXPECT_TRUE(body.at("sent_at").is_string());
  EXPECT_EQ(body.at("machine"), "perlmutter");
  EXPECT_EQ(body.at("jobid"), "42");
  EXPECT_EQ(body.at("user"), "alice");
  EXPECT_EQ(body.at("account"), "m1234");
  EXPECT_EQ(body.at("state"), "COMPLETED");
  EXPECT_EQ(body.at("exit_code"), "0:0");
  EXPECT_EQ(body.at("start_time"), "2026-11-27T17:21:00+00:00");
  EXPECT_EQ(body.at("end_time"), "2026-11-27T18:21:00+00:00");
  EXPECT_EQ(body.begin()->key(), "event");  // the documented order

  auto delivered = *store_->compute().GetDelivery(d.id);
  EXPECT_EQ(delivered.attempts, 1);
  EXPECT_TRUE(delivered.delivered_at.has_value());
  EXPECT_EQ(delivered.body, r.body);  // the bytes sent are kept
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(CallbackServiceTest, NullTimesForAJobThatNeverStarted) {
  Receiver receiver;
  receiver.Listen();
  auto& service = StartService();
  RegisterUrl("5", receiver.Url());
  FinishedJob job = Job("5");
  job.start_time = 0;
  job.state = "CANCELLED";
  ASSERT_TRUE(service.JobEnded(job).ok());
  ASSERT_TRUE(receiver.WaitForRequests(1));
  const json::object body = json::parse(receiver.requests()[0].body).as_object();
  EXPECT_TRUE(body.at("start_time").is_null());
  EXPECT_EQ(body.at("state"), "CANCELLED");
}

TEST_F(CallbackServiceTest, RetriesUntilTheReceiverIsUp) {
  Receiver receiver;  // refuses connections until Listen()
  auto& service = StartService();
  RegisterUrl("43", receiver.Url());
  ASSERT_TRUE(service.JobEnded(Job("43")).ok());
  const CallbackDelivery d = DeliveryOf("43");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.attempts >= 2; }));
  auto failing = *store_->compute().GetDelivery(d.id);
  EXPECT_EQ(failing.state, "pending");
  EXPECT_NE(failing.last_error.find("cannot connect"), std::string::npos) << failing.last_error;

  receiver.Listen();
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "delivered"; }));
  auto delivered = *store_->compute().GetDelivery(d.id);
  EXPECT_GE(delivered.attempts, 3);
  EXPECT_EQ(delivered.last_error, "");
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(CallbackServiceTest, RetriesAfterAServerError) {
  Receiver receiver;
  receiver.SetAnswers({{500, ""}, {503, ""}, {200, ""}});
  receiver.Listen();
  auto& service = StartService();
  RegisterUrl("44", receiver.Url());
  ASSERT_TRUE(service.JobEnded(Job("44")).ok());
  const CallbackDelivery d = DeliveryOf("44");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "delivered"; }));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  auto secret = *service.SecretFor("client1");
  for (const auto& r : requests) {
    // Every attempt is the same delivery, signed for its own bytes (sent_at changes).
    EXPECT_EQ(r.headers.at("x-sfapi-delivery"), d.id);
    EXPECT_EQ(json::parse(r.body).at("delivery_id").as_string(), d.id);
    EXPECT_EQ(r.headers.at("x-sfapi-signature"), "sha256=" + Hmac(secret, r.body));
  }
  EXPECT_EQ(store_->compute().GetDelivery(d.id)->attempts, 3);
}

TEST_F(CallbackServiceTest, ExpiresWhenTheTimeoutPasses) {
  Receiver receiver;
  receiver.SetAnswers({{500, ""}});
  receiver.Listen();
  auto& service = StartService();
  RegisterUrl("45", receiver.Url(), 0.5);
  const FinishedJob job = Job("45");
  ASSERT_TRUE(service.JobEnded(job).ok());
  const CallbackDelivery d = DeliveryOf("45");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "expired"; }));
  auto expired = *store_->compute().GetDelivery(d.id);
  EXPECT_GE(expired.attempts, 1);
  EXPECT_EQ(static_cast<size_t>(expired.attempts), receiver.count());
  EXPECT_NE(expired.last_error.find("HTTP 500"), std::string::npos) << expired.last_error;
  EXPECT_FALSE(expired.delivered_at.has_value());
  // Half a second after the job's end (whole seconds), or one attempt when that has passed.
  EXPECT_EQ(expired.expires_ms,
            std::max(expired.created_ms, std::min(expired.created_ms, job.end_time * 1000) + 500));
}

TEST_F(CallbackServiceTest, TheTimeoutCountsFromTheJobsEndWithOneAttemptHoweverLate) {
  // A scheduler that hears of an end late (Slurm's accounting, sfapid down meanwhile): a job that
  // ended two hours ago with a one-minute callbackTimeout gets one attempt, not a minute more.
  Receiver receiver;
  receiver.SetAnswers({{500, ""}});
  receiver.Listen();
  auto& service = StartService();
  RegisterUrl("51", receiver.Url(), 60);
  FinishedJob job = Job("51");
  job.end_time -= 7200;
  ASSERT_TRUE(service.JobEnded(job).ok());
  const CallbackDelivery d = DeliveryOf("51");
  EXPECT_EQ(d.expires_ms, d.created_ms);
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "expired"; }));
  EXPECT_EQ(store_->compute().GetDelivery(d.id)->attempts, 1);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(CallbackServiceTest, DoesNotFollowRedirects) {
  Receiver elsewhere;
  elsewhere.Listen();
  Receiver receiver;
  receiver.SetAnswers({{302, "Location: " + elsewhere.Url() + "\r\n"}});
  receiver.Listen();
  auto& service = StartService();
  RegisterUrl("46", receiver.Url());
  ASSERT_TRUE(service.JobEnded(Job("46")).ok());
  const CallbackDelivery d = DeliveryOf("46");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.attempts >= 2; }));
  auto d2 = *store_->compute().GetDelivery(d.id);
  EXPECT_EQ(d2.state, "pending");
  EXPECT_NE(d2.last_error.find("redirects are not followed"), std::string::npos) << d2.last_error;
  EXPECT_EQ(elsewhere.count(), 0u);
}

TEST_F(CallbackServiceTest, ANewServiceResumesPendingDeliveries) {
  Receiver receiver;  // down during the first run
  std::string id;
  {
    auto& service = StartService();
    RegisterUrl("47", receiver.Url());
    ASSERT_TRUE(service.JobEnded(Job("47")).ok());
    id = DeliveryOf("47").id;
    ASSERT_TRUE(WaitForDelivery(id, [](const auto& x) { return x.attempts >= 1; }));
    service_.reset();  // stops it
    store_.reset();
  }
  receiver.Listen();
  OpenStore();
  StartService();
  ASSERT_TRUE(WaitForDelivery(id, [](const auto& x) { return x.state == "delivered"; }));
  ASSERT_EQ(receiver.count(), 1u);
  EXPECT_EQ(receiver.requests()[0].headers.at("x-sfapi-delivery"), id);
}

TEST_F(CallbackServiceTest, TwoNodesOnOneStoreMakeEachAttemptOnce) {
  Receiver receiver;  // down at first: every delivery waits for its retry on both nodes
  auto& service = StartService();
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    const std::string jobid = std::to_string(60 + i);
    RegisterUrl(jobid, receiver.Url());
    ASSERT_TRUE(service.JobEnded(Job(jobid)).ok());
    ids.push_back(DeliveryOf(jobid).id);
  }
  for (const auto& id : ids)
    ASSERT_TRUE(WaitForDelivery(id, [](const auto& x) { return x.attempts >= 1; }));
  // A second node: its own connection to the same store, its own workers.
  auto other_store = testing::OpenTestStore(dir_ + "/sfapid.db");
  ASSERT_TRUE(other_store) << other_store.status().message();
  CallbackService other(config_.callbacks, (*other_store)->compute(), dir_ + "/keys",
                        config_.DataPath(config_.callbacks.outbox_dir));
  ASSERT_TRUE(other.Start().ok());
  receiver.Listen();
  for (const auto& id : ids)
    ASSERT_TRUE(WaitForDelivery(id, [](const auto& x) { return x.state == "delivered"; }));
  other.Stop();
  // Both nodes found every retry due at once; each delivery reached the receiver once.
  std::set<std::string> seen;
  for (const auto& r : receiver.requests()) seen.insert(r.headers.at("x-sfapi-delivery"));
  EXPECT_EQ(receiver.count(), ids.size());
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));
}

TEST_F(CallbackServiceTest, AJobEndReportedTwiceChargesAndNotifiesOnce) {
  Receiver receiver;
  receiver.Listen();
  auto& service = StartService();
  RegisterUrl("48", receiver.Url());
  std::thread other([&] { EXPECT_TRUE(service.JobEnded(Job("48")).ok()); });
  EXPECT_TRUE(service.JobEnded(Job("48")).ok());
  other.join();
  ASSERT_TRUE(service.JobEnded(Job("48")).ok());
  const CallbackDelivery d = DeliveryOf("48");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "delivered"; }));
  EXPECT_EQ(store_->compute().DeliveriesOfJob("perlmutter", "48")->size(), 1u);
  EXPECT_EQ(receiver.count(), 1u);
  auto usage = store_->compute().UsageByAccount("m1234");
  ASSERT_TRUE(usage);
  ASSERT_EQ(usage->size(), 1u);
  EXPECT_EQ((*usage)[0].jobs, 1);
  EXPECT_DOUBLE_EQ((*usage)[0].node_hours, 2.0);  // 1 h on 2 nodes
}

TEST_F(CallbackServiceTest, RegisteringAfterTheJobEndedStillDelivers) {
  Receiver receiver;
  receiver.Listen();
  auto& service = StartService();
  ASSERT_TRUE(service.JobEnded(Job("49")).ok());  // a short job, ended before Register
  RegisterUrl("49", receiver.Url());
  ASSERT_TRUE(receiver.WaitForRequests(1));
  EXPECT_EQ(json::parse(receiver.requests()[0].body).at("jobid"), "49");
}

TEST_F(CallbackServiceTest, JobsWithoutRegistrationAreOnlyCharged) {
  auto& service = StartService();
  ASSERT_TRUE(service.JobEnded(Job("50")).ok());
  EXPECT_TRUE(store_->compute().DeliveriesOfJob("perlmutter", "50")->empty());
  EXPECT_EQ(store_->compute().UsageByAccount("")->size(), 1u);
  // An empty request registers nothing.
  ASSERT_TRUE(service.Register("perlmutter", "51", "c", "alice", Valid(service, {})).ok());
  EXPECT_FALSE(store_->compute().GetRegistration("perlmutter", "51")->has_value());
}

TEST_F(CallbackServiceTest, WritesMailToTheOutbox) {
  auto& service = StartService();
  ASSERT_TRUE(service
                  .Register("perlmutter", "77", "client1", "alice",
                            Valid(service, {"", "bob@example.org", {}}))
                  .ok());
  FinishedJob job = Job("77");
  job.end_time = 1795803660;  // written below as 2026-11-27T18:21:00+00:00
  ASSERT_TRUE(service.JobEnded(job).ok());
  const CallbackDelivery d = DeliveryOf("77", "email");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "delivered"; }));

  const std::string outbox = dir_ + "/outbox";
  struct stat st;
  ASSERT_EQ(::stat(outbox.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(outbox)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  const std::string name = files[0].filename().string();
  EXPECT_EQ(name.size(), std::string("20261127T150100Z-perlmutter-77.eml").size()) << name;
  EXPECT_NE(name.find("Z-perlmutter-77.eml"), std::string::npos) << name;
  std::ifstream in(files[0]);
  std::stringstream text;
  text << in.rdbuf();
  const std::string m = text.str();
  EXPECT_EQ(m.rfind("From: sfapid@localhost\r\n", 0), 0u) << m;
  EXPECT_NE(m.find("\r\nTo: bob@example.org\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("\r\nSubject: [sfapid] job 77 on perlmutter COMPLETED\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nDate: "), std::string::npos);
  EXPECT_NE(m.find("\r\nX-Sfapi-Delivery: " + d.id + "\r\n"), std::string::npos);
  const std::string text_body = m.substr(m.find("\r\n\r\n") + 4);
  EXPECT_NE(text_body.find("Job 77 on perlmutter ended: COMPLETED, exit code 0:0."),
            std::string::npos)
      << text_body;
  EXPECT_NE(text_body.find("m1234"), std::string::npos);
  EXPECT_NE(text_body.find("2026-11-27T18:21:00+00:00"), std::string::npos);
}

TEST_F(CallbackServiceTest, MailCommandGetsTheMessageOnStdin) {
  const std::string sink = dir_ + "/mail.txt";
  config_.callbacks.mail_command = {"/bin/sh", "-c", "cat > \"$1\"", "sh", sink};
  auto& service = StartService();
  ASSERT_TRUE(service
                  .Register("perlmutter", "78", "client1", "alice",
                            Valid(service, {"", "bob@example.org", {}}))
                  .ok());
  ASSERT_TRUE(service.JobEnded(Job("78")).ok());
  const CallbackDelivery d = DeliveryOf("78", "email");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.state == "delivered"; }));
  std::ifstream in(sink);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("To: bob@example.org\r\n"), std::string::npos) << text.str();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/outbox"));
}

TEST_F(CallbackServiceTest, AFailingMailCommandIsRetried) {
  config_.callbacks.mail_command = {"/bin/sh", "-c", "echo relay refused; exit 3"};
  auto& service = StartService();
  ASSERT_TRUE(service
                  .Register("perlmutter", "79", "client1", "alice",
                            Valid(service, {"", "bob@example.org", {}}))
                  .ok());
  ASSERT_TRUE(service.JobEnded(Job("79")).ok());
  const CallbackDelivery d = DeliveryOf("79", "email");
  ASSERT_TRUE(WaitForDelivery(d.id, [](const auto& x) { return x.attempts >= 2; }));
  auto failing = *store_->compute().GetDelivery(d.id);
  EXPECT_EQ(failing.state, "pending");
  EXPECT_NE(failing.last_error.find("exited with status 3: relay refused"), std::string::npos)
      << failing.last_error;
}

TEST_F(CallbackServiceTest, StopCutsShortAnAttemptInFlight) {
  Receiver receiver;
  receiver.SetAnswers({{0, ""}});  // reads the request, never answers
  receiver.Listen();
  config_.callbacks.attempt_timeout_seconds = 600;
  auto& service = StartService();
  RegisterUrl("80", receiver.Url());
  ASSERT_TRUE(service.JobEnded(Job("80")).ok());
  ASSERT_TRUE(receiver.WaitForRequests(1));
  const auto begin = std::chrono::steady_clock::now();
  service.Stop();
  // Far below the attempt timeout; the promise is "about a second".
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 60s);
  const CallbackDelivery d = DeliveryOf("80");
  EXPECT_EQ(d.state, "pending");  // the next run tries again
  EXPECT_EQ(d.attempts, 0);
}

TEST_F(CallbackServiceTest, ValidateRejectsUnsafeRequests) {
  CallbackService service(config_.callbacks, store_->compute(), dir_ + "/keys", dir_ + "/outbox");
  auto rejects = [&](CallbackRequest r, const std::string& words) {
    const Status s = service.Validate(r).status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << r.url << r.email;
    EXPECT_NE(s.message().find(words), std::string::npos) << s.message();
    // The error names the field the submitter got wrong, for the API's 422.
    const char* field = !r.email.empty() ? "callbackEmail"
                        : words.find("callbackTimeout") != std::string::npos || words == "at most"
                            ? "callbackTimeout"
                            : "callbackUrl";
    EXPECT_EQ(s.field(), field) << s.message();
  };
  rejects({"ftp://example.org/x", "", {}}, "http:// or https://");
  rejects({"example.org/hook", "", {}}, "http:// or https://");
  rejects({"http:///path", "", {}}, "host");
  rejects({"https://example.org/a\r\nX-Evil: 1", "", {}}, "line breaks");
  rejects({"https://example.org/a\nb", "", {}}, "line breaks");
  rejects({"https://user:pw@example.org/", "", {}}, "user name or password");
  rejects({"https://exa mple.org/", "", {}}, "not a valid URL");
  rejects({"https://example.org/" + std::string(3000, 'a'), "", {}}, "longer than");
  rejects({"", "alice@example.org, bob@example.org", {}}, "one mail address");
  rejects({"", "alice @example.org", {}}, "one mail address");
  rejects({"", "alice@example.org\r\nBcc: x@y.z", {}}, "one mail address");
  rejects({"", "Alice <alice@example.org>", {}}, "one mail address");
  rejects({"", "alice", {}}, "one mail address");
  rejects({"", "a@b@c", {}}, "one mail address");
  rejects({"", "@example.org", {}}, "one mail address");
  rejects({"https://example.org/", "", 0.0}, "callbackTimeout");
  rejects({"https://example.org/", "", -5.0}, "callbackTimeout");
  rejects({"https://example.org/", "", config_.callbacks.max_timeout_seconds + 1}, "at most");
  rejects({"https://example.org/", "", std::numeric_limits<double>::quiet_NaN()},
          "callbackTimeout");

  for (const CallbackRequest& ok :
       {CallbackRequest{"https://example.org/hook?x=1", "", {}},
        CallbackRequest{"HTTP://127.0.0.1:8080/", "", 60.0},
        CallbackRequest{"https://[::1]:9443/h", "alice.b+jobs@mail.example.org", {}},
        CallbackRequest{"", "alice@example.org", config_.callbacks.max_timeout_seconds},
        CallbackRequest{}})
    EXPECT_TRUE(service.Validate(ok).ok())
        << ok.url << " " << service.Validate(ok).status().message();
}

}  // namespace
}  // namespace sfapid
