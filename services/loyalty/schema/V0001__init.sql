-- loyalty: programs (members, purchases and the points ledger follow).
CREATE TABLE programs (
  program_id               CHAR(26) CHARACTER SET ascii NOT NULL,
  display_name             VARCHAR(200) NOT NULL,
  currency_code            CHAR(3) CHARACTER SET ascii NOT NULL,
  points_per_currency_unit INT UNSIGNED NOT NULL,
  created_at               DATETIME(6)  NOT NULL,
  updated_at               DATETIME(6)  NOT NULL,
  PRIMARY KEY (program_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The responses of requests that carried a request_id.
-- crm:include common/schema/idempotency_keys.sql
