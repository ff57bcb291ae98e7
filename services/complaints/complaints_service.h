#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINTS_SERVICE_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINTS_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/complaints/v1/complaints.pb.h"
#include "services/complaints/complaints_store.h"

namespace crm::complaints {

// The domain rules of complaint handling, free of any transport.
class ComplaintsService {
 public:
  ComplaintsService(ComplaintsStore* store, const Clock* clock, IdGenerator* ids)
      : store_(store), clock_(clock), ids_(ids) {}

  absl::StatusOr<v1::FileComplaintResponse> FileComplaint(const v1::FileComplaintRequest& request);
  absl::StatusOr<v1::GetComplaintResponse> GetComplaint(const v1::GetComplaintRequest& request);

 private:
  ComplaintsStore* store_;
  const Clock* clock_;
  IdGenerator* ids_;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINTS_SERVICE_H_
