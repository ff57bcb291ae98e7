#ifndef CRM_SERVICES_SEGMENT_CUSTOMER_MERGES_H_
#define CRM_SERVICES_SEGMENT_CUSTOMER_MERGES_H_

#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "crm/identify/v1/events.pb.h"

namespace crm::segment {

// Segment's aggregates follow identify's merges (through
// identify::FollowMerges). A merge adds the merged customer's purchase days and
// complaint counters to the survivor's and remembers them under the merge
// id; the merged customer's computed value is dropped (the next recompute
// values the survivor with everything). Its unmerge takes exactly that back
// from the survivor and gives it back, so what the survivor gained meanwhile
// stays with it.
void MergeAggregates(sql::Connection& conn, const identify::v1::CustomerMerged& merge,
                     absl::Time now);
void UnmergeAggregates(sql::Connection& conn, const identify::v1::CustomerUnmerged& unmerge,
                       absl::Time now);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_CUSTOMER_MERGES_H_
