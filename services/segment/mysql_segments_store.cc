#include "services/segment/mysql_segments_store.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"

namespace crm::segment {
namespace {

constexpr size_t kRowsPerStatement = 1000;
constexpr size_t kRowsPerTransaction = 5000;

absl::Status SegmentNotFound(const std::string& segment_id) {
  return Error(absl::StatusCode::kNotFound, "SEGMENT_NOT_FOUND",
               absl::StrCat("segment ", segment_id, " does not exist"),
               {{"segment_id", segment_id}});
}

// The stored segment with its last evaluation: columns body, members, evaluated_at.
v1::Segment SegmentFrom(sql::ResultSet& rs) {
  v1::Segment segment;
  segment.ParseFromString(rs.getString(1));
  segment.set_members(rs.getInt64(2));
  if (!rs.isNull(3))
    ToProtoTimestamp(FromSqlDatetime(rs.getString(3)), segment.mutable_evaluate_time());
  return segment;
}

// Parameters: segment, after, limit.
constexpr absl::string_view kMembersNow =
    "SELECT customer_id, since FROM segment_members WHERE segment_id = ? AND customer_id > ? "
    "ORDER BY customer_id LIMIT ?";
// Each customer's last change up to a time, when it was a join. Parameters:
// segment, after, time, limit.
constexpr absl::string_view kMembersThen =
    "SELECT c.customer_id, c.changed_at FROM segment_membership_changes c "
    "WHERE c.segment_id = ? AND c.customer_id > ? AND c.joined AND c.changed_at = ("
    "SELECT MAX(x.changed_at) FROM segment_membership_changes x WHERE x.segment_id = c.segment_id "
    "AND x.customer_id = c.customer_id AND x.changed_at <= ?) ORDER BY c.customer_id LIMIT ?";

bool SegmentExists(sql::Connection& conn, const std::string& segment_id) {
  auto query = Prepare(conn, "SELECT 1 FROM segments WHERE segment_id = ?");
  query->setString(1, segment_id);
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  return rs->next();
}

// Adds `customers` to the segment (joined) or removes them, recording each
// change at `at`, one multi-row statement per kRowsPerStatement.
void Change(sql::Connection& conn, const std::string& segment_id,
            absl::Span<const std::string> customers, bool joined, const std::string& at) {
  for (size_t start = 0; start < customers.size(); start += kRowsPerStatement) {
    const size_t n = std::min(kRowsPerStatement, customers.size() - start);
    std::string history =
        "INSERT INTO segment_membership_changes (segment_id, customer_id, changed_at, joined) "
        "VALUES ";
    std::string members = joined ? "INSERT INTO segment_members (segment_id, customer_id, since) "
                                   "VALUES "
                                 : "DELETE FROM segment_members WHERE segment_id = ? AND "
                                   "customer_id IN (";
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&history, i ? ", " : "", "(?, ?, ?, ?)");
      absl::StrAppend(&members, i ? ", " : "", joined ? "(?, ?, ?)" : "?");
    }
    if (!joined) absl::StrAppend(&members, ")");
    auto record = n == kRowsPerStatement ? Prepare(conn, history) : PrepareUncached(conn, history);
    auto apply = n == kRowsPerStatement ? Prepare(conn, members) : PrepareUncached(conn, members);
    if (!joined) apply->setString(1, segment_id);
    for (size_t i = 0; i < n; ++i) {
      const std::string& customer = customers[start + i];
      const int h = static_cast<int>(i * 4);
      record->setString(h + 1, segment_id);
      record->setString(h + 2, customer);
      record->setString(h + 3, at);
      record->setBoolean(h + 4, joined);
      if (joined) {
        const int m = static_cast<int>(i * 3);
        apply->setString(m + 1, segment_id);
        apply->setString(m + 2, customer);
        apply->setString(m + 3, at);
      } else {
        apply->setString(static_cast<int>(i) + 2, customer);
      }
    }
    record->executeUpdate();
    apply->executeUpdate();
  }
}

}  // namespace

absl::StatusOr<v1::Segment> MysqlSegmentsStore::Create(const RequestKey& key,
                                                       const v1::Segment& segment) {
  return RunIdempotent<v1::Segment>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Segment> {
        auto taken = Prepare(conn, "SELECT segment_id FROM segments WHERE name = ? FOR UPDATE");
        taken->setString(1, segment.name());
        std::unique_ptr<sql::ResultSet> rs(taken->executeQuery());
        if (rs->next()) {
          return Error(absl::StatusCode::kAlreadyExists, "SEGMENT_EXISTS",
                       absl::StrCat("segment \"", segment.name(), "\" exists already"),
                       {{"segment_id", rs->getString(1)}});
        }
        auto insert =
            Prepare(conn, "INSERT INTO segments (segment_id, name, body) VALUES (?, ?, ?)");
        std::istringstream body(segment.SerializeAsString());
        insert->setString(1, segment.segment_id());
        insert->setString(2, segment.name());
        insert->setBlob(3, &body);
        insert->executeUpdate();
        return segment;
      });
}

