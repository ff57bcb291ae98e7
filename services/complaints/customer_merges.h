#ifndef CRM_SERVICES_COMPLAINTS_CUSTOMER_MERGES_H_
#define CRM_SERVICES_COMPLAINTS_CUSTOMER_MERGES_H_

#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "crm/identify/v1/events.pb.h"

namespace crm::complaints {

// Complaints follow identify's merges (through identify::FollowMerges): on a
// merge every complaint of the merged customer moves to the survivor,
// remembered under the merge id; on its unmerge exactly those move back, so
// complaints filed for the survivor meanwhile stay with it.
void MoveToSurvivor(sql::Connection& conn, const identify::v1::CustomerMerged& merge,
                    absl::Time now);
void MoveBack(sql::Connection& conn, const identify::v1::CustomerUnmerged& unmerge,
              absl::Time now);

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_CUSTOMER_MERGES_H_
