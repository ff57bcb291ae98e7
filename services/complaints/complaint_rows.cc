#include "services/complaints/complaint_rows.h"

#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "common/sql_util.h"

namespace crm::complaints {
namespace {

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

// "" binds SQL NULL through NULLIF(?, '').
std::string OptionalDatetime(const google::protobuf::Timestamp& t) {
  return IsSet(t) ? ToSqlDatetime(FromProtoTimestamp(t)) : "";
}

void ReadSteps(sql::Connection& conn, absl::string_view complaint_id, v1::Complaint& c) {
  auto query = Prepare(conn,
                       "SELECT kind, at, actor, note, status, value FROM complaint_steps "
                       "WHERE complaint_id = ? ORDER BY step_no");
  query->setString(1, std::string(complaint_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  while (rs->next()) {
    v1::Step* step = c.add_timeline();
    step->set_kind(static_cast<v1::Step::Kind>(rs->getInt(1)));
    ToProtoTimestamp(FromSqlDatetime(rs->getString(2)), step->mutable_time());
    step->set_actor(rs->getString(3));
    step->set_note(rs->getString(4));
    step->set_status(static_cast<v1::ComplaintStatus>(rs->getInt(5)));
    step->set_value(rs->getInt(6));
  }
}

void ReadFired(sql::Connection& conn, absl::string_view complaint_id, ComplaintRecord& r) {
  auto query = Prepare(conn,
                       "SELECT rule_index, round FROM complaint_escalations "
                       "WHERE complaint_id = ?");
  query->setString(1, std::string(complaint_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  while (rs->next()) r.fired.emplace(rs->getInt(1), rs->getInt(2));
}

void WriteSteps(sql::Connection& conn, const ComplaintRecord& r) {
  const v1::Complaint& c = r.complaint;
  if (r.persisted_steps >= c.timeline_size()) return;
  auto insert = Prepare(conn,
                        "INSERT INTO complaint_steps (complaint_id, step_no, kind, at, actor, "
                        "note, status, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (int i = r.persisted_steps; i < c.timeline_size(); ++i) {
    const v1::Step& step = c.timeline(i);
    insert->setString(1, c.complaint_id());
    insert->setInt(2, i + 1);
    insert->setInt(3, step.kind());
    insert->setString(4, ToSqlDatetime(FromProtoTimestamp(step.time())));
    insert->setString(5, step.actor());
    insert->setString(6, step.note());
    insert->setInt(7, step.status());
    insert->setInt(8, step.value());
    insert->executeUpdate();
  }
}

void WriteEffects(sql::Connection& conn, const ComplaintRecord& r, absl::Time now) {
  const std::string& id = r.complaint.complaint_id();
  for (const auto& [rule, round] : r.new_fired) {
    auto insert = Prepare(conn,
                          "INSERT INTO complaint_escalations (complaint_id, rule_index, round, "
                          "fired_at) VALUES (?, ?, ?, ?)");
    insert->setString(1, id);
    insert->setInt(2, rule);
    insert->setInt(3, round);
    insert->setString(4, ToSqlDatetime(now));
    insert->executeUpdate();
  }
  for (const auto& event : r.events) AppendEvent(conn, id, *event, now);
  for (const PendingCall& call : r.new_pending) {
    auto upsert = Prepare(conn,
                          "INSERT INTO pending_calls (complaint_id, kind, payload, "
                          "next_attempt_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                          "payload = VALUES(payload), next_attempt_at = VALUES(next_attempt_at), "
                          "attempts = 0, last_error = '', claim_token = NULL");
    std::istringstream payload(call.payload);
    upsert->setString(1, id);
    upsert->setInt(2, static_cast<int>(call.kind));
    upsert->setBlob(3, &payload);
    upsert->setString(4, ToSqlDatetime(now + call.grace));
    upsert->executeUpdate();
  }
  for (PendingKind kind : r.done_pending) {
    auto remove = Prepare(conn, "DELETE FROM pending_calls WHERE complaint_id = ? AND kind = ?");
    remove->setString(1, id);
    remove->setInt(2, static_cast<int>(kind));
    remove->executeUpdate();
  }
}

}  // namespace

std::string DetailsOf(const v1::Complaint& complaint) {
  v1::Complaint details = complaint;
  details.clear_timeline();
  details.clear_subject();
  details.clear_description();
  details.clear_desired_outcome();
  return details.SerializeAsString();
}

absl::StatusOr<ComplaintRecord> ReadRecord(sql::Connection& conn, absl::string_view complaint_id,
                                           bool lock, bool skip_locked) {
  const char* base =
      "SELECT details, COALESCE(customer_id, ''), channel, subject, description, "
      "desired_outcome, status, created_at, updated_at FROM complaints WHERE complaint_id = ?";
  auto query = Prepare(conn, !lock          ? std::string(base)
                             : skip_locked ? absl::StrCat(base, " FOR UPDATE SKIP LOCKED")
                                           : absl::StrCat(base, " FOR UPDATE"));
  query->setString(1, std::string(complaint_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) {
    if (skip_locked) {
      return Error(absl::StatusCode::kNotFound, "COMPLAINT_BUSY",
                   "the complaint is being changed by another caller");
    }
    return Error(absl::StatusCode::kNotFound, "COMPLAINT_NOT_FOUND",
                 absl::StrCat("complaint ", complaint_id, " does not exist"),
                 {{"complaint_id", std::string(complaint_id)}});
  }
  ComplaintRecord r;
  v1::Complaint& c = r.complaint;
  if (!rs->isNull(1)) c.ParseFromString(rs->getString(1));
  c.set_complaint_id(std::string(complaint_id));
  c.set_customer_id(rs->getString(2));
  c.set_channel(static_cast<v1::Channel>(rs->getInt(3)));
  c.set_subject(rs->getString(4));
  c.set_description(rs->getString(5));
  c.set_desired_outcome(rs->getString(6));
  c.set_status(static_cast<v1::ComplaintStatus>(rs->getInt(7)));
  ToProtoTimestamp(FromSqlDatetime(rs->getString(8)), c.mutable_create_time());
  ToProtoTimestamp(FromSqlDatetime(rs->getString(9)), c.mutable_update_time());
  rs.reset();
  ReadSteps(conn, complaint_id, c);
  r.persisted_steps = c.timeline_size();
  if (c.timeline_size() == 0) {  // filed before timelines existed: it starts at receipt
    v1::Step* received = c.add_timeline();
    received->set_kind(v1::Step::KIND_RECEIVED);
    *received->mutable_time() = c.create_time();
    received->set_actor("intake");
    received->set_status(v1::COMPLAINT_STATUS_RECEIVED);
  }
  if (c.severity() == v1::SEVERITY_UNSPECIFIED) c.set_severity(v1::SEVERITY_MEDIUM);
  ReadFired(conn, complaint_id, r);
  return r;
}

namespace {

// The columns every write sets, in the order BindChangingColumns binds them.
constexpr const char* kChangingColumns[] = {
    "customer_id",       "status",           "updated_at",         "details",
    "severity",          "category",         "root_cause",         "team",
    "agent",             "tier",             "sla_class",          "first_response_due",
    "resolution_due",    "first_response_at", "resolved_at",       "first_response_met",
    "resolution_met",    "paused",           "escalation_level",   "next_check_at",
    "reopen_count",      "first_contact",    "satisfaction",       "step_count"};

// "" and -1 / 0 stand for SQL NULL in these columns.
std::string Placeholder(absl::string_view column) {
  if (column == "customer_id" || column == "category" || column == "root_cause" ||
      column == "team" || column == "agent" || column == "tier" ||
      absl::EndsWith(column, "_due") || absl::EndsWith(column, "_at")) {
    return "NULLIF(?, '')";
  }
  if (absl::EndsWith(column, "_met")) return "NULLIF(?, -1)";
  if (column == "satisfaction") return "NULLIF(?, 0)";
  return "?";
}

const std::string& InsertSql() {
  static const std::string* sql = [] {
    std::vector<std::string> columns = {"complaint_id", "channel", "subject", "description",
                                        "desired_outcome", "created_at"};
    std::vector<std::string> values(columns.size(), "?");
    for (const char* c : kChangingColumns) {
      columns.push_back(c);
      values.push_back(Placeholder(c));
    }
    return new std::string(absl::StrCat("INSERT INTO complaints (", absl::StrJoin(columns, ", "),
                                        ") VALUES (", absl::StrJoin(values, ", "), ")"));
  }();
  return *sql;
}

const std::string& UpdateSql() {
  static const std::string* sql = [] {
    std::vector<std::string> sets;
    for (const char* c : kChangingColumns) sets.push_back(absl::StrCat(c, " = ", Placeholder(c)));
    return new std::string(absl::StrCat("UPDATE complaints SET ", absl::StrJoin(sets, ", "),
                                        " WHERE complaint_id = ?"));
  }();
  return *sql;
}

// Binds kChangingColumns from parameter `i` on; returns the next index.
int BindChangingColumns(sql::PreparedStatement& stmt, int i, const ComplaintRecord& r,
                        std::istringstream& details) {
  const v1::Complaint& c = r.complaint;
  const v1::SlaStatus& sla = c.sla();
  stmt.setString(i++, c.customer_id());
  stmt.setInt(i++, c.status());
  stmt.setString(i++, ToSqlDatetime(FromProtoTimestamp(c.update_time())));
  stmt.setBlob(i++, &details);
  stmt.setInt(i++, c.severity());
  stmt.setString(i++, c.assessment().category());
  stmt.setString(i++, c.assessment().root_cause());
  stmt.setString(i++, c.team());
  stmt.setString(i++, c.agent());
  stmt.setString(i++, c.tier());
  stmt.setString(i++, sla.sla_class());
  stmt.setString(i++, OptionalDatetime(sla.first_response_due()));
  stmt.setString(i++, OptionalDatetime(sla.resolution_due()));
  stmt.setString(i++, OptionalDatetime(sla.first_response_time()));
  stmt.setString(i++, OptionalDatetime(sla.resolution_time()));
  stmt.setInt(i++, sla.has_first_response_met() ? sla.first_response_met() : -1);
  stmt.setInt(i++, sla.has_resolution_met() ? sla.resolution_met() : -1);
  stmt.setInt(i++, sla.paused());
  stmt.setInt(i++, sla.escalation_level());
  stmt.setString(i++, r.next_check_at ? ToSqlDatetime(*r.next_check_at) : "");
  stmt.setInt(i++, c.reopen_count());
  stmt.setInt(i++, c.resolution().first_contact());
  stmt.setInt(i++, c.follow_up().satisfaction());
  stmt.setInt(i++, c.timeline_size());
  return i;
}

}  // namespace

void InsertRecord(sql::Connection& conn, const ComplaintRecord& r, absl::Time now) {
  const v1::Complaint& c = r.complaint;
  auto insert = Prepare(conn, InsertSql());
  insert->setString(1, c.complaint_id());
  insert->setInt(2, c.channel());
  insert->setString(3, c.subject());
  insert->setString(4, c.description());
  insert->setString(5, c.desired_outcome());
  insert->setString(6, ToSqlDatetime(FromProtoTimestamp(c.create_time())));
  std::istringstream details(DetailsOf(c));
  BindChangingColumns(*insert, 7, r, details);
  insert->executeUpdate();
  WriteSteps(conn, r);
  WriteEffects(conn, r, now);
}

void WriteRecord(sql::Connection& conn, const ComplaintRecord& r, absl::Time now) {
  auto update = Prepare(conn, UpdateSql());
  std::istringstream details(DetailsOf(r.complaint));
  const int last = BindChangingColumns(*update, 1, r, details);
  update->setString(last, r.complaint.complaint_id());
  update->executeUpdate();
  WriteSteps(conn, r);
  WriteEffects(conn, r, now);
}

}  // namespace crm::complaints
