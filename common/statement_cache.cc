#include "common/statement_cache.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace crm {

struct CachedStatement {
  std::unique_ptr<sql::PreparedStatement> statement;
  bool in_use = false;
};

namespace {

// Touched only by the thread holding the connection's lease.
struct ConnectionStatements {
  absl::flat_hash_map<std::string, std::unique_ptr<CachedStatement>> by_sql;
};

struct Registry {
  absl::Mutex mu;
  absl::flat_hash_map<const sql::Connection*, std::unique_ptr<ConnectionStatements>> caches
      ABSL_GUARDED_BY(mu);
};

Registry& GetRegistry() {
  static Registry* registry = new Registry;  // never destroyed: used until exit
  return *registry;
}

ConnectionStatements* Find(const sql::Connection* conn) {
  Registry& r = GetRegistry();
  absl::ReaderMutexLock lock(&r.mu);
  auto it = r.caches.find(conn);
  return it == r.caches.end() ? nullptr : it->second.get();
}

StatementHandle Uncached(sql::Connection& conn, absl::string_view sql) {
  return StatementHandle(conn.prepareStatement(sql::SQLString(sql.data(), sql.size())),
                         StatementRelease{});
}

}  // namespace

void StatementRelease::operator()(sql::PreparedStatement* statement) const {
  if (cached == nullptr) {
    delete statement;
    return;
  }
  try {
    statement->clearParameters();  // drops pointers to the caller's blob streams
  } catch (const sql::SQLException&) {
  }
  cached->in_use = false;
}

void StatementCache::Attach(const sql::Connection* conn) {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  r.caches[conn] = std::make_unique<ConnectionStatements>();
}

void StatementCache::Detach(const sql::Connection* conn) {
  std::unique_ptr<ConnectionStatements> dropped;
  {
    Registry& r = GetRegistry();
    absl::MutexLock lock(&r.mu);
    auto it = r.caches.find(conn);
    if (it == r.caches.end()) return;
    dropped = std::move(it->second);
    r.caches.erase(it);
  }
  try {
    dropped.reset();  // closes the statements while the connection is still open
  } catch (const sql::SQLException&) {
  }
}

StatementHandle StatementCache::PrepareUncached(sql::Connection& conn, absl::string_view sql) {
  return Uncached(conn, sql);
}

StatementHandle StatementCache::Prepare(sql::Connection& conn, absl::string_view sql) {
  ConnectionStatements* cache = Find(&conn);
  if (cache == nullptr) return Uncached(conn, sql);
  auto it = cache->by_sql.find(sql);
  if (it == cache->by_sql.end()) {
    if (cache->by_sql.size() >= static_cast<size_t>(kMaxStatementsPerConnection)) {
      // Full: make room by closing a statement nobody holds.
      auto idle = std::find_if(cache->by_sql.begin(), cache->by_sql.end(),
                               [](const auto& entry) { return !entry.second->in_use; });
      if (idle == cache->by_sql.end()) return Uncached(conn, sql);
      cache->by_sql.erase(idle);
    }
    auto entry = std::make_unique<CachedStatement>();
    entry->statement.reset(conn.prepareStatement(sql::SQLString(sql.data(), sql.size())));
    it = cache->by_sql.emplace(std::string(sql), std::move(entry)).first;
  }
  CachedStatement* cached = it->second.get();
  if (cached->in_use) return Uncached(conn, sql);
  cached->in_use = true;
  return StatementHandle(cached->statement.get(), StatementRelease{cached});
}

}  // namespace crm
