#ifndef CRM_SERVICES_LOYALTY_LOYALTY_SERVICE_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/loyalty/v1/loyalty.pb.h"
#include "services/loyalty/loyalty_store.h"

namespace crm::loyalty {

// The domain rules of the loyalty program, free of any transport.
class LoyaltyService {
 public:
  LoyaltyService(LoyaltyStore* store, const Clock* clock, IdGenerator* ids)
      : store_(store), clock_(clock), ids_(ids) {}

  absl::StatusOr<v1::CreateProgramResponse> CreateProgram(const v1::CreateProgramRequest& request);
  absl::StatusOr<v1::GetProgramResponse> GetProgram(const v1::GetProgramRequest& request);

 private:
  LoyaltyStore* store_;
  const Clock* clock_;
  IdGenerator* ids_;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_SERVICE_H_
