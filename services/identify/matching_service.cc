#include "services/identify/matching_service.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/paging.h"
#include "common/text.h"
#include "services/identify/customer_rules.h"

namespace crm::identify {
namespace {

constexpr absl::Duration kModelCacheTtl = absl::Seconds(10);
constexpr int kCandidatesPerKey = 100;
constexpr size_t kMaxQueuedPerJob = 10'000;
constexpr int kMaxCandidateIdentifiers = 20;

void AddEvidence(const MatchPattern& pattern, const MatchModel& model,
                 google::protobuf::RepeatedPtrField<v1::FieldEvidence>* out) {
  for (int f = 0; f < kMatchFieldCount; ++f) {
    v1::FieldEvidence& e = *out->Add();
    e.set_field(MatchFieldName(static_cast<MatchField>(f)));
    e.set_agreement(MatchLevelName(pattern[f]));
    e.set_weight(model.FieldWeight(static_cast<MatchField>(f), pattern[f]));
  }
}

v1::MatchModelInfo InfoOf(const StoredModel& stored) {
  v1::MatchModelInfo info = stored.info;
  const MatchModel& m = stored.model;
  info.set_lambda(m.lambda);
  info.set_upper_threshold(m.upper);
  info.set_lower_threshold(m.lower);
  for (int f = 0; f < kMatchFieldCount; ++f) {
    v1::FieldModel& field = *info.add_fields();
    field.set_field(MatchFieldName(static_cast<MatchField>(f)));
    for (int l = 1; l < kMatchLevels; ++l) {
      v1::LevelModel& level = *field.add_levels();
      level.set_agreement(MatchLevelName(l));
      level.set_m(m.m[f][l]);
      level.set_u(m.u[f][l]);
      level.set_weight(m.FieldWeight(static_cast<MatchField>(f), l));
    }
  }
  return info;
}

absl::Status CheckId(absl::string_view id, absl::string_view field) {
  if (!IsValidId(id)) return InvalidArgument(field, "must be a 26-character id");
  return absl::OkStatus();
}

// Fills what creation needs and the channel record may lack.
void CompleteCandidate(v1::Customer& c) {
  if (c.kind() == v1::CUSTOMER_KIND_UNSPECIFIED) c.set_kind(v1::CUSTOMER_KIND_PERSON);
  if (c.category() == v1::CUSTOMER_CATEGORY_UNSPECIFIED) {
    c.set_category(v1::CUSTOMER_CATEGORY_CONSUMER);
  }
  if (std::string(absl::StripAsciiWhitespace(c.display_name())).empty()) {
    std::string name = absl::StrCat(c.person().given_name(), " ", c.person().family_name());
    name = std::string(absl::StripAsciiWhitespace(name));
    c.set_display_name(name.empty() ? "(unnamed)" : name);
  }
}

}  // namespace

MatchingService::~MatchingService() {
  stopping_ = true;
  if (job_thread_.joinable()) job_thread_.join();
}

absl::StatusOr<StoredModel> MatchingService::Model() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!cached_model_ || clock_->Now() - cached_at_ > kModelCacheTtl) {
    auto current = store_->CurrentModel();
    if (!current.ok()) return current.status();
    cached_model_ = current->has_value() ? **current : StoredModel{MatchModel::Default(), {}};
    cached_at_ = clock_->Now();
  }
  return *cached_model_;
}

