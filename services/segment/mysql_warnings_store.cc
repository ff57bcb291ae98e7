#include "services/segment/mysql_warnings_store.h"

#include <algorithm>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "crm/segment/v1/events.pb.h"

namespace crm::segment {
namespace {

constexpr size_t kRowsPerStatement = 1000;
constexpr size_t kEndingsPerTransaction = 500;

using v1::Warning;

std::optional<std::string> EpisodeWarning(sql::Connection& conn, const std::string& customer_id,
                                          Warning::Kind kind) {
  auto query = Prepare(conn,
                       "SELECT warning_id FROM warning_episodes WHERE customer_id = ? AND kind = ? "
                       "FOR UPDATE");
  query->setString(1, customer_id);
  query->setInt(2, kind);
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return std::nullopt;
  return std::string(rs->getString(1));
}

std::optional<Warning> ReadWarning(sql::Connection& conn, const std::string& warning_id) {
  auto query = Prepare(conn, "SELECT body FROM warnings WHERE warning_id = ? FOR UPDATE");
  query->setString(1, warning_id);
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return std::nullopt;
  Warning warning;
  warning.ParseFromString(rs->getString(1));
  return warning;
}

void UpdateWarning(sql::Connection& conn, const Warning& warning) {
  auto update = Prepare(conn, "UPDATE warnings SET state = ?, body = ? WHERE warning_id = ?");
  std::istringstream body(warning.SerializeAsString());
  update->setInt(1, warning.state());
  update->setBlob(2, &body);
  update->setString(3, warning.warning_id());
  update->executeUpdate();
}

Warning NewWarning(const std::string& warning_id, const std::string& customer_id,
                   Warning::Kind kind, const std::vector<std::string>& reasons, absl::Time now) {
  Warning w;
  w.set_warning_id(warning_id);
  w.set_customer_id(customer_id);
  w.set_kind(kind);
  w.set_state(Warning::STATE_RAISED);
  for (const std::string& r : reasons) w.add_reasons(r);
  ToProtoTimestamp(now, w.mutable_raise_time());
  ToProtoTimestamp(now, w.mutable_update_time());
  return w;
}

// Inserts the warnings and their episodes, one multi-row statement each per
// kRowsPerStatement, and a WarningRaised event each.
void StartEpisodes(sql::Connection& conn, absl::Span<const Warning> warnings) {
  for (size_t start = 0; start < warnings.size(); start += kRowsPerStatement) {
    const size_t n = std::min(kRowsPerStatement, warnings.size() - start);
    std::string insert_warnings =
        "INSERT INTO warnings (warning_id, customer_id, kind, state, body) VALUES ";
    std::string insert_episodes =
        "INSERT INTO warning_episodes (customer_id, kind, warning_id) VALUES ";
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&insert_warnings, i ? ", " : "", "(?, ?, ?, ?, ?)");
      absl::StrAppend(&insert_episodes, i ? ", " : "", "(?, ?, ?)");
    }
    auto warnings_statement = n == kRowsPerStatement ? Prepare(conn, insert_warnings)
                                                     : PrepareUncached(conn, insert_warnings);
    auto episodes_statement = n == kRowsPerStatement ? Prepare(conn, insert_episodes)
                                                     : PrepareUncached(conn, insert_episodes);
    std::vector<std::unique_ptr<std::istringstream>> bodies;
    for (size_t i = 0; i < n; ++i) {
      const Warning& w = warnings[start + i];
      bodies.push_back(std::make_unique<std::istringstream>(w.SerializeAsString()));
      const int c = static_cast<int>(i * 5);
      warnings_statement->setString(c + 1, w.warning_id());
      warnings_statement->setString(c + 2, w.customer_id());
      warnings_statement->setInt(c + 3, w.kind());
      warnings_statement->setInt(c + 4, w.state());
      warnings_statement->setBlob(c + 5, bodies.back().get());
      const int e = static_cast<int>(i * 3);
      episodes_statement->setString(e + 1, w.customer_id());
      episodes_statement->setInt(e + 2, w.kind());
      episodes_statement->setString(e + 3, w.warning_id());
    }
    warnings_statement->executeUpdate();
    episodes_statement->executeUpdate();
    std::vector<v1::WarningRaised> raised(n);
    std::vector<OutboxEvent> events(n);
    for (size_t i = 0; i < n; ++i) {
      *raised[i].mutable_warning() = warnings[start + i];
      events[i] = {warnings[start + i].customer_id(), &raised[i]};
    }
    AppendEvents(conn, events);
  }
}

