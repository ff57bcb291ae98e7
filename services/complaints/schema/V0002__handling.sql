-- complaints: the handling process, SLA clocks, escalation and pending calls.
-- Structured handling details (product, assessment, proposal, resolution,
-- follow-up) live in `details`, a serialized crm.complaints.v1.Complaint;
-- the columns beside it exist to be filtered, swept and measured.
ALTER TABLE complaints
  ADD COLUMN details            MEDIUMBLOB   NULL,
  ADD COLUMN severity           TINYINT      NOT NULL DEFAULT 2 COMMENT 'crm.complaints.v1.Severity',
  ADD COLUMN category           VARCHAR(64)  CHARACTER SET ascii NULL,
  ADD COLUMN root_cause         VARCHAR(64)  CHARACTER SET ascii NULL,
  ADD COLUMN team               VARCHAR(64)  NULL,
  ADD COLUMN agent              VARCHAR(64)  NULL,
  ADD COLUMN tier               VARCHAR(32)  CHARACTER SET ascii NULL,
  ADD COLUMN sla_class          VARCHAR(64)  CHARACTER SET ascii NOT NULL DEFAULT 'standard',
  ADD COLUMN first_response_due DATETIME(6)  NULL,
  ADD COLUMN resolution_due     DATETIME(6)  NULL,
  ADD COLUMN first_response_at  DATETIME(6)  NULL,
  ADD COLUMN resolved_at        DATETIME(6)  NULL COMMENT 'the latest resolution',
  ADD COLUMN first_response_met TINYINT      NULL,
  ADD COLUMN resolution_met     TINYINT      NULL,
  ADD COLUMN paused             TINYINT      NOT NULL DEFAULT 0,
  ADD COLUMN escalation_level   TINYINT      NOT NULL DEFAULT 0,
  ADD COLUMN next_check_at      DATETIME(6)  NULL COMMENT 'when the SLA sweep must look again; NULL: never',
  ADD COLUMN reopen_count       INT          NOT NULL DEFAULT 0,
  ADD COLUMN first_contact      TINYINT      NOT NULL DEFAULT 0,
  ADD COLUMN satisfaction       TINYINT      NULL,
  ADD COLUMN step_count         INT          NOT NULL DEFAULT 0,
  ADD KEY complaints_status (status, complaint_id),
  ADD KEY complaints_team (team, complaint_id),
  ADD KEY complaints_agent (agent, complaint_id),
  ADD KEY complaints_category (category, complaint_id),
  ADD KEY complaints_next_check (next_check_at),
  ADD KEY complaints_created (created_at);

-- The timeline: every step with its actor and note, append-only.
CREATE TABLE complaint_steps (
  complaint_id CHAR(26) CHARACTER SET ascii NOT NULL,
  step_no      INT           NOT NULL COMMENT '1, 2, ... per complaint',
  kind         TINYINT       NOT NULL COMMENT 'crm.complaints.v1.Step.Kind',
  at           DATETIME(6)   NOT NULL,
  actor        VARCHAR(64)   NOT NULL,
  note         VARCHAR(2000) NOT NULL,
  status       TINYINT       NOT NULL COMMENT 'the status after the step',
  value        INT           NOT NULL DEFAULT 0,
  PRIMARY KEY (complaint_id, step_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One row per escalation rule fired, per complaint and resolution round:
-- the key makes a second firing impossible, whichever replica sweeps.
CREATE TABLE complaint_escalations (
  complaint_id CHAR(26) CHARACTER SET ascii NOT NULL,
  rule_index   TINYINT     NOT NULL,
  round        INT         NOT NULL,
  fired_at     DATETIME(6) NOT NULL,
  PRIMARY KEY (complaint_id, rule_index, round)
) ENGINE=InnoDB;

-- Calls to other services that must happen but may fail: linking an
-- unknown complainant (identify), recording the contact (identify) and
-- granting compensation points (loyalty). The sweep retries them.
CREATE TABLE pending_calls (
  complaint_id    CHAR(26) CHARACTER SET ascii NOT NULL,
  kind            TINYINT      NOT NULL COMMENT '1 link customer, 2 record contact, 3 grant points',
  payload         BLOB         NOT NULL COMMENT 'what the call needs, e.g. the identifier',
  attempts        INT          NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6)  NOT NULL,
  last_error      VARCHAR(500) NOT NULL DEFAULT '',
  PRIMARY KEY (complaint_id, kind),
  KEY pending_calls_due (next_attempt_at)
) ENGINE=InnoDB;

CREATE TABLE business_calendars (
  calendar_id VARCHAR(32) CHARACTER SET ascii NOT NULL,
  body        BLOB        NOT NULL COMMENT 'crm.complaints.v1.BusinessCalendar',
  updated_at  DATETIME(6) NOT NULL,
  PRIMARY KEY (calendar_id)
) ENGINE=InnoDB;

CREATE TABLE sla_policies (
  sla_class  VARCHAR(64) CHARACTER SET ascii NOT NULL,
  version    BIGINT      NOT NULL,
  body       BLOB        NOT NULL COMMENT 'crm.complaints.v1.SlaPolicy',
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (sla_class)
) ENGINE=InnoDB;

-- complaints' change feed: filed, resolved, closed, reopened, escalated.
-- crm:include common/schema/outbox_events.sql
