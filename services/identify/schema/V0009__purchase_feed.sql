-- identify follows loyalty's purchases for each customer's lifecycle status:
-- its place in loyalty's feed, and how many purchases each customer made.
-- crm:include common/schema/feed_checkpoints.sql

CREATE TABLE customer_purchase_counts (
  customer_id     CHAR(26) CHARACTER SET ascii NOT NULL,
  purchases       INT         NOT NULL,
  last_purchase_at DATETIME(6) NOT NULL,
  PRIMARY KEY (customer_id)
) ENGINE=InnoDB;
