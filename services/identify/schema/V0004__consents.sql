-- Consent per purpose; the latest decision counts (history keeps the rest).
CREATE TABLE customer_consents (
  customer_id   CHAR(26) CHARACTER SET ascii NOT NULL,
  purpose       TINYINT      NOT NULL COMMENT 'crm.identify.v1.ConsentPurpose',
  granted       BOOLEAN      NOT NULL,
  channel       TINYINT      NOT NULL,
  source_system VARCHAR(100) NOT NULL DEFAULT '',
  actor         VARCHAR(100) NOT NULL DEFAULT '',
  updated_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (customer_id, purpose)
) ENGINE=InnoDB;
