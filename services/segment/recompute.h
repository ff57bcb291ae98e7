#ifndef CRM_SERVICES_SEGMENT_RECOMPUTE_H_
#define CRM_SERVICES_SEGMENT_RECOMPUTE_H_

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/segment/v1/segment.pb.h"
#include "services/segment/mysql_segments_store.h"
#include "services/segment/mysql_value_store.h"
#include "services/segment/mysql_warnings_store.h"

namespace crm::segment {

// What a recompute derives beyond values, when given.
struct RecomputeOutputs {
  // Evaluates every segment's rule over the new values and records who
  // joined and who left.
  MysqlSegmentsStore* segments = nullptr;
  // Raises and clears churn warnings (one per episode).
  MysqlWarningsStore* warnings = nullptr;
};

// Recomputes every customer's value from segment's purchase aggregates:
// reads them, scores with the engine (RFM, pyramid, stage, fitted BG/NBD
// and Gamma-Gamma), writes customer_values in chunks, evaluates the
// segments and keeps the job's progress in recompute_jobs.
class Recomputer {
 public:
  Recomputer(MysqlValueStore* store, const Clock* clock, IdGenerator* ids,
             RecomputeOutputs outputs = {})
      : store_(store), clock_(clock), ids_(ids), outputs_(outputs) {}
  ~Recomputer();

  // Records the job and runs it on a background thread.
  absl::StatusOr<v1::RecomputeJob> Start(absl::CivilDay as_of);
  // Records the job and runs it on this thread; the finished job.
  absl::StatusOr<v1::RecomputeJob> RunNow(absl::CivilDay as_of);

 private:
  absl::StatusOr<v1::RecomputeJob> NewJob(absl::CivilDay as_of);
  v1::RecomputeJob Run(v1::RecomputeJob job);

  MysqlValueStore* store_;
  const Clock* clock_;
  IdGenerator* ids_;
  RecomputeOutputs outputs_;
  absl::Mutex mu_;
  std::thread worker_ ABSL_GUARDED_BY(mu_);
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_RECOMPUTE_H_
