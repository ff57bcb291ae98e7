#include "services/loyalty/loyalty_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/paging.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "services/loyalty/earning.h"

namespace crm::loyalty {
namespace {

constexpr int64_t kMaxAmountMinor = 1'000'000'000'000;
constexpr int64_t kMaxAdjustment = 1'000'000'000;

absl::Status ValidateNewProgram(v1::Program& p, absl::Time now) {
  if (absl::Status s = CheckText("program.display_name", *p.mutable_display_name(), 1, 200);
      !s.ok()) {
    return s;
  }
  const std::string& currency = p.currency_code();
  if (currency.size() != 3 || !absl::ascii_isupper(currency[0]) ||
      !absl::ascii_isupper(currency[1]) || !absl::ascii_isupper(currency[2])) {
    return InvalidArgument("program.currency_code", "must be an ISO 4217 code such as CNY");
  }
  if (!p.has_currency_exponent()) p.set_currency_exponent(2);
  if (!p.has_rules()) {
    if (p.points_per_currency_unit() > 10000) {
      return InvalidArgument("program.points_per_currency_unit", "must be 0-10000");
    }
    p.mutable_rules()->mutable_earning()->set_points_per_currency_unit(
        p.points_per_currency_unit());
  }
  if (p.currency_exponent() > 3) {
    return InvalidArgument("program.currency_exponent", "must be 0-3");
  }
  v1::ProgramRules& rules = *p.mutable_rules();
  if (absl::Status s = ValidateRules(rules, "program.rules"); !s.ok()) return s;
  rules.set_version(1);
  if (!rules.has_effective_time()) {
    ToProtoTimestamp(now, rules.mutable_effective_time());
  } else if (const absl::Time t = FromProtoTimestamp(rules.effective_time());
             t > now || t < absl::UnixEpoch()) {
    // The first version must be in force from the start: a program without
    // rules could not earn.
    return InvalidArgument("program.rules.effective_time", "must be between 1970 and now");
  }
  p.set_points_per_currency_unit(rules.earning().points_per_currency_unit());
  return absl::OkStatus();
}

// Checks the purchase and fills total_minor and a missing purchase_time.
absl::Status ValidatePurchase(v1::Purchase& p, absl::Time now) {
  if (absl::Status s = ValidId("purchase.member_id", p.member_id()); !s.ok()) return s;
  if (absl::Status s = CheckText("purchase.source_transaction_id",
                                 *p.mutable_source_transaction_id(), 1, 100);
      !s.ok()) {
    return s;
  }
  for (auto [field, value] : {std::pair{"purchase.channel", p.mutable_channel()},
                              std::pair{"purchase.store_id", p.mutable_store_id()}}) {
    if (absl::Status s = CheckText(field, *value, 0, 100); !s.ok()) return s;
  }
  if (p.lines_size() < 1 || p.lines_size() > 500) {
    return InvalidArgument("purchase.lines", "must hold 1-500 lines");
  }
  int64_t total = 0;
  for (int i = 0; i < p.lines_size(); ++i) {
    v1::PurchaseLine& line = *p.mutable_lines(i);
    const std::string name = absl::StrCat("purchase.lines[", i, "]");
    if (absl::Status s = CheckText(name + ".sku", *line.mutable_sku(), 1, 100); !s.ok()) return s;
    if (absl::Status s = CheckText(name + ".category", *line.mutable_category(), 0, 100);
        !s.ok()) {
      return s;
    }
    if (line.quantity() < 1 || line.quantity() > 1'000'000) {
      return InvalidArgument(name + ".quantity", "must be 1-1000000");
    }
    if (line.amount_minor() < 0 || line.amount_minor() > kMaxAmountMinor) {
      return InvalidArgument(name + ".amount_minor", "must be 0 to 10^12 minor units");
    }
    total += line.amount_minor();
  }
  // Bounds the points too: at most 10^17 per purchase with every multiplier.
  if (total > kMaxAmountMinor) {
    return InvalidArgument("purchase.lines", "must total at most 10^12 minor units");
  }
  p.set_total_minor(total);
  if (p.coupon_ids_size() > 10) {
    return InvalidArgument("purchase.coupon_ids", "may hold at most 10 coupons");
  }
  for (int i = 0; i < p.coupon_ids_size(); ++i) {
    if (!IsValidId(p.coupon_ids(i)) ||
        std::find(p.coupon_ids().begin(), p.coupon_ids().begin() + i, p.coupon_ids(i)) !=
            p.coupon_ids().begin() + i) {
      return InvalidArgument(absl::StrCat("purchase.coupon_ids[", i, "]"),
                             "must be a 26-character coupon id, each once");
    }
  }
  if (!p.has_purchase_time()) {
    ToProtoTimestamp(now, p.mutable_purchase_time());
  } else if (FromProtoTimestamp(p.purchase_time()) > now + absl::Minutes(5)) {
    return InvalidArgument("purchase.purchase_time", "is in the future");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidId(absl::string_view field, absl::string_view id) {
  if (IsValidId(id)) return absl::OkStatus();
  return InvalidArgument(field, "must be a 26-character id");
}

absl::StatusOr<v1::CreateProgramResponse> LoyaltyService::CreateProgram(
    const v1::CreateProgramRequest& request) {
  auto key = MakeRequestKey("CreateProgram", request.request_id(), request);
  if (!key.ok()) return key.status();
  v1::Program program = request.program();
  const absl::Time now = clock_->Now();
  if (absl::Status s = ValidateNewProgram(program, now); !s.ok()) return s;
  program.set_program_id(ids_->Next());
  ToProtoTimestamp(now, program.mutable_create_time());
  ToProtoTimestamp(now, program.mutable_update_time());
  auto created = store_->CreateProgram(*key, program);
  if (!created.ok()) return created.status();
  v1::CreateProgramResponse response;
  *response.mutable_program() = *std::move(created);
  return response;
}

absl::StatusOr<v1::GetProgramResponse> LoyaltyService::GetProgram(
    const v1::GetProgramRequest& request) {
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  auto program = CurrentProgram(request.program_id());
  if (!program.ok()) return program.status();
  v1::GetProgramResponse response;
  *response.mutable_program() = *std::move(program);
  return response;
}

absl::StatusOr<v1::UpdateProgramRulesResponse> LoyaltyService::UpdateProgramRules(
    const v1::UpdateProgramRulesRequest& request) {
  auto key = MakeRequestKey("UpdateProgramRules", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  v1::ProgramRules rules = request.rules();
  if (absl::Status s = ValidateRules(rules, "rules"); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  if (!rules.has_effective_time()) {
    ToProtoTimestamp(now, rules.mutable_effective_time());
  } else if (const absl::Time t = FromProtoTimestamp(rules.effective_time());
             t < now || t > now + absl::Hours(24) * 3660) {
    // Purchases already recorded earned by the rules then in force.
    return InvalidArgument("rules.effective_time", "must be now or within ten years ahead");
  }
  auto added = store_->AddRulesVersion(*key, request.program_id(), rules, now);
  if (!added.ok()) return added.status();
  v1::UpdateProgramRulesResponse response;
  *response.mutable_rules() = *std::move(added);
  return response;
}

absl::StatusOr<v1::ListMembersResponse> LoyaltyService::ListMembers(
    const v1::ListMembersRequest& request) {
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  const std::string scope = absl::StrCat(request.program_id(), "/", request.level());
  auto after = DecodePageToken(request.page_token(), scope);
  if (!after.ok()) return after.status();
  std::optional<int> rank;
  if (!request.level().empty()) {
    auto found = LevelRank(request.program_id(), request.level());
    if (!found.ok()) return found.status();
    rank = *found;
  }
  auto members =
      store_->ListMembers(request.program_id(), rank, *after, *page_size + 1, clock_->Now());
  if (!members.ok()) return members.status();
  v1::ListMembersResponse response;
  response.set_next_page_token(TakePage(*members, *page_size, scope,
                                        *response.mutable_members(),
                                        [](const v1::Member& last) { return last.member_id(); }));
  return response;
}

absl::StatusOr<v1::GetPointsLiabilityResponse> LoyaltyService::GetPointsLiability(
    const v1::GetPointsLiabilityRequest& request) {
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  auto liability = store_->Liability(request.program_id(), clock_->Now());
  if (!liability.ok()) return liability.status();
  v1::GetPointsLiabilityResponse response;
  *response.mutable_liability() = *std::move(liability);
  return response;
}

absl::StatusOr<v1::GetLoyaltyMetricsResponse> LoyaltyService::GetLoyaltyMetrics(
    const v1::GetLoyaltyMetricsRequest& request) {
  if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  auto history = store_->History(request.member_id(), now - absl::Hours(24 * 365 * 3), 2000, now);
  if (!history.ok()) return history.status();
  v1::GetLoyaltyMetricsResponse response;
  *response.mutable_metrics() = ComputeLoyaltyMetrics(*history, now);
  return response;
}

absl::StatusOr<v1::RunBirthdayBonusesResponse> LoyaltyService::RunBirthdayBonuses(
    const v1::RunBirthdayBonusesRequest& request) {
  const absl::Time now = clock_->Now();
  const absl::Time as_of = request.has_as_of() ? FromProtoTimestamp(request.as_of()) : now;
  if (as_of > now) return InvalidArgument("as_of", "may not be in the future");
  auto run = store_->GrantBirthdayBonuses(as_of);
  if (!run.ok()) return run.status();
  v1::RunBirthdayBonusesResponse response;
  response.set_members(run->members);
  response.set_points(run->points);
  return response;
}

absl::StatusOr<v1::RunLevelEvaluationResponse> LoyaltyService::RunLevelEvaluation(
    const v1::RunLevelEvaluationRequest& request) {
  const absl::Time now = clock_->Now();
  const absl::Time as_of = request.has_as_of() ? FromProtoTimestamp(request.as_of()) : now;
  if (as_of > now) return InvalidArgument("as_of", "may not be in the future");
  auto run = store_->EvaluateLevels(as_of);
  if (!run.ok()) return run.status();
  v1::RunLevelEvaluationResponse response;
  response.set_members_evaluated(run->evaluated);
  response.set_upgraded(run->upgraded);
  response.set_downgraded(run->downgraded);
  response.set_grace_started(run->grace_started);
  return response;
}

absl::StatusOr<v1::IdentifyMemberResponse> LoyaltyService::IdentifyMember(
    const v1::IdentifyMemberRequest& request) {
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  auto member_id =
      MemberOf(request.program_id(), request.identifier(), request.default_region(), "identifier");
  if (!member_id.ok()) return member_id.status();
  auto member = store_->GetMember(*member_id, clock_->Now());
  if (!member.ok()) return member.status();
  v1::IdentifyMemberResponse response;
  *response.mutable_member() = *std::move(member);
  return response;
}

absl::StatusOr<std::string> LoyaltyService::CustomerOf(const identify::v1::Identifier& identifier,
                                                       absl::string_view default_region,
                                                       absl::string_view field) {
  if (customers_ == nullptr) {
    return Error(absl::StatusCode::kFailedPrecondition, "IDENTIFY_NOT_CONFIGURED",
                 "this loyalty service resolves no identifiers: pass customer or member ids");
  }
  if (identifier.value().empty()) {
    return InvalidArgument(absl::StrCat(field, ".value"), "is required");
  }
  auto customer = customers_->CustomerOf(identifier, default_region);
  if (customer.status().code() == absl::StatusCode::kInvalidArgument) {
    return InvalidArgument(field, customer.status().message());  // named as the caller sent it
  }
  return customer;
}

absl::StatusOr<std::string> LoyaltyService::MemberOf(absl::string_view program_id,
                                                     const identify::v1::Identifier& identifier,
                                                     absl::string_view default_region,
                                                     absl::string_view field) {
  auto customer = CustomerOf(identifier, default_region, field);
  if (!customer.ok()) return customer.status();
  return store_->MemberOfCustomer(program_id, *customer);
}

absl::StatusOr<int> LoyaltyService::LevelRank(absl::string_view program_id,
                                              absl::string_view level) {
  auto program = CurrentProgram(program_id);
  if (!program.ok()) return program.status();
  const auto& levels = program->rules().levels().levels();
  for (int i = 0; i < levels.size(); ++i) {
    if (levels[i].name() == level) return i;
  }
  return InvalidArgument("level", "is not a level of the program's rules in force");
}

absl::StatusOr<v1::Program> LoyaltyService::CurrentProgram(absl::string_view program_id) {
  return store_->GetProgram(program_id, clock_->Now());
}

absl::StatusOr<v1::EnrollMemberResponse> LoyaltyService::EnrollMember(
    const v1::EnrollMemberRequest& request) {
  auto key = MakeRequestKey("EnrollMember", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  std::string customer_id = request.customer_id();
  if (customer_id.empty() && request.has_customer_identifier()) {
    auto found =
        CustomerOf(request.customer_identifier(), request.default_region(), "customer_identifier");
    if (!found.ok()) return found.status();
    customer_id = *std::move(found);
  }
  if (absl::Status s = ValidId("customer_id", customer_id); !s.ok()) return s;
  const int month = request.birth_month(), day = request.birth_day();
  if (month != 0 || day != 0) {
    // In a leap year, so that 29 February is a birthday too.
    const bool known_month = month >= 1 && month <= 12;
    const int days =
        known_month ? (absl::CivilDay(absl::CivilMonth(2024, month) + 1) - 1).day() : 0;
    if (!known_month || day < 1 || day > days) {
      return InvalidArgument("birth_day",
                             "give a month 1-12 and a day that month has, or neither");
    }
  }
  auto program = CurrentProgram(request.program_id());
  if (!program.ok()) return program.status();
  const absl::Time now = clock_->Now();
  v1::Member member;
  member.set_member_id(ids_->Next());
  member.set_program_id(request.program_id());
  member.set_customer_id(customer_id);
  member.set_birth_month(month);
  member.set_birth_day(day);
  ToProtoTimestamp(now, member.mutable_enroll_time());
  const v1::ProgramRules& rules = program->rules();
  auto enrolled = store_->Enroll(*key, member, rules.earning().enrollment_bonus(),
                                 ExpiryOf(rules.expiry(), now));
  if (!enrolled.ok()) return enrolled.status();
  v1::EnrollMemberResponse response;
  *response.mutable_member() = *std::move(enrolled);
  return response;
}

absl::StatusOr<v1::GetMemberResponse> LoyaltyService::GetMember(
    const v1::GetMemberRequest& request) {
  if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
  auto member = store_->GetMember(request.member_id(), clock_->Now());
  if (!member.ok()) return member.status();
  v1::GetMemberResponse response;
  *response.mutable_member() = *std::move(member);
  return response;
}

absl::StatusOr<v1::RecordPurchaseResponse> LoyaltyService::RecordPurchase(
    const v1::RecordPurchaseRequest& request) {
  v1::Purchase purchase = request.purchase();
  if (purchase.member_id().empty() && request.has_customer_identifier()) {
    if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
    auto member = MemberOf(request.program_id(), request.customer_identifier(),
                           request.default_region(), "customer_identifier");
    if (!member.ok()) return member.status();
    purchase.set_member_id(*std::move(member));
  }
  // The content as sent (with its member) identifies a replay; a default
  // purchase_time would not.
  const std::string content_hash = Fingerprint(purchase);
  const absl::Time now = clock_->Now();
  if (absl::Status s = ValidatePurchase(purchase, now); !s.ok()) return s;
  purchase.set_purchase_id(ids_->Next());
  purchase.clear_points_earned();
  purchase.clear_rules_version();
  purchase.clear_applied_coupons();
  purchase.clear_discount_minor();
  auto recorded = store_->RecordPurchase(
      purchase, content_hash, now, [&](const EarningInputs& in) {
        Earning e;
        e.line_points = PurchasePoints(in.rules.earning(), purchase, in.currency_exponent,
                                       in.earned_today, in.level_percent, in.discount_minor);
        if (in.purchase_count == 0) e.bonus_points = in.rules.earning().first_purchase_bonus();
        const absl::Time at = FromProtoTimestamp(purchase.purchase_time());
        e.available_at = at + absl::Hours(24) * in.rules.pending_days();
        e.expires_at = ExpiryOf(in.rules.expiry(), at);
        return e;
      });
  if (!recorded.ok()) return recorded.status();
  v1::RecordPurchaseResponse response;
  *response.mutable_purchase() = std::move(recorded->purchase);
  *response.mutable_member() = std::move(recorded->member);
  response.set_replayed(recorded->replayed);
  return response;
}

absl::StatusOr<v1::RecordReturnResponse> LoyaltyService::RecordReturn(
    const v1::RecordReturnRequest& request) {
  const std::string content_hash = Fingerprint(request);
  v1::RecordReturnRequest r = request;
  if (absl::Status s = ValidId("member_id", r.member_id()); !s.ok()) return s;
  for (auto [field, value] : {std::pair{"source_transaction_id", r.mutable_source_transaction_id()},
                              std::pair{"source_return_id", r.mutable_source_return_id()}}) {
    if (absl::Status s = CheckText(field, *value, 1, 100); !s.ok()) return s;
  }
  if (r.amount_minor() < 0 || r.amount_minor() > kMaxAmountMinor) {
    return InvalidArgument("amount_minor",
                           "must be 0 (the rest of the purchase) or 1 to 10^12 minor units");
  }
  auto returned = store_->RecordReturn(r, content_hash, clock_->Now());
  if (!returned.ok()) return returned.status();
  v1::RecordReturnResponse response;
  response.set_points_reversed(returned->reversed);
  response.set_points_not_reversed(returned->kept);
  *response.mutable_member() = std::move(returned->member);
  response.set_replayed(returned->replayed);
  return response;
}

absl::StatusOr<v1::AdjustPointsResponse> LoyaltyService::AdjustPoints(
    const v1::AdjustPointsRequest& request) {
  if (request.request_id().empty()) {
    return InvalidArgument("request_id", "is required: adjustments must apply exactly once");
  }
  auto key = MakeRequestKey("AdjustPoints", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
  if (request.points() == 0 || request.points() > kMaxAdjustment ||
      request.points() < -kMaxAdjustment) {
    return InvalidArgument("points", "must be non-zero and at most 10^9 in size");
  }
  std::string reason = request.reason();
  if (absl::Status s = CheckText("reason", reason, 1, 500); !s.ok()) return s;
  std::string reference = request.reference();
  if (absl::Status s = CheckText("reference", reference, 0, 100); !s.ok()) return s;
  auto member = store_->GetMember(request.member_id(), clock_->Now());
  if (!member.ok()) return member.status();
  auto program = CurrentProgram(member->program_id());
  if (!program.ok()) return program.status();
  const absl::Time now = clock_->Now();
  auto adjusted = store_->Adjust(*key, request.member_id(), request.points(), reason, reference,
                                 now, ExpiryOf(program->rules().expiry(), now));
  if (!adjusted.ok()) return adjusted.status();
  v1::AdjustPointsResponse response;
  *response.mutable_entry() = std::move(adjusted->entry);
  *response.mutable_member() = std::move(adjusted->member);
  return response;
}

absl::StatusOr<v1::ListLedgerEntriesResponse> LoyaltyService::ListLedgerEntries(
    const v1::ListLedgerEntriesRequest& request) {
  if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  auto cursor = DecodePageToken(request.page_token(), request.member_id());
  if (!cursor.ok()) return cursor.status();
  int64_t before = 0;
  if (!cursor->empty() && !absl::SimpleAtoi(*cursor, &before)) {
    return InvalidArgument("page_token", "is not a ledger page token");
  }
  auto entries = store_->ListLedger(request.member_id(), before, *page_size + 1);
  if (!entries.ok()) return entries.status();
  v1::ListLedgerEntriesResponse response;
  response.set_next_page_token(
      TakePage(*entries, *page_size, request.member_id(), *response.mutable_entries(),
               [](const v1::LedgerEntry& last) { return absl::StrCat(last.entry_id()); }));
  return response;
}

absl::StatusOr<v1::RunExpiryResponse> LoyaltyService::RunExpiry(
    const v1::RunExpiryRequest& request) {
  const absl::Time now = clock_->Now();
  const absl::Time as_of = request.has_as_of() ? FromProtoTimestamp(request.as_of()) : now;
  if (as_of > now) {
    return InvalidArgument("as_of", "may not be in the future: points expire when their time comes");
  }
  auto expired = store_->ExpirePoints(as_of, now);
  if (!expired.ok()) return expired.status();
  v1::RunExpiryResponse response;
  response.set_members(expired->members);
  response.set_points_expired(expired->points);
  return response;
}

}  // namespace crm::loyalty
