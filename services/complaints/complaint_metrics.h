#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINT_METRICS_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINT_METRICS_H_

#include <vector>

#include "absl/types/span.h"
#include "crm/complaints/v1/metrics.pb.h"
#include "services/complaints/complaints_store.h"

namespace crm::complaints {

// The measures of GetComplaintMetrics over the complaints of a period, one
// group per value of `grouping`, sorted by group.
std::vector<v1::ComplaintMetrics> ComputeMetrics(absl::Span<const ComplaintFacts> facts,
                                                 v1::MetricsGrouping grouping,
                                                 int64_t rate_denominator, int top_root_causes);

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINT_METRICS_H_
