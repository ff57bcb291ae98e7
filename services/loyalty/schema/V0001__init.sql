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

-- Responses of requests that carried a request_id (common/schema/idempotency_keys.sql).
CREATE TABLE idempotency_keys (
  method      VARCHAR(128)   NOT NULL,
  request_id  VARCHAR(64)    NOT NULL,
  fingerprint CHAR(64)       NOT NULL,
  response    MEDIUMBLOB     NOT NULL,
  created_at  DATETIME(6)    NOT NULL,
  PRIMARY KEY (method, request_id),
  KEY idempotency_keys_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
