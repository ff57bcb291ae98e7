#ifndef CRM_COMMON_ERRORS_H_
#define CRM_COMMON_ERRORS_H_

#include "absl/strings/string_view.h"
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace crm {

// Every error the suite returns carries a machine-readable reason in
// UPPER_SNAKE_CASE (AIP-193), stored as a google.rpc.ErrorInfo payload and
// sent to clients in grpc-status-details-bin.
absl::Status Error(absl::StatusCode code, absl::string_view reason,
                   absl::string_view message,
                   const std::map<std::string, std::string>& metadata = {});

absl::Status InvalidArgument(absl::string_view field, absl::string_view message);

// The reason of `status`, or "" when it has none.
std::string ReasonOf(const absl::Status& status);

// The metadata of `status`'s ErrorInfo, empty when it has none.
std::map<std::string, std::string> MetadataOf(const absl::Status& status);

// "CODE REASON: message" for logs (absl::Status::ToString would print the
// binary payload).
std::string Describe(const absl::Status& status);

// The payload type URL of the ErrorInfo attached by Error().
inline constexpr absl::string_view kErrorInfoTypeUrl =
    "type.googleapis.com/google.rpc.ErrorInfo";

}  // namespace crm

#endif  // CRM_COMMON_ERRORS_H_
