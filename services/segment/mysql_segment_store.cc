#include "services/segment/mysql_segment_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"

namespace crm::segment {

absl::Status MysqlSegmentStore::PutTierPolicy(const v1::TierPolicy& policy) {
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto upsert = Prepare(conn,
                          "INSERT INTO tier_policies (tier, priority, sla_class, contact_channel, "
                          "updated_at) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                          "priority = VALUES(priority), sla_class = VALUES(sla_class), "
                          "contact_channel = VALUES(contact_channel), "
                          "updated_at = VALUES(updated_at)");
    upsert->setString(1, policy.tier());
    upsert->setInt(2, policy.priority());
    upsert->setString(3, policy.sla_class());
    upsert->setInt(4, policy.contact_channel());
    upsert->setString(5, ToSqlDatetime(FromProtoTimestamp(policy.update_time())));
    upsert->executeUpdate();
    auto clear = Prepare(conn, "DELETE FROM tier_policy_benefits WHERE tier = ?");
    clear->setString(1, policy.tier());
    clear->executeUpdate();
    auto add = Prepare(conn,
                       "INSERT INTO tier_policy_benefits (tier, position, benefit) VALUES (?, ?, ?)");
    for (int i = 0; i < policy.benefits_size(); ++i) {
      add->setString(1, policy.tier());
      add->setInt(2, i);
      add->setString(3, policy.benefits(i));
      add->executeUpdate();
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::TierPolicy> MysqlSegmentStore::GetTierPolicy(absl::string_view tier) {
  return RunWithConnection<v1::TierPolicy>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::TierPolicy> {
        auto query = Prepare(conn,
                             "SELECT priority, sla_class, contact_channel, updated_at "
                             "FROM tier_policies WHERE tier = ?");
        query->setString(1, std::string(tier));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "TIER_POLICY_NOT_FOUND",
                       absl::StrCat("no policy is set for tier ", tier),
                       {{"tier", std::string(tier)}});
        }
        v1::TierPolicy p;
        p.set_tier(std::string(tier));
        p.set_priority(rs->getInt(1));
        p.set_sla_class(rs->getString(2));
        p.set_contact_channel(static_cast<v1::ContactChannel>(rs->getInt(3)));
        ToProtoTimestamp(FromSqlDatetime(rs->getString(4)), p.mutable_update_time());
        auto benefits = Prepare(conn,
                                "SELECT benefit FROM tier_policy_benefits WHERE tier = ? "
                                "ORDER BY position");
        benefits->setString(1, std::string(tier));
        std::unique_ptr<sql::ResultSet> b(benefits->executeQuery());
        while (b->next()) p.add_benefits(b->getString(1));
        return p;
      });
}

}  // namespace crm::segment
