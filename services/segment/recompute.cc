#include "services/segment/recompute.h"

#include <malloc.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/sql_util.h"
#include "services/segment/engine/churn.h"
#include "services/segment/engine/scoring.h"
#include "services/segment/segment_rule.h"

namespace crm::segment {
namespace {

constexpr size_t kChunk = 10000;

void SetDate(absl::CivilDay day, google::type::Date* out) {
  out->set_year(static_cast<int>(day.year()));
  out->set_month(day.month());
  out->set_day(day.day());
}

v1::CustomerValue ValueOf(const ScoredCustomer& s, const v1::RecomputeJob& job) {
  v1::CustomerValue v;
  v.set_customer_id(s.history->customer_id);
  v.set_recency_days(s.rfm.recency_days);
  v.set_frequency(s.rfm.frequency);
  v.set_monetary_minor(s.rfm.monetary_cents);
  v.set_r(s.score.r);
  v.set_f(s.score.f);
  v.set_m(s.score.m);
  v.set_rfm_cell(absl::StrCat(s.score.r, s.score.f, s.score.m));
  v.set_rfm_segment(s.rfm_segment);
  v.set_value_tier(s.tier);
  v.set_lifecycle_stage(s.stage);
  v.set_abc_class(s.abc);
  v.set_value_quadrant(s.quadrant);
  if (s.clv) v.set_predicted_clv(*s.clv);
  if (s.probability_alive) v.set_probability_alive(*s.probability_alive);
  *v.mutable_as_of() = job.as_of();
  v.set_job_id(job.job_id());
  return v;
}

// Customers and value share per tier, in the pyramid's order.
void Summarise(absl::Span<const ScoredCustomer> scored, v1::RecomputeJob& job) {
  std::map<std::string, std::pair<int64_t, double>> tiers;
  double total = 0;
  for (const ScoredCustomer& s : scored) {
    auto& [customers, value] = tiers[s.tier];
    ++customers;
    const double positive = std::max<double>(0, static_cast<double>(s.rfm.monetary_cents));
    value += positive;
    total += positive;
  }
  std::vector<std::string> order;
  for (const PyramidTier& t : DefaultPyramid()) order.push_back(t.name);
  order.push_back("negative");
  for (const std::string& name : order) {
    auto it = tiers.find(name);
    if (it == tiers.end()) continue;
    v1::TierShare* share = job.add_pyramid();
    share->set_tier(name);
    share->set_customers(it->second.first);
    share->set_value_share(total > 0 ? it->second.second / total : 0);
  }
}

// The segments to evaluate and who matches each, filled chunk by chunk.
struct SegmentEvaluation {
  std::vector<std::pair<std::string, SegmentRule>> rules;  // segment id, rule
  std::vector<std::vector<std::string>> members;           // per rule

  static absl::StatusOr<SegmentEvaluation> Load(MysqlSegmentsStore* segments) {
    SegmentEvaluation evaluation;
    if (segments == nullptr) return evaluation;
    std::string after;
    for (;;) {
      auto page = segments->List(after, 1000);
      if (!page.ok()) return page.status();
      if (page->empty()) break;
      for (const v1::Segment& segment : *page) {
        auto rule = SegmentRule::Parse(segment.rule());  // valid when created
        if (!rule.ok()) return rule.status();
        evaluation.rules.emplace_back(segment.segment_id(), *std::move(rule));
      }
      after = page->back().segment_id();
    }
    evaluation.members.resize(evaluation.rules.size());
    return evaluation;
  }

  void Add(const v1::CustomerValue& value) {
    for (size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].second.Matches(value)) members[i].push_back(value.customer_id());
    }
  }
};

}  // namespace

Recomputer::~Recomputer() {
  absl::MutexLock lock(&mu_);
  if (worker_.joinable()) worker_.join();
}

absl::StatusOr<v1::RecomputeJob> Recomputer::NewJob(absl::CivilDay as_of) {
  v1::RecomputeJob job;
  job.set_job_id(ids_->Next());
  job.set_state(v1::RecomputeJob::STATE_RUNNING);
  SetDate(as_of, job.mutable_as_of());
  ToProtoTimestamp(clock_->Now(), job.mutable_start_time());
  if (absl::Status s = store_->StartJob(job); !s.ok()) return s;
  return job;
}

