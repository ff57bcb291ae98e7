-- segment: each customer's value tier, and every change of it with a reason.
CREATE TABLE customer_tiers (
  customer_id CHAR(26) CHARACTER SET ascii NOT NULL,
  tier        VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  reason      VARCHAR(500) NOT NULL,
  since       DATETIME(6)  NOT NULL,
  PRIMARY KEY (customer_id),
  KEY customer_tiers_tier (tier)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE tier_changes (
  change_id   BIGINT       NOT NULL AUTO_INCREMENT,
  customer_id CHAR(26) CHARACTER SET ascii NOT NULL,
  from_tier   VARCHAR(32)  CHARACTER SET ascii NULL,
  to_tier     VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  reason      VARCHAR(500) NOT NULL,
  changed_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (change_id),
  KEY tier_changes_customer (customer_id, changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
