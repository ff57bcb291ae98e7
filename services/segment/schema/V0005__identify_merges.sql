-- segment follows identify's merges: what each merge added to the survivor's
-- aggregates, to take exactly that back when the merge is undone.
CREATE TABLE merge_moved_days (
  merge_id    VARCHAR(64) CHARACTER SET ascii NOT NULL,
  day         DATE   NOT NULL,
  cents       BIGINT NOT NULL,
  purchases   INT    NOT NULL,
  PRIMARY KEY (merge_id, day)
) ENGINE=InnoDB;

CREATE TABLE merge_moved_complaints (
  merge_id           VARCHAR(64) CHARACTER SET ascii NOT NULL,
  filed              INT  NOT NULL,
  resolved           INT  NOT NULL,
  reopened           INT  NOT NULL,
  last_filed         DATE NULL,
  satisfaction_sum   INT  NOT NULL,
  satisfaction_count INT  NOT NULL,
  survivor_last_filed_before DATE NULL,
  survivor_last_filed_after  DATE NULL,
  PRIMARY KEY (merge_id)
) ENGINE=InnoDB;