// Ends the customer's episode of `kind`, clearing its warning if still open.
void EndEpisode(sql::Connection& conn, const std::string& customer_id, Warning::Kind kind,
                absl::Time now) {
  const std::optional<std::string> warning_id = EpisodeWarning(conn, customer_id, kind);
  if (!warning_id.has_value()) return;
  auto end = Prepare(conn, "DELETE FROM warning_episodes WHERE customer_id = ? AND kind = ?");
  end->setString(1, customer_id);
  end->setInt(2, kind);
  end->executeUpdate();
  std::optional<Warning> warning = ReadWarning(conn, *warning_id);
  if (!warning.has_value() || (warning->state() != Warning::STATE_RAISED &&
                               warning->state() != Warning::STATE_ACKNOWLEDGED)) {
    return;
  }
  warning->set_state(Warning::STATE_CLEARED);
  ToProtoTimestamp(now, warning->mutable_update_time());
  UpdateWarning(conn, *warning);
}

std::string Money(int64_t minor) {
  return absl::StrFormat("%s%d.%02d", minor < 0 ? "-" : "", std::abs(minor) / 100,
                         std::abs(minor) % 100);
}

}  // namespace

absl::Status MysqlWarningsStore::Reconcile(Warning::Kind kind, const WarningReasons& holding,
                                           absl::Time now) {
  auto existing = RunWithConnection<std::vector<std::string>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<std::string>> {
        auto query = Prepare(conn,
                             "SELECT customer_id FROM warning_episodes WHERE kind = ? "
                             "ORDER BY customer_id");
        query->setInt(1, kind);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<std::string> customers;
        while (rs->next()) customers.push_back(rs->getString(1));
        return customers;
      });
  if (!existing.ok()) return existing.status();
  std::vector<Warning> starting;
  for (const auto& [customer_id, reasons] : holding) {
    if (!std::binary_search(existing->begin(), existing->end(), customer_id)) {
      starting.push_back(NewWarning(ids_->Next(), customer_id, kind, reasons, now));
    }
  }
  std::vector<std::string> ending;
  for (const std::string& customer_id : *existing) {
    if (!holding.contains(customer_id)) ending.push_back(customer_id);
  }
  for (size_t start = 0; start < starting.size(); start += kRowsPerStatement * 5) {
    const size_t n = std::min(kRowsPerStatement * 5, starting.size() - start);
    absl::Status started = RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
      StartEpisodes(conn, absl::MakeConstSpan(starting).subspan(start, n));
      return absl::OkStatus();
    });
    if (!started.ok()) return started;
  }
  for (size_t start = 0; start < ending.size(); start += kEndingsPerTransaction) {
    const size_t n = std::min(kEndingsPerTransaction, ending.size() - start);
    absl::Status ended = RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
      for (size_t i = start; i < start + n; ++i) EndEpisode(conn, ending[i], kind, now);
      return absl::OkStatus();
    });
    if (!ended.ok()) return ended;
  }
  return absl::OkStatus();
}

