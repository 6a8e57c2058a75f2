//! The canonical content of every kind of log record, pinned byte for byte. A leaf carries the
//! SHA-256 of its record's content, so `yishi audit verify` over a log written by an earlier
//! version only passes if today's code rebuilds the very same bytes: a change here must be a
//! deliberate new version of the content, never an accident of moving code around.

use diesel::connection::SimpleConnection;
use yishi::transparency::{log, merkle, records};

use crate::both;
use crate::common::{Backend, TestDb};

/// One fixed record of every kind, with every optional part that changes the content filled
/// in somewhere (a ledger, attachments, an emergency order's override, a correction's reason).
const FIXTURE: &str = "
INSERT INTO users (id, phone, email, display_name, password_hash, locale, is_admin, created_at)
VALUES (1, '13800000001', NULL, '张主任', 'x', 'zh', FALSE, '2026-11-01 00:00:00'),
       (2, '13800000002', NULL, '李村民', 'x', 'zh', FALSE, '2026-11-01 00:00:00');
INSERT INTO communities (id, parent_id, kind, slug, name, description, created_at)
VALUES (1, NULL, 'village', 'pin', '钉村', '', '2026-11-01 00:00:00');
INSERT INTO grids (id, community_id, name, created_at) VALUES (1, 1, '一组', '2026-11-01 00:00:00');
INSERT INTO households (id, community_id, grid_id, address, created_at)
VALUES (1, 1, 1, '村东1号', '2026-11-01 00:00:00');
INSERT INTO agenda_items (id, community_id, author_id, origin, title, body, category, stage,
    major, support_count, comment_count, threshold, respond_by, created_at, updated_at)
VALUES (1, 1, 2, 'resident', '修路', '村口的路', 'roads', 'passed', TRUE, 3, 0, 3,
    '2026-11-20 00:00:00', '2026-11-02 00:00:00', '2026-11-02 00:00:00');
INSERT INTO ballots (id, community_id, item_id, body, mode, secret, options, rule, opens_at,
    closes_at, electorate, households, cast_count, state, created_by, created_at, closed_at)
VALUES (1, 1, 1, 'villagers', 'online', TRUE, '[\"同意\",\"不同意\"]', 'majority_of_present',
    '2026-11-03 00:00:00', '2026-11-05 00:00:00', 2, 1, 2, 'published', 1,
    '2026-11-03 00:00:00', '2026-11-05 00:00:00');
INSERT INTO ballot_electors (ballot_id, user_id, household_id) VALUES (1, 1, 1), (1, 2, NULL);
INSERT INTO ballot_choices (ballot_id, tracker, choice)
VALUES (1, 'K7QF-2M9D', 0), (1, 'A3XB-8PRT', 1);
INSERT INTO decisions (id, community_id, item_id, ballot_id, corrects_id, correction_reason,
    body, mode, secret, options, rule, electorate, households, present, households_present,
    counts, quorum_met, verdict, leading_option, minutes, photo, board_sha256, recorded_by,
    confirmed_by, published_at)
VALUES (1, 1, 1, 1, NULL, '', 'villagers', 'online', TRUE, '[\"同意\",\"不同意\"]',
    'majority_of_present', 2, 1, 2, 1, '[1,1]', TRUE, 'failed', NULL, '', NULL, 'b0a4d',
    NULL, NULL, '2026-11-05 00:00:01.000002'),
       (2, 1, 1, 1, 1, '计票有误', 'villagers', 'hall', FALSE, '[\"同意\",\"不同意\"]',
    'majority_of_present', 2, 1, 2, 1, '[2,0]', TRUE, 'passed', 0, '会议纪要', 'photo.jpg', '',
    1, 2, '2026-11-06 08:30:00');
INSERT INTO work_orders (id, community_id, source, decision_id, title, description, category,
    place, latitude, longitude, grid_id, reporter_id, anonymous, assignee_id, state, budget_yuan,
    received_at, due_at, updated_at, override_reason)
VALUES (1, 1, 'resident', NULL, '路灯坏了', '村口路灯不亮', 'lights', '村口', NULL, NULL, 1, 2,
    TRUE, 1, 'completed', NULL, '2026-11-07 01:00:00', '2026-11-10 01:00:00',
    '2026-11-08 00:00:00', ''),
       (2, 1, 'decision', 2, '修路', '按决定修路', 'roads', '村口', NULL, NULL, NULL, NULL,
    FALSE, NULL, 'received', 5000, '2026-11-07 02:00:00.5', '2026-12-07 02:00:00',
    '2026-11-07 02:00:00', '塌方抢修');
