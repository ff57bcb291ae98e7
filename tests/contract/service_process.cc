#include "tests/contract/service_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

namespace crm::testing {

ServiceProcess::ServiceProcess(const std::string& service, bool migrate,
                               std::vector<std::string> extra_flags, int port)
    : service_(service), port_(port != 0 ? port : FreePort()), metrics_port_(FreePort()) {
  if (migrate) {
    EXPECT_EQ(Migrate(), 0);
  }
  std::vector<std::string> argv = {
      BuildPath(absl::StrCat("services/", service, "/crm-", service)),
      absl::StrCat("--listen=127.0.0.1:", port_),
      absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port_),
      absl::StrCat("--db_dsn=", db_.AppDsn()),
      absl::StrCat("--db_password_file=", db_.app_password_file()),
      "--readiness_interval=200ms",
  };
  if (service == "identify") {
    argv.push_back(absl::StrCat("--data_key_file=", WriteTestDataKeyFile()));
    argv.push_back("--loyalty_target=");  // a test names the loyalty it follows, if any
  }
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  process_ = std::make_unique<Subprocess>(
      argv, absl::StrCat(::testing::TempDir(), "/", service, "-", port_, ".log"));
  WaitForPort(port_, absl::Seconds(20));
  channel_ = FastReconnectChannel(address());
}

bool WaitForPort(int port, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool open = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (open) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address) {
  grpc::ChannelArguments args;  // the server may not listen yet: retry soon
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::string ServiceProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

int ServiceProcess::Migrate() {
  Subprocess migrate(
      {BuildPath(absl::StrCat("services/", service_, "/crm-", service_)), "--migrate_only",
       absl::StrCat("--db_dsn=mysql://root@localhost/", db_.schema(),
                    "?socket=", TestDatabase::Socket())},
      absl::StrCat(::testing::TempDir(), "/", service_, "-migrate-", port_, ".log"));
  auto code = migrate.Wait(absl::Seconds(30));
  if (code != 0) ADD_FAILURE() << migrate.Log();
  return code.value_or(-1);
}

std::string HealthOf(grpc::Channel* channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  if (!stub->Check(&ctx, req, &resp).ok()) return "UNREACHABLE";
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

bool WaitForHealth(grpc::Channel* channel, const std::string& want, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (HealthOf(channel) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (write(fd, request.data(), request.size()) < 0) {
    close(fd);
    return "";
  }
  std::string response;
  char buf[8192];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) response.append(buf, n);
  close(fd);
  auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

}  // namespace crm::testing
