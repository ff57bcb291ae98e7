#!/usr/bin/env bash
# ctest fixture: starts (setup) or stops (cleanup) the private MariaDB the
# integration and contract tests share. Each test creates its own schema.
#   mariadb_fixture.sh start|stop <dir> <port>
set -euo pipefail
source "$(dirname "$0")/../../tools/mariadb.sh"
case "$1" in
  # A disposable database: commits need not survive a crash of the machine.
  start) mariadb_stop "$2"; rm -rf "$2"; CRM_DB_FLUSH_LOG_AT_TRX_COMMIT=2 mariadb_start "$2" "$3" ;;
  stop) mariadb_stop "$2" ;;
  *) echo "usage: $0 start|stop <dir> <port>" >&2; exit 2 ;;
esac
