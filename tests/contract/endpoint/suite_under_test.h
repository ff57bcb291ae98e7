// The suite the endpoint contract tests talk to, by address: a deployed one,
// or four secured services this binary starts itself.
#ifndef CRM_TESTS_CONTRACT_ENDPOINT_SUITE_UNDER_TEST_H_
#define CRM_TESTS_CONTRACT_ENDPOINT_SUITE_UNDER_TEST_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace crm::contract {

// Who a call is made as: the policy's role:admin, role:privacy_officer (the
// only role that sees personal data unmasked and may erase), or no token at
// all (the client certificate alone).
enum class Caller { kAdmin, kPrivacyOfficer, kNoToken };

// Where the suite is, read once from the environment:
//   CRM_CONTRACT_ENDPOINTS  identify=host:port,loyalty=...,complaints=...,segment=...
//                           unset: start the four services secured, on a private
//                           test database (as `ctest` does)
//   CRMCTL_TLS_CA_FILE, CRMCTL_TLS_CERT_FILE, CRMCTL_TLS_KEY_FILE
//                           mutual TLS (plaintext when the CA is unset)
//   CRMCTL_TOKEN            a role:admin bearer token
//   CRM_CONTRACT_PRIVACY_TOKEN  a role:privacy_officer token
// Every channel records the methods it calls and their status codes, for the
// coverage check at the end of a full run (rpc_coverage.h).
class SuiteUnderTest {
 public:
  static SuiteUnderTest& Get();

  std::shared_ptr<grpc::Channel> identify() { return Channel("identify"); }
  std::shared_ptr<grpc::Channel> loyalty() { return Channel("loyalty"); }
  std::shared_ptr<grpc::Channel> complaints() { return Channel("complaints"); }
  std::shared_ptr<grpc::Channel> segment() { return Channel("segment"); }
  std::shared_ptr<grpc::Channel> Channel(const std::string& service);

  // A context with a 10-second deadline and the caller's token.
  std::unique_ptr<grpc::ClientContext> Context(Caller caller = Caller::kAdmin);
  // An id unique to this run, for request ids, transaction ids and names, so
  // runs against a long-lived suite never collide: "<prefix>-<run>-<n>".
  std::string Unique(absl::string_view prefix);
  // True when the suite was started by this binary (fresh, nothing else
  // calling it).
  bool private_suite() const;
  // True when calls go over mutual TLS, so the authorisation policy applies.
  bool secured() const;

  // Starts the private suite when no endpoints are given; stops it at exit.
  void SetUp();
  void TearDown();

 private:
  SuiteUnderTest() = default;
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace crm::contract

#endif  // CRM_TESTS_CONTRACT_ENDPOINT_SUITE_UNDER_TEST_H_
