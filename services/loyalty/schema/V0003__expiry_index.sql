-- The expiry run finds lots past their expiry across all members.
ALTER TABLE point_lots ADD KEY lots_expiry (expires_at, member_id);
