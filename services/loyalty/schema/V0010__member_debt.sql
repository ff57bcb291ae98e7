-- Points a member owes after a return under RETURN_POLICY_ALLOW_NEGATIVE.
-- balance = SUM(ledger) = SUM(lots) - debt_points; while debt_points > 0 the
-- member holds no unexpired points: new points pay the debt first.
ALTER TABLE members ADD COLUMN debt_points BIGINT NOT NULL DEFAULT 0;
