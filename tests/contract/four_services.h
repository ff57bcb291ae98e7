#ifndef CRM_TESTS_CONTRACT_FOUR_SERVICES_H_
#define CRM_TESTS_CONTRACT_FOUR_SERVICES_H_

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/contract/service_process.h"

namespace crm::testing {

// The whole suite on fresh schemas, wired to each other as in a deployment:
// loyalty and complaints call identify, complaints calls loyalty and segment.
// Segment does not follow the feeds and complaints' SLA sweep is off, so that
// a test sees only what it does.
class FourServices {
 public:
  FourServices()
      : identify_("identify"),
        segment_("segment", true,
                 {"--loyalty_target=", "--complaints_target=", "--identify_target="}),
        loyalty_("loyalty", true, {"--identify_target=" + identify_.address()}),
        complaints_(
            "complaints", true,
            {"--identify_target=" + identify_.address(), "--loyalty_target=" + loyalty_.address(),
             "--segment_target=" + segment_.address(), "--sla_sweep_interval=0"}) {
    for (auto* svc : {&identify_, &segment_, &loyalty_, &complaints_}) {
      EXPECT_TRUE(WaitForHealth(svc->channel().get(), "SERVING", absl::Seconds(20)))
          << svc->process().Log();
    }
  }

  std::string identify() const { return identify_.address(); }
  std::string loyalty() const { return loyalty_.address(); }
  std::string complaints() const { return complaints_.address(); }
  std::string segment() const { return segment_.address(); }

 private:
  ServiceProcess identify_, segment_, loyalty_, complaints_;
};

// `env` arguments that drop a developer's crmctl settings (eval "$(./crm env)"),
// so that clients started by a test reach the test's plaintext services.
inline std::vector<std::string> CleanClientEnv() {
  return {"/usr/bin/env",       "-u", "CRMCTL_TLS_CERT_FILE", "-u", "CRMCTL_TLS_KEY_FILE", "-u",
          "CRMCTL_TLS_CA_FILE", "-u", "CRMCTL_TOKEN",         "-u", "CRMCTL_JSON",         "-u",
          "CRMCTL_TIMEOUT",     "-u", "CRMCTL_IDENTIFY",      "-u", "CRMCTL_LOYALTY",      "-u",
          "CRMCTL_COMPLAINTS",  "-u", "CRMCTL_SEGMENT"};
}

}  // namespace crm::testing

#endif  // CRM_TESTS_CONTRACT_FOUR_SERVICES_H_
