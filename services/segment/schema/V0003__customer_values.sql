-- segment: its own purchase aggregates (following loyalty's change feed),
-- and the values each recompute derives from them.

-- One row per customer and purchase day: net spend and purchase count.
CREATE TABLE customer_purchase_days (
  customer_id CHAR(26) CHARACTER SET ascii NOT NULL,
  day         DATE    NOT NULL,
  cents       BIGINT  NOT NULL COMMENT 'net spend of the day, minor units',
  purchases   INT     NOT NULL,
  PRIMARY KEY (customer_id, day)
) ENGINE=InnoDB;

-- How far each followed change feed has been applied; moved in the same
-- transaction as the effects of the events, so each applies once.
CREATE TABLE feed_checkpoints (
  source     VARCHAR(32) CHARACTER SET ascii NOT NULL,
  last_seq   BIGINT      NOT NULL,
  holder     VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'the replica that consumes it',
  lease_until DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB;

CREATE TABLE recompute_jobs (
  job_id     CHAR(26) CHARACTER SET ascii NOT NULL,
  body       BLOB        NOT NULL COMMENT 'crm.segment.v1.RecomputeJob',
  running    TINYINT     NULL COMMENT '1 while running; unique: one job at a time',
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (job_id),
  UNIQUE KEY recompute_jobs_running (running)
) ENGINE=InnoDB;

CREATE TABLE customer_values (
  customer_id  CHAR(26) CHARACTER SET ascii NOT NULL,
  body         BLOB        NOT NULL COMMENT 'crm.segment.v1.CustomerValue',
  rfm_segment  VARCHAR(32) CHARACTER SET ascii NOT NULL,
  value_tier   VARCHAR(32) CHARACTER SET ascii NOT NULL,
  stage        VARCHAR(16) CHARACTER SET ascii NOT NULL,
  job_id       CHAR(26) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (customer_id),
  KEY customer_values_segment (rfm_segment),
  KEY customer_values_tier (value_tier)
) ENGINE=InnoDB;
