// Recomputes for the segment contract tests, which share one suite with
// other callers: only one recompute runs at a time.
#ifndef CRM_TESTS_CONTRACT_ENDPOINT_SEGMENT_JOBS_H_
#define CRM_TESTS_CONTRACT_ENDPOINT_SEGMENT_JOBS_H_

#include <functional>

#include "crm/segment/v1/segment.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/contract_test_util.h"

namespace crm::contract {

// How long a test waits for recomputes: each takes as long as the suite's
// data does (about a minute for a million customers), and other callers'
// jobs may run first.
inline constexpr absl::Duration kRecomputeWait = absl::Minutes(5);

// Runs a recompute to its end, waiting out one another caller started.
inline segment::v1::RecomputeJob RunRecompute() {
  namespace sv1 = segment::v1;
  auto segments = sv1::SegmentService::NewStub(Suite().segment());
  const absl::Time give_up = absl::Now() + kRecomputeWait;
  while (absl::Now() < give_up) {
    sv1::StartRecomputeResponse started;
    const grpc::Status status = segments->StartRecompute(As().get(), {}, &started);
    if (!status.ok()) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
          << status.error_message();
      absl::SleepFor(absl::Milliseconds(200));
      continue;
    }
    sv1::GetRecomputeJobRequest get;
    get.set_job_id(started.job().job_id());
    sv1::GetRecomputeJobResponse job;
    while (absl::Now() < give_up) {
      EXPECT_TRUE(segments->GetRecomputeJob(As().get(), get, &job).ok());
      if (job.job().state() != sv1::RecomputeJob::STATE_RUNNING) return job.job();
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  ADD_FAILURE() << "no recompute finished within " << kRecomputeWait;
  return {};
}

// Recomputes until the customer's value satisfies `done` (segment follows
// loyalty's feed asynchronously); false after kRecomputeWait.
inline bool RecomputeUntil(const std::string& customer_id,
                           const std::function<bool(const segment::v1::CustomerValue&)>& done) {
  namespace sv1 = segment::v1;
  auto segments = sv1::SegmentService::NewStub(Suite().segment());
  return Eventually(
      [&] {
        EXPECT_EQ(RunRecompute().state(), sv1::RecomputeJob::STATE_SUCCEEDED);
        sv1::GetCustomerValueRequest get;
        get.set_customer_id(customer_id);
        sv1::GetCustomerValueResponse value;
        return segments->GetCustomerValue(As().get(), get, &value).ok() && done(value.value());
      },
      kRecomputeWait);
}

}  // namespace crm::contract

#endif  // CRM_TESTS_CONTRACT_ENDPOINT_SEGMENT_JOBS_H_
