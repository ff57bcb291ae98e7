-- segment: each customer's complaint counters, following complaints' feed.
CREATE TABLE customer_complaints (
  customer_id        CHAR(26) CHARACTER SET ascii NOT NULL,
  filed              INT  NOT NULL,
  resolved           INT  NOT NULL,
  reopened           INT  NOT NULL,
  last_filed         DATE NULL,
  satisfaction_sum   INT  NOT NULL,
  satisfaction_count INT  NOT NULL,
  PRIMARY KEY (customer_id)
) ENGINE=InnoDB;
