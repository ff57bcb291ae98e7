-- The service's change feed (transactional outbox): each domain event is
-- written in the transaction of the change it describes. seq grows with
-- every event; events are deleted only when older than the retention.
CREATE TABLE outbox_events (
  seq          BIGINT       NOT NULL AUTO_INCREMENT,
  event_type   VARCHAR(100) CHARACTER SET ascii NOT NULL COMMENT 'full proto message name',
  aggregate_id VARCHAR(64)  CHARACTER SET ascii NOT NULL COMMENT 'e.g. the member id',
  payload      BLOB         NOT NULL COMMENT 'the serialized event message',
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (seq),
  KEY outbox_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
