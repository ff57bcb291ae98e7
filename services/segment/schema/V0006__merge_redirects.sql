-- Events of a customer merged away (a purchase recorded for it after the
-- merge, a complaint resolved later) count for its survivor and are added to
-- what the merge moved, so the unmerge hands them back too.
CREATE TABLE merge_redirects (
  merged_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  survivor_id CHAR(26) CHARACTER SET ascii NOT NULL,
  merge_id    VARCHAR(64) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (merged_id),
  KEY merge_redirects_merge (merge_id)
) ENGINE=InnoDB;
