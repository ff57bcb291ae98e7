# Functions to run a private MariaDB server as a plain process, sourced by
# ./crm and by the test fixtures. Everything lives in one directory:
#   $dir/data  $dir/mysqld.sock  $dir/mariadbd.pid  $dir/mariadb.log
# The server listens on 127.0.0.1:$port and on the socket. root exists only as
# root@localhost (the socket), and the directory is private to its owner.
# CRM_DB_BUFFER_POOL_SIZE (default 1G) sizes InnoDB's cache: benchmarks with
# millions of customers want their working set in it (memory is only taken as
# pages are used). CRM_DB_FLUSH_LOG_AT_TRX_COMMIT (default 1: every commit is
# on disk before it is acknowledged) may be 2 for disposable test databases.

mariadb_running() {  # dir
  local pid
  pid=$(cat "$1/mariadbd.pid" 2>/dev/null) || return 1
  # The pid must still be *our* server: a stale pidfile may name another process.
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--datadir=$1/data"
}

mariadb_sql() {  # dir [mariadb client args...]
  local dir=$1; shift
  mariadb --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot "$@"
}

mariadb_start() {  # dir port
  local dir=$1 port=$2
  if mariadb_running "$dir"; then return 0; fi
  mkdir -p "$dir" && chmod 700 "$dir"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
      { cat "$dir/install.log" >&2; return 1; }
  fi
  local user_arg=()
  [ "$(id -u)" = 0 ] && user_arg=(--user=root)
  mariadbd --no-defaults "${user_arg[@]}" --datadir="$dir/data" --port="$port" \
    --bind-address=127.0.0.1 --socket="$dir/mysqld.sock" --pid-file="$dir/mariadbd.pid" \
    --log-error="$dir/mariadb.log" --skip-name-resolve --innodb-buffer-pool-size="${CRM_DB_BUFFER_POOL_SIZE:-1G}" \
    --innodb-flush-log-at-trx-commit="${CRM_DB_FLUSH_LOG_AT_TRX_COMMIT:-1}" --max-connections=500 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    </dev/null >/dev/null 2>&1 &
  local i
  for i in $(seq 1 150); do
    if mariadb_sql "$dir" -e 'SELECT 1' >/dev/null 2>&1; then
      # mariadb-install-db also makes passwordless root@127.0.0.1/::1/<host>.
      mariadb_sql "$dir" -e "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost'; FLUSH PRIVILEGES;"
      return 0
    fi
    sleep 0.2
  done
  echo "MariaDB did not start; see $dir/mariadb.log" >&2
  tail -20 "$dir/mariadb.log" >&2 || true
  return 1
}

mariadb_stop() {  # dir
  local dir=$1 pid i
  mariadb_running "$dir" || return 0
  pid=$(cat "$dir/mariadbd.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do
    mariadb_running "$dir" || return 0
    sleep 0.2
  done
  mariadb_running "$dir" && kill -KILL "$pid" 2>/dev/null || true
}
