#include "common/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace crm {
namespace {

bool ParseInfo(const absl::Status& status, google::rpc::ErrorInfo* info) {
  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  return payload.has_value() && info->ParseFromString(std::string(*payload));
}

}  // namespace

absl::Status Error(absl::StatusCode code, absl::string_view reason,
                   absl::string_view message,
                   const std::map<std::string, std::string>& metadata) {
  absl::Status status(code, message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  for (const auto& [k, v] : metadata) (*info.mutable_metadata())[k] = v;
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status InvalidArgument(absl::string_view field, absl::string_view message) {
  return Error(absl::StatusCode::kInvalidArgument, "INVALID_FIELD",
               absl::StrCat(field, ": ", message), {{"field", std::string(field)}});
}

std::string ReasonOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  return ParseInfo(status, &info) ? info.reason() : "";
}

std::string Describe(const absl::Status& status) {
  if (status.ok()) return "OK";
  std::string reason = ReasonOf(status);
  return absl::StrCat(absl::StatusCodeToString(status.code()), reason.empty() ? "" : " ", reason,
                      ": ", status.message());
}

std::map<std::string, std::string> MetadataOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  if (!ParseInfo(status, &info)) return {};
  return {info.metadata().begin(), info.metadata().end()};
}

}  // namespace crm
