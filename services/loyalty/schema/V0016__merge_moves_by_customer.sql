-- EnrollMember asks whether a customer's membership went to a survivor.
ALTER TABLE merge_member_moves ADD KEY merge_member_moves_customer (from_customer);