absl::Status MatchingService::DropUntrustedIdentifiers(
    const MatchRecord& names, std::vector<NormalizedIdentifier>& ids, std::vector<int>& given_at,
    std::vector<IdentifierUse>& uses, absl::FunctionRef<void(const NormalizedIdentifier&)> ignore) {
  const bool named = !names.family_name.empty() && !names.given_name.empty();
  const std::string name_key = absl::StrCat(names.family_name, "|", names.given_name);
  std::vector<bool> keep(ids.size(), true);
  std::map<std::string, bool> owner_conflicts;  // owner -> the names clearly differ
  for (size_t i = 0; i < ids.size(); ++i) {
    if (uses[i].conflicting_names >= options_.junk_after_conflicting_names) {
      keep[i] = false;  // junk by frequency: many people give this value
      continue;
    }
    if (!named || uses[i].owner.empty()) continue;
    auto known = owner_conflicts.find(uses[i].owner);
    if (known == owner_conflicts.end()) {
      auto held_by = store_->MatchRecordOf(uses[i].owner);
      if (!held_by.ok()) return held_by.status();
      known = owner_conflicts.emplace(uses[i].owner,
                                      held_by->has_value() &&
                                          NamesClearlyDiffer(CompareRecords(names, **held_by)))
                  .first;
    }
    if (known->second) {
      keep[i] = false;
      if (absl::Status s = store_->RecordIdentifierConflict(ids[i], name_key); !s.ok()) return s;
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!keep[i]) {
      ignore(ids[i]);
      continue;
    }
    ids[kept] = ids[i];
    given_at[kept] = given_at[i];
    uses[kept] = uses[i];
    ++kept;
  }
  ids.resize(kept);
  given_at.resize(kept);
  uses.resize(kept);
  return absl::OkStatus();
}

