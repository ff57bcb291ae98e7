#include "services/loyalty/loyalty_service.h"

#include "absl/strings/ascii.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/text.h"

namespace crm::loyalty {
namespace {

absl::Status ValidateNewProgram(v1::Program& p) {
  if (absl::Status s = CheckText("program.display_name", *p.mutable_display_name(), 1, 200);
      !s.ok()) {
    return s;
  }
  const std::string& currency = p.currency_code();
  if (currency.size() != 3 || !absl::ascii_isupper(currency[0]) ||
      !absl::ascii_isupper(currency[1]) || !absl::ascii_isupper(currency[2])) {
    return InvalidArgument("program.currency_code", "must be an ISO 4217 code such as CNY");
  }
  if (p.points_per_currency_unit() > 10000) {
    return InvalidArgument("program.points_per_currency_unit", "must be 0-10000");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::CreateProgramResponse> LoyaltyService::CreateProgram(
    const v1::CreateProgramRequest& request) {
  auto key = MakeRequestKey("CreateProgram", request.request_id(), request);
  if (!key.ok()) return key.status();
  v1::Program program = request.program();
  if (absl::Status s = ValidateNewProgram(program); !s.ok()) return s;
  const absl::Time now = clock_->Now();
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
  if (!IsValidId(request.program_id())) {
    return InvalidArgument("program_id", "must be a 26-character program id");
  }
  auto program = store_->GetProgram(request.program_id());
  if (!program.ok()) return program.status();
  v1::GetProgramResponse response;
  *response.mutable_program() = *std::move(program);
  return response;
}

}  // namespace crm::loyalty
