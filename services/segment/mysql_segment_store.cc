#include "services/segment/mysql_segment_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "crm/segment/v1/events.pb.h"

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

absl::StatusOr<v1::CustomerTier> MysqlSegmentStore::AssignTier(const v1::CustomerTier& tier) {
  return RunInTransaction<v1::CustomerTier>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::CustomerTier> {
        auto current = Prepare(conn,
                               "SELECT tier, reason, since FROM customer_tiers "
                               "WHERE customer_id = ? FOR UPDATE");
        current->setString(1, tier.customer_id());
        std::unique_ptr<sql::ResultSet> rs(current->executeQuery());
        std::string from_tier;
        if (rs->next()) {
          from_tier = rs->getString(1);
          if (from_tier == tier.tier()) {  // unchanged: the first assignment stands
            v1::CustomerTier same = tier;
            same.set_reason(rs->getString(2));
            ToProtoTimestamp(FromSqlDatetime(rs->getString(3)), same.mutable_since());
            return same;
          }
        }
        const std::string since = ToSqlDatetime(FromProtoTimestamp(tier.since()));
        auto upsert = Prepare(conn,
                              "INSERT INTO customer_tiers (customer_id, tier, reason, since) "
                              "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE tier = VALUES(tier), "
                              "reason = VALUES(reason), since = VALUES(since)");
        upsert->setString(1, tier.customer_id());
        upsert->setString(2, tier.tier());
        upsert->setString(3, tier.reason());
        upsert->setString(4, since);
        upsert->executeUpdate();
        auto history = Prepare(conn,
                               "INSERT INTO tier_changes (customer_id, from_tier, to_tier, "
                               "reason, changed_at) VALUES (?, NULLIF(?, ''), ?, ?, ?)");
        history->setString(1, tier.customer_id());
        history->setString(2, from_tier);
        history->setString(3, tier.tier());
        history->setString(4, tier.reason());
        history->setString(5, since);
        history->executeUpdate();
        v1::TierChanged event;
        event.set_customer_id(tier.customer_id());
        event.set_previous_tier(from_tier);
        event.set_tier(tier.tier());
        event.set_reason(tier.reason());
        AppendEvent(conn, tier.customer_id(), event, absl::Now());
        return tier;
      });
}

absl::StatusOr<v1::CustomerTier> MysqlSegmentStore::GetTier(absl::string_view customer_id) {
  return RunWithConnection<v1::CustomerTier>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::CustomerTier> {
        auto query = Prepare(conn,
                             "SELECT tier, reason, since FROM customer_tiers "
                             "WHERE customer_id = ?");
        query->setString(1, std::string(customer_id));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "TIER_NOT_ASSIGNED",
                       absl::StrCat("customer ", customer_id, " has no tier yet"),
                       {{"customer_id", std::string(customer_id)}});
        }
        v1::CustomerTier tier;
        tier.set_customer_id(std::string(customer_id));
        tier.set_tier(rs->getString(1));
        tier.set_reason(rs->getString(2));
        ToProtoTimestamp(FromSqlDatetime(rs->getString(3)), tier.mutable_since());
        return tier;
      });
}

}  // namespace crm::segment
