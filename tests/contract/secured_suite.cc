#include "tests/contract/secured_suite.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/jwt_verifier.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"

namespace crm::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

SecuredSuite::SecuredSuite() {
  static int suites = 0;
  dir_ = absl::StrCat(::testing::TempDir(), "/secured-", getpid(), "-", suites++);
  EXPECT_EQ(std::system(
                absl::StrCat(CRM_SOURCE_DIR, "/tools/dev-certs.sh ", dir_, " >/dev/null").c_str()),
            0);
  for (const char* service : {"identify", "loyalty", "complaints", "segment"}) {
    ports_[service] = FreePort();
  }
  const std::map<std::string, std::vector<std::string>> peers = {
      {"identify", {"--loyalty_target=" + loyalty()}},
      {"loyalty", {"--identify_target=" + identify()}},
      {"complaints",
       {"--identify_target=" + identify(), "--loyalty_target=" + loyalty(),
        "--segment_target=" + segment()}},
      {"segment",
       {"--identify_target=" + identify(), "--loyalty_target=" + loyalty(),
        "--complaints_target=" + complaints()}},
  };
  std::map<std::string, int> probes;
  for (const auto& [service, peer_flags] : peers) {
    probes[service] = FreePort();
    std::vector<std::string> flags = peer_flags;
    flags.insert(flags.end(), {absl::StrCat("--tls_cert_file=", dir_, "/", service, ".crt"),
                               absl::StrCat("--tls_key_file=", dir_, "/", service, ".key"),
                               absl::StrCat("--tls_ca_file=", dir_, "/ca.crt"),
                               absl::StrCat("--authz_policy_file=", CRM_SOURCE_DIR,
                                            "/k8s/base/authz-policy.json"),
                               absl::StrCat("--jwt_public_key_file=", dir_, "/jwt.pub"),
                               absl::StrCat("--health_listen=127.0.0.1:", probes[service])});
    services_[service] = std::make_unique<ServiceProcess>(service, true, flags, ports_.at(service));
  }
  for (const auto& [service, port] : probes) {
    auto probe = FastReconnectChannel(absl::StrCat("127.0.0.1:", port));
    EXPECT_TRUE(WaitForHealth(probe.get(), "SERVING", absl::Seconds(30)))
        << service << ": " << services_.at(service)->process().Log();
  }
}

std::string SecuredSuite::Address(const std::string& service) const {
  return absl::StrCat("127.0.0.1:", ports_.at(service));
}

std::shared_ptr<grpc::Channel> SecuredSuite::Channel(const std::string& address) const {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(dir_ + "/ca.crt");
  options.pem_cert_chain = ReadFile(dir_ + "/client.crt");
  options.pem_private_key = ReadFile(dir_ + "/client.key");
  return grpc::CreateChannel(address, grpc::SslCredentials(options));
}

std::string SecuredSuite::Token(const std::string& role, absl::Duration ttl) const {
  auto token =
      SignToken(ReadFile(dir_ + "/jwt.key"), "crm", "crm",
                {"contract-tests", role, absl::Now() + ttl}, absl::Now() - absl::Minutes(1));
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

std::vector<std::string> SecuredSuite::ClientEnv(const std::string& role) const {
  return {absl::StrCat("CRMCTL_TLS_CERT_FILE=", dir_, "/client.crt"),
          absl::StrCat("CRMCTL_TLS_KEY_FILE=", dir_, "/client.key"),
          absl::StrCat("CRMCTL_TLS_CA_FILE=", dir_, "/ca.crt"),
          absl::StrCat("CRMCTL_TOKEN=", Token(role))};
}

}  // namespace crm::testing
