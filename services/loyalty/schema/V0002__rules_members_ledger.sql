-- Versioned rules, members, purchases and the points ledger.
ALTER TABLE programs
  ADD COLUMN currency_exponent TINYINT UNSIGNED NOT NULL DEFAULT 2;

-- Every version of a program's rules; a purchase earns by the newest version
-- whose effective_at is not after its purchase time.
CREATE TABLE program_rules (
  program_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  version      INT          NOT NULL,
  effective_at DATETIME(6)  NOT NULL,
  rules        BLOB         NOT NULL COMMENT 'serialized crm.loyalty.v1.ProgramRules',
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (program_id, version),
  KEY program_rules_effective (program_id, effective_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- balance is a cache of SUM(ledger_entries.points), written in the same
-- transaction as every entry; every points change locks this row first.
CREATE TABLE members (
  member_id       CHAR(26) CHARACTER SET ascii NOT NULL,
  program_id      CHAR(26) CHARACTER SET ascii NOT NULL,
  customer_id     CHAR(26) CHARACTER SET ascii NOT NULL,
  enrolled_at     DATETIME(6) NOT NULL,
  balance         BIGINT      NOT NULL DEFAULT 0,
  lifetime_earned BIGINT      NOT NULL DEFAULT 0,
  purchase_count  INT         NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id),
  UNIQUE KEY members_customer (program_id, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE ledger_entries (
  entry_id     BIGINT      NOT NULL AUTO_INCREMENT,
  member_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  kind         TINYINT     NOT NULL COMMENT 'crm.loyalty.v1.LedgerEntry.Kind',
  points       BIGINT      NOT NULL,
  reference    VARCHAR(100) NOT NULL DEFAULT '',
  reason       VARCHAR(500) NOT NULL DEFAULT '',
  created_at   DATETIME(6) NOT NULL,
  available_at DATETIME(6) NULL,
  expires_at   DATETIME(6) NULL,
  PRIMARY KEY (entry_id),
  KEY ledger_member (member_id, entry_id),
  KEY ledger_member_kind (member_id, kind, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Points held, one lot per positive entry, consumed first-expiring-first.
-- SUM(remaining) over a member's lots equals its balance.
CREATE TABLE point_lots (
  entry_id     BIGINT      NOT NULL,
  member_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  remaining    BIGINT      NOT NULL,
  available_at DATETIME(6) NOT NULL,
  expires_at   DATETIME(6) NOT NULL COMMENT '9999-12-31 when never',
  PRIMARY KEY (entry_id),
  KEY lots_member (member_id, expires_at, entry_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE purchases (
  purchase_id           CHAR(26) CHARACTER SET ascii NOT NULL,
  program_id            CHAR(26) CHARACTER SET ascii NOT NULL,
  member_id             CHAR(26) CHARACTER SET ascii NOT NULL,
  source_transaction_id VARCHAR(100) NOT NULL,
  content_hash          CHAR(64) CHARACTER SET ascii NOT NULL,
  purchase              BLOB        NOT NULL COMMENT 'serialized crm.loyalty.v1.Purchase as recorded',
  total_minor           BIGINT      NOT NULL,
  points_earned         BIGINT      NOT NULL,
  purchased_at          DATETIME(6) NOT NULL,
  recorded_at           DATETIME(6) NOT NULL,
  PRIMARY KEY (purchase_id),
  UNIQUE KEY purchases_source (program_id, source_transaction_id),
  KEY purchases_member (member_id, purchased_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
