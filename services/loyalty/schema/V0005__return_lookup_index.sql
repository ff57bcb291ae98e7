-- A return finds its purchase's EARN entries (and their lots) by reference
-- without scanning, and so without locking, the member's other entries.
ALTER TABLE ledger_entries ADD KEY ledger_reference (member_id, reference, kind);
