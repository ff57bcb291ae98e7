// How a service behaves in a cluster, on real processes: readiness follows
// the database through an outage without a restart, liveness only the
// process, probes have a plaintext port, and mutual TLS admits only clients
// with a certificate from the suite's CA.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

using testing::BuildPath;
using testing::FreePort;
using testing::HealthOf;
using testing::WaitForHealth;

std::string SourcePath(const std::string& relative) {
  return absl::StrCat(CRM_SOURCE_DIR, "/", relative);
}

// A MariaDB of the test's own, started and stopped at will (tools/mariadb.sh).
class PrivateDatabase {
 public:
  PrivateDatabase()
      : dir_(absl::StrCat(::testing::TempDir(), "/outage-db-", getpid())), port_(FreePort()) {
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
  ~PrivateDatabase() { Run("mariadb_stop \"$dir\""); }

  bool Start() {
    return Run(
        "mariadb_start \"$dir\" \"$port\" && "
        "mariadb_sql \"$dir\" -e 'CREATE DATABASE IF NOT EXISTS crm_segment'");
  }
  bool Stop() { return Run("mariadb_stop \"$dir\""); }
  std::string Dsn() const {
    return absl::StrCat("mysql://root@localhost/crm_segment?socket=", dir_, "/mysqld.sock");
  }

 private:
  bool Run(const std::string& script) const {
    const std::string command = absl::StrCat(
        "dir='", dir_, "' port=", port_, " bash -c 'source \"", SourcePath("tools/mariadb.sh"),
        "\" && ", absl::StrReplaceAll(script, {{"'", "'\\''"}}), "' >/dev/null 2>&1");
    return std::system(command.c_str()) == 0;
  }

  std::string dir_;
  int port_;
};

bool WaitForNamedHealth(grpc::Channel* channel, const std::string& service, const std::string& want,
                        absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (HealthOf(channel, service) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ClusterBehaviourTest, ReadinessFollowsTheDatabaseThroughAnOutageWithoutARestart) {
  PrivateDatabase db;
  const int port = FreePort();
  const int probe_port = FreePort();
  testing::Subprocess segment(
      {BuildPath("services/segment/crm-segment"), absl::StrCat("--listen=127.0.0.1:", port),
       absl::StrCat("--health_listen=127.0.0.1:", probe_port), "--metrics_listen=off",
       absl::StrCat("--db_dsn=", db.Dsn()), "--migrate", "--readiness_interval=200ms",
       "--db_acquire_timeout=1s", "--db_query_timeout=2s",
       "--loyalty_target=", "--complaints_target=", "--identify_target="},
      absl::StrCat(::testing::TempDir(), "/outage-segment-", port, ".log"));
  ASSERT_TRUE(testing::WaitForPort(probe_port, absl::Seconds(20))) << segment.Log();
  auto main_port = testing::FastReconnectChannel(absl::StrCat("127.0.0.1:", port));
  auto probes = testing::FastReconnectChannel(absl::StrCat("127.0.0.1:", probe_port));

  // Started while its database is down: alive, not ready.
  EXPECT_TRUE(WaitForNamedHealth(probes.get(), "liveness", "SERVING", absl::Seconds(10)));
  EXPECT_EQ(HealthOf(probes.get()), "NOT_SERVING");
  EXPECT_EQ(HealthOf(main_port.get()), "NOT_SERVING");
  EXPECT_EQ(HealthOf(probes.get(), "crm.segment.v1.SegmentService"), "NOT_SERVING");

  ASSERT_TRUE(db.Start());
  EXPECT_TRUE(WaitForHealth(probes.get(), "SERVING", absl::Seconds(20))) << segment.Log();
  EXPECT_EQ(HealthOf(main_port.get(), "crm.segment.v1.SegmentService"), "SERVING");

  ASSERT_TRUE(db.Stop());
  EXPECT_TRUE(WaitForHealth(probes.get(), "NOT_SERVING", absl::Seconds(15))) << segment.Log();
  EXPECT_EQ(HealthOf(probes.get(), "liveness"), "SERVING");  // no reason to restart it

  ASSERT_TRUE(db.Start());
  EXPECT_TRUE(WaitForHealth(probes.get(), "SERVING", absl::Seconds(20))) << segment.Log();
  EXPECT_FALSE(segment.Wait(absl::ZeroDuration()).has_value()) << "the process restarted";

  // The process turns NOT_SERVING as the signal arrives; the margin is for a
  // probe on a busy machine (ctest runs suites side by side).
  segment.Signal(SIGTERM);
  EXPECT_TRUE(WaitForHealth(probes.get(), "NOT_SERVING", absl::Seconds(5)));
  EXPECT_EQ(segment.Wait(absl::Seconds(30)), 0) << segment.Log();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string TlsHealth(const std::string& address, const grpc::SslCredentialsOptions& options) {
  auto channel = grpc::CreateChannel(address, grpc::SslCredentials(options));
  return HealthOf(channel.get());
}

TEST(MutualTlsTest, OnlyClientsWithACertificateFromTheSuitesCaGetIn) {
  const std::string certs = absl::StrCat(::testing::TempDir(), "/certs-", getpid());
  const std::string other = certs + "-other";
  ASSERT_EQ(
      std::system(absl::StrCat(SourcePath("tools/dev-certs.sh"), " ", certs, " >/dev/null && ",
                               SourcePath("tools/dev-certs.sh"), " ", other, " >/dev/null")
                      .c_str()),
      0);
  const int probe_port = FreePort();
  testing::ServiceProcess segment(
      "segment", true,
      {"--loyalty_target=", "--complaints_target=", "--identify_target=",
       absl::StrCat("--tls_cert_file=", certs, "/segment.crt"),
       absl::StrCat("--tls_key_file=", certs, "/segment.key"),
       absl::StrCat("--tls_ca_file=", certs, "/ca.crt"),
       absl::StrCat("--health_listen=127.0.0.1:", probe_port)});
  auto probes = testing::FastReconnectChannel(absl::StrCat("127.0.0.1:", probe_port));
  ASSERT_TRUE(WaitForHealth(probes.get(), "SERVING", absl::Seconds(20))) << segment.process().Log();

  const std::string address = segment.address();
  grpc::SslCredentialsOptions client;
  client.pem_root_certs = ReadFile(certs + "/ca.crt");
  client.pem_cert_chain = ReadFile(certs + "/client.crt");
  client.pem_private_key = ReadFile(certs + "/client.key");
  EXPECT_EQ(TlsHealth(address, client), "SERVING");

  EXPECT_EQ(HealthOf(segment.channel().get()), "UNREACHABLE");  // plaintext
  grpc::SslCredentialsOptions anonymous;
  anonymous.pem_root_certs = client.pem_root_certs;
  EXPECT_EQ(TlsHealth(address, anonymous), "UNREACHABLE");
  grpc::SslCredentialsOptions stranger = client;  // a certificate of another CA
  stranger.pem_cert_chain = ReadFile(other + "/client.crt");
  stranger.pem_private_key = ReadFile(other + "/client.key");
  EXPECT_EQ(TlsHealth(address, stranger), "UNREACHABLE");
  grpc::SslCredentialsOptions wrong_server = client;  // the server proves itself too
  wrong_server.pem_root_certs = ReadFile(other + "/ca.crt");
  EXPECT_EQ(TlsHealth(address, wrong_server), "UNREACHABLE");
}

TEST(MutualTlsTest, HalfAConfigurationIsRefusedAtStart) {
  testing::Subprocess bad({BuildPath("services/segment/crm-segment"), "--db_dsn=mysql://u@h/s",
                           "--tls_cert_file=/nonexistent.crt"},
                          ::testing::TempDir() + "/bad-tls.log");
  EXPECT_EQ(bad.Wait(absl::Seconds(10)), 2);
  EXPECT_NE(bad.Log().find("BAD_TLS_CONFIG"), std::string::npos) << bad.Log();
}

}  // namespace
}  // namespace crm
