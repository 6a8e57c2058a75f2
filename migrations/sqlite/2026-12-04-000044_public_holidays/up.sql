-- The working calendar the township's clock counts on (乡镇办理时限 in working days): public
-- holidays (放假) and make-up working days on a weekend (调休上班), as the State Council sets
-- them each year. Append-only: a day is removed by a second row that `removes` it, so the
-- calendar an earlier due date was counted on can always be read back.
CREATE TABLE calendar_days (
    id INTEGER PRIMARY KEY,
    day DATE NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    removes BIGINT REFERENCES calendar_days(id),
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX calendar_days_day ON calendar_days(day);
CREATE UNIQUE INDEX calendar_days_one_removal ON calendar_days(removes);
CREATE TRIGGER calendar_days_no_update BEFORE UPDATE ON calendar_days
BEGIN SELECT RAISE(ABORT, 'calendar_days is append-only'); END;
CREATE TRIGGER calendar_days_no_delete BEFORE DELETE ON calendar_days
BEGIN SELECT RAISE(ABORT, 'calendar_days is append-only'); END;
-- The State Council's 2026 schedule (国务院办公厅关于2026年部分节假日安排的通知,
-- 4 Nov 2025): each day off and each make-up working day (调休上班), recorded by nobody (the
-- platform ships it).
INSERT INTO calendar_days (day, kind, name, removes, created_by, created_at) VALUES
    ('2026-01-01', 'holiday', '元旦', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-01-02', 'holiday', '元旦', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-01-03', 'holiday', '元旦', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-01-04', 'workday', '元旦调休上班', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-14', 'workday', '春节调休上班', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-15', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-16', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-17', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-18', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-19', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-20', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-21', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-22', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-23', 'holiday', '春节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-02-28', 'workday', '春节调休上班', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-04-04', 'holiday', '清明节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-04-05', 'holiday', '清明节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-04-06', 'holiday', '清明节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-05-01', 'holiday', '劳动节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-05-02', 'holiday', '劳动节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-05-03', 'holiday', '劳动节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-05-04', 'holiday', '劳动节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-05-05', 'holiday', '劳动节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-05-09', 'workday', '劳动节调休上班', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-06-19', 'holiday', '端午节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-06-20', 'holiday', '端午节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-06-21', 'holiday', '端午节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-09-20', 'workday', '国庆节调休上班', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-09-25', 'holiday', '中秋节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-09-26', 'holiday', '中秋节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-09-27', 'holiday', '中秋节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-01', 'holiday', '国庆节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-02', 'holiday', '国庆节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-03', 'holiday', '国庆节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-04', 'holiday', '国庆节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-05', 'holiday', '国庆节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-06', 'holiday', '国庆节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-07', 'holiday', '国庆节', NULL, NULL, '2025-11-04 14:15:00'),
    ('2026-10-10', 'workday', '国庆节调休上班', NULL, NULL, '2025-11-04 14:15:00');
