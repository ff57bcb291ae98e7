#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINT_ROWS_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINT_ROWS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "services/complaints/complaint_record.h"

namespace crm::complaints {

// Row-level pieces of MysqlComplaintsStore, inside the caller's transaction.

// NOT_FOUND / COMPLAINT_NOT_FOUND when absent; NOT_FOUND / COMPLAINT_BUSY
// when `skip_locked` and another transaction holds it. `lock` reads the row
// FOR UPDATE.
absl::StatusOr<ComplaintRecord> ReadRecord(sql::Connection& conn, absl::string_view complaint_id,
                                           bool lock, bool skip_locked = false);
// Insert a new complaint / write back a changed one: its columns and
// details, its new steps, escalations, events and pending calls.
void InsertRecord(sql::Connection& conn, const ComplaintRecord& record, absl::Time now);
void WriteRecord(sql::Connection& conn, const ComplaintRecord& record, absl::Time now);

// The complaint without what has columns of its own or is recomputed on read.
std::string DetailsOf(const v1::Complaint& complaint);

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINT_ROWS_H_
