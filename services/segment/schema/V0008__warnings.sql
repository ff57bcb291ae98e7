-- Early warnings: each warning, the episode in progress per customer and
-- kind (while its condition holds; the warning it raised), and the credit
-- positions that credit warnings check.
CREATE TABLE warnings (
  warning_id  CHAR(26) CHARACTER SET ascii NOT NULL,
  customer_id CHAR(26) CHARACTER SET ascii NOT NULL,
  kind        TINYINT     NOT NULL COMMENT 'crm.segment.v1.Warning.Kind',
  state       TINYINT     NOT NULL COMMENT 'crm.segment.v1.Warning.State',
  body        BLOB        NOT NULL COMMENT 'crm.segment.v1.Warning',
  PRIMARY KEY (warning_id),
  KEY warnings_customer (customer_id, warning_id),
  KEY warnings_kind (kind, warning_id)
) ENGINE=InnoDB;

CREATE TABLE warning_episodes (
  customer_id CHAR(26) CHARACTER SET ascii NOT NULL,
  kind        TINYINT  NOT NULL,
  warning_id  CHAR(26) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (customer_id, kind),
  KEY warning_episodes_kind (kind, customer_id)
) ENGINE=InnoDB;

CREATE TABLE credit_positions (
  customer_id        CHAR(26) CHARACTER SET ascii NOT NULL,
  credit_limit_minor BIGINT      NOT NULL DEFAULT 0,
  outstanding_minor  BIGINT      NOT NULL DEFAULT 0,
  updated_at         DATETIME(6) NOT NULL,
  PRIMARY KEY (customer_id)
) ENGINE=InnoDB;
