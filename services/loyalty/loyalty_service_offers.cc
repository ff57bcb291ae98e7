// LoyaltyService: coupons and personal offers.
#include "services/loyalty/loyalty_service.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/paging.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "services/loyalty/coupons.h"
#include "services/loyalty/personal_offers.h"

namespace crm::loyalty {

absl::StatusOr<v1::IssueCouponsResponse> LoyaltyService::IssueCoupons(
    const v1::IssueCouponsRequest& request) {
  if (request.request_id().empty()) {
    return InvalidArgument("request_id", "is required: each member gets one coupon per issue");
  }
  auto key = MakeRequestKey("IssueCoupons", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  v1::Coupon coupon = request.coupon();
  if (absl::Status s = ValidateCouponTemplate(coupon); !s.ok()) return s;
  coupon.set_program_id(request.program_id());
  if (request.member_ids().empty() == request.level().empty()) {
    return InvalidArgument("member_ids", "give either member_ids (1-1000) or a level");
  }
  if (request.member_ids_size() > 1000) {
    return InvalidArgument("member_ids", "may hold at most 1000 members");
  }
  for (int i = 0; i < request.member_ids_size(); ++i) {
    if (absl::Status s = ValidId(absl::StrCat("member_ids[", i, "]"), request.member_ids(i));
        !s.ok()) {
      return s;
    }
  }
  const std::string issue_key =
      Sha256Hex(absl::StrCat(request.program_id(), "/", request.request_id()));
  const absl::Time now = clock_->Now();
  auto issue = [&](const std::vector<std::string>& members) {
    std::vector<CouponTarget> targets;
    for (const std::string& m : members) targets.push_back({m, ids_->Next()});
    return store_->IssueCoupons(issue_key, key->fingerprint, coupon, targets, now);
  };
  if (request.level().empty()) {
    std::vector<std::string> members(request.member_ids().begin(), request.member_ids().end());
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    if (absl::Status s = issue(members); !s.ok()) return s;
  } else {
    auto rank = LevelRank(request.program_id(), request.level());
    if (!rank.ok()) return rank.status();
    // Binds the request id to this request even when nobody is at the level.
    if (absl::Status s = issue({}); !s.ok()) return s;
    // In batches, each its own transaction: a retry completes an
    // interrupted issue without giving anyone a second coupon.
    for (std::string after;;) {
      auto page = store_->ListMembers(request.program_id(), *rank, after, 500, now);
      if (!page.ok()) return page.status();
      if (page->empty()) break;
      std::vector<std::string> members;
      for (const v1::Member& m : *page) members.push_back(m.member_id());
      if (absl::Status s = issue(members); !s.ok()) return s;
      after = members.back();
    }
  }
  auto issued = store_->CouponsOfIssue(issue_key, 100, now);
  if (!issued.ok()) return issued.status();
  v1::IssueCouponsResponse response;
  response.set_issued(issued->count);
  for (v1::Coupon& c : issued->first) *response.add_coupons() = std::move(c);
  return response;
}

absl::StatusOr<v1::ListCouponsResponse> LoyaltyService::ListCoupons(
    const v1::ListCouponsRequest& request) {
  if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  const std::string scope =
      absl::StrCat(request.member_id(), request.include_inactive() ? "/all" : "/usable");
  auto before = DecodePageToken(request.page_token(), scope);
  if (!before.ok()) return before.status();
  auto coupons = store_->ListCoupons(request.member_id(), request.include_inactive(), *before,
                                     *page_size + 1, clock_->Now());
  if (!coupons.ok()) return coupons.status();
  v1::ListCouponsResponse response;
  response.set_next_page_token(TakePage(*coupons, *page_size, scope,
                                        *response.mutable_coupons(),
                                        [](const v1::Coupon& last) { return last.coupon_id(); }));
  return response;
}

absl::StatusOr<v1::GeneratePersonalOffersResponse> LoyaltyService::GeneratePersonalOffers(
    const v1::GeneratePersonalOffersRequest& request) {
  if (request.request_id().empty()) {
    return InvalidArgument("request_id", "is required: each member gets each offer once");
  }
  auto key = MakeRequestKey("GeneratePersonalOffers", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  const int valid_days = request.valid_days() == 0 ? 14 : request.valid_days();
  if (valid_days < 1 || valid_days > 90) return InvalidArgument("valid_days", "must be 1-90");
  const int max_items = request.max_items() == 0 ? 8 : request.max_items();
  if (max_items < 1 || max_items > 20) return InvalidArgument("max_items", "must be 1-20");
  const absl::Time now = clock_->Now();
  auto program = CurrentProgram(request.program_id());
  if (!program.ok()) return program.status();

  std::vector<std::string> members;
  if (!request.member_id().empty()) {
    if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
    members.push_back(request.member_id());
  } else {
    const absl::Time start = FromProtoTimestamp(request.period_start());
    const absl::Time end = FromProtoTimestamp(request.period_end());
    if (!request.has_period_start() || !request.has_period_end() || !(start < end)) {
      return InvalidArgument("period_end",
                             "give member_id, or a period with period_start before period_end");
    }
    if (request.min_spend_minor() < 0) {
      return InvalidArgument("min_spend_minor", "may not be negative");
    }
    auto found = store_->MembersBySpend(request.program_id(), start, end,
                                        request.min_spend_minor());
    if (!found.ok()) return found.status();
    members = *std::move(found);
  }

  // Binds the request id to this request even when nobody gets an offer.
  v1::Coupon no_coupon;
  no_coupon.set_program_id(request.program_id());
  if (absl::Status s = store_->IssueCoupons(
          Sha256Hex(absl::StrCat(request.program_id(), "/offers/", request.request_id())),
          key->fingerprint, no_coupon, {}, now);
      !s.ok()) {
    return s;
  }

  // Who buys what with what: the program's purchases of the last half year.
  CategoryAffinity affinity;
  auto baskets = store_->CategoryBaskets(request.program_id(), now - absl::Hours(24 * 182), 50'000);
  if (!baskets.ok()) return baskets.status();
  for (std::vector<std::string>& basket : *baskets) affinity.AddMember(std::move(basket));

  v1::GeneratePersonalOffersResponse response;
  for (const std::string& member_id : members) {
    auto history = store_->History(member_id, now - absl::Hours(24 * 365), 500, now);
    if (!history.ok()) return history.status();
    if (history->member.program_id() != request.program_id()) {
      return Error(absl::StatusCode::kNotFound, "MEMBER_NOT_FOUND",
                   absl::StrCat("member ", member_id, " is not in program ",
                                request.program_id()),
                   {{"member_id", member_id}});
    }
    int rank = 0;
    const auto& levels = program->rules().levels().levels();
    for (int i = 0; i < levels.size(); ++i) {
      if (levels[i].name() == history->member.level()) rank = i;
    }
    std::vector<v1::OfferItem> items =
        PlanOffers(*history, affinity, program->rules(),
                   OfferPercentOff(*history, rank, now), now, max_items);
    const bool shown = response.offers_size() < 100;
    v1::PersonalOffer offer;
    offer.set_member_id(member_id);
    for (v1::OfferItem& item : items) {
      v1::Coupon coupon;
      coupon.set_program_id(request.program_id());
      coupon.set_campaign("personal offer");
      coupon.set_percent_off(item.percent_off());
      coupon.add_categories(item.category());
      coupon.set_auto_apply(true);
      ToProtoTimestamp(now, coupon.mutable_start_time());
      ToProtoTimestamp(now + absl::Hours(24) * valid_days, coupon.mutable_end_time());
      // One coupon per request, member and category, whatever a retry plans.
      const std::string issue_key = Sha256Hex(absl::StrCat(
          request.program_id(), "/", request.request_id(), "/", member_id, "/", item.category()));
      if (absl::Status s = store_->IssueCoupons(issue_key, key->fingerprint, coupon,
                                                {{member_id, ids_->Next()}}, now);
          !s.ok()) {
        return s;
      }
      if (shown) {
        auto issued = store_->CouponsOfIssue(issue_key, 1, now);
        if (!issued.ok()) return issued.status();
        if (!issued->first.empty()) item.set_coupon_id(issued->first[0].coupon_id());
      }
      *offer.add_items() = std::move(item);
    }
    if (shown) *response.add_offers() = std::move(offer);
    response.set_members(response.members() + 1);
  }
  return response;
}

}  // namespace crm::loyalty
