-- A consumer's place in each change feed it follows, and which replica follows
-- it (common/feed_checkpoint.h); moved in the same transaction as the
-- effects of the events, so each applies once.
CREATE TABLE feed_checkpoints (
  source     VARCHAR(32) CHARACTER SET ascii NOT NULL,
  last_seq   BIGINT      NOT NULL,
  holder     VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'the replica that consumes it',
  lease_until DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB;
