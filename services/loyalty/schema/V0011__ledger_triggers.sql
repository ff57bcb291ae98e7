-- The database itself keeps every member's cached balance, lifetime
-- earnings and purchase count, and the point lots, in step with the
-- append-only ledger: no code path can write an entry and forget them, and a
-- purchase needs two statements fewer.
-- A positive entry that carries an availability becomes a lot (refunds go
-- back into the lots they came from and carry none).
CREATE TRIGGER ledger_entries_lot AFTER INSERT ON ledger_entries FOR EACH ROW
  INSERT INTO point_lots (entry_id, member_id, remaining, available_at, expires_at)
  SELECT NEW.entry_id, NEW.member_id, NEW.points, NEW.available_at, NEW.expires_at FROM DUAL
  WHERE NEW.points > 0 AND NEW.available_at IS NOT NULL;

-- Earn (1) and bonus (2) entries count as earned.
CREATE TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries FOR EACH ROW
  UPDATE members
  SET balance = balance + NEW.points,
      lifetime_earned = lifetime_earned + IF(NEW.kind IN (1, 2), NEW.points, 0)
  WHERE member_id = NEW.member_id;

CREATE TRIGGER purchases_count AFTER INSERT ON purchases FOR EACH ROW
  UPDATE members SET purchase_count = purchase_count + 1 WHERE member_id = NEW.member_id;
