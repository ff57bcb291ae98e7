#ifndef CRM_SERVICES_LOYALTY_IDENTIFY_DIRECTORY_H_
#define CRM_SERVICES_LOYALTY_IDENTIFY_DIRECTORY_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "grpcpp/channel.h"
#include "services/loyalty/customer_directory.h"

namespace crm::loyalty {

// CustomerDirectory over gRPC: identify's LookupCustomer.
class IdentifyDirectory final : public CustomerDirectory {
 public:
  explicit IdentifyDirectory(std::shared_ptr<grpc::Channel> channel,
                             absl::Duration deadline = absl::Seconds(2))
      : stub_(identify::v1::IdentifyService::NewStub(std::move(channel))), deadline_(deadline) {}

  absl::StatusOr<std::string> CustomerOf(const identify::v1::Identifier& identifier,
                                         absl::string_view default_region) override;

 private:
  std::unique_ptr<identify::v1::IdentifyService::Stub> stub_;
  absl::Duration deadline_;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_IDENTIFY_DIRECTORY_H_
