#include "tests/support/status_matchers.h"

#include "common/errors.h"

namespace crm::testing {

::testing::AssertionResult IsError(const absl::Status& status, absl::StatusCode code,
                                   const std::string& reason, const std::string& field) {
  const auto metadata = MetadataOf(status);
  const auto it = metadata.find("field");
  const std::string actual_field = it == metadata.end() ? "" : it->second;
  if (status.code() == code && ReasonOf(status) == reason &&
      (field.empty() || actual_field == field)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << Describe(status) << " (field \"" << actual_field << "\"), want "
         << absl::StatusCodeToString(code) << " " << reason << " (field \"" << field << "\")";
}

}  // namespace crm::testing
