#ifndef CRM_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define CRM_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace crm::testing {

// Checks code, reason and (when given) the "field" metadata of `status`.
::testing::AssertionResult IsError(const absl::Status& status, absl::StatusCode code,
                                   const std::string& reason, const std::string& field = "");

}  // namespace crm::testing

#endif  // CRM_TESTS_SUPPORT_STATUS_MATCHERS_H_
