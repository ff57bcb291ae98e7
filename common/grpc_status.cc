#include "common/grpc_status.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/log.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace crm {
namespace {

bool IsInternal(absl::StatusCode code) {
  return code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kDataLoss;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain) {
  if (status.ok()) return grpc::Status::OK;
  absl::StatusCode code = status.code();
  std::string message(status.message());
  google::rpc::ErrorInfo info;
  if (auto payload = status.GetPayload(kErrorInfoTypeUrl)) {
    info.ParseFromString(std::string(*payload));
  }
  if (info.reason().rfind("DB_", 0) == 0 && !IsInternal(code)) {
    // Database text names tables, constraints, hosts and values: log it,
    // send the code and reason only.
    log::Warn("database error", {{"status", Describe(status)}});
    message = absl::StrCat("database error (", info.reason(), ")");
  }
  if (IsInternal(code)) {
    log::Error("internal error", {{"status", Describe(status)}});
    code = absl::StatusCode::kInternal;
    message = "internal error";
    info.Clear();
    info.set_reason("INTERNAL");
  } else if (info.reason().empty()) {
    info.set_reason(std::string(absl::StatusCodeToString(code)));
  }
  info.set_domain(std::string(domain));
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(message);
  rich.add_details()->PackFrom(info);
  return grpc::Status(static_cast<grpc::StatusCode>(code), message,
                      rich.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  auto code = static_cast<absl::StatusCode>(status.error_code());
  google::rpc::Status rich;
  if (rich.ParseFromString(status.error_details())) {
    for (const auto& any : rich.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) {
        return Error(code, info.reason(), status.error_message(),
                     {info.metadata().begin(), info.metadata().end()});
      }
    }
  }
  return absl::Status(code, status.error_message());
}

}  // namespace crm
