-- loyalty follows identify's merges: its place in identify's feed, what each
-- merge moved (memberships, point lots, coupons), to move exactly that back
-- when the merge is undone.
-- crm:include common/schema/feed_checkpoints.sql

ALTER TABLE members
  ADD COLUMN merged_into CHAR(26) CHARACTER SET ascii NULL
    COMMENT 'the member holding this one''s points while its customer is merged',
  ADD KEY members_merged_into (merged_into),
  ADD KEY members_by_customer (customer_id);

-- The earn entry a lot's points descend from, for lots created by a transfer
-- (NULL: the lot's own entry), so a return still finds its purchase's points.
ALTER TABLE point_lots
  ADD COLUMN origin_entry BIGINT NULL;

-- One row per membership of the merged customer: moved to the survivor
-- (into_member NULL), or emptied into the survivor's membership.
CREATE TABLE merge_member_moves (
  merge_id      VARCHAR(64) CHARACTER SET ascii NOT NULL,
  member_id     CHAR(26) CHARACTER SET ascii NOT NULL,
  from_customer CHAR(26) CHARACTER SET ascii NOT NULL,
  into_member   CHAR(26) CHARACTER SET ascii NULL,
  PRIMARY KEY (merge_id, member_id)
) ENGINE=InnoDB;

-- Each lot a merge emptied, and the survivor's lot that took its points.
CREATE TABLE merge_lot_moves (
  merge_id   VARCHAR(64) CHARACTER SET ascii NOT NULL,
  from_entry BIGINT NOT NULL,
  to_entry   BIGINT NOT NULL,
  points     BIGINT NOT NULL,
  PRIMARY KEY (merge_id, from_entry)
) ENGINE=InnoDB;

-- Unused coupons a merge gave to the survivor's membership.
CREATE TABLE merge_coupon_moves (
  merge_id    VARCHAR(64) CHARACTER SET ascii NOT NULL,
  coupon_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  from_member CHAR(26) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (merge_id, coupon_id)
) ENGINE=InnoDB;
