-- Personal data moves into one sealed (AES-256-GCM) record per customer.
-- display_name stays only for rows written before this version.
ALTER TABLE customers
  MODIFY display_name VARCHAR(200) NULL COMMENT 'legacy clear name; NULL once sealed_data is set',
  ADD COLUMN sealed_data MEDIUMBLOB NULL COMMENT 'sealed crm.identify.v1.Customer personal fields',
  ADD COLUMN state TINYINT NOT NULL DEFAULT 1 COMMENT 'crm.identify.v1.CustomerState',
  ADD COLUMN merged_into CHAR(26) CHARACTER SET ascii NULL,
  ADD KEY customers_updated (updated_at, customer_id),
  ADD KEY customers_filter (state, kind, category, lifecycle_status, customer_id);

-- Identifiers of live customers. lookup_hash is a keyed hash of type,
-- namespace and normalised value, so lookups and uniqueness need no clear
-- value; sealed_value is NULL for national ids (hash only).
CREATE TABLE customer_identifiers (
  lookup_hash   BINARY(32)   NOT NULL,
  customer_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  type          TINYINT      NOT NULL COMMENT 'crm.identify.v1.IdentifierType',
  namespace     VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  sealed_value  VARBINARY(600) NULL,
  channel       TINYINT      NOT NULL COMMENT 'crm.identify.v1.CollectionChannel',
  source_system VARCHAR(100) NOT NULL DEFAULT '',
  actor         VARCHAR(100) NOT NULL DEFAULT '',
  created_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (lookup_hash),
  KEY identifiers_customer (customer_id, type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Information update history: every change of a field or identifier.
-- Values are sealed with the customer id as context.
CREATE TABLE customer_history (
  entry_id      BIGINT       NOT NULL AUTO_INCREMENT,
  customer_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  field         VARCHAR(200) CHARACTER SET ascii NOT NULL,
  old_sealed    BLOB NULL,
  new_sealed    BLOB NULL,
  channel       TINYINT      NOT NULL,
  source_system VARCHAR(100) NOT NULL DEFAULT '',
  actor         VARCHAR(100) NOT NULL DEFAULT '',
  reason        VARCHAR(500) NOT NULL DEFAULT '',
  changed_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (entry_id),
  KEY history_customer (customer_id, entry_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Touchpoints.
CREATE TABLE customer_contacts (
  contact_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  customer_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  channel       TINYINT      NOT NULL,
  kind          VARCHAR(64)  NOT NULL,
  contact_time  DATETIME(6)  NOT NULL,
  reference     VARCHAR(200) NOT NULL DEFAULT '',
  note          VARCHAR(1000) NOT NULL DEFAULT '',
  created_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (contact_id),
  KEY contacts_customer (customer_id, contact_time, contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every read of unmasked personal data.
CREATE TABLE access_audit (
  audit_id      BIGINT       NOT NULL AUTO_INCREMENT,
  accessed_at   DATETIME(6)  NOT NULL,
  principal     VARCHAR(200) NOT NULL,
  peer          VARCHAR(200) NOT NULL,
  method        VARCHAR(100) CHARACTER SET ascii NOT NULL,
  customer_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (audit_id),
  KEY audit_customer (customer_id, audit_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
