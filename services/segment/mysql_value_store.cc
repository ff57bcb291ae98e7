#include "services/segment/mysql_value_store.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/feed_checkpoint.h"
#include "common/sql_util.h"
#include "common/transaction.h"

namespace crm::segment {
namespace {

// A customer's complaint fields from customer_complaints; SetComplaintFields
// reads its columns 1-4.
constexpr absl::string_view kComplaintFields =
    "SELECT filed, GREATEST(filed + reopened - resolved, 0), satisfaction_sum, "
    "satisfaction_count, customer_id FROM customer_complaints";

void SetComplaintFields(sql::ResultSet& rs, v1::CustomerValue& value) {
  value.set_complaints_filed(rs.getInt(1));
  value.set_complaints_open(rs.getInt(2));
  if (rs.getInt(4) > 0) {
    value.set_complaint_satisfaction(static_cast<double>(rs.getInt(3)) / rs.getInt(4));
  }
}

std::string SqlDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// Where a customer's events go: itself, or, when identify merged it away,
// the live survivor at the end of its merges (each merge id on the way
// records the event, so that undoing the merge hands it back).
struct Redirect {
  std::vector<std::string> merge_ids;
  std::string customer_id;
};

Redirect Resolve(sql::Connection& conn, const std::string& customer_id) {
  Redirect to{{}, customer_id};
  for (int hop = 0; hop < 32; ++hop) {
    auto next =
        Prepare(conn, "SELECT survivor_id, merge_id FROM merge_redirects WHERE merged_id = ?");
    next->setString(1, to.customer_id);
    std::unique_ptr<sql::ResultSet> rs(next->executeQuery());
    if (!rs->next()) break;
    to.merge_ids.push_back(rs->getString(2));
    to.customer_id = rs->getString(1);
  }
  return to;
}

}  // namespace

absl::StatusOr<int64_t> MysqlValueStore::AcquireFeed(const std::string& source,
                                                    const std::string& holder, absl::Time now,
                                                    absl::Time until) {
  return AcquireFeedLease(*pool_, source, holder, now, until);
}

absl::Status MysqlValueStore::ApplyFeedBatch(const std::string& source,
                                             const std::string& holder, int64_t after_seq,
                                             int64_t last_seq, const FeedEffects& effects,
                                             absl::Time now) {
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    if (absl::Status s = AdvanceFeedCheckpoint(conn, source, holder, after_seq, last_seq, now);
        !s.ok()) {
      return s;
    }
    for (const DayDelta& d : effects.days) {
      const Redirect to = Resolve(conn, d.customer_id);
      for (const std::string& merge_id : to.merge_ids) {
        auto moved = Prepare(conn,
                             "INSERT INTO merge_moved_days (merge_id, day, cents, purchases) "
                             "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                             "cents = cents + VALUES(cents), "
                             "purchases = purchases + VALUES(purchases)");
        moved->setString(1, merge_id);
        moved->setString(2, SqlDay(d.day));
        moved->setInt64(3, d.cents);
        moved->setInt(4, d.purchases);
        moved->executeUpdate();
      }
      auto add = Prepare(conn,
                         "INSERT INTO customer_purchase_days (customer_id, day, cents, purchases) "
                         "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                         "cents = cents + VALUES(cents), "
                         "purchases = purchases + VALUES(purchases)");
      add->setString(1, to.customer_id);
      add->setString(2, SqlDay(d.day));
      add->setInt64(3, d.cents);
      add->setInt(4, d.purchases);
      add->executeUpdate();
    }
    for (const ComplaintDelta& d : effects.complaints) {
      const Redirect to = Resolve(conn, d.customer_id);
      for (const std::string& merge_id : to.merge_ids) {
        auto moved = Prepare(
            conn,
            "UPDATE merge_moved_complaints SET filed = filed + ?, resolved = resolved + ?, "
            "reopened = reopened + ?, last_filed = GREATEST(COALESCE(last_filed, NULLIF(?, '')), "
            "COALESCE(NULLIF(?, ''), last_filed)), satisfaction_sum = satisfaction_sum + ?, "
            "satisfaction_count = satisfaction_count + ? WHERE merge_id = ?");
        moved->setInt(1, d.filed);
        moved->setInt(2, d.resolved);
        moved->setInt(3, d.reopened);
        moved->setString(4, d.filed_on ? SqlDay(*d.filed_on) : "");
        moved->setString(5, d.filed_on ? SqlDay(*d.filed_on) : "");
        moved->setInt(6, d.satisfaction);
        moved->setInt(7, d.satisfaction > 0 ? 1 : 0);
        moved->setString(8, merge_id);
        moved->executeUpdate();
      }
      auto add = Prepare(
          conn,
          "INSERT INTO customer_complaints (customer_id, filed, resolved, reopened, last_filed, "
          "satisfaction_sum, satisfaction_count) VALUES (?, ?, ?, ?, NULLIF(?, ''), ?, ?) "
          "ON DUPLICATE KEY UPDATE filed = filed + VALUES(filed), "
          "resolved = resolved + VALUES(resolved), reopened = reopened + VALUES(reopened), "
          "last_filed = GREATEST(COALESCE(last_filed, VALUES(last_filed)), "
          "COALESCE(VALUES(last_filed), last_filed)), "
          "satisfaction_sum = satisfaction_sum + VALUES(satisfaction_sum), "
          "satisfaction_count = satisfaction_count + VALUES(satisfaction_count)");
      add->setString(1, to.customer_id);
      add->setInt(2, d.filed);
      add->setInt(3, d.resolved);
      add->setInt(4, d.reopened);
      add->setString(5, d.filed_on ? SqlDay(*d.filed_on) : "");
      add->setInt(6, d.satisfaction);
      add->setInt(7, d.satisfaction > 0 ? 1 : 0);
      add->executeUpdate();
      if (!to.merge_ids.empty()) {  // the survivor's last filing day now includes this one
        auto after = Prepare(conn,
                             "UPDATE merge_moved_complaints SET survivor_last_filed_after = "
                             "(SELECT last_filed FROM customer_complaints WHERE customer_id = ?) "
                             "WHERE merge_id = ?");
        after->setString(1, to.customer_id);
        after->setString(2, to.merge_ids.back());
        after->executeUpdate();
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<CustomerHistory>> MysqlValueStore::ReadHistories(
    absl::CivilDay until) {
  return RunWithConnection<std::vector<CustomerHistory>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<CustomerHistory>> {
        auto query = Prepare(conn,
                             "SELECT customer_id, day, cents, purchases FROM "
                             "customer_purchase_days WHERE day <= ? ORDER BY customer_id, day");
        query->setString(1, SqlDay(until));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<CustomerHistory> histories;
        while (rs->next()) {
          const std::string id = rs->getString(1);
          if (histories.empty() || histories.back().customer_id != id) {
            histories.push_back({id, {}, 0, 0});
          }
          CustomerHistory& h = histories.back();
          absl::CivilDay day;
          ParseDay(std::string(rs->getString(2)), &day);
          const int64_t cents = rs->getInt64(3);
          h.days.emplace_back(day, cents);
          h.purchases += rs->getInt(4);
          h.total_cents += cents;
        }
        return histories;
      });
}

absl::Status MysqlValueStore::WriteValues(absl::Span<const v1::CustomerValue> values) {
  constexpr size_t kRows = 500;  // one multi-row statement per 500 customers
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    for (size_t start = 0; start < values.size(); start += kRows) {
      const size_t n = std::min(kRows, values.size() - start);
      std::string sql =
          "INSERT INTO customer_values (customer_id, body, rfm_segment, value_tier, stage, "
          "job_id) VALUES ";
      for (size_t i = 0; i < n; ++i) absl::StrAppend(&sql, i ? ", " : "", "(?, ?, ?, ?, ?, ?)");
      absl::StrAppend(&sql,
                      " ON DUPLICATE KEY UPDATE body = VALUES(body), "
                      "rfm_segment = VALUES(rfm_segment), value_tier = VALUES(value_tier), "
                      "stage = VALUES(stage), job_id = VALUES(job_id)");
      auto insert = n == kRows ? Prepare(conn, sql) : PrepareUncached(conn, sql);
      std::vector<std::unique_ptr<std::istringstream>> bodies;
      for (size_t i = 0; i < n; ++i) {
        const v1::CustomerValue& v = values[start + i];
        bodies.push_back(std::make_unique<std::istringstream>(v.SerializeAsString()));
        const int col = static_cast<int>(i * 6);
        insert->setString(col + 1, v.customer_id());
        insert->setBlob(col + 2, bodies.back().get());
        insert->setString(col + 3, v.rfm_segment());
        insert->setString(col + 4, v.value_tier());
        insert->setString(col + 5, v.lifecycle_stage());
        insert->setString(col + 6, v.job_id());
      }
      insert->executeUpdate();
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<absl::flat_hash_map<std::string, v1::CustomerValue>>
MysqlValueStore::ReadComplaintFields() {
  using Fields = absl::flat_hash_map<std::string, v1::CustomerValue>;
  return RunWithConnection<Fields>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<Fields> {
    auto query = Prepare(conn, kComplaintFields);
    std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
    Fields fields;
    while (rs->next()) SetComplaintFields(*rs, fields[std::string(rs->getString(5))]);
    return fields;
  });
}

absl::StatusOr<v1::CustomerValue> MysqlValueStore::GetValue(const std::string& customer_id) {
  return RunWithConnection<v1::CustomerValue>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::CustomerValue> {
        auto query = Prepare(conn, "SELECT body FROM customer_values WHERE customer_id = ?");
        query->setString(1, customer_id);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "VALUE_NOT_COMPUTED",
                       absl::StrCat("no recompute has covered customer ", customer_id),
                       {{"customer_id", customer_id}});
        }
        v1::CustomerValue value;
        value.ParseFromString(rs->getString(1));
        rs.reset();
        auto complaints = Prepare(conn, absl::StrCat(kComplaintFields, " WHERE customer_id = ?"));
        complaints->setString(1, customer_id);
        std::unique_ptr<sql::ResultSet> c(complaints->executeQuery());
        if (c->next()) SetComplaintFields(*c, value);
        return value;
      });
}

absl::Status MysqlValueStore::StartJob(const v1::RecomputeJob& job) {
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    // A job writes progress at least every chunk; one silent for ten
    // minutes died with its process and no longer blocks the next.
    auto stale = Prepare(conn,
                         "UPDATE recompute_jobs SET running = NULL WHERE running = 1 AND "
                         "updated_at < UTC_TIMESTAMP(6) - INTERVAL 10 MINUTE");
    stale->executeUpdate();
    auto running = Prepare(conn, "SELECT job_id FROM recompute_jobs WHERE running = 1 FOR UPDATE");
    std::unique_ptr<sql::ResultSet> rs(running->executeQuery());
    if (rs->next()) {
      const std::string other = rs->getString(1);
      return Error(absl::StatusCode::kFailedPrecondition, "RECOMPUTE_RUNNING",
                   absl::StrCat("recompute ", other, " is still running"), {{"job_id", other}});
    }
    rs.reset();
    auto insert = Prepare(conn,
                          "INSERT INTO recompute_jobs (job_id, body, running, updated_at) "
                          "VALUES (?, ?, 1, ?)");
    std::istringstream body(job.SerializeAsString());
    insert->setString(1, job.job_id());
    insert->setBlob(2, &body);
    insert->setString(3, ToSqlDatetime(absl::Now()));
    insert->executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status MysqlValueStore::UpdateJob(const v1::RecomputeJob& job) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto update = Prepare(conn,
                          "UPDATE recompute_jobs SET body = ?, running = NULLIF(?, 0), "
                          "updated_at = UTC_TIMESTAMP(6) WHERE job_id = ?");
    std::istringstream body(job.SerializeAsString());
    update->setBlob(1, &body);
    update->setInt(2, job.state() == v1::RecomputeJob::STATE_RUNNING ? 1 : 0);
    update->setString(3, job.job_id());
    update->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::RecomputeJob> MysqlValueStore::GetJob(const std::string& job_id) {
  return RunWithConnection<v1::RecomputeJob>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::RecomputeJob> {
        auto query = Prepare(conn, "SELECT body FROM recompute_jobs WHERE job_id = ?");
        query->setString(1, job_id);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "JOB_NOT_FOUND",
                       absl::StrCat("no recompute job ", job_id), {{"job_id", job_id}});
        }
        v1::RecomputeJob job;
        job.ParseFromString(rs->getString(1));
        return job;
      });
}

}  // namespace crm::segment