INSERT INTO work_order_events (id, community_id, order_id, actor_id, from_state, to_state,
    note, created_at)
VALUES (1, 1, 1, 1, 'in_progress', 'completed', '换了灯泡', '2026-11-08 00:00:00');
INSERT INTO work_order_events (id, community_id, order_id, actor_id, from_state, to_state,
    note, created_at, step)
VALUES (2, 1, 2, 1, 'received', 'received', '需要镇里协调', '2026-11-09 00:00:00', 'sent_up');
INSERT INTO action_log (id, community_id, actor_id, action, target_user_id, detail, reason,
    created_at)
VALUES (1, 1, 1, 'appoint', 2, 'committee', '选举产生', '2026-11-02 03:00:00');
INSERT INTO disclosures (id, community_id, category, period, decision_id, created_by, created_at)
VALUES (1, 1, 'finance', '2026-10', 2, 1, '2026-11-09 00:00:00');
INSERT INTO disclosure_versions (id, community_id, disclosure_id, version, title, body,
    responsible, opening_fen, reason, published_by, published_at)
VALUES (1, 1, 1, 2, '十月财务公开', '收支如下', '会计 王五', 123456, '补录凭证', 1,
    '2026-11-09 04:00:00');
INSERT INTO ledger_lines (id, community_id, version_id, line_no, paid_on, description,
    income_fen, expense_fen, counterparty, voucher)
VALUES (1, 1, 1, 1, '2026-10-03', '上级拨款', 1000000, 0, '镇财政所', '记-001'),
       (2, 1, 1, 2, '2026-10-20', '购买路灯', 0, 35050, '五金店', '记-002');
INSERT INTO disclosure_files (id, community_id, version_id, kind, name, label)
VALUES (1, 1, 1, 'voucher', 'ab12cd.pdf', '凭证');
INSERT INTO inquiries (id, community_id, subject_kind, subject_id, asker_id, question, asked_at,
    due_at)
VALUES (1, 1, 'order', 1, 2, '灯什么时候修？', '2026-11-07 03:00:00', '2026-11-22 03:00:00');
INSERT INTO inquiry_answers (id, community_id, inquiry_id, answerer_id, answer, answered_at)
VALUES (1, 1, 1, 1, '已经修好。', '2026-11-08 05:00:00');
INSERT INTO powers (id, community_id, code, name, procedure, kind, body, threshold_fen,
    created_by, created_at, decision_id, comparison)
VALUES (1, 1, 'P-03', '工程项目', '四议两公开', 'spending', 'villagers', 5000000, 1,
    '2026-11-06 09:00:00', 2, 'at_least');
INSERT INTO projects (id, community_id, code, title, announcement, budget_fen, contractor,
    planned_start, planned_end, actual_start, actual_end, created_by, created_at)
VALUES (1, 1, 'XM-2026-01', '修路', '公告', 8000000, '路桥公司', '2026-12-01', '2027-01-31',
    NULL, NULL, 1, '2026-11-06 10:00:00');
INSERT INTO disbursements (id, community_id, project_id, amount_fen, paid_on, payee, voucher,
    decision_id, power_code, override_reason, recorded_by, recorded_at)
VALUES (1, 1, 1, 2500000, '2026-11-25', '路桥公司', '记-010', 2, 'P-03', NULL, 1,
    '2026-11-25 06:00:00');
INSERT INTO convening_notices (id, community_id, item_id, body, meets_at, place, matters,
    online, notice_days, published_by, published_at)
VALUES (1, 1, 1, 'residents', '2026-11-20 01:00:00', '村委会会议室', '修路方案', '在议题页投票',
    10, 1, '2026-11-10 02:00:00.25');
INSERT INTO decisions (id, community_id, item_id, ballot_id, corrects_id, correction_reason,
    body, mode, secret, options, rule, electorate, households, present, households_present,
    counts, quorum_met, verdict, leading_option, minutes, photo, board_sha256, recorded_by,
    confirmed_by, published_at, hall_present, hall_counts, record_form)
