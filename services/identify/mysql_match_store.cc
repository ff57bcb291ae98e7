#include "services/identify/mysql_match_store.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "services/identify/customer_rows.h"

namespace crm::identify {
namespace {

// A running job whose owner has not written for this long is considered dead.
constexpr absl::Duration kJobHeartbeatTimeout = absl::Minutes(2);

std::string PatternText(const MatchPattern& p) {
  std::string text;
  for (uint8_t level : p) text.push_back(static_cast<char>('0' + level));
  return text;
}

MatchPattern ParsePattern(const std::string& text) {
  MatchPattern p{};
  for (size_t i = 0; i < p.size() && i < text.size(); ++i) {
    p[i] = static_cast<uint8_t>(std::clamp(text[i] - '0', 0, kMatchLevels - 1));
  }
  return p;
}

absl::StatusOr<std::vector<MatchRecord>> ReadRecords(sql::ResultSet& rs, const DataKey& key) {
  std::vector<MatchRecord> out;
  while (rs.next()) {
    const std::string id = rs.getString(1);
    auto bytes = key.Open(std::string(rs.getString(2)), rows::MatchRecordContext(id));
    if (!bytes.ok()) return bytes.status();
    auto record = MatchRecord::Parse(*bytes);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

ReviewRow ReadReview(sql::ResultSet& rs) {
  ReviewRow row;
  v1::MatchReview& r = row.review;
  r.set_review_id(rs.getString(1));
  r.set_customer_id(rs.getString(2));
  r.set_candidate_customer_id(rs.getString(3));
  r.set_match_probability(rs.getDouble(4));
  row.pattern = ParsePattern(rs.getString(5));
  r.set_status(static_cast<v1::ReviewStatus>(rs.getInt(6)));
  r.set_decided_by(rs.getString(7));
  r.set_note(rs.getString(8));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(9)), r.mutable_create_time());
  if (!rs.isNull(10)) ToProtoTimestamp(FromSqlDatetime(rs.getString(10)), r.mutable_decide_time());
  return row;
}

constexpr char kReviewColumns[] =
    "SELECT review_id, customer_id, candidate_customer_id, probability, pattern, status, "
    "decided_by, note, created_at, decided_at FROM match_reviews ";

absl::StatusOr<ReviewRow> FindReview(sql::Connection& conn, absl::string_view review_id,
                                     bool for_update) {
  auto find = Prepare(conn, absl::StrCat(kReviewColumns, "WHERE review_id = ?",
                                         for_update ? " FOR UPDATE" : ""));
  find->setString(1, std::string(review_id));
  std::unique_ptr<sql::ResultSet> rs(find->executeQuery());
  if (!rs->next()) {
    return Error(absl::StatusCode::kNotFound, "REVIEW_NOT_FOUND",
                 absl::StrCat("review ", review_id, " does not exist"),
                 {{"review_id", std::string(review_id)}});
  }
  return ReadReview(*rs);
}

}  // namespace

std::string MysqlMatchStore::NationalIdHash(const NormalizedIdentifier& id) const {
  return rows::IdentifierHash(*key_, id);
}

absl::StatusOr<std::vector<IdentifierUse>> MysqlMatchStore::IdentifierUses(
    const std::vector<NormalizedIdentifier>& ids) {
  return RunWithConnection<std::vector<IdentifierUse>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<IdentifierUse>> {
        auto query = Prepare(conn,
                             "SELECT (SELECT customer_id FROM customer_identifiers "
                             "WHERE lookup_hash = ?), (SELECT COUNT(*) FROM identifier_conflicts "
                             "WHERE lookup_hash = ?)");
        std::vector<IdentifierUse> uses;
        for (const NormalizedIdentifier& id : ids) {
          const std::string hash = rows::IdentifierHash(*key_, id);
          std::istringstream owner_hash(hash), conflict_hash(hash);
          query->setBlob(1, &owner_hash);
          query->setBlob(2, &conflict_hash);
          std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
          IdentifierUse& use = uses.emplace_back();
          if (rs->next()) {
            if (!rs->isNull(1)) use.owner = rs->getString(1);
            use.conflicting_names = rs->getInt(2);
          }
        }
        return uses;
      });
}

