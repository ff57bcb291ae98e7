-- Returns of purchases; points taken back appear as REVERSE ledger entries.
ALTER TABLE purchases ADD COLUMN returned_minor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE purchase_returns (
  program_id       CHAR(26) CHARACTER SET ascii NOT NULL,
  source_return_id VARCHAR(100) NOT NULL,
  purchase_id      CHAR(26) CHARACTER SET ascii NOT NULL,
  content_hash     CHAR(64) CHARACTER SET ascii NOT NULL,
  amount_minor     BIGINT      NOT NULL,
  points_reversed  BIGINT      NOT NULL,
  points_kept      BIGINT      NOT NULL,
  created_at       DATETIME(6) NOT NULL,
  PRIMARY KEY (program_id, source_return_id),
  KEY returns_purchase (purchase_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
