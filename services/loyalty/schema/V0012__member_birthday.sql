-- The member's birthday without the year, for the birthday bonus.
ALTER TABLE members
  ADD COLUMN birth_month TINYINT NULL,
  ADD COLUMN birth_day   TINYINT NULL,
  ADD KEY members_birthday (birth_month, birth_day);
