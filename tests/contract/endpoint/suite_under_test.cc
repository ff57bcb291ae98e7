#include "tests/contract/endpoint/suite_under_test.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/rpc_coverage.h"
#include "tests/contract/secured_suite.h"

namespace crm::contract {

struct SuiteUnderTest::State {
  std::unique_ptr<testing::SecuredSuite> own;  // when no endpoints were given
  std::map<std::string, std::string> addresses;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string admin_token, privacy_token;
  std::string run;
  bool tls = true;
  std::atomic<int> ids{0};
};

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

SuiteUnderTest& SuiteUnderTest::Get() {
  static auto* suite = new SuiteUnderTest;
  return *suite;
}

void SuiteUnderTest::SetUp() {
  state_ = std::make_shared<State>();
  state_->run = absl::StrCat(absl::Hex(
      (absl::ToUnixNanos(absl::Now()) ^ (static_cast<int64_t>(getpid()) << 20)) & 0xffffffff,
      absl::kZeroPad8));
  const std::string endpoints = Env("CRM_CONTRACT_ENDPOINTS");
  if (endpoints.empty()) {
    state_->own = std::make_unique<testing::SecuredSuite>();
    for (const char* service : {"identify", "loyalty", "complaints", "segment"}) {
      state_->addresses[service] = state_->own->Address(service);
    }
    state_->admin_token = state_->own->Token("admin");
    state_->privacy_token = state_->own->Token("privacy_officer");
    const std::vector<std::string> env = state_->own->ClientEnv();
    std::map<std::string, std::string> files;
    for (const std::string& setting : env) {
      std::pair<std::string, std::string> kv = absl::StrSplit(setting, absl::MaxSplits('=', 1));
      files[kv.first] = kv.second;
    }
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ReadFile(files["CRMCTL_TLS_CA_FILE"]);
    tls.pem_cert_chain = ReadFile(files["CRMCTL_TLS_CERT_FILE"]);
    tls.pem_private_key = ReadFile(files["CRMCTL_TLS_KEY_FILE"]);
    state_->credentials = grpc::SslCredentials(tls);
    return;
  }
  for (absl::string_view pair : absl::StrSplit(endpoints, ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    state_->addresses[kv.first] = kv.second;
  }
  for (const char* service : {"identify", "loyalty", "complaints", "segment"}) {
    EXPECT_FALSE(state_->addresses[service].empty())
        << "CRM_CONTRACT_ENDPOINTS names no " << service << " endpoint";
  }
  if (const std::string ca = Env("CRMCTL_TLS_CA_FILE"); !ca.empty()) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ReadFile(ca);
    tls.pem_cert_chain = ReadFile(Env("CRMCTL_TLS_CERT_FILE"));
    tls.pem_private_key = ReadFile(Env("CRMCTL_TLS_KEY_FILE"));
    state_->credentials = grpc::SslCredentials(tls);
  } else {
    state_->credentials = grpc::InsecureChannelCredentials();
    state_->tls = false;
  }
  state_->admin_token = Env("CRMCTL_TOKEN");
  state_->privacy_token = Env("CRM_CONTRACT_PRIVACY_TOKEN");
}

void SuiteUnderTest::TearDown() { state_.reset(); }

bool SuiteUnderTest::private_suite() const { return state_->own != nullptr; }

bool SuiteUnderTest::secured() const { return state_->tls; }

std::shared_ptr<grpc::Channel> SuiteUnderTest::Channel(const std::string& service) {
  auto& channel = state_->channels[service];
  if (channel == nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> recorders;
    recorders.push_back(CoverageRecorder());
    channel = grpc::experimental::CreateCustomChannelWithInterceptors(
        state_->addresses.at(service), state_->credentials, grpc::ChannelArguments(),
        std::move(recorders));
  }
  return channel;
}

std::unique_ptr<grpc::ClientContext> SuiteUnderTest::Context(Caller caller) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  const std::string& token = caller == Caller::kAdmin
                                 ? state_->admin_token
                                 : (caller == Caller::kPrivacyOfficer ? state_->privacy_token : "");
  if (caller != Caller::kNoToken && state_->tls) {
    EXPECT_FALSE(token.empty()) << "no token for this caller: set CRMCTL_TOKEN (role:admin) and "
                                   "CRM_CONTRACT_PRIVACY_TOKEN (role:privacy_officer)";
  }
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

std::string SuiteUnderTest::Unique(absl::string_view prefix) {
  return absl::StrCat(prefix, "-", state_->run, "-", ++state_->ids);
}

}  // namespace crm::contract
