#ifndef CRM_SERVICES_LOYALTY_CUSTOMER_MERGES_H_
#define CRM_SERVICES_LOYALTY_CUSTOMER_MERGES_H_

#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "crm/identify/v1/events.pb.h"

namespace crm::loyalty {

// Memberships follow identify's merges (through identify::FollowMerges), in
// each program:
// - the merged customer's membership becomes the survivor's when the
//   survivor is not a member;
// - otherwise its points move lot by lot (pending and expiry dates kept) to
//   the survivor's membership as TRANSFER entries, with its unused coupons,
//   and the emptied membership refuses points changes (MEMBER_MERGED).
// An unmerge moves exactly what the merge moved back: the membership, and
// of each moved lot what the survivor has not spent or let expire since,
// with the coupons still unused.
void MoveToSurvivor(sql::Connection& conn, const identify::v1::CustomerMerged& merge,
                    absl::Time now);
void MoveBack(sql::Connection& conn, const identify::v1::CustomerUnmerged& unmerge, absl::Time now);

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_CUSTOMER_MERGES_H_
