-- The rewards catalogue and the redemptions that spend points on it.
CREATE TABLE rewards (
  reward_id     CHAR(26) CHARACTER SET ascii NOT NULL,
  program_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  display_name  VARCHAR(200) NOT NULL,
  cost_points   BIGINT      NOT NULL,
  stock         BIGINT      NULL COMMENT 'NULL: unlimited',
  starts_at     DATETIME(6) NOT NULL,
  ends_at       DATETIME(6) NULL COMMENT 'exclusive; NULL: no end',
  allow_partial BOOLEAN     NOT NULL,
  min_points    BIGINT      NOT NULL,
  created_at    DATETIME(6) NOT NULL,
  PRIMARY KEY (reward_id),
  KEY rewards_program (program_id, reward_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE redemptions (
  redemption_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  member_id       CHAR(26) CHARACTER SET ascii NOT NULL,
  reward_id       CHAR(26) CHARACTER SET ascii NOT NULL,
  quantity        INT         NOT NULL,
  points          BIGINT      NOT NULL,
  full_points     BIGINT      NOT NULL,
  state           TINYINT     NOT NULL COMMENT 'crm.loyalty.v1.Redemption.State',
  created_at      DATETIME(6) NOT NULL,
  cancelled_at    DATETIME(6) NULL,
  points_refunded BIGINT      NOT NULL DEFAULT 0,
  points_lapsed   BIGINT      NOT NULL DEFAULT 0,
  cancel_reason   VARCHAR(500) NOT NULL DEFAULT '',
  PRIMARY KEY (redemption_id),
  KEY redemptions_member (member_id, redemption_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Which lots a redemption took its points from, so a cancellation puts them
-- back where they were, with their own expiry.
CREATE TABLE redemption_lots (
  redemption_id CHAR(26) CHARACTER SET ascii NOT NULL,
  entry_id      BIGINT NOT NULL,
  points        BIGINT NOT NULL,
  PRIMARY KEY (redemption_id, entry_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
