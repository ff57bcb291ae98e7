-- complaints: who claimed a pending call. Finishing or rescheduling a call
-- checks the claim, so a worker whose claim lapsed cannot undo a newer one.
ALTER TABLE pending_calls
  ADD COLUMN claim_token CHAR(26) CHARACTER SET ascii NULL COMMENT 'NULL: not claimed';
