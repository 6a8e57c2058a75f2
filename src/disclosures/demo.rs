//! The demo's disclosures: a year of monthly finance disclosures for 柳塘村, one of them
//! corrected and one month missing (so it shows as overdue), a quarter's subsidy list, the
//! disclosure of a passed decision, and two inquiries: one answered, one overdue.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::handlers::china_today;
use super::model::{self, CadenceSetting, Heading, NewVersion};
use super::rules::{self, Category, LedgerLine, Period};
use crate::db::AnyConnection;
use crate::error::AppError;

/// (description, counterparty, income?, amount in yuan, day of month)
const ITEMS: [(&str, &str, bool, i64, u32); 7] = [
    (
        "上级转移支付（村级组织运转经费）",
        "镇财政所",
        true,
        12_000,
        3,
    ),
    ("村集体鱼塘承包费", "承包户 柳大成", true, 3_500, 6),
    ("保洁员工资", "保洁员 周桂芳", false, 2_200, 10),
    ("路灯电费", "国网供电所", false, 486, 15),
    ("村委会办公用品", "镇上文具店", false, 213, 18),
    ("水渠清淤人工费", "临时用工 5 人", false, 1_500, 22),
    ("村民活动室水电", "国网供电所", false, 167, 26),
];

fn lines_for(p: Period, salt: i64) -> Vec<LedgerLine> {
    let start = p.start();
    ITEMS
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 3 || (*i as i64 + salt) % 5 != 4)
        .map(|(i, (desc, who, income, yuan, day))| {
            let fen = (yuan + (salt * 37 + i as i64 * 11) % 90) * 100;
            LedgerLine {
                date: start.with_day((*day).min(28)).unwrap_or(start),
                description: desc.to_string(),
                income: if *income { fen } else { 0 },
                expense: if *income { 0 } else { fen },
                counterparty: who.to_string(),
                voucher: format!("记-{}{:02}-{:02}", start.year() % 100, start.month(), i + 1),
            }
        })
        .collect()
}

/// The quarter's recipients, posted quarterly like the county catalogues' 低保 / 特困 lists
/// (RULES-zh.md): names, household sizes and amounts are public; ID numbers, phone numbers
/// and addresses never are.
pub const SUBSIDIES: [(&str, &str, i64, i64); 21] = [
    ("城乡低保", "王德福", 2, 2_280),
    ("城乡低保", "李桂兰", 1, 2_280),
    ("城乡低保", "刘长生", 3, 2_280),
    ("城乡低保", "陈秋菊", 2, 2_280),
    ("城乡低保", "杨守信", 1, 2_280),
    ("城乡低保", "赵金花", 2, 2_280),
    ("城乡低保", "黄大勇", 4, 2_280),
    ("城乡低保", "周凤英", 1, 2_280),
    ("城乡低保", "吴新民", 2, 2_280),
    ("城乡低保", "徐淑芬", 1, 2_280),
    ("城乡低保", "孙光荣", 3, 2_280),
    ("城乡低保", "张爱华", 2, 2_280),
    ("特困供养", "王老根", 1, 3_150),
    ("特困供养", "李福生", 1, 3_150),
    ("特困供养", "刘水娣", 1, 3_150),
    ("临时救助", "陈永刚", 4, 1_500),
    ("临时救助", "杨红霞", 3, 1_500),
    ("高龄补贴", "赵阿婆（赵桂英）", 1, 300),
    ("高龄补贴", "黄守田", 1, 300),
    ("高龄补贴", "周玉兰", 1, 300),
    ("高龄补贴", "吴老汉（吴德顺）", 1, 300),
];

/// The subsidy disclosure's body: totals by kind, then the names list.
fn subsidy_body() -> String {
    let mut totals: Vec<(&str, i64, i64)> = Vec::new();
    for (kind, _, _, yuan) in SUBSIDIES {
        match totals.iter_mut().find(|t| t.0 == kind) {
            Some(t) => {
                t.1 += 1;
                t.2 += yuan;
            }
            None => totals.push((kind, 1, yuan)),
        }
    }
    let mut b = String::from("| 项目 | 人（户）数 | 金额（元） |\n|---|---|---|\n");
    for (kind, n, yuan) in totals {
        b.push_str(&format!(
            "| {kind} | {n} | {} |\n",
            crate::money::format_amount(yuan * 100)
        ));
    }
    b.push_str("\n**发放名单**（依法公开姓名、保障人口和金额；身份证号、电话和住址不公开）\n\n");
    b.push_str("| 类别 | 姓名 | 保障人口 | 本季度金额（元） |\n|---|---|---|---|\n");
    for (kind, name, people, yuan) in SUBSIDIES {
        b.push_str(&format!(
            "| {kind} | {name} | {people} | {} |\n",
            crate::money::format_amount(yuan * 100)
        ));
    }
    b.push_str("\n名单在村务公开栏张贴七天，有异议请向村务监督委员会反映。");
    b
}

fn at(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(2, 0, 0).unwrap_or_default()
}

