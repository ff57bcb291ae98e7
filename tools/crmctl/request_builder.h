#ifndef CRM_TOOLS_CRMCTL_REQUEST_BUILDER_H_
#define CRM_TOOLS_CRMCTL_REQUEST_BUILDER_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "nlohmann/json.hpp"

namespace crm::crmctl {

// Sets one field of a request (proto3 JSON) from a command-line flag
// `--<path>=<value>`, checked against the request's descriptor:
//   --customer.display_name="Li Lei"      nested messages by dotted path
//   --kind=person                         enums by full name or unique suffix
//   --lines.sku=A --lines.amount_minor=5 --lines.sku=B ...
//                                         repeated messages: a field given again starts
//                                         the next element
//   --tags=a --tags=b                     repeated scalars append
//   --customer='{"display_name":"x"}'      any message field also takes JSON
// INVALID_ARGUMENT naming the flag, with the allowed fields or values.
absl::Status SetField(const google::protobuf::Descriptor& type, const std::string& path,
                      const std::string& value, nlohmann::json& request);

// One line per settable flag of `type` ("--customer.kind  enum: PERSON|..."),
// nested messages expanded to `depth` levels.
std::string DescribeFields(const google::protobuf::Descriptor& type, int depth = 3);

}  // namespace crm::crmctl

#endif  // CRM_TOOLS_CRMCTL_REQUEST_BUILDER_H_
