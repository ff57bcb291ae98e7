// SegmentService: early warnings and the credit positions they check.
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/paging.h"
#include "common/text.h"
#include "services/segment/segment_service.h"

namespace crm::segment {
namespace {

constexpr int64_t kMaxMinor = 1000000000000000;  // 10^15

absl::Status NotConfigured() { return absl::UnimplementedError("warnings are not configured"); }

absl::Status ValidCustomer(const std::string& customer_id) {
  if (IsValidId(customer_id)) return absl::OkStatus();
  return InvalidArgument("customer_id", "must be a 26-character customer id");
}

absl::Status ValidAmount(absl::string_view field, int64_t minor) {
  if (minor >= 0 && minor <= kMaxMinor) return absl::OkStatus();
  return InvalidArgument(field, "must be 0 to 10^15");
}

template <typename Response>
Response CreditResponse(const CreditOutcome& outcome) {
  Response response;
  *response.mutable_position() = outcome.position;
  if (outcome.warning.has_value()) *response.mutable_warning() = *outcome.warning;
  return response;
}

}  // namespace

absl::StatusOr<v1::SetCreditLimitResponse> SegmentService::SetCreditLimit(
    const v1::SetCreditLimitRequest& request) {
  if (warnings_ == nullptr) return NotConfigured();
  if (absl::Status s = ValidCustomer(request.customer_id()); !s.ok()) return s;
  if (absl::Status s = ValidAmount("credit_limit_minor", request.credit_limit_minor()); !s.ok()) {
    return s;
  }
  auto outcome = warnings_->UpdateCredit(request.customer_id(), request.credit_limit_minor(),
                                         std::nullopt, clock_->Now());
  if (!outcome.ok()) return outcome.status();
  return CreditResponse<v1::SetCreditLimitResponse>(*outcome);
}

absl::StatusOr<v1::RecordReceivablesResponse> SegmentService::RecordReceivables(
    const v1::RecordReceivablesRequest& request) {
  if (warnings_ == nullptr) return NotConfigured();
  if (absl::Status s = ValidCustomer(request.customer_id()); !s.ok()) return s;
  if (absl::Status s = ValidAmount("outstanding_minor", request.outstanding_minor()); !s.ok()) {
    return s;
  }
  auto outcome = warnings_->UpdateCredit(request.customer_id(), std::nullopt,
                                         request.outstanding_minor(), clock_->Now());
  if (!outcome.ok()) return outcome.status();
  return CreditResponse<v1::RecordReceivablesResponse>(*outcome);
}

absl::StatusOr<v1::ListWarningsResponse> SegmentService::ListWarnings(
    const v1::ListWarningsRequest& request) {
  if (warnings_ == nullptr) return NotConfigured();
  WarningFilter filter;
  filter.customer_id = request.customer_id();
  if (!filter.customer_id.empty()) {
    if (absl::Status s = ValidCustomer(filter.customer_id); !s.ok()) return s;
  }
  if (!v1::Warning::Kind_IsValid(request.kind())) return InvalidArgument("kind", "is not a kind");
  filter.kind = request.kind();
  filter.open_only = request.open_only();
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  const std::string fingerprint =
      absl::StrCat(filter.customer_id, "/", filter.kind, "/", filter.open_only);
  auto before = DecodePageToken(request.page_token(), fingerprint);
  if (!before.ok()) return before.status();
  auto warnings = warnings_->List(filter, *before, *page_size + 1);
  if (!warnings.ok()) return warnings.status();
  v1::ListWarningsResponse response;
  response.set_next_page_token(TakePage(*warnings, *page_size, fingerprint,
                                        *response.mutable_warnings(),
                                        [](const v1::Warning& w) { return w.warning_id(); }));
  return response;
}

absl::StatusOr<v1::AcknowledgeWarningResponse> SegmentService::AcknowledgeWarning(
    const v1::AcknowledgeWarningRequest& request) {
  if (warnings_ == nullptr) return NotConfigured();
  if (!IsValidId(request.warning_id())) {
    return InvalidArgument("warning_id", "must be a 26-character warning id");
  }
  std::string note = request.note();
  if (absl::Status s = CheckText("note", note, 0, 500); !s.ok()) return s;
  auto warning = warnings_->Transition(request.warning_id(), {v1::Warning::STATE_RAISED},
                                       v1::Warning::STATE_ACKNOWLEDGED, note, clock_->Now());
  if (!warning.ok()) return warning.status();
  v1::AcknowledgeWarningResponse response;
  *response.mutable_warning() = *std::move(warning);
  return response;
}

absl::StatusOr<v1::ResolveWarningResponse> SegmentService::ResolveWarning(
    const v1::ResolveWarningRequest& request) {
  if (warnings_ == nullptr) return NotConfigured();
  if (!IsValidId(request.warning_id())) {
    return InvalidArgument("warning_id", "must be a 26-character warning id");
  }
  std::string note = request.note();
  if (absl::Status s = CheckText("note", note, 1, 500); !s.ok()) return s;
  auto warning = warnings_->Transition(request.warning_id(),
                                       {v1::Warning::STATE_RAISED, v1::Warning::STATE_ACKNOWLEDGED},
                                       v1::Warning::STATE_RESOLVED, note, clock_->Now());
  if (!warning.ok()) return warning.status();
  v1::ResolveWarningResponse response;
  *response.mutable_warning() = *std::move(warning);
  return response;
}

}  // namespace crm::segment