pub fn seed(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some((cid, residents)) = seeded.first() else {
        return Ok(());
    };
    let clerk = residents[1 % residents.len()];
    let today = china_today(now);
    // The twelve months before this one; the third most recent is left out (overdue).
    let this_month = Period::Month {
        year: today.year(),
        month: today.month(),
    };
    let mut months = Vec::new();
    let mut p = this_month;
    for _ in 0..12 {
        p = Period::Month {
            year: if p.start().month() == 1 {
                p.start().year() - 1
            } else {
                p.start().year()
            },
            month: if p.start().month() == 1 {
                12
            } else {
                p.start().month() - 1
            },
        };
        months.push(p);
    }
    months.reverse();
    let first = months[0];
    model::set_cadence(
        conn,
        *cid,
        &CadenceSetting {
            category: Category::Finance.as_str().into(),
            cadence: rules::Cadence::Monthly.as_str(),
            since: first.start(),
            grace_days: rules::DEFAULT_GRACE_DAYS as i32,
        },
        clerk,
        at(first.start()),
    )?;
    let missing = months[months.len() - 3];
    let corrected = months[months.len() - 6];
    let mut balance: i64 = 86_420 * 100;
    let mut corrected_id = None;
    for (k, m) in months.iter().enumerate() {
        let lines = lines_for(*m, k as i64);
        let totals = rules::totals(balance, &lines);
        if *m == missing {
            continue;
        }
        let published = at(m.end() + Duration::days(5)).min(now);
        let title = format!("{}财务收支公开", m.label(true));
        let body = "本月收支明细如下。对账目有疑问的，可向村务监督委员会反映，或在本页提出质询。";
        let (id, _) = model::publish(
            conn,
            *cid,
            &Heading {
                category: Category::Finance,
                period: &m.as_str(),
                decision_id: None,
                due_on: rules::due_for(rules::Cadence::Monthly, *m, rules::DEFAULT_GRACE_DAYS),
            },
            &NewVersion {
                by: clerk,
                title: &title,
                body,
                responsible: "村报账员 柳文华",
                opening_fen: Some(balance),
                reason: "",
                lines: &lines,
                files: &[],
            },
            published,
        )?;
        if *m == corrected {
            corrected_id = Some((id, published));
            let mut fixed = lines.clone();
            if let Some(l) = fixed.iter_mut().find(|l| l.description == "路灯电费") {
                l.expense += 100 * 100;
                l.voucher.push('A');
            }
            model::add_version(
                conn,
                *cid,
                id,
                2,
                &NewVersion {
                    by: clerk,
                    title: &title,
                    body,
                    responsible: "村报账员 柳文华",
                    opening_fen: Some(balance),
                    reason: "路灯电费少录了 100 元（补缴的上月欠费），凭证号补正",
                    lines: &fixed,
                    files: &[],
                },
                (published + Duration::days(9)).min(now),
            )?;
            balance = rules::totals(balance, &fixed).closing;
        } else {
            balance = totals.closing;
        }
    }

    // A quarter's subsidy list and the disclosure of the newest passed decision.
    let q = Period::Quarter {
        year: today.year(),
        quarter: 1 + (today.month0() / 3),
    };
    let q = months
        .iter()
        .rev()
        .find_map(|m| {
            let qq = Period::Quarter {
                year: m.start().year(),
                quarter: 1 + m.start().month0() / 3,
            };
            (qq != q).then_some(qq)
        })
        .unwrap_or(q);
    let (subsidies, _) = model::publish(
        conn,
        *cid,
        &Heading {
            category: Category::Subsidies,
            period: &q.as_str(),
            decision_id: None,
            due_on: rules::due_for(rules::Cadence::Quarterly, q, rules::DEFAULT_GRACE_DAYS),
        },
        &NewVersion {
            by: clerk,
            title: &format!(
                "{}低保、特困供养、临时救助和高龄补贴发放情况",
                q.label(true)
            ),
            body: &subsidy_body(),
            responsible: "民政协理员 柳春梅",
            opening_fen: None,
            reason: "",
            lines: &[],
            files: &[],
        },
        at(q.end() + Duration::days(6)).min(now),
    )?;
    // Inquiries: one on the corrected month, answered in two days; one on the subsidy list,
    // asked ten days ago and not answered (overdue).
    use crate::inquiries::model as inquiries;
    use crate::projects::rules::{answer_due, DEFAULT_ANSWER_DAYS};
    let supervisor = residents[8 % residents.len()];
    let chair = residents[0];
    if let Some((id, published)) = corrected_id {
        let asked = (published + Duration::days(3)).min(now);
        let q = inquiries::ask(
            conn,
            *cid,
            ("disclosure", Some(id)),
            supervisor,
            "这个月的路灯电费比往常多了一百元，是什么原因？凭证号为什么改了？",
            asked,
            answer_due(asked, DEFAULT_ANSWER_DAYS),
        )?;
        if let Some(row) = inquiries::find(conn, *cid, q)? {
            inquiries::answer(
                conn,
                &row.q,
                chair,
                "经核对，供电所当月一并收取了上月少缴的路灯电费 100 元，原公开漏记，已发布更正版本；补缴单据另编凭证号，原件在村委会可查阅。",
                (asked + Duration::days(2)).min(now),
            )?;
        }
    }
    let asked = now - Duration::days(10);
    inquiries::ask(
        conn,
        *cid,
        ("disclosure", Some(subsidies)),
        residents[12 % residents.len()],
        "临时救助的两户是按什么标准定的？有没有经过村民代表评议？",
        asked,
        answer_due(asked, DEFAULT_ANSWER_DAYS),
    )?;
    // The oldest passed decision (the list comes newest first).
    let oldest = crate::projects::model::passed_decisions(conn, *cid)?.pop();
    if let Some(d) = oldest.map(|d| (d.id, d.title)) {
        model::publish(
            conn,
            *cid,
            &Heading {
                category: Category::Decisions,
                period: &this_month.as_str(),
                decision_id: Some(d.0),
                due_on: None,
            },
            &NewVersion {
                by: clerk,
                title: &format!("决议公开：{}", d.1),
                body: "经村民代表会议表决通过。表决情况、计票板和实施进度见决议页面和工单。",
                responsible: "村委会主任",
                opening_fen: None,
                reason: "",
                lines: &[],
                files: &[],
            },
            now,
        )?;
    }
    Ok(())
}
