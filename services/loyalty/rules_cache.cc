#include "services/loyalty/rules_cache.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/sql_util.h"
#include "cppconn/resultset.h"
#include "services/loyalty/ledger_rows.h"

namespace crm::loyalty {

const v1::ProgramRules* ProgramRulesHistory::At(absl::Time time) const {
  const v1::ProgramRules* in_force = nullptr;
  for (const v1::ProgramRules& rules : versions) {
    if (FromProtoTimestamp(rules.effective_time()) > time) break;
    in_force = &rules;
  }
  return in_force;
}

std::shared_ptr<const ProgramRulesHistory> RulesCache::Peek(absl::string_view program_id) const {
  absl::MutexLock lock(&mu_);
  auto it = programs_.find(program_id);
  return it == programs_.end() ? nullptr : it->second;
}

absl::StatusOr<std::shared_ptr<const ProgramRulesHistory>> RulesCache::Get(
    sql::Connection& conn, absl::string_view program_id, int32_t latest_version) {
  if (auto cached = Peek(program_id);
      cached != nullptr && latest_version != 0 && cached->latest_version == latest_version) {
    return cached;
  }
  auto history = std::make_shared<ProgramRulesHistory>();
  {
    auto program = Prepare(conn,
                           "SELECT rules_version, currency_exponent FROM programs "
                           "WHERE program_id = ?");
    program->setString(1, std::string(program_id));
    std::unique_ptr<sql::ResultSet> rs(program->executeQuery());
    if (!rs->next()) return rows::ProgramNotFound(program_id);
    history->latest_version = rs->getInt(1);
    history->currency_exponent = rs->getUInt(2);
  }
  auto versions = Prepare(conn,
                          "SELECT version, effective_at, rules FROM program_rules "
                          "WHERE program_id = ? AND version <= ? ORDER BY effective_at, version");
  versions->setString(1, std::string(program_id));
  versions->setInt(2, history->latest_version);
  std::unique_ptr<sql::ResultSet> rs(versions->executeQuery());
  while (rs->next()) {
    v1::ProgramRules& rules = history->versions.emplace_back();
    if (!rules.ParseFromString(rs->getString(3))) {
      return absl::InternalError(absl::StrCat("rules of program ", program_id, " do not parse"));
    }
    rules.set_version(rs->getInt(1));
    ToProtoTimestamp(FromSqlDatetime(rs->getString(2)), rules.mutable_effective_time());
  }
  absl::MutexLock lock(&mu_);
  auto& slot = programs_[program_id];
  if (slot == nullptr || slot->latest_version <= history->latest_version) slot = history;
  return std::shared_ptr<const ProgramRulesHistory>(history);
}

}  // namespace crm::loyalty
