// Loyalty fixtures the cross-service contract tests share.
#ifndef CRM_TESTS_CONTRACT_LOYALTY_SETUP_H_
#define CRM_TESTS_CONTRACT_LOYALTY_SETUP_H_

#include <string>

#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/rpc_expectations.h"

namespace crm::testing {

// A "Club" program in CNY earning one point per yuan, with `customer_id`
// enrolled; the new member.
inline loyalty::v1::Member EnrollInNewClub(loyalty::v1::LoyaltyService::Stub& loyalty,
                                           const std::string& customer_id) {
  loyalty::v1::CreateProgramRequest program;
  program.mutable_program()->set_display_name("Club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->set_points_per_currency_unit(1);
  loyalty::v1::CreateProgramResponse program_made;
  EXPECT_TRUE(loyalty.CreateProgram(Context().get(), program, &program_made).ok());
  loyalty::v1::EnrollMemberRequest enroll;
  enroll.set_program_id(program_made.program().program_id());
  enroll.set_customer_id(customer_id);
  loyalty::v1::EnrollMemberResponse enrolled;
  EXPECT_TRUE(loyalty.EnrollMember(Context().get(), enroll, &enrolled).ok());
  return enrolled.member();
}

}  // namespace crm::testing

#endif  // CRM_TESTS_CONTRACT_LOYALTY_SETUP_H_
