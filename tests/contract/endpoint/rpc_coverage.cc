#include "tests/contract/endpoint/rpc_coverage.h"

#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/status.h"

namespace crm::contract {
namespace {

struct Calls {
  std::mutex mu;
  std::map<std::string, std::map<int, int>> codes;  // method -> status code -> count
};

Calls& Recorded() {
  static auto* calls = new Calls;
  return *calls;
}

class RecordingInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit RecordingInterceptor(std::string method) : method_(std::move(method)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_STATUS)) {
      const int code = methods->GetRecvStatus()->error_code();
      std::lock_guard<std::mutex> lock(Recorded().mu);
      ++Recorded().codes[method_][code];
    }
    methods->Proceed();
  }

 private:
  std::string method_;
};

class RecordingFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new RecordingInterceptor(info->method());
  }
};

const char* CodeName(int code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "?";
}

}  // namespace

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> CoverageRecorder() {
  return std::make_unique<RecordingFactory>();
}

std::vector<std::string> MethodsNeverOk() {
  std::vector<std::string> missing;
  std::lock_guard<std::mutex> lock(Recorded().mu);
  // A request message of each service's file: asking for its descriptor
  // links and registers the file, service included.
  const std::pair<const char*, const google::protobuf::Descriptor*> services[] = {
      {identify::v1::IdentifyService::service_full_name(),
       identify::v1::CreateCustomerRequest::descriptor()},
      {loyalty::v1::LoyaltyService::service_full_name(),
       loyalty::v1::GetMemberRequest::descriptor()},
      {complaints::v1::ComplaintsService::service_full_name(),
       complaints::v1::FileComplaintRequest::descriptor()},
      {segment::v1::SegmentService::service_full_name(),
       segment::v1::GetCustomerTierRequest::descriptor()},
      {events::v1::EventFeedService::service_full_name(),
       events::v1::WatchEventsRequest::descriptor()},
  };
  for (const auto& [name, request] : services) {
    const google::protobuf::ServiceDescriptor* service =
        request->file()->pool()->FindServiceByName(name);
    if (service == nullptr) {
      missing.push_back(absl::StrCat(name, " (no descriptor)"));
      continue;
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method = absl::StrCat("/", name, "/", service->method(i)->name());
      auto called = Recorded().codes.find(method);
      const bool ok = called != Recorded().codes.end() &&
                      (called->second.count(0) > 0 ||
                       // A watch ends when its reader cancels it.
                       (service->method(i)->server_streaming() && called->second.count(1) > 0));
      if (!ok) missing.push_back(method);
    }
  }
  return missing;
}

std::string CoverageReport() {
  std::string report;
  std::lock_guard<std::mutex> lock(Recorded().mu);
  for (const auto& [method, codes] : Recorded().codes) {
    absl::StrAppend(&report, method, ":");
    for (const auto& [code, count] : codes)
      absl::StrAppend(&report, " ", CodeName(code), "x", count);
    absl::StrAppend(&report, "\n");
  }
  return report;
}

}  // namespace crm::contract
