#ifndef CRM_TOOLS_DYNAMIC_RPC_H_
#define CRM_TOOLS_DYNAMIC_RPC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace crm::tools {

// How responses are rendered as JSON.
struct JsonOutput {
  bool pretty = true;          // indented, one field a line
  bool emit_defaults = false;  // also print fields holding their default value
};

// A unary method of one of the suite's protos (or the health service), found
// by name in the generated descriptor pool, with JSON <-> wire conversion of
// its messages. Cheap to copy; safe to use from many threads.
class DynamicMethod {
 public:
  // Accepts "pkg.Service/Method", "/pkg.Service/Method" and
  // "pkg.Service.Method". NOT_FOUND for an unknown service or method (listing
  // the service's methods), INVALID_ARGUMENT for a malformed name or a
  // streaming method.
  static absl::StatusOr<DynamicMethod> Find(absl::string_view name);

  // "/pkg.Service/Method", the path gRPC sends.
  const std::string& path() const { return path_; }
  // "pkg.Service/Method", for humans.
  std::string display_name() const { return path_.substr(1); }
  const google::protobuf::MethodDescriptor& descriptor() const { return *method_; }

  // The serialized request for `json` (proto3 JSON mapping; field names in
  // either lowerCamel or snake_case). INVALID_ARGUMENT when the JSON does not
  // parse or does not fit the request type; unknown fields are errors.
  absl::StatusOr<std::string> RequestFromJson(absl::string_view json) const;

  // The JSON rendering of serialized response bytes; INVALID_ARGUMENT when
  // they do not parse as the response type.
  absl::StatusOr<std::string> ResponseToJson(absl::string_view bytes,
                                             const JsonOutput& output = {}) const;

 private:
  explicit DynamicMethod(const google::protobuf::MethodDescriptor* method);

  const google::protobuf::MethodDescriptor* method_;
  std::string path_;
};

}  // namespace crm::tools

#endif  // CRM_TOOLS_DYNAMIC_RPC_H_
