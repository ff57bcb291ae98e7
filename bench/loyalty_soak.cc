// A consistency soak of the loyalty service that anyone can run against a
// running suite: mixed purchases, returns, redemptions, cancellations,
// adjustments and expiry runs from many concurrent clients on a few
// hundred members, with a share of requests replayed and some cancelled
// mid-flight (then retried, as a till would). Every outcome the service
// acknowledges is booked in a client-side model; afterwards the audit
// (loyalty_soak_audit.cc) checks the service against it.
//
//   crm-loyalty-soak --target=127.0.0.1:50052 --operations=200000 --concurrency=64
#include <atomic>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/loyalty_soak_audit.h"
#include "common/clock.h"
#include "common/ids.h"
#include "grpcpp/create_channel.h"
#include "common/parallel.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50052", "loyalty service address");
ABSL_FLAG(int, members, 500, "Members the operations spread over (fewer: more contention)");
ABSL_FLAG(int, operations, 200000, "Operations to send, replays and retries excluded");
ABSL_FLAG(int, concurrency, 64, "Concurrent clients");
ABSL_FLAG(double, replay_rate, 0.05, "Share of requests sent again after their first answer");
ABSL_FLAG(double, cancel_rate, 0.01, "Share of requests cancelled mid-flight, retried at the end");
ABSL_FLAG(uint64_t, seed, 1, "Random seed");