absl::Status MysqlMatchStore::RecordIdentifierConflict(const NormalizedIdentifier& id,
                                                       absl::string_view name_key) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto insert = Prepare(conn,
                          "INSERT IGNORE INTO identifier_conflicts (lookup_hash, name_hash, "
                          "seen_at) VALUES (?, ?, ?)");
    std::istringstream hash(rows::IdentifierHash(*key_, id));
    std::istringstream name(key_->Hash("conflicting-name", name_key).substr(0, 8));
    insert->setBlob(1, &hash);
    insert->setBlob(2, &name);
    insert->setString(3, ToSqlDatetime(clock_->Now()));
    insert->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<MatchRecord>> MysqlMatchStore::MatchRecordOf(
    absl::string_view customer_id) {
  return RunWithConnection<std::optional<MatchRecord>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::optional<MatchRecord>> {
        auto query = Prepare(conn,
                             "SELECT customer_id, sealed_record FROM match_records "
                             "WHERE customer_id = ?");
        query->setString(1, std::string(customer_id));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        auto records = ReadRecords(*rs, *key_);
        if (!records.ok()) return records.status();
        if (records->empty()) return std::optional<MatchRecord>();
        return std::optional<MatchRecord>(std::move(records->front()));
      });
}

absl::StatusOr<std::vector<MatchRecord>> MysqlMatchStore::Candidates(
    const std::vector<std::string>& blocking_keys, int per_key_limit) {
  if (blocking_keys.empty()) return std::vector<MatchRecord>();
  return RunWithConnection<std::vector<MatchRecord>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<MatchRecord>> {
        // One bounded probe per key, unioned: a common key cannot flood the
        // candidate set.
        std::string sql;
        for (size_t i = 0; i < blocking_keys.size(); ++i) {
          absl::StrAppend(&sql, i ? " UNION " : "",
                          "(SELECT customer_id FROM blocking_keys WHERE key_hash = ? LIMIT ?)");
        }
        sql = absl::StrCat(
            "SELECT m.customer_id, m.sealed_record FROM match_records m JOIN (", sql,
            ") k ON k.customer_id = m.customer_id");
        auto query = Prepare(conn, sql);
        std::vector<std::unique_ptr<std::istringstream>> hashes;
        for (size_t i = 0; i < blocking_keys.size(); ++i) {
          hashes.push_back(
              std::make_unique<std::istringstream>(rows::BlockingKeyHash(*key_, blocking_keys[i])));
          query->setBlob(static_cast<unsigned>(2 * i + 1), hashes.back().get());
          query->setInt(static_cast<unsigned>(2 * i + 2), per_key_limit);
        }
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        return ReadRecords(*rs, *key_);
      });
}

absl::StatusOr<std::vector<MatchRecord>> MysqlMatchStore::MatchRecords(absl::string_view after_id,
                                                                       int limit) {
  return RunWithConnection<std::vector<MatchRecord>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<MatchRecord>> {
        auto query = Prepare(conn,
                             "SELECT customer_id, sealed_record FROM match_records "
                             "WHERE customer_id > ? ORDER BY customer_id LIMIT ?");
        query->setString(1, std::string(after_id));
        query->setInt(2, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        return ReadRecords(*rs, *key_);
      });
}

absl::StatusOr<std::optional<StoredModel>> MysqlMatchStore::CurrentModel() {
  return RunWithConnection<std::optional<StoredModel>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::optional<StoredModel>> {
        auto query = Prepare(conn,
                             "SELECT version, params, records, random_pairs, candidate_pairs, "
                             "labelled_pairs, em_iterations, converged, log_likelihood, created_at "
                             "FROM match_models ORDER BY version DESC LIMIT 1");
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) return std::optional<StoredModel>();
        auto model = MatchModel::Parse(rs->getString(2));
        if (!model.ok()) return model.status();
        StoredModel stored{*std::move(model), {}};
        v1::MatchModelInfo& info = stored.info;
        info.set_version(rs->getInt64(1));
        info.set_records(rs->getInt64(3));
        info.set_random_pairs(rs->getInt64(4));
        info.set_candidate_pairs(rs->getInt64(5));
        info.set_labelled_pairs(rs->getInt(6));
        info.set_em_iterations(rs->getInt(7));
        info.set_converged(rs->getBoolean(8));
        info.set_log_likelihood(rs->getDouble(9));
        ToProtoTimestamp(FromSqlDatetime(rs->getString(10)), info.mutable_create_time());
        return std::optional<StoredModel>(std::move(stored));
      });
}

