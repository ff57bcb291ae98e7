-- Record linkage: one sealed match record and its blocking keys per active
-- customer (keys are truncated keyed hashes, so they reveal nothing).
CREATE TABLE match_records (
  customer_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  sealed_record BLOB         NOT NULL,
  PRIMARY KEY (customer_id)
) ENGINE=InnoDB;

CREATE TABLE blocking_keys (
  key_hash      BINARY(8)    NOT NULL,
  customer_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (key_hash, customer_id),
  KEY blocking_customer (customer_id)
) ENGINE=InnoDB;

-- Versions of the Fellegi-Sunter model; the highest is current.
CREATE TABLE match_models (
  version         BIGINT      NOT NULL AUTO_INCREMENT,
  params          TEXT        NOT NULL,
  records         BIGINT      NOT NULL,
  random_pairs    BIGINT      NOT NULL,
  candidate_pairs BIGINT      NOT NULL,
  labelled_pairs  INT         NOT NULL,
  em_iterations   INT         NOT NULL,
  converged       BOOLEAN     NOT NULL,
  log_likelihood  DOUBLE      NOT NULL,
  created_at      DATETIME(6) NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB;

-- Possible matches for a person to decide; decided ones are labelled pairs.
CREATE TABLE match_reviews (
  review_id             CHAR(26) CHARACTER SET ascii NOT NULL,
  customer_id           CHAR(26) CHARACTER SET ascii NOT NULL,
  candidate_customer_id CHAR(26) CHARACTER SET ascii NOT NULL DEFAULT '',
  probability           DOUBLE       NOT NULL,
  pattern               VARCHAR(32) CHARACTER SET ascii NOT NULL,
  status                TINYINT      NOT NULL COMMENT 'crm.identify.v1.ReviewStatus',
  decided_by            VARCHAR(100) NOT NULL DEFAULT '',
  note                  VARCHAR(500) NOT NULL DEFAULT '',
  created_at            DATETIME(6)  NOT NULL,
  decided_at            DATETIME(6)  NULL,
  PRIMARY KEY (review_id),
  KEY reviews_status (status, review_id),
  UNIQUE KEY reviews_pair (customer_id, candidate_customer_id)
) ENGINE=InnoDB;

-- Every merge with what is needed to undo it: both customers before, the
-- survivor after, and the identifiers that moved (all sealed).
CREATE TABLE merges (
  merge_id        CHAR(26) CHARACTER SET ascii NOT NULL,
  survivor_id     CHAR(26) CHARACTER SET ascii NOT NULL,
  merged_id       CHAR(26) CHARACTER SET ascii NOT NULL,
  survivor_before BLOB         NOT NULL,
  merged_before   BLOB         NOT NULL,
  survivor_after  BLOB         NOT NULL,
  moved_identifiers BLOB       NOT NULL,
  reason          VARCHAR(500) NOT NULL,
  channel         TINYINT      NOT NULL,
  actor           VARCHAR(100) NOT NULL DEFAULT '',
  created_at      DATETIME(6)  NOT NULL,
  undone_at       DATETIME(6)  NULL,
  PRIMARY KEY (merge_id),
  KEY merges_merged (merged_id),
  KEY merges_survivor (survivor_id)
) ENGINE=InnoDB;

CREATE TABLE dedup_jobs (
  job_id          CHAR(26) CHARACTER SET ascii NOT NULL,
  state           TINYINT      NOT NULL COMMENT 'crm.identify.v1.JobState',
  auto_merge      BOOLEAN      NOT NULL,
  progress        DOUBLE       NOT NULL DEFAULT 0,
  records         BIGINT       NOT NULL DEFAULT 0,
  candidate_pairs BIGINT       NOT NULL DEFAULT 0,
  clusters        BIGINT       NOT NULL DEFAULT 0,
  duplicates      BIGINT       NOT NULL DEFAULT 0,
  merged          BIGINT       NOT NULL DEFAULT 0,
  queued          BIGINT       NOT NULL DEFAULT 0,
  model_version   BIGINT       NOT NULL DEFAULT 0,
  owner           VARCHAR(200) NOT NULL,
  heartbeat_at    DATETIME(6)  NOT NULL,
  error           VARCHAR(500) NOT NULL DEFAULT '',
  created_at      DATETIME(6)  NOT NULL,
  finished_at     DATETIME(6)  NULL,
  PRIMARY KEY (job_id)
) ENGINE=InnoDB;
