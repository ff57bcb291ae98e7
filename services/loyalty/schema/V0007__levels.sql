-- Membership levels, and the programs' rules version for in-process caches.
ALTER TABLE programs
  ADD COLUMN rules_version INT NOT NULL DEFAULT 1 COMMENT 'the newest program_rules.version';

ALTER TABLE members
  ADD COLUMN level_rank         INT         NOT NULL DEFAULT 0 COMMENT 'index into the rules levels',
  ADD COLUMN level_since        DATETIME(6) NULL,
  ADD COLUMN level_grace_until  DATETIME(6) NULL,
  ADD COLUMN level_evaluated_at DATETIME(6) NULL COMMENT 'as_of of the last evaluation run',
  ADD KEY members_program (program_id, member_id),
  ADD KEY members_level (program_id, level_rank, member_id);
