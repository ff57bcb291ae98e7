-- identify: customers, the system of record for who a customer is.
CREATE TABLE customers (
  customer_id      CHAR(26) CHARACTER SET ascii NOT NULL,
  kind             TINYINT      NOT NULL COMMENT 'crm.identify.v1.CustomerKind',
  category         TINYINT      NOT NULL COMMENT 'crm.identify.v1.CustomerCategory',
  display_name     VARCHAR(200) NOT NULL,
  lifecycle_status TINYINT      NOT NULL COMMENT 'crm.identify.v1.LifecycleStatus',
  version          BIGINT       NOT NULL COMMENT 'bumped by every update; the etag',
  created_at       DATETIME(6)  NOT NULL,
  updated_at       DATETIME(6)  NOT NULL,
  PRIMARY KEY (customer_id)
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