absl::StatusOr<v1::RecomputeJob> Recomputer::Start(absl::CivilDay as_of) {
  auto job = NewJob(as_of);
  if (!job.ok()) return job;
  absl::MutexLock lock(&mu_);
  if (worker_.joinable()) worker_.join();  // the previous job has finished: it released the row
  worker_ = std::thread([this, started = *job] {
    Run(started);
    malloc_trim(0);  // a job's gigabytes go back to the system, not to this thread's heap
  });
  return job;
}

absl::StatusOr<v1::RecomputeJob> Recomputer::RunNow(absl::CivilDay as_of) {
  auto job = NewJob(as_of);
  if (!job.ok()) return job;
  return Run(*std::move(job));
}

v1::RecomputeJob Recomputer::Run(v1::RecomputeJob job) {
  const absl::CivilDay as_of(job.as_of().year(), job.as_of().month(), job.as_of().day());
  auto fail = [&](const absl::Status& s) {
    job.set_state(v1::RecomputeJob::STATE_FAILED);
    job.set_error(std::string(s.message()));
    ToProtoTimestamp(clock_->Now(), job.mutable_end_time());
    (void)store_->UpdateJob(job);
    return job;
  };
  auto histories = store_->ReadHistories(as_of);
  if (!histories.ok()) return fail(histories.status());
  job.set_customers_total(static_cast<int64_t>(histories->size()));
  (void)store_->UpdateJob(job);
  ScoreOptions options;
  options.as_of = as_of;
  std::string note;
  const std::vector<ScoredCustomer> scored = ScoreCustomers(*histories, options, &note);
  job.set_model_note(note);
  auto complaints = store_->ReadComplaintFields();
  if (!complaints.ok()) return fail(complaints.status());
  auto segments = SegmentEvaluation::Load(outputs_.segments);
  if (!segments.ok()) return fail(segments.status());
  WarningReasons churning;
  std::vector<v1::CustomerValue> chunk;
  for (size_t start = 0; start < scored.size(); start += kChunk) {
    chunk.clear();
    for (size_t i = start; i < std::min(scored.size(), start + kChunk); ++i) {
      v1::CustomerValue& value = chunk.emplace_back(ValueOf(scored[i], job));
      if (auto c = complaints->find(value.customer_id()); c != complaints->end()) {
        value.MergeFrom(c->second);
      }
      segments->Add(value);
      if (outputs_.warnings == nullptr) continue;
      std::vector<std::string> reasons =
          ChurnReasons(*scored[i].history, as_of, value.complaints_open());
      if (!reasons.empty()) churning.emplace(value.customer_id(), std::move(reasons));
    }
    if (absl::Status s = store_->WriteValues(chunk); !s.ok()) return fail(s);
    job.set_customers_written(static_cast<int64_t>(start + chunk.size()));
    (void)store_->UpdateJob(job);
  }
  const absl::Time evaluated = clock_->Now();
  for (size_t i = 0; i < segments->rules.size(); ++i) {
    std::vector<std::string>& members = segments->members[i];
    std::sort(members.begin(), members.end());
    if (absl::Status s = outputs_.segments->ApplyEvaluation(segments->rules[i].first, members,
                                                            job.job_id(), evaluated);
        !s.ok()) {
      return fail(s);
    }
    (void)store_->UpdateJob(job);  // still alive: no second job starts meanwhile
  }
  if (outputs_.warnings != nullptr) {
    if (absl::Status s = outputs_.warnings->Reconcile(v1::Warning::KIND_CHURN, churning, evaluated);
        !s.ok()) {
      return fail(s);
    }
  }
  Summarise(scored, job);
  job.set_state(v1::RecomputeJob::STATE_SUCCEEDED);
  ToProtoTimestamp(clock_->Now(), job.mutable_end_time());
  if (absl::Status s = store_->UpdateJob(job); !s.ok()) return fail(s);
  return job;
}

}  // namespace crm::segment