absl::StatusOr<v1::ResolveCustomerResponse> MatchingService::ResolveCustomer(
    const v1::ResolveCustomerRequest& request) {
  // The id of the customer a resolution may create is request_id + ":c".
  if (request.request_id().size() > 62) {
    return InvalidArgument("request_id", "must be at most 62 characters");
  }
  if (auto key = MakeRequestKey("ResolveCustomer", request.request_id(), request); !key.ok()) {
    return key.status();
  }
  if (request.candidate().identifiers_size() > kMaxCandidateIdentifiers) {
    return InvalidArgument("candidate.identifiers", "holds at most 20 identifiers");
  }
  v1::Source source = request.source();
  if (source.channel() == v1::COLLECTION_CHANNEL_UNSPECIFIED) {
    source.set_channel(v1::COLLECTION_CHANNEL_SERVICE);
  }
  if (absl::Status s = ValidateSource(source, true); !s.ok()) return s;
  if (const v1::Customer& c = request.candidate();
      c.identifiers_size() == 0 && c.display_name().empty() && !c.has_person() &&
      !c.has_organization() && !c.has_address()) {
    return Error(absl::StatusCode::kInvalidArgument, "NOTHING_TO_MATCH",
                 "the candidate has no identifier, name or address to match on",
                 {{"field", "candidate"}});
  }
  v1::Customer candidate = request.candidate();
  CompleteCandidate(candidate);
  if (!v1::CustomerKind_IsValid(candidate.kind())) {
    return InvalidArgument("candidate.kind", "must be PERSON or ORGANIZATION");
  }
  if (absl::Status s = ValidateCustomerData(candidate); !s.ok()) return s;
  v1::ResolveCustomerResponse response;
  const std::string region =
      request.default_region().empty() ? options_.default_region : request.default_region();
  std::vector<NormalizedIdentifier> ids;
  std::vector<int> given_at;  // each id's index in candidate.identifiers
  auto ignore = [&](const NormalizedIdentifier& id) {
    response.add_ignored_identifiers(
        std::string(absl::StripPrefix(v1::IdentifierType_Name(id.type), "IDENTIFIER_TYPE_")));
  };
  for (int i = 0; i < candidate.identifiers_size(); ++i) {
    auto id = NormalizeIdentifier(candidate.identifiers(i), region,
                                  absl::StrCat("candidate.identifiers[", i, "]"));
    if (!id.ok()) return id.status();
    if (options_.junk.IsJunk(*id)) {
      ignore(*id);
      continue;
    }
    ids.push_back(*id);
    given_at.push_back(i);
  }
  v1::Customer probe = candidate;
  probe.clear_identifiers();
  auto uses = store_->IdentifierUses(ids);
  if (!uses.ok()) return uses.status();
  if (absl::Status s = DropUntrustedIdentifiers(MatchRecordOf(probe), ids, given_at, *uses, ignore);
      !s.ok()) {
    return s;
  }

  v1::Customer create_as = candidate;
  create_as.clear_identifiers();
  std::string national_id_hash;
  for (size_t i = 0; i < ids.size(); ++i) {
    *create_as.add_identifiers() = candidate.identifiers(given_at[i]);
    v1::Identifier& normalized = *probe.add_identifiers();
    normalized.set_type(ids[i].type);
    normalized.set_value(ids[i].value);
    if (ids[i].type == v1::IDENTIFIER_TYPE_NATIONAL_ID && national_id_hash.empty()) {
      national_id_hash = store_->NationalIdHash(ids[i]);
    }
  }
  const MatchRecord record = MatchRecordOf(probe, national_id_hash);
  auto model = Model();
  if (!model.ok()) return model.status();
  MatchPattern best_pattern{};

  // Deterministic: the owners of the strong identifiers.
  std::vector<std::string> distinct;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& owner = (*uses)[i].owner;
    if (owner.empty() || std::find(distinct.begin(), distinct.end(), owner) != distinct.end()) {
      continue;
    }
    if (distinct.empty()) {
      response.set_matched_on(absl::StrCat(
          "identifier:", absl::StripPrefix(v1::IdentifierType_Name(ids[i].type), "IDENTIFIER_TYPE_")));
    }
    distinct.push_back(owner);
  }
  if (distinct.size() == 1) {
    response.set_outcome(v1::MATCH_OUTCOME_MATCHED);
    response.set_customer_id(distinct[0]);
    response.set_match_probability(1.0);
  } else if (distinct.size() > 1) {
    // One record, several customers: they may be duplicates of each other.
    response.set_outcome(v1::MATCH_OUTCOME_POSSIBLE_MATCH);
    response.set_customer_id(distinct[0]);
    auto review = store_->QueueReview(ids_->Next(), distinct[0], distinct[1], 0.5, MatchPattern{});
    if (!review.ok()) return review.status();
    response.set_review_id(review->review_id());
    return response;
  } else {
    // Probabilistic: candidates sharing a blocking key, best first.
    auto candidates = store_->Candidates(BlockingKeys(record), kCandidatesPerKey);
    if (!candidates.ok()) return candidates.status();
    double best = -1;
    for (const MatchRecord& other : *candidates) {
      const MatchPattern pattern = CompareRecords(record, other);
      const double p = model->model.Probability(pattern);
      if (p > best || (p == best && other.customer_id < response.customer_id())) {
        best = p;
        best_pattern = pattern;
        response.set_customer_id(other.customer_id);
      }
    }
    response.set_matched_on("probabilistic");
    if (best < 0) {
      response.set_outcome(v1::MATCH_OUTCOME_NO_MATCH);
    } else {
      response.set_match_probability(best);
      AddEvidence(best_pattern, model->model, response.mutable_evidence());
      response.set_outcome(best >= model->model.upper   ? v1::MATCH_OUTCOME_MATCHED
                           : best >= model->model.lower ? v1::MATCH_OUTCOME_POSSIBLE_MATCH
                                                        : v1::MATCH_OUTCOME_NO_MATCH);
    }
    if (response.outcome() == v1::MATCH_OUTCOME_NO_MATCH) response.clear_customer_id();
  }
  if (!request.create_if_no_match()) return response;

  if (response.outcome() == v1::MATCH_OUTCOME_MATCHED) {
    // Link what the channel knows that the customer lacks.
    for (const NormalizedIdentifier& id : ids) {
      auto added = customer_store_->AddIdentifier(response.customer_id(), id,
                                                  {source, "resolved", clock_->Now()});
      if (!added.ok() && ReasonOf(added.status()) != "IDENTIFIER_TAKEN") return added.status();
    }
    return response;
  }
  v1::CreateCustomerRequest create;
  create.set_request_id(request.request_id().empty() ? ""
                                                     : absl::StrCat(request.request_id(), ":c"));
  *create.mutable_customer() = create_as;
  *create.mutable_source() = source;
  create.set_default_region(region);
  auto created = customers_->CreateCustomer(create);
  if (!created.ok()) return created.status();
  const std::string existing = response.customer_id();
  response.set_customer_id(created->customer().customer_id());
  response.set_created(true);
  if (response.outcome() == v1::MATCH_OUTCOME_POSSIBLE_MATCH) {
    auto review = store_->QueueReview(ids_->Next(), existing, response.customer_id(),
                                      response.match_probability(), best_pattern);
    if (!review.ok()) return review.status();
    response.set_review_id(review->review_id());
  }
  return response;
}

