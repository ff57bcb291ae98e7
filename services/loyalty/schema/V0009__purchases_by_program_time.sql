-- Program-wide scans of recent purchases (personal offers: who buys what,
-- who spent how much in a period).
ALTER TABLE purchases ADD KEY purchases_program_time (program_id, purchased_at);
