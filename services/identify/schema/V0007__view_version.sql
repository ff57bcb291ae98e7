-- The customer version the sealed view was written at. A view counts only
-- while it equals customers.version, so a write by a replica that does not
-- know the view (during a rolling update or after a rollback) makes readers
-- fall back to the tables until the view is rewritten.
ALTER TABLE customers
  ADD COLUMN view_version BIGINT NULL
    COMMENT 'customers.version when sealed_view was written';
