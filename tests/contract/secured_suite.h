#ifndef CRM_TESTS_CONTRACT_SECURED_SUITE_H_
#define CRM_TESTS_CONTRACT_SECURED_SUITE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "tests/contract/service_process.h"

namespace crm::testing {

// The four services secured as `./crm up` secures them, on fresh schemas and
// free ports: mutual TLS with a development CA made for the suite
// (tools/dev-certs.sh), bearer tokens signed by its key, and the suite's own
// policy (k8s/base/authz-policy.json); every peer and change feed wired as in
// a deployment. The constructor returns once all four report SERVING.
class SecuredSuite {
 public:
  SecuredSuite();

  std::string identify() const { return Address("identify"); }
  std::string loyalty() const { return Address("loyalty"); }
  std::string complaints() const { return Address("complaints"); }
  std::string segment() const { return Address("segment"); }
  std::string Address(const std::string& service) const;
  ServiceProcess& process(const std::string& service) { return *services_.at(service); }

  // A channel presenting the suite's client certificate.
  std::shared_ptr<grpc::Channel> Channel(const std::string& address) const;
  // A token for `role` (the policy's "role:<role>"), valid for `ttl`.
  std::string Token(const std::string& role, absl::Duration ttl = absl::Hours(2)) const;
  // NAME=value arguments for /usr/bin/env that point a client (crmctl,
  // tests/python/smoke.py) at the suite with the client certificate and a
  // token for `role`.
  std::vector<std::string> ClientEnv(const std::string& role = "admin") const;

 private:
  std::string dir_;
  std::map<std::string, int> ports_;
  std::map<std::string, std::unique_ptr<ServiceProcess>> services_;
};

}  // namespace crm::testing

#endif  // CRM_TESTS_CONTRACT_SECURED_SUITE_H_