namespace crm::loyalty::soak {
namespace {

constexpr int64_t kScarceStock = 500;

v1::Program SoakProgram() {
  v1::Program p;
  p.set_display_name("Soak club");
  p.set_currency_code("CNY");
  v1::ProgramRules& r = *p.mutable_rules();
  r.mutable_earning()->set_points_per_currency_unit(1);
  auto* fresh = r.mutable_earning()->add_category_rates();
  fresh->set_category("fresh");
  fresh->set_points_per_currency_unit(2);
  r.mutable_earning()->set_enrollment_bonus(kEnrollmentBonus);
  r.mutable_earning()->set_first_purchase_bonus(kFirstPurchaseBonus);
  r.mutable_expiry()->set_kind(v1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
  r.mutable_expiry()->set_months(12);
  r.set_return_policy(v1::RETURN_POLICY_REVERSE_WITHIN_BALANCE);
  return p;
}

class Soak {
 public:
  Soak(std::shared_ptr<grpc::Channel> channel, Model& model)
      : stub_(v1::LoyaltyService::NewStub(channel)), model_(model) {}

  // One random operation on a random member by client `worker`.
  void Operate(std::mt19937_64& rng, uint64_t n) {
    std::uniform_real_distribution<double> unit(0, 1);
    const bool cancel = unit(rng) < absl::GetFlag(FLAGS_cancel_rate);
    const double pick = unit(rng);
    MemberModel& member = model_.members[rng() % model_.members.size()];
    Request request;
    request.member = &member;
    if (pick < 0.45) {
      request.purchase = RandomPurchase(rng, member.member_id, n);
    } else if (pick < 0.60) {
      auto txn = member.SomePurchase(rng);
      if (!txn.has_value()) return;
      request.ret.set_member_id(member.member_id);
      request.ret.set_source_transaction_id(*txn);
      request.ret.set_source_return_id(absl::StrCat("soak-return-", model_.run, "-", n));
      request.ret.set_amount_minor(rng() % 2 == 0 ? 0 : 1 + rng() % 3000);
    } else if (pick < 0.75) {
      request.redeem.set_request_id(absl::StrCat("soak-redeem-", model_.run, "-", n));
      request.redeem.set_member_id(member.member_id);
      request.redeem.set_reward_id(rng() % 4 == 0 ? model_.scarce_reward : model_.reward);
      request.redeem.set_quantity(1);
    } else if (pick < 0.82) {
      auto redemption = member.TakeRedemption(rng);
      if (!redemption.has_value()) return;
      request.cancel.set_request_id(absl::StrCat("soak-cancel-", model_.run, "-", n));
      request.cancel.set_redemption_id(*redemption);
      request.cancel.set_reason("soak cancellation");
    } else if (pick < 0.999) {
      request.adjust.set_request_id(absl::StrCat("soak-adjust-", model_.run, "-", n));
      request.adjust.set_member_id(member.member_id);
      const bool take = rng() % 3 == 0;
      const int64_t size = 1 + static_cast<int64_t>(rng() % (take ? 600 : 40));
      request.adjust.set_points(take ? -size : size);
      request.adjust.set_reason("soak adjustment");
      request.adjust.set_reference(request.adjust.request_id());
    } else {
      request.expiry = true;
    }
    const absl::Duration deadline = cancel ? absl::Milliseconds(rng() % 3) : absl::Seconds(60);
    if (!Send(request, deadline)) {
      std::lock_guard<std::mutex> lock(mu_);
      unresolved_.push_back(request);
      return;
    }
    if (unit(rng) < absl::GetFlag(FLAGS_replay_rate)) Replay(request);
  }

  // Retries every request whose answer never came, until it does.
  void Resolve() {
    for (Request& r : unresolved_) {
      while (!Send(r, absl::Seconds(60))) absl::SleepFor(absl::Milliseconds(100));
    }
    std::cerr << absl::StrFormat("retried %d requests cancelled mid-flight\n", unresolved_.size());
  }

  int64_t replays() const { return replays_; }

 private:
  // A request of one kind (the others stay empty) and its first answer.
  struct Request {
    MemberModel* member = nullptr;
    v1::RecordPurchaseRequest purchase;
    v1::RecordReturnRequest ret;
    v1::RedeemRewardRequest redeem;
    v1::CancelRedemptionRequest cancel;
    v1::AdjustPointsRequest adjust;
    bool expiry = false;
    std::string first_answer;
  };

  v1::RecordPurchaseRequest RandomPurchase(std::mt19937_64& rng, const std::string& member_id,
                                           uint64_t n) {
    v1::RecordPurchaseRequest r;
    v1::Purchase& p = *r.mutable_purchase();
    p.set_member_id(member_id);
    p.set_source_transaction_id(absl::StrCat("soak-", model_.run, "-", n));
    p.set_channel("pos");
    for (int lines = 1 + rng() % 4; lines > 0; --lines) {
      v1::PurchaseLine* line = p.add_lines();
      line->set_sku(absl::StrCat("sku-", rng() % 50));
      line->set_category(rng() % 2 == 0 ? "fresh" : "grocery");
      line->set_quantity(1);
      line->set_amount_minor(1 + rng() % 5000);
    }
    return r;
  }

  // Sends `r`; false when the answer did not come (deadline or cancel), so
  // its outcome is unknown. Books a definite answer in the model.
  bool Send(Request& r, absl::Duration deadline) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    grpc::Status status;
    std::string answer;
    MemberModel& m = *r.member;
    if (r.purchase.has_purchase()) {
      v1::RecordPurchaseResponse out;
      status = stub_->RecordPurchase(&ctx, r.purchase, &out);
      if (status.ok()) {
        m.BookPurchase(r.purchase.purchase(), out);
        answer = absl::StrCat(out.purchase().purchase_id(), "/", out.purchase().points_earned());
      }
    } else if (!r.ret.source_return_id().empty()) {
      v1::RecordReturnResponse out;
      status = stub_->RecordReturn(&ctx, r.ret, &out);
      if (status.ok()) {
        m.BookReturn(r.ret.source_return_id(), out);
        answer = absl::StrCat(out.points_reversed(), "/", out.points_not_reversed());
      }
    } else if (!r.redeem.request_id().empty()) {
      v1::RedeemRewardResponse out;
      status = stub_->RedeemReward(&ctx, r.redeem, &out);
      if (status.ok()) {
        m.BookRedemption(out);
        answer = absl::StrCat(out.redemption().redemption_id(), "/", out.redemption().points());
      }
    } else if (!r.cancel.request_id().empty()) {
      v1::CancelRedemptionResponse out;
      status = stub_->CancelRedemption(&ctx, r.cancel, &out);
      if (status.ok()) {
        m.BookCancellation(out);
        answer = absl::StrCat(out.redemption().points_refunded());
      }
    } else if (!r.adjust.request_id().empty()) {
      v1::AdjustPointsResponse out;
      status = stub_->AdjustPoints(&ctx, r.adjust, &out);
      if (status.ok()) {
        m.BookAdjustment(r.adjust, out);
        answer = absl::StrCat(out.entry().entry_id());
      }
    } else if (r.expiry) {
      v1::RunExpiryResponse out;
      status = stub_->RunExpiry(&ctx, v1::RunExpiryRequest(), &out);
      if (status.ok()) model_.expired_points += out.points_expired();
    }
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
        status.error_code() == grpc::StatusCode::CANCELLED ||
        status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return false;
    }
    if (!status.ok()) model_.Refused(status);
    r.first_answer = status.ok() ? answer : absl::StrCat("error ", status.error_code());
    return true;
  }

