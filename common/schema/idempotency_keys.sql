-- Every service schema holds this table (its first migration includes this
-- file with "-- crm:include common/schema/idempotency_keys.sql"):
-- the response of each request that carried a request_id, stored in the same
-- transaction as the change it made.
CREATE TABLE idempotency_keys (
  method      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_id  VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fingerprint CHAR(64)       NOT NULL,
  response    MEDIUMBLOB     NOT NULL,
  created_at  DATETIME(6)    NOT NULL,
  PRIMARY KEY (method, request_id),
  KEY idempotency_keys_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
