#ifndef CRM_SERVICES_COMPLAINTS_PEERS_H_
#define CRM_SERVICES_COMPLAINTS_PEERS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "grpcpp/channel.h"

namespace crm::complaints {

// A customer's value tier and the SLA class complaints apply to it.
struct CustomerTier {
  std::string tier;
  std::string sla_class;
};

// Segment's view of a customer's value.
class TierDirectory {
 public:
  virtual ~TierDirectory() = default;
  // NOT_FOUND when the customer has no tier; UNAVAILABLE when segment
  // cannot be reached.
  virtual absl::StatusOr<CustomerTier> TierOf(absl::string_view customer_id) = 0;
};

// Loyalty's points ledger.
class PointsLedger {
 public:
  virtual ~PointsLedger() = default;
  // Grants points once per request_id and returns the ledger entry id.
  // UNAVAILABLE when loyalty cannot be reached (retry later); any other
  // error is loyalty's refusal.
  virtual absl::StatusOr<std::string> Grant(absl::string_view request_id,
                                            absl::string_view member_id, int64_t points,
                                            absl::string_view reason,
                                            absl::string_view reference) = 0;
};

// TierDirectory over gRPC: segment's GetCustomerTier.
class SegmentTiers final : public TierDirectory {
 public:
  explicit SegmentTiers(std::shared_ptr<grpc::Channel> channel,
                        absl::Duration deadline = absl::Milliseconds(500))
      : stub_(segment::v1::SegmentService::NewStub(std::move(channel))), deadline_(deadline) {}
  absl::StatusOr<CustomerTier> TierOf(absl::string_view customer_id) override;

 private:
  std::unique_ptr<segment::v1::SegmentService::Stub> stub_;
  absl::Duration deadline_;
};

// PointsLedger over gRPC: loyalty's AdjustPoints.
class LoyaltyPoints final : public PointsLedger {
 public:
  explicit LoyaltyPoints(std::shared_ptr<grpc::Channel> channel,
                         absl::Duration deadline = absl::Seconds(2))
      : stub_(loyalty::v1::LoyaltyService::NewStub(std::move(channel))), deadline_(deadline) {}
  absl::StatusOr<std::string> Grant(absl::string_view request_id, absl::string_view member_id,
                                    int64_t points, absl::string_view reason,
                                    absl::string_view reference) override;

 private:
  std::unique_ptr<loyalty::v1::LoyaltyService::Stub> stub_;
  absl::Duration deadline_;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_PEERS_H_