  // Sends an answered request again: it must change nothing and, when it
  // succeeded, answer the same.
  void Replay(Request r) {
    ++replays_;
    if (r.expiry || r.first_answer.rfind("error", 0) == 0) return;
    const std::string first = r.first_answer;
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    std::string again;
    grpc::Status status;
    if (r.purchase.has_purchase()) {
      v1::RecordPurchaseResponse out;
      status = stub_->RecordPurchase(&ctx, r.purchase, &out);
      again = absl::StrCat(out.purchase().purchase_id(), "/", out.purchase().points_earned());
      if (status.ok() && !out.replayed()) again = "not marked as a replay";
    } else if (!r.ret.source_return_id().empty()) {
      v1::RecordReturnResponse out;
      status = stub_->RecordReturn(&ctx, r.ret, &out);
      again = absl::StrCat(out.points_reversed(), "/", out.points_not_reversed());
    } else if (!r.redeem.request_id().empty()) {
      v1::RedeemRewardResponse out;
      status = stub_->RedeemReward(&ctx, r.redeem, &out);
      again = absl::StrCat(out.redemption().redemption_id(), "/", out.redemption().points());
    } else if (!r.cancel.request_id().empty()) {
      v1::CancelRedemptionResponse out;
      status = stub_->CancelRedemption(&ctx, r.cancel, &out);
      again = absl::StrCat(out.redemption().points_refunded());
    } else {
      v1::AdjustPointsResponse out;
      status = stub_->AdjustPoints(&ctx, r.adjust, &out);
      again = absl::StrCat(out.entry().entry_id());
    }
    if (!status.ok() || again != first) {
      model_.Violation(absl::StrCat("a replay answered ",
                                    status.ok() ? again : status.error_message(), " after ",
                                    first));
    }
  }

  std::unique_ptr<v1::LoyaltyService::Stub> stub_;
  Model& model_;
  std::mutex mu_;
  std::vector<Request> unresolved_;
  std::atomic<int64_t> replays_{0};
};

}  // namespace
}  // namespace crm::loyalty::soak

int main(int argc, char** argv) {
  namespace soak = crm::loyalty::soak;
  absl::SetProgramUsageMessage(
      "crm-loyalty-soak --target=host:port --operations=200000 --concurrency=64");
  absl::ParseCommandLine(argc, argv);
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_target),
                                     grpc::InsecureChannelCredentials());
  soak::Model model;
  if (absl::Status s = soak::Prepare(channel, soak::SoakProgram(), absl::GetFlag(FLAGS_members),
                                     soak::kScarceStock, model);
      !s.ok()) {
    std::cerr << "crm-loyalty-soak: " << s << "\n";
    return 1;
  }
  soak::Soak driver(channel, model);
  const int operations = absl::GetFlag(FLAGS_operations);
  const absl::Time start = absl::Now();
  std::atomic<uint64_t> next{0};
  crm::ParallelFor(absl::GetFlag(FLAGS_concurrency), absl::GetFlag(FLAGS_concurrency),
                          [&](size_t worker) {
                            std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) * 1000003 + worker);
                            for (uint64_t n = next++; n < static_cast<uint64_t>(operations);
                                 n = next++) {
                              driver.Operate(rng, n);
                            }
                          });
  driver.Resolve();
  const absl::Duration took = absl::Now() - start;
  std::cerr << absl::StrFormat("%d operations (+%d replays) in %s: %.0f/s\n", operations,
                               driver.replays(), absl::FormatDuration(took),
                               operations / absl::ToDoubleSeconds(took));
  return soak::Audit(channel, model) ? 0 : 1;
}