absl::StatusOr<v1::GetSegmentResponse> MysqlSegmentsStore::Get(const std::string& segment_id) {
  return RunWithConnection<v1::GetSegmentResponse>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::GetSegmentResponse> {
        auto query =
            Prepare(conn, "SELECT body, members, evaluated_at FROM segments WHERE segment_id = ?");
        query->setString(1, segment_id);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) return SegmentNotFound(segment_id);
        v1::GetSegmentResponse response;
        *response.mutable_segment() = SegmentFrom(*rs);
        auto sizes = Prepare(conn,
                             "SELECT evaluated_at, members, joined, left_count, job_id "
                             "FROM segment_sizes WHERE segment_id = ? "
                             "ORDER BY evaluated_at DESC LIMIT 100");
        sizes->setString(1, segment_id);
        std::unique_ptr<sql::ResultSet> s(sizes->executeQuery());
        while (s->next()) {
          v1::SegmentSize* size = response.add_size_history();
          ToProtoTimestamp(FromSqlDatetime(s->getString(1)), size->mutable_evaluate_time());
          size->set_members(s->getInt64(2));
          size->set_joined(s->getInt64(3));
          size->set_left(s->getInt64(4));
          size->set_job_id(s->getString(5));
        }
        return response;
      });
}

absl::StatusOr<std::vector<v1::Segment>> MysqlSegmentsStore::List(const std::string& after,
                                                                  int limit) {
  return RunWithConnection<std::vector<v1::Segment>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Segment>> {
        auto query = Prepare(conn,
                             "SELECT body, members, evaluated_at FROM segments "
                             "WHERE segment_id > ? ORDER BY segment_id LIMIT ?");
        query->setString(1, after);
        query->setInt(2, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::Segment> segments;
        while (rs->next()) segments.push_back(SegmentFrom(*rs));
        return segments;
      });
}

absl::StatusOr<std::vector<v1::SegmentMember>> MysqlSegmentsStore::Members(
    const std::string& segment_id, std::optional<absl::Time> as_of, const std::string& after,
    int limit) {
  return RunWithConnection<std::vector<v1::SegmentMember>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::SegmentMember>> {
        if (!SegmentExists(conn, segment_id)) return SegmentNotFound(segment_id);
        auto query = Prepare(conn, as_of.has_value() ? kMembersThen : kMembersNow);
        if (as_of.has_value()) query->setString(3, ToSqlDatetime(*as_of));
        query->setString(1, segment_id);
        query->setString(2, after);
        query->setInt(as_of.has_value() ? 4 : 3, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::SegmentMember> members;
        while (rs->next()) {
          v1::SegmentMember& m = members.emplace_back();
          m.set_customer_id(rs->getString(1));
          ToProtoTimestamp(FromSqlDatetime(rs->getString(2)), m.mutable_since());
        }
        return members;
      });
}

absl::StatusOr<std::vector<v1::CustomerSegment>> MysqlSegmentsStore::OfCustomer(
    const std::string& customer_id) {
  return RunWithConnection<std::vector<v1::CustomerSegment>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::CustomerSegment>> {
        auto query = Prepare(conn,
                             "SELECT s.segment_id, s.name, m.since FROM segment_members m "
                             "JOIN segments s ON s.segment_id = m.segment_id "
                             "WHERE m.customer_id = ? ORDER BY s.name");
        query->setString(1, customer_id);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::CustomerSegment> segments;
        while (rs->next()) {
          v1::CustomerSegment& s = segments.emplace_back();
          s.set_segment_id(rs->getString(1));
          s.set_name(rs->getString(2));
          ToProtoTimestamp(FromSqlDatetime(rs->getString(3)), s.mutable_since());
        }
        return segments;
      });
}

absl::Status MysqlSegmentsStore::ApplyEvaluation(const std::string& segment_id,
                                                 const std::vector<std::string>& members,
                                                 const std::string& job_id, absl::Time now) {
  auto current = RunWithConnection<std::vector<std::string>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<std::string>> {
        auto query = Prepare(conn,
                             "SELECT customer_id FROM segment_members WHERE segment_id = ? "
                             "ORDER BY customer_id");
        query->setString(1, segment_id);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<std::string> ids;
        while (rs->next()) ids.push_back(rs->getString(1));
        return ids;
      });
  if (!current.ok()) return current.status();
  std::vector<std::string> joined, left;
  std::set_difference(members.begin(), members.end(), current->begin(), current->end(),
                      std::back_inserter(joined));
  std::set_difference(current->begin(), current->end(), members.begin(), members.end(),
                      std::back_inserter(left));
  const std::string at = ToSqlDatetime(now);
  // In slices, so that a large segment never holds one huge transaction; a
  // run cut short is completed by the next evaluation's difference.
  for (const auto* changes : {&joined, &left}) {
    for (size_t start = 0; start < changes->size(); start += kRowsPerTransaction) {
      const size_t n = std::min(kRowsPerTransaction, changes->size() - start);
      absl::Status applied = RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
        Change(conn, segment_id, absl::MakeConstSpan(*changes).subspan(start, n),
               changes == &joined, at);
        return absl::OkStatus();
      });
      if (!applied.ok()) return applied;
    }
  }
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto size = Prepare(conn,
                        "INSERT INTO segment_sizes (segment_id, evaluated_at, members, joined, "
                        "left_count, job_id) VALUES (?, ?, ?, ?, ?, ?)");
    size->setString(1, segment_id);
    size->setString(2, at);
    size->setInt64(3, static_cast<int64_t>(members.size()));
    size->setInt64(4, static_cast<int64_t>(joined.size()));
    size->setInt64(5, static_cast<int64_t>(left.size()));
    size->setString(6, job_id);
    size->executeUpdate();
    auto mark =
        Prepare(conn, "UPDATE segments SET members = ?, evaluated_at = ? WHERE segment_id = ?");
    mark->setInt64(1, static_cast<int64_t>(members.size()));
    mark->setString(2, at);
    mark->setString(3, segment_id);
    mark->executeUpdate();
    return absl::OkStatus();
  });
}

}  // namespace crm::segment
