-- complaints: the complaint record (timeline, SLA and escalation follow).
CREATE TABLE complaints (
  complaint_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  customer_id     CHAR(26) CHARACTER SET ascii NULL COMMENT 'identify customer id; NULL until known',
  channel         TINYINT       NOT NULL COMMENT 'crm.complaints.v1.Channel',
  subject         VARCHAR(200)  NOT NULL,
  description     TEXT          NOT NULL,
  desired_outcome VARCHAR(2000) NOT NULL,
  status          TINYINT       NOT NULL COMMENT 'crm.complaints.v1.ComplaintStatus',
  created_at      DATETIME(6)   NOT NULL,
  updated_at      DATETIME(6)   NOT NULL,
  PRIMARY KEY (complaint_id),
  KEY complaints_customer (customer_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The responses of requests that carried a request_id.
-- crm:include common/schema/idempotency_keys.sql
