-- complaints follows identify's merges: its place in identify's feed, and
-- which complaints each merge moved to the survivor, to move exactly those
-- back when the merge is undone.
-- crm:include common/schema/feed_checkpoints.sql

CREATE TABLE merge_moves (
  merge_id      VARCHAR(64) CHARACTER SET ascii NOT NULL,
  complaint_id  CHAR(26) CHARACTER SET ascii NOT NULL,
  from_customer CHAR(26) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (merge_id, complaint_id)
) ENGINE=InnoDB;
