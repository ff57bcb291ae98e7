-- Segments by rule: who is in each now, who joined and left when (the
-- membership history), and each segment's size after every evaluation.
-- Every recompute evaluates every segment.
CREATE TABLE segments (
  segment_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  name         VARCHAR(100) NOT NULL,
  body         BLOB         NOT NULL COMMENT 'crm.segment.v1.Segment as created',
  members      BIGINT       NOT NULL DEFAULT 0,
  evaluated_at DATETIME(6)  NULL,
  PRIMARY KEY (segment_id),
  UNIQUE KEY segments_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE segment_members (
  segment_id  CHAR(26) CHARACTER SET ascii NOT NULL,
  customer_id CHAR(26) CHARACTER SET ascii NOT NULL,
  since       DATETIME(6) NOT NULL,
  PRIMARY KEY (segment_id, customer_id),
  KEY segment_members_customer (customer_id)
) ENGINE=InnoDB;

-- Append-only: a row per join (joined = 1) and per leave (joined = 0).
CREATE TABLE segment_membership_changes (
  segment_id  CHAR(26) CHARACTER SET ascii NOT NULL,
  customer_id CHAR(26) CHARACTER SET ascii NOT NULL,
  changed_at  DATETIME(6) NOT NULL,
  joined      BOOLEAN     NOT NULL,
  PRIMARY KEY (segment_id, customer_id, changed_at)
) ENGINE=InnoDB;

CREATE TABLE segment_sizes (
  segment_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  evaluated_at DATETIME(6) NOT NULL,
  members      BIGINT      NOT NULL,
  joined       BIGINT      NOT NULL,
  left_count   BIGINT      NOT NULL,
  job_id       CHAR(26) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (segment_id, evaluated_at)
) ENGINE=InnoDB;
