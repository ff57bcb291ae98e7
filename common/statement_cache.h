#ifndef CRM_COMMON_STATEMENT_CACHE_H_
#define CRM_COMMON_STATEMENT_CACHE_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "cppconn/connection.h"
#include "cppconn/prepared_statement.h"

namespace crm {

struct CachedStatement;

// Returns a cached statement to its connection's cache (or deletes an
// uncached one) when the caller is done with it.
struct StatementRelease {
  CachedStatement* cached = nullptr;
  void operator()(sql::PreparedStatement* statement) const;
};

using StatementHandle = std::unique_ptr<sql::PreparedStatement, StatementRelease>;

// Server-side prepared statements kept per pooled connection, so a hot read
// costs one execute round trip instead of prepare + execute + close.
//
// MysqlPool attaches a cache to every connection it opens and detaches it
// before the connection closes; connections outside a pool (tests, the
// migrator) prepare afresh every time. A statement already handed out (the
// same SQL used re-entrantly) is prepared afresh too, so a result set is never
// invalidated under its reader. At most kMaxStatementsPerConnection distinct
// statements are kept (a full cache closes one that is not in use), so a
// server needs max_prepared_stmt_count >= processes x pool size x that; SQL
// whose text varies with its input should use PrepareUncached instead.
//
// The caller must destroy every ResultSet before its StatementHandle.
class StatementCache {
 public:
  static constexpr int kMaxStatementsPerConnection = 96;

  static void Attach(const sql::Connection* conn);
  static void Detach(const sql::Connection* conn);
  static StatementHandle Prepare(sql::Connection& conn, absl::string_view sql);
  // Prepared now and closed with the handle, never cached.
  static StatementHandle PrepareUncached(sql::Connection& conn, absl::string_view sql);
};

}  // namespace crm

#endif  // CRM_COMMON_STATEMENT_CACHE_H_