absl::StatusOr<int64_t> MysqlMatchStore::SaveModel(const MatchModel& model,
                                                   const EstimationReport& report, int labelled) {
  return RunInTransaction<int64_t>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<int64_t> {
    auto insert = Prepare(conn,
                          "INSERT INTO match_models (params, records, random_pairs, "
                          "candidate_pairs, labelled_pairs, em_iterations, converged, "
                          "log_likelihood, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert->setString(1, model.Serialize());
    insert->setInt64(2, report.records);
    insert->setInt64(3, report.random_pairs);
    insert->setInt64(4, report.candidate_pairs);
    insert->setInt(5, labelled);
    insert->setInt(6, report.em.iterations);
    insert->setBoolean(7, report.em.converged);
    insert->setDouble(8, report.em.log_likelihood);
    insert->setString(9, ToSqlDatetime(clock_->Now()));
    insert->executeUpdate();
    std::unique_ptr<sql::Statement> last(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rs(last->executeQuery("SELECT LAST_INSERT_ID()"));
    rs->next();
    return static_cast<int64_t>(rs->getInt64(1));
  }, rows::WriteOptions());
}

absl::StatusOr<std::vector<std::pair<MatchPattern, bool>>> MysqlMatchStore::LabelledPatterns() {
  using Labelled = std::vector<std::pair<MatchPattern, bool>>;
  return RunWithConnection<Labelled>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<Labelled> {
    auto query = Prepare(conn, "SELECT pattern, status FROM match_reviews WHERE status IN (?, ?)");
    query->setInt(1, v1::REVIEW_STATUS_SAME_CUSTOMER);
    query->setInt(2, v1::REVIEW_STATUS_DIFFERENT_CUSTOMERS);
    std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
    Labelled out;
    while (rs->next()) {
      out.emplace_back(ParsePattern(rs->getString(1)),
                       rs->getInt(2) == v1::REVIEW_STATUS_SAME_CUSTOMER);
    }
    return out;
  });
}

absl::StatusOr<v1::MatchReview> MysqlMatchStore::QueueReview(
    const std::string& review_id, const std::string& customer_id,
    const std::string& candidate_customer_id, double probability, const MatchPattern& pattern) {
  return RunInTransaction<v1::MatchReview>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::MatchReview> {
        auto insert = Prepare(conn,
                              "INSERT IGNORE INTO match_reviews (review_id, customer_id, "
                              "candidate_customer_id, probability, pattern, status, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert->setString(1, review_id);
        insert->setString(2, customer_id);
        insert->setString(3, candidate_customer_id);
        insert->setDouble(4, probability);
        insert->setString(5, PatternText(pattern));
        insert->setInt(6, v1::REVIEW_STATUS_PENDING);
        insert->setString(7, ToSqlDatetime(clock_->Now()));
        insert->executeUpdate();
        auto find = Prepare(conn, absl::StrCat(kReviewColumns,
                                               "WHERE customer_id = ? AND candidate_customer_id = ?"));
        find->setString(1, customer_id);
        find->setString(2, candidate_customer_id);
        std::unique_ptr<sql::ResultSet> rs(find->executeQuery());
        if (!rs->next()) return absl::InternalError("queued review not found");
        return ReadReview(*rs).review;
      }, rows::WriteOptions());
}

absl::StatusOr<std::vector<ReviewRow>> MysqlMatchStore::ListReviews(v1::ReviewStatus status,
                                                                    absl::string_view after_id,
                                                                    int limit) {
  return RunWithConnection<std::vector<ReviewRow>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<ReviewRow>> {
        auto query = Prepare(conn, absl::StrCat(kReviewColumns,
                                                "WHERE status = ? AND review_id > ? "
                                                "ORDER BY review_id LIMIT ?"));
        query->setInt(1, status);
        query->setString(2, std::string(after_id));
        query->setInt(3, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<ReviewRow> out;
        while (rs->next()) out.push_back(ReadReview(*rs));
        return out;
      });
}

absl::StatusOr<ReviewRow> MysqlMatchStore::GetReview(absl::string_view review_id) {
  return RunWithConnection<ReviewRow>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<ReviewRow> {
    return FindReview(conn, review_id, /*for_update=*/false);
  });
}