VALUES (3, 1, 1, 1, NULL, '', 'residents', 'mixed', TRUE, '[\"同意\",\"不同意\"]',
    'majority_of_present', 312, 150, 201, 120, '150,40', TRUE, 'passed', 0, '', NULL, '',
    1, 2, '2026-11-13 09:00:00', 141, '110,25', 2);
INSERT INTO supervisor_appointments (id, community_id, user_id, action, decision_id, reason,
    recorded_by, recorded_at)
VALUES (1, 1, 2, 'appoint', 2, '', 1, '2026-11-12 03:00:00');
";

/// (kind, record id, canonical content, leaf hash of its entry at `published()`).
const PINNED: [(log::Kind, i64, &str, &str); 16] = [
    (
        log::Kind::Decision,
        1,
        "{\"ballot\":1,\"board_sha256\":\"b0a4d\",\"body\":\"villagers\",\"community\":1,\"confirmed_by\":null,\"correction_reason\":\"\",\"corrects\":null,\"counts\":\"[1,1]\",\"electorate\":2,\"households\":1,\"households_present\":1,\"id\":1,\"item\":1,\"leading_option\":null,\"minutes\":\"\",\"mode\":\"online\",\"options\":\"[\\\"同意\\\",\\\"不同意\\\"]\",\"photo\":null,\"present\":2,\"published_at\":\"2026-11-05T00:00:01.000002Z\",\"quorum_met\":true,\"recorded_by\":null,\"rule\":\"majority_of_present\",\"secret\":true,\"type\":\"decision\",\"verdict\":\"failed\"}\n",
        "4d74a2873e7a1eaf1a96b8320ccf12590f48e46bc4e163100759c164aafb6ded",
    ),
    (
        log::Kind::Decision,
        2,
        "{\"ballot\":1,\"board_sha256\":\"\",\"body\":\"villagers\",\"community\":1,\"confirmed_by\":2,\"correction_reason\":\"计票有误\",\"corrects\":1,\"counts\":\"[2,0]\",\"electorate\":2,\"households\":1,\"households_present\":1,\"id\":2,\"item\":1,\"leading_option\":0,\"minutes\":\"会议纪要\",\"mode\":\"hall\",\"options\":\"[\\\"同意\\\",\\\"不同意\\\"]\",\"photo\":\"photo.jpg\",\"present\":2,\"published_at\":\"2026-11-06T08:30:00.000000Z\",\"quorum_met\":true,\"recorded_by\":1,\"rule\":\"majority_of_present\",\"secret\":false,\"type\":\"decision\",\"verdict\":\"passed\"}\n",
        "48b9be6d7524902a78e56fe17623c602c0c54741497b12011ad686db1c76bea2",
    ),
    (
        log::Kind::Decision,
        3,
        // Form 2 (record_form 2): a mixed meeting's online and hall parts beside the total.
        "{\"ballot\":1,\"board_sha256\":\"\",\"body\":\"residents\",\"community\":1,\"confirmed_by\":2,\"correction_reason\":\"\",\"corrects\":null,\"counts\":\"150,40\",\"electorate\":312,\"households\":150,\"households_present\":120,\"id\":3,\"item\":1,\"leading_option\":0,\"minutes\":\"\",\"mode\":\"mixed\",\"options\":\"[\\\"同意\\\",\\\"不同意\\\"]\",\"parts\":{\"hall\":{\"counts\":[110,25],\"present\":141},\"online\":{\"counts\":[40,15],\"present\":60}},\"photo\":null,\"present\":201,\"published_at\":\"2026-11-13T09:00:00.000000Z\",\"quorum_met\":true,\"record_form\":2,\"recorded_by\":1,\"rule\":\"majority_of_present\",\"secret\":true,\"type\":\"decision\",\"verdict\":\"passed\"}\n",
        "fc11d6d27df70fb0e0bd7a0597079c79780acc06c15f933e123a26d4ff172717",
    ),
    (
        log::Kind::Electorate,
        1,
        "{\"ballot\":1,\"list_sha256\":\"6a5fc18e83ec709769130f3d96d71cfd10e1ee9b136c55dcb129785d42b8f970\",\"type\":\"electorate\",\"voters\":2}\n",
        "d33d0704d9fbe8c5bb9e0ab9c41b644825c1502226bb47e2bea172d3a497f50a",
    ),
    (
        log::Kind::Board,
        1,
        "{\"ballot\":1,\"choices\":[[\"A3XB-8PRT\",1],[\"K7QF-2M9D\",0]],\"type\":\"board\"}\n",
        "d53a6a0d5a17aa212643e005570ab60865f137291e8b85b7729da3c379a2171f",
    ),
    (
        log::Kind::OrderCreated,
        1,
        "{\"budget_yuan\":null,\"category\":\"lights\",\"community\":1,\"decision\":null,\"description\":\"村口路灯不亮\",\"due_at\":\"2026-11-10T01:00:00.000000Z\",\"grid\":1,\"id\":1,\"place\":\"村口\",\"received_at\":\"2026-11-07T01:00:00.000000Z\",\"source\":\"resident\",\"title\":\"路灯坏了\",\"type\":\"order_created\"}\n",
        "0333f24bb7b44c659461feae7c48bbc601a632efea62d4103679353d0d1320f8",
    ),
    (
        log::Kind::OrderCreated,
        2,
        "{\"budget_yuan\":5000,\"category\":\"roads\",\"community\":1,\"decision\":2,\"description\":\"按决定修路\",\"due_at\":\"2026-12-07T02:00:00.000000Z\",\"grid\":null,\"id\":2,\"override_reason\":\"塌方抢修\",\"place\":\"村口\",\"received_at\":\"2026-11-07T02:00:00.500000Z\",\"source\":\"decision\",\"title\":\"修路\",\"type\":\"order_created\"}\n",
        "6d2977f15e2c64e07eb1247d40df12e09daa51804f5b2027359290fdec40458c",
    ),
    (
        log::Kind::OrderCompleted,
        1,
        "{\"actor\":1,\"at\":\"2026-11-08T00:00:00.000000Z\",\"from\":\"in_progress\",\"id\":1,\"note\":\"换了灯泡\",\"order\":1,\"to\":\"completed\",\"type\":\"order_event\"}\n",
        "728606a44a80fe318f986d23e8eadb61925889d2c5bc8d6451d9b2d476da47a2",
    ),
    (
        log::Kind::OrderEscalation,
        2,
        "{\"actor\":1,\"at\":\"2026-11-09T00:00:00.000000Z\",\"from\":\"received\",\"id\":2,\"note\":\"需要镇里协调\",\"order\":2,\"step\":\"sent_up\",\"to\":\"received\",\"type\":\"order_event\"}\n",
        "4bc365a7baef584a7582606a47ddda991edf584c61472c92a98a243b68570746",
    ),
    (
        log::Kind::RoleGrant,
        1,
        "{\"action\":\"appoint\",\"at\":\"2026-11-02T03:00:00.000000Z\",\"by\":1,\"community\":1,\"id\":1,\"role\":\"committee\",\"type\":\"role_change\",\"user\":2}\n",
        "29aeea93c6a2328bab1bf834064a98de2bd5fc455641fe71547aa86968733c66",
    ),
    (
        log::Kind::Disclosure,
        1,
        "{\"body\":\"收支如下\",\"category\":\"finance\",\"community\":1,\"decision\":2,\"disclosure\":1,\"files\":[[\"voucher\",\"ab12cd.pdf\"]],\"id\":1,\"ledger\":[[\"2026-10-03\",\"上级拨款\",1000000,0,\"镇财政所\",\"记-001\"],[\"2026-10-20\",\"购买路灯\",0,35050,\"五金店\",\"记-002\"]],\"opening_fen\":123456,\"period\":\"2026-10\",\"published_at\":\"2026-11-09T04:00:00.000000Z\",\"published_by\":1,\"reason\":\"补录凭证\",\"responsible\":\"会计 王五\",\"title\":\"十月财务公开\",\"type\":\"disclosure\",\"version\":2}\n",
        "57abc2644f126851e83b2413dfd2ee96259de0d7201a418ffd27170b297f3592",
    ),
    (
        log::Kind::InquiryAnswer,
        1,
        "{\"answer\":\"已经修好。\",\"answered_at\":\"2026-11-08T05:00:00.000000Z\",\"answered_by\":1,\"asked_at\":\"2026-11-07T03:00:00.000000Z\",\"community\":1,\"due_at\":\"2026-11-22T03:00:00.000000Z\",\"id\":1,\"inquiry\":1,\"question\":\"灯什么时候修？\",\"subject\":[\"order\",1],\"type\":\"inquiry_answer\"}\n",
        "e29085448dbcf7d309bba2de1cfccf6f1cea10afcd211d5ab4cfe61b4caf554f",
    ),
    (
        log::Kind::Disbursement,
        1,
        "{\"amount_fen\":2500000,\"community\":1,\"decision\":2,\"id\":1,\"override_reason\":null,\"paid_on\":\"2026-11-25\",\"payee\":\"路桥公司\",\"power\":\"P-03\",\"project\":1,\"project_code\":\"XM-2026-01\",\"recorded_at\":\"2026-11-25T06:00:00.000000Z\",\"recorded_by\":1,\"type\":\"disbursement\",\"voucher\":\"记-010\"}\n",
        "38df6a602fb8657f4661f5ea1201c4bab16e915f82521af9b6eb497a24e1b441",
    ),
    (
        log::Kind::PowerChange,
        1,
        "{\"at\":\"2026-11-06T09:00:00.000000Z\",\"body\":\"villagers\",\"by\":1,\"code\":\"P-03\",\"community\":1,\"comparison\":\"at_least\",\"decision\":2,\"id\":1,\"kind\":\"spending\",\"name\":\"工程项目\",\"procedure\":\"四议两公开\",\"threshold_fen\":5000000,\"type\":\"power\"}\n",
        "4cb92c4f89e47ecff5e1884a05741124db0a7b7a28c63c2d9444e6d453526887",
    ),
    (
        log::Kind::ConveningNotice,
        1,
        "{\"body\":\"residents\",\"community\":1,\"id\":1,\"item\":1,\"matters\":\"修路方案\",\"meets_at\":\"2026-11-20T01:00:00.000000Z\",\"notice_days\":10,\"online\":\"在议题页投票\",\"place\":\"村委会会议室\",\"published_at\":\"2026-11-10T02:00:00.250000Z\",\"published_by\":1,\"type\":\"convening_notice\"}\n",
        "bebfabe85ae6c51563e217ebe951f0347b009d352d5980e2a8925bdce1b30265",
    ),
    (
        log::Kind::SupervisorChange,
        1,
        "{\"action\":\"appoint\",\"at\":\"2026-11-12T03:00:00.000000Z\",\"by\":1,\"community\":1,\"decision\":2,\"id\":1,\"reason\":\"\",\"type\":\"supervisor_change\",\"user\":2}\n",
        "24b9a7ed9b2f9a230c4ab9653f6a83975ea807e3e37d83961db4084e1d7036de",
    ),
];

