-- Coupons held by members, and the issues that created them. From here on
-- purchases.total_minor holds what was paid: the lines minus coupon discounts.
CREATE TABLE coupon_issues (
  issue_key   CHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'sha256 of program and request_id',
  fingerprint CHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'of the issue request',
  program_id  CHAR(26) CHARACTER SET ascii NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  PRIMARY KEY (issue_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE coupons (
  coupon_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  program_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  member_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  issue_key    CHAR(64) CHARACTER SET ascii NOT NULL,
  coupon       BLOB        NOT NULL COMMENT 'serialized crm.loyalty.v1.Coupon as issued',
  auto_apply   BOOLEAN     NOT NULL,
  state        TINYINT     NOT NULL COMMENT '1 issued, 2 redeemed',
  starts_at    DATETIME(6) NOT NULL,
  ends_at      DATETIME(6) NOT NULL,
  purchase_id  CHAR(26) CHARACTER SET ascii NULL,
  redeemed_at  DATETIME(6) NULL,
  PRIMARY KEY (coupon_id),
  UNIQUE KEY coupons_issue_member (issue_key, member_id),
  KEY coupons_member (member_id, state, ends_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
