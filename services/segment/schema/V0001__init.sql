-- segment: service policy per value tier (scores, tiers and segments follow).
CREATE TABLE tier_policies (
  tier            VARCHAR(32) CHARACTER SET ascii NOT NULL,
  priority        INT          NOT NULL,
  sla_class       VARCHAR(64)  NOT NULL,
  contact_channel TINYINT      NOT NULL COMMENT 'crm.segment.v1.ContactChannel',
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (tier)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE tier_policy_benefits (
  tier     VARCHAR(32) CHARACTER SET ascii NOT NULL,
  position SMALLINT     NOT NULL,
  benefit  VARCHAR(200) NOT NULL,
  PRIMARY KEY (tier, position),
  CONSTRAINT tier_policy_benefits_tier FOREIGN KEY (tier)
    REFERENCES tier_policies (tier) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The responses of requests that carried a request_id.
-- crm:include common/schema/idempotency_keys.sql