fn published() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_micro_opt(23, 30, 0, 7))
        .expect("a time")
}

async fn canonical_bytes_do_not_change(backend: Backend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let got = tokio::task::spawn_blocking(move || {
        let pool = yishi::db::connect(&url, 1).expect("connect");
        let mut conn = pool.get().expect("connection");
        yishi::db::migrate(&mut conn).expect("migrations");
        conn.batch_execute(FIXTURE).expect("fixture");
        PINNED
            .iter()
            .map(|&(kind, id, _, _)| {
                let bytes = records::content(&mut conn, kind, id)
                    .expect("reads")
                    .unwrap_or_else(|| panic!("{kind:?} {id} has content"));
                let text = String::from_utf8(bytes).expect("utf-8");
                let entry = log::entry_text(
                    kind,
                    Some(1),
                    id,
                    &log::sha256_hex(text.as_bytes()),
                    published(),
                );
                let leaf = hex::encode(merkle::leaf_hash(entry.as_bytes()));
                (kind, id, text, leaf)
            })
            .collect::<Vec<_>>()
    })
    .await
    .expect("runs");
    // Every kind is pinned at least once.
    for k in log::Kind::ALL {
        assert!(PINNED.iter().any(|p| p.0 == k), "{k:?} is not pinned");
    }
    let mut report = String::new();
    for ((kind, id, text, leaf), (_, _, want_text, want_leaf)) in got.iter().zip(&PINNED) {
        if text != want_text || leaf != want_leaf {
            report.push_str(&format!(
                "{kind:?} {id}:\n  content {text:?}\n  leaf    {leaf:?}\n"
            ));
        }
    }
    assert!(report.is_empty(), "canonical content changed:\n{report}");
}
both!(canonical_bytes_do_not_change);