absl::StatusOr<ReviewRow> MysqlMatchStore::DecideReview(absl::string_view review_id,
                                                        v1::ReviewStatus decision,
                                                        absl::string_view decided_by,
                                                        absl::string_view note) {
  return RunInTransaction<ReviewRow>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<ReviewRow> {
    auto found = FindReview(conn, review_id, /*for_update=*/true);
    if (!found.ok()) return found.status();
    ReviewRow row = *std::move(found);
    if (row.review.status() != v1::REVIEW_STATUS_PENDING) {
      return Error(absl::StatusCode::kFailedPrecondition, "REVIEW_ALREADY_DECIDED",
                   absl::StrCat("review ", review_id, " was already decided as ",
                                v1::ReviewStatus_Name(row.review.status())),
                   {{"review_id", std::string(review_id)}});
    }
    const absl::Time now = clock_->Now();
    auto update = Prepare(conn,
                          "UPDATE match_reviews SET status = ?, decided_by = ?, note = ?, "
                          "decided_at = ? WHERE review_id = ?");
    update->setInt(1, decision);
    update->setString(2, std::string(decided_by));
    update->setString(3, std::string(note));
    update->setString(4, ToSqlDatetime(now));
    update->setString(5, std::string(review_id));
    update->executeUpdate();
    row.review.set_status(decision);
    row.review.set_decided_by(std::string(decided_by));
    row.review.set_note(std::string(note));
    ToProtoTimestamp(now, row.review.mutable_decide_time());
    return row;
  }, rows::WriteOptions());
}

absl::Status MysqlMatchStore::CreateJob(const v1::DeduplicationJob& job, absl::string_view owner) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto insert = Prepare(conn,
                          "INSERT INTO dedup_jobs (job_id, state, auto_merge, owner, "
                          "heartbeat_at, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    const std::string now = ToSqlDatetime(clock_->Now());
    insert->setString(1, job.job_id());
    insert->setInt(2, job.state());
    insert->setBoolean(3, job.auto_merge());
    insert->setString(4, std::string(owner).substr(0, 200));
    insert->setString(5, now);
    insert->setString(6, now);
    insert->executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status MysqlMatchStore::UpdateJob(const v1::DeduplicationJob& job) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto update = Prepare(conn,
                          "UPDATE dedup_jobs SET state = ?, progress = ?, records = ?, "
                          "candidate_pairs = ?, clusters = ?, duplicates = ?, merged = ?, "
                          "queued = ?, model_version = ?, error = ?, heartbeat_at = ?, "
                          "finished_at = ? WHERE job_id = ?");
    const absl::Time now = clock_->Now();
    update->setInt(1, job.state());
    update->setDouble(2, job.progress());
    update->setInt64(3, job.records());
    update->setInt64(4, job.candidate_pairs());
    update->setInt64(5, job.clusters());
    update->setInt64(6, job.duplicates());
    update->setInt64(7, job.merged());
    update->setInt64(8, job.queued_for_review());
    update->setInt64(9, job.model_version());
    update->setString(10, job.error().substr(0, 500));
    update->setString(11, ToSqlDatetime(now));
    if (job.state() == v1::JOB_STATE_RUNNING) {
      update->setNull(12, 0);
    } else {
      update->setString(12, ToSqlDatetime(now));
    }
    update->setString(13, job.job_id());
    update->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::DeduplicationJob> MysqlMatchStore::GetJob(absl::string_view job_id) {
  return RunWithConnection<v1::DeduplicationJob>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::DeduplicationJob> {
        auto query = Prepare(conn,
                             "SELECT state, auto_merge, progress, records, candidate_pairs, "
                             "clusters, duplicates, merged, queued, model_version, error, "
                             "heartbeat_at, created_at, finished_at FROM dedup_jobs "
                             "WHERE job_id = ?");
        query->setString(1, std::string(job_id));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "JOB_NOT_FOUND",
                       absl::StrCat("deduplication job ", job_id, " does not exist"),
                       {{"job_id", std::string(job_id)}});
        }
        v1::DeduplicationJob job;
        job.set_job_id(std::string(job_id));
        job.set_state(static_cast<v1::JobState>(rs->getInt(1)));
        job.set_auto_merge(rs->getBoolean(2));
        job.set_progress(rs->getDouble(3));
        job.set_records(rs->getInt64(4));
        job.set_candidate_pairs(rs->getInt64(5));
        job.set_clusters(rs->getInt64(6));
        job.set_duplicates(rs->getInt64(7));
        job.set_merged(rs->getInt64(8));
        job.set_queued_for_review(rs->getInt64(9));
        job.set_model_version(rs->getInt64(10));
        job.set_error(rs->getString(11));
        ToProtoTimestamp(FromSqlDatetime(rs->getString(13)), job.mutable_create_time());
        if (!rs->isNull(14)) {
          ToProtoTimestamp(FromSqlDatetime(rs->getString(14)), job.mutable_finish_time());
        }
        if (job.state() == v1::JOB_STATE_RUNNING &&
            FromSqlDatetime(rs->getString(12)) + kJobHeartbeatTimeout < clock_->Now()) {
          job.set_state(v1::JOB_STATE_FAILED);
          job.set_error("the replica running the job stopped; start a new job");
        }
        return job;
      });
}

}  // namespace crm::identify