absl::StatusOr<CreditOutcome> MysqlWarningsStore::UpdateCredit(const std::string& customer_id,
                                                               std::optional<int64_t> limit,
                                                               std::optional<int64_t> outstanding,
                                                               absl::Time now) {
  return RunInTransaction<CreditOutcome>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<CreditOutcome> {
        CreditOutcome out;
        v1::CreditPosition& p = out.position;
        p.set_customer_id(customer_id);
        auto read = Prepare(conn,
                            "SELECT credit_limit_minor, outstanding_minor FROM credit_positions "
                            "WHERE customer_id = ? FOR UPDATE");
        read->setString(1, customer_id);
        {
          std::unique_ptr<sql::ResultSet> rs(read->executeQuery());
          if (rs->next()) {
            p.set_credit_limit_minor(rs->getInt64(1));
            p.set_outstanding_minor(rs->getInt64(2));
          }
        }
        if (limit.has_value()) p.set_credit_limit_minor(*limit);
        if (outstanding.has_value()) p.set_outstanding_minor(*outstanding);
        ToProtoTimestamp(now, p.mutable_update_time());
        auto write =
            Prepare(conn,
                    "INSERT INTO credit_positions (customer_id, credit_limit_minor, "
                    "outstanding_minor, updated_at) VALUES (?, ?, ?, ?) "
                    "ON DUPLICATE KEY UPDATE credit_limit_minor = VALUES(credit_limit_minor), "
                    "outstanding_minor = VALUES(outstanding_minor), "
                    "updated_at = VALUES(updated_at)");
        write->setString(1, customer_id);
        write->setInt64(2, p.credit_limit_minor());
        write->setInt64(3, p.outstanding_minor());
        write->setString(4, ToSqlDatetime(now));
        write->executeUpdate();

        const bool over =
            p.credit_limit_minor() > 0 && p.outstanding_minor() > p.credit_limit_minor();
        const std::optional<std::string> episode =
            EpisodeWarning(conn, customer_id, Warning::KIND_CREDIT);
        if (!over) {
          EndEpisode(conn, customer_id, Warning::KIND_CREDIT, now);
        } else if (episode.has_value()) {
          out.warning = ReadWarning(conn, *episode);
        } else {
          const Warning w = NewWarning(ids_->Next(), customer_id, Warning::KIND_CREDIT,
                                       {absl::StrCat("receivables ", Money(p.outstanding_minor()),
                                                     " above the credit limit "
                                                     "of ",
                                                     Money(p.credit_limit_minor()))},
                                       now);
          StartEpisodes(conn, absl::MakeConstSpan(&w, 1));
          out.warning = w;
        }
        return out;
      });
}

absl::StatusOr<std::vector<Warning>> MysqlWarningsStore::List(const WarningFilter& filter,
                                                              const std::string& before,
                                                              int limit) {
  return RunWithConnection<std::vector<Warning>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<Warning>> {
        // Only the filters given, so that an index serves each combination.
        std::string sql = "SELECT body FROM warnings WHERE warning_id < ?";
        if (!filter.customer_id.empty()) absl::StrAppend(&sql, " AND customer_id = ?");
        if (filter.kind != Warning::KIND_UNSPECIFIED) absl::StrAppend(&sql, " AND kind = ?");
        if (filter.open_only) absl::StrAppend(&sql, " AND state IN (1, 2)");
        absl::StrAppend(&sql, " ORDER BY warning_id DESC LIMIT ?");
        auto query = Prepare(conn, sql);  // one of eight texts
        int column = 1;
        query->setString(column++, before.empty() ? std::string("~") : before);
        if (!filter.customer_id.empty()) query->setString(column++, filter.customer_id);
        if (filter.kind != Warning::KIND_UNSPECIFIED) query->setInt(column++, filter.kind);
        query->setInt(column, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<Warning> warnings;
        while (rs->next()) warnings.emplace_back().ParseFromString(rs->getString(1));
        return warnings;
      });
}

absl::StatusOr<Warning> MysqlWarningsStore::Transition(const std::string& warning_id,
                                                       std::vector<Warning::State> from,
                                                       Warning::State to, const std::string& note,
                                                       absl::Time now) {
  return RunInTransaction<Warning>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<Warning> {
    std::optional<Warning> warning = ReadWarning(conn, warning_id);
    if (!warning.has_value()) {
      return Error(absl::StatusCode::kNotFound, "WARNING_NOT_FOUND",
                   absl::StrCat("warning ", warning_id, " does not exist"),
                   {{"warning_id", warning_id}});
    }
    if (std::find(from.begin(), from.end(), warning->state()) == from.end()) {
      return Error(
          absl::StatusCode::kFailedPrecondition, "WARNING_NOT_OPEN",
          absl::StrCat("warning ", warning_id, " is ", Warning::State_Name(warning->state())),
          {{"state", Warning::State_Name(warning->state())}});
    }
    warning->set_state(to);
    if (to == Warning::STATE_ACKNOWLEDGED) warning->set_acknowledge_note(note);
    if (to == Warning::STATE_RESOLVED) warning->set_resolve_note(note);
    ToProtoTimestamp(now, warning->mutable_update_time());
    UpdateWarning(conn, *warning);
    return *warning;
  });
}

}  // namespace crm::segment
