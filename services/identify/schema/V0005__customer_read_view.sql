-- Each customer's identifiers and consents, sealed into its row, so that
-- reading a customer (or looking one up by an identifier) is one indexed
-- read. The tables stay the truth; rows::RefreshDerivedRows rewrites this
-- copy in every transaction that changes them. NULL: read the tables.
ALTER TABLE customers
  ADD COLUMN sealed_view MEDIUMBLOB NULL
    COMMENT 'sealed crm.identify.v1.Customer holding only identifiers and consents';