absl::StatusOr<v1::ListMatchReviewsResponse> MatchingService::ListMatchReviews(
    const v1::ListMatchReviewsRequest& request) {
  auto page_size = PageSize(request.page_size(), 100, 500);
  if (!page_size.ok()) return page_size.status();
  const v1::ReviewStatus status = request.status() == v1::REVIEW_STATUS_UNSPECIFIED
                                      ? v1::REVIEW_STATUS_PENDING
                                      : request.status();
  if (!v1::ReviewStatus_IsValid(status)) return InvalidArgument("status", "is not a known status");
  const std::string filter = v1::ReviewStatus_Name(status);
  auto after = DecodePageToken(request.page_token(), filter);
  if (!after.ok()) return after.status();
  auto rows = store_->ListReviews(status, *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  auto model = Model();
  if (!model.ok()) return model.status();
  v1::ListMatchReviewsResponse response;
  for (ReviewRow& row : *rows) {
    if (response.reviews_size() == *page_size) {
      response.set_next_page_token(EncodePageToken(
          response.reviews(response.reviews_size() - 1).review_id(), filter));
      break;
    }
    AddEvidence(row.pattern, model->model, row.review.mutable_evidence());
    *response.add_reviews() = std::move(row.review);
  }
  return response;
}

absl::StatusOr<v1::DecideMatchReviewResponse> MatchingService::DecideMatchReview(
    const v1::DecideMatchReviewRequest& request) {
  if (absl::Status s = CheckId(request.review_id(), "review_id"); !s.ok()) return s;
  if (request.decision() != v1::REVIEW_STATUS_SAME_CUSTOMER &&
      request.decision() != v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS) {
    return InvalidArgument("decision", "must be SAME_CUSTOMER or DIFFERENT_CUSTOMERS");
  }
  std::string decided_by = request.decided_by(), note = request.note();
  if (absl::Status s = CheckText("decided_by", decided_by, 1, 100); !s.ok()) return s;
  if (absl::Status s = CheckText("note", note, 0, 500); !s.ok()) return s;
  // Merge first: a decision whose merge fails must leave the review pending.
  auto pending = store_->GetReview(request.review_id());
  if (!pending.ok()) return pending.status();
  if (pending->review.status() != v1::REVIEW_STATUS_PENDING) {
    return Error(absl::StatusCode::kFailedPrecondition, "REVIEW_ALREADY_DECIDED",
                 absl::StrCat("review ", request.review_id(), " was already decided as ",
                              v1::ReviewStatus_Name(pending->review.status())),
                 {{"review_id", request.review_id()}});
  }
  v1::DecideMatchReviewResponse response;
  if (request.decision() == v1::REVIEW_STATUS_SAME_CUSTOMER &&
      !pending->review.candidate_customer_id().empty()) {
    v1::Source source;
    source.set_channel(v1::COLLECTION_CHANNEL_SERVICE);
    source.set_actor(decided_by);
    auto merge_id = Merge(pending->review.customer_id(), pending->review.candidate_customer_id(),
                          {}, source, absl::StrCat("review ", request.review_id()),
                          {"DecideMatchReview", "", ""});
    if (!merge_id.ok()) return merge_id.status();
    response.set_merge_id(*merge_id);
  }
  auto row = store_->DecideReview(request.review_id(), request.decision(), decided_by, note);
  if (!row.ok()) return row.status();
  *response.mutable_review() = row->review;
  return response;
}

absl::StatusOr<std::vector<MatchRecord>> MatchingService::AllRecords() {
  std::vector<MatchRecord> records;
  std::string after;
  while (true) {
    auto page = store_->MatchRecords(after, 20'000);
    if (!page.ok()) return page.status();
    if (page->empty()) return records;
    after = page->back().customer_id;
    for (MatchRecord& r : *page) records.push_back(std::move(r));
  }
}

absl::StatusOr<v1::EstimateMatchModelResponse> MatchingService::EstimateMatchModel(
    const v1::EstimateMatchModelRequest& request) {
  auto current = Model();
  if (!current.ok()) return current.status();
  MatchModel start = current->model;
  if (request.upper_threshold() != 0) start.upper = request.upper_threshold();
  if (request.lower_threshold() != 0) start.lower = request.lower_threshold();
  if (!(start.lower > 0 && start.lower <= start.upper && start.upper < 1)) {
    return InvalidArgument("upper_threshold",
                           "thresholds must satisfy 0 < lower_threshold <= upper_threshold < 1");
  }
  // Sampled while paging, so memory stays bounded however many customers.
  RecordReservoir reservoir(kEstimationSample, /*seed=*/7);
  for (std::string after;;) {
    auto page = store_->MatchRecords(after, 20'000);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    after = page->back().customer_id;
    for (MatchRecord& r : *page) reservoir.Add(std::move(r));
  }
  if (reservoir.seen() < 100) {
    return Error(absl::StatusCode::kFailedPrecondition, "TOO_FEW_RECORDS",
                 absl::StrCat("estimating a model needs at least 100 customers; there are ",
                              reservoir.seen()));
  }
  const std::vector<MatchRecord> records = reservoir.Take();
  auto labelled = store_->LabelledPatterns();
  if (!labelled.ok()) return labelled.status();
  // EM starts from the built-in m values so a poor earlier estimate cannot
  // trap it; the thresholds are the caller's.
  MatchModel initial = MatchModel::Default();
  initial.upper = start.upper;
  initial.lower = start.lower;
  EstimationReport report;
  const MatchModel model = EstimateModel(records, *labelled, initial, &report);
  auto version = store_->SaveModel(model, report, static_cast<int>(labelled->size()));
  if (!version.ok()) return version.status();
  {
    std::lock_guard<std::mutex> lock(mu_);
    cached_model_.reset();
  }
  auto saved = Model();
  if (!saved.ok()) return saved.status();
  log::Info("match model estimated", {{"version", absl::StrCat(*version)},
                                      {"records", absl::StrCat(report.records)},
                                      {"em_iterations", absl::StrCat(report.em.iterations)}});
  v1::EstimateMatchModelResponse response;
  *response.mutable_model() = InfoOf(*saved);
  return response;
}

absl::StatusOr<v1::GetMatchModelResponse> MatchingService::GetMatchModel(
    const v1::GetMatchModelRequest&) {
  auto model = Model();
  if (!model.ok()) return model.status();
  v1::GetMatchModelResponse response;
  *response.mutable_model() = InfoOf(*model);
  return response;
}

absl::StatusOr<std::string> MatchingService::Merge(const std::string& survivor_id,
                                                   const std::string& merged_id,
                                                   const SurvivorshipRules& rules,
                                                   const v1::Source& source,
                                                   const std::string& reason,
                                                   const RequestKey& key) {
  auto outcome = store_->Merge(
      key, ids_->Next(), survivor_id, merged_id, {source, reason, clock_->Now()},
      [&](const v1::Customer& survivor, const FieldOrigins& survivor_origins,
          const v1::Customer& merged, const FieldOrigins& merged_origins) {
        return absl::StatusOr<v1::Customer>(
            MergeCustomerData(survivor, survivor_origins, merged, merged_origins, rules));
      });
  if (!outcome.ok()) return outcome.status();
  return outcome->merge_id;
}

absl::StatusOr<v1::MergeCustomersResponse> MatchingService::MergeCustomers(
    const v1::MergeCustomersRequest& request) {
  auto key = MakeRequestKey("MergeCustomers", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = CheckId(request.survivor_id(), "survivor_id"); !s.ok()) return s;
  if (absl::Status s = CheckId(request.merged_id(), "merged_id"); !s.ok()) return s;
  if (request.survivor_id() == request.merged_id()) {
    return InvalidArgument("merged_id", "must differ from survivor_id: a customer cannot be "
                                        "merged into itself");
  }
  SurvivorshipRules rules;
  rules.default_rule = request.default_rule();
  rules.field_rules.insert(request.field_rules().begin(), request.field_rules().end());
  if (absl::Status s = ValidateRules(rules); !s.ok()) return s;
  v1::Source source = request.source();
  if (source.channel() == v1::COLLECTION_CHANNEL_UNSPECIFIED) {
    source.set_channel(v1::COLLECTION_CHANNEL_SERVICE);
  }
  if (absl::Status s = ValidateSource(source, true); !s.ok()) return s;
  std::string reason = request.reason();
  if (absl::Status s = CheckText("reason", reason, 1, 500); !s.ok()) return s;
  auto outcome = store_->Merge(
      *key, ids_->Next(), request.survivor_id(), request.merged_id(),
      {source, reason, clock_->Now()},
      [&](const v1::Customer& survivor, const FieldOrigins& survivor_origins,
          const v1::Customer& merged, const FieldOrigins& merged_origins) {
        return absl::StatusOr<v1::Customer>(
            MergeCustomerData(survivor, survivor_origins, merged, merged_origins, rules));
      });
  if (!outcome.ok()) return outcome.status();
  v1::MergeCustomersResponse response;
  response.set_merge_id(outcome->merge_id);
  *response.mutable_survivor() = std::move(outcome->survivor);
  MaskCustomer(*response.mutable_survivor());
  return response;
}

absl::StatusOr<v1::UnmergeCustomersResponse> MatchingService::UnmergeCustomers(
    const v1::UnmergeCustomersRequest& request) {
  auto key = MakeRequestKey("UnmergeCustomers", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = CheckId(request.merge_id(), "merge_id"); !s.ok()) return s;
  v1::Source source = request.source();
  if (source.channel() == v1::COLLECTION_CHANNEL_UNSPECIFIED) {
    source.set_channel(v1::COLLECTION_CHANNEL_SERVICE);
  }
  if (absl::Status s = ValidateSource(source, true); !s.ok()) return s;
  std::string reason = request.reason();
  if (absl::Status s = CheckText("reason", reason, 1, 500); !s.ok()) return s;
  auto outcome = store_->Unmerge(*key, request.merge_id(), {source, reason, clock_->Now()});
  if (!outcome.ok()) return outcome.status();
  v1::UnmergeCustomersResponse response;
  *response.mutable_survivor() = std::move(outcome->survivor);
  *response.mutable_restored() = std::move(outcome->restored);
  MaskCustomer(*response.mutable_survivor());
  MaskCustomer(*response.mutable_restored());
  return response;
}

absl::StatusOr<v1::StartDeduplicationResponse> MatchingService::StartDeduplication(
    const v1::StartDeduplicationRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (job_running_) {
    return Error(absl::StatusCode::kFailedPrecondition, "JOB_RUNNING",
                 "a deduplication job is already running on this replica");
  }
  if (job_thread_.joinable()) job_thread_.join();
  v1::DeduplicationJob job;
  job.set_job_id(ids_->Next());
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_auto_merge(request.auto_merge());
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  if (absl::Status s = store_->CreateJob(job, absl::StrCat(host, ":", getpid())); !s.ok()) return s;
  job_running_ = true;
  job_thread_ = std::thread([this, job] { RunDeduplication(job); });
  v1::StartDeduplicationResponse response;
  *response.mutable_job() = job;
  return response;
}

absl::StatusOr<v1::GetDeduplicationJobResponse> MatchingService::GetDeduplicationJob(
    const v1::GetDeduplicationJobRequest& request) {
  if (absl::Status s = CheckId(request.job_id(), "job_id"); !s.ok()) return s;
  auto job = store_->GetJob(request.job_id());
  if (!job.ok()) return job.status();
  v1::GetDeduplicationJobResponse response;
  *response.mutable_job() = *std::move(job);
  return response;
}

void MatchingService::RunDeduplication(v1::DeduplicationJob job) {
  auto fail = [&](const absl::Status& status) {
    job.set_state(v1::JOB_STATE_FAILED);
    job.set_error(std::string(status.message()));
    log::Error("deduplication failed", {{"job_id", job.job_id()}, {"error", Describe(status)}});
    job_running_ = false;
    store_->UpdateJob(job).IgnoreError();
  };
  auto model = Model();
  if (!model.ok()) return fail(model.status());
  job.set_model_version(model->info.version());
  auto records = AllRecords();
  if (!records.ok()) return fail(records.status());
  job.set_records(static_cast<int64_t>(records->size()));
  job.set_progress(0.2);
  store_->UpdateJob(job).IgnoreError();
  const std::vector<RecordPair> pairs = BlockedPairs(*records);
  job.set_candidate_pairs(static_cast<int64_t>(pairs.size()));
  const Clustering clustering =
      ClusterRecords(*records, ScorePairs(*records, pairs, model->model, model->model.lower, 2),
                     model->model);
  int64_t duplicates = 0;
  for (const auto& cluster : clustering.clusters) duplicates += cluster.size() - 1;
  job.set_clusters(static_cast<int64_t>(clustering.clusters.size()));
  job.set_duplicates(duplicates);
  job.set_progress(0.5);
  store_->UpdateJob(job).IgnoreError();
  v1::Source source;
  source.set_channel(v1::COLLECTION_CHANNEL_SERVICE);
  source.set_actor(absl::StrCat("deduplication ", job.job_id()));
  int64_t done = 0;
  for (const auto& cluster : clustering.clusters) {
    if (stopping_) return fail(absl::CancelledError("the service stopped during the job"));
    for (size_t i = 1; job.auto_merge() && i < cluster.size(); ++i) {
      auto merged = Merge((*records)[cluster[0]].customer_id, (*records)[cluster[i]].customer_id,
                          {}, source, "batch deduplication", {"Deduplicate", "", ""});
      if (merged.ok()) {
        job.set_merged(job.merged() + 1);
      } else if (ReasonOf(merged.status()) != "CUSTOMER_MERGED") {
        return fail(merged.status());
      }
    }
    if (++done % 200 == 0) {
      job.set_progress(0.5 + 0.4 * static_cast<double>(done) /
                                 static_cast<double>(clustering.clusters.size()));
      store_->UpdateJob(job).IgnoreError();
    }
  }
  if (!job.auto_merge()) {
    for (const auto& cluster : clustering.clusters) {
      for (size_t i = 1; i < cluster.size() && job.queued_for_review() < kMaxQueuedPerJob; ++i) {
        const auto& a = (*records)[cluster[0]];
        const auto& b = (*records)[cluster[i]];
        const MatchPattern pattern = CompareRecords(a, b);
        if (store_->QueueReview(ids_->Next(), a.customer_id, b.customer_id,
                                model->model.Probability(pattern), pattern)
                .ok()) {
          job.set_queued_for_review(job.queued_for_review() + 1);
        }
      }
    }
  }
  for (const ScoredPair& pair : clustering.possible) {
    if (static_cast<size_t>(job.queued_for_review()) >= kMaxQueuedPerJob || stopping_) break;
    const auto& a = (*records)[pair.a];
    const auto& b = (*records)[pair.b];
    if (store_->QueueReview(ids_->Next(), a.customer_id, b.customer_id, pair.probability,
                            CompareRecords(a, b))
            .ok()) {
      job.set_queued_for_review(job.queued_for_review() + 1);
    }
  }
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  job.set_progress(1.0);
  job_running_ = false;  // before the result is visible, so a next start is not refused
  store_->UpdateJob(job).IgnoreError();
  log::Info("deduplication finished", {{"job_id", job.job_id()},
                                       {"records", absl::StrCat(job.records())},
                                       {"clusters", absl::StrCat(job.clusters())},
                                       {"merged", absl::StrCat(job.merged())}});
}


namespace {

constexpr int kMaxRejectionsListed = 1000;

bool IsImportId(absl::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

// Errors about the record itself reject the line; anything else (the
// database, the service) ends the import so the caller can re-send.
bool IsRecordError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<v1::ImportCustomersResponse> MatchingService::ImportCustomers(
    absl::FunctionRef<bool(v1::ImportCustomersRequest&)> next) {
  v1::ImportCustomersResponse summary;
  v1::ImportCustomersRequest message;
  std::string import_id, region;
  v1::Source source;
  std::set<std::string> seen;
  while (next(message)) {
    if (summary.received() == 0) {
      import_id = message.import_id();
      if (!IsImportId(import_id)) {
        return InvalidArgument("import_id", "must be 1-40 characters of [A-Za-z0-9_.-]");
      }
      source = message.source();
      if (source.channel() == v1::COLLECTION_CHANNEL_UNSPECIFIED) {
        source.set_channel(v1::COLLECTION_CHANNEL_IMPORT);
      }
      if (absl::Status s = ValidateSource(source, true); !s.ok()) return s;
      region = message.default_region();
    }
    summary.set_received(summary.received() + 1);
    auto reject = [&](const absl::Status& status) {
      summary.set_rejected(summary.rejected() + 1);
      if (summary.rejections_size() >= kMaxRejectionsListed) return;
      v1::ImportRejection& r = *summary.add_rejections();
      r.set_line_ref(message.line_ref());
      r.set_code(absl::StatusCodeToString(status.code()));
      r.set_reason(ReasonOf(status));
      r.set_message(std::string(status.message()));
    };
    const std::string& line = message.line_ref();
    if (line.empty() || line.size() > 20 || Utf8Length(line) == std::string::npos) {
      reject(InvalidArgument("line_ref", "must be 1-20 characters"));
      continue;
    }
    if (!seen.insert(line).second) {
      reject(InvalidArgument("line_ref", "appears twice in this import"));
      continue;
    }
    v1::ResolveCustomerRequest resolve;
    resolve.set_request_id(absl::StrCat(import_id, ":", line));
    *resolve.mutable_candidate() = std::move(*message.mutable_record());
    *resolve.mutable_source() = source;
    resolve.set_default_region(region);
    resolve.set_create_if_no_match(true);
    auto resolved = ResolveCustomer(resolve);
    if (!resolved.ok()) {
      if (!IsRecordError(resolved.status())) return resolved.status();
      reject(resolved.status());
      continue;
    }
    if (!resolved->review_id().empty()) {
      summary.set_queued_for_review(summary.queued_for_review() + 1);
    } else if (resolved->created()) {
      summary.set_created(summary.created() + 1);
    } else {
      summary.set_matched(summary.matched() + 1);
    }
  }
  return summary;
}

}  // namespace crm::identify
