-- Frequency-based junk detection: every different name an identifier was
-- presented with while it clearly belonged to someone else (a shop's own
-- phone typed in at the till). Past a configured number of names the
-- identifier never links customers again. Names are kept as truncated keyed
-- hashes only.
CREATE TABLE identifier_conflicts (
  lookup_hash BINARY(32)  NOT NULL,
  name_hash   BINARY(8)   NOT NULL,
  seen_at     DATETIME(6) NOT NULL,
  PRIMARY KEY (lookup_hash, name_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
