#ifndef CRM_SERVICES_IDENTIFY_CLIENT_IDENTIFY_CLIENT_H_
#define CRM_SERVICES_IDENTIFY_CLIENT_IDENTIFY_CLIENT_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "grpcpp/channel.h"
#include "services/identify/client/customer_directory.h"

namespace crm::identify {

// CustomerDirectory over gRPC: identify's LookupCustomer and RecordContact.
class IdentifyClient final : public CustomerDirectory {
 public:
  explicit IdentifyClient(std::shared_ptr<grpc::Channel> channel,
                          absl::Duration deadline = absl::Seconds(2))
      : stub_(v1::IdentifyService::NewStub(std::move(channel))), deadline_(deadline) {}

  absl::StatusOr<std::string> CustomerOf(const v1::Identifier& identifier,
                                         absl::string_view default_region) override;
  absl::Status RecordContact(absl::string_view request_id, const v1::Contact& contact) override;

 private:
  std::unique_ptr<v1::IdentifyService::Stub> stub_;
  absl::Duration deadline_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_CLIENT_IDENTIFY_CLIENT_H_
