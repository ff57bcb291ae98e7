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

-- The responses of requests that carried a request_id.
-- crm:include common/schema/idempotency_keys.sql
