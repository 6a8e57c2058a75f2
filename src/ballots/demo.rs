//! The demo's ballots: 兴和社区's representatives pass the parking plan in the hall; 柳塘村
//! decides the road in a villagers' meeting in the hall (四议两公开 complete, the tally
//! sheet photographed), adopts its power list and revises its village rules in the hall with
//! online voting the same evening (线上线下结合), sets the rubbish fee by household, picks the
//! cleaning contractor by roll call, fails quorum on the annual plan at harvest time and
//! passes it when reconvened, and has one ballot open — on where to build the culture square
//! — that the demo resident can vote in. Every villagers' and representatives' meeting has
//! its roll frozen from the roster (the law counts villagers, not accounts); only the
//! household ballot and the committee's roll call are of accounts.

use chrono::{Duration, NaiveDateTime};

use super::model::{self, Ballot, NewBallot, NewVote};
use super::rules::{Body, Rule};
use super::{service, tracker};
use crate::agenda::model::{self as agenda, Item, NewItem, ORIGIN_COMMITTEE};
use crate::agenda::rules::{Mover, Stage, Step};
use crate::agenda::service::{self as agenda_service, Move};
use crate::db::AnyConnection;
use crate::error::AppError;

struct Seed<'a> {
    conn: &'a mut AnyConnection,
    community: i64,
    residents: &'a [i64],
    now: NaiveDateTime,
}

impl Seed<'_> {
    fn ago(&self, days: i64) -> NaiveDateTime {
        self.now - Duration::days(days)
    }

    /// Moves an item as the committee (the first resident) through the one guarded door.
    fn advance(
        &mut self,
        item: &Item,
        to: Stage,
        mover: Mover,
        note: &str,
        at: NaiveDateTime,
    ) -> Result<(), AppError> {
        let m = Move {
            item,
            to,
            mover,
            by: Some(self.residents[0]),
            note,
        };
        agenda_service::advance(self.conn, &m, at)?
            .map_err(|e| AppError::Internal(format!("demo move of #{} refused: {e:?}", item.id)))
    }

    /// An item the committee put on the agenda and opened for deliberation.
    fn item(
        &mut self,
        title: &str,
        body: &str,
        category: &str,
        days_ago: i64,
        major: bool,
    ) -> Result<Item, AppError> {
        let at = self.ago(days_ago);
        let id = agenda::insert(
            self.conn,
            &NewItem {
                community_id: self.community,
                author_id: self.residents[0],
                origin: ORIGIN_COMMITTEE,
                title,
                body,
                category,
                stage: Stage::Adopted,
                major,
                threshold: 3,
                respond_by: at + Duration::days(15),
            },
            at,
        )?;
        let item = agenda::find(self.conn, self.community, id)?.ok_or(AppError::NotFound)?;
        self.deliberate(&item, days_ago)
    }

    fn deliberate(&mut self, item: &Item, days_ago: i64) -> Result<Item, AppError> {
        let at = self.ago(days_ago);
        if item.stage() == Stage::Adopted {
            self.advance(item, Stage::Deliberating, Mover::Committee, "", at)?;
        }
        agenda::find(self.conn, self.community, item.id)?.ok_or(AppError::NotFound)
    }

    /// Opens a ballot `opened` days ago, closing `closes` days from now (negative: past),
    /// its electorate frozen from accounts (as ballots were before the roster).
    fn ballot(
        &mut self,
        item: &Item,
        body: Body,
        mode: &str,
        options: &str,
        opened: i64,
        closes: i64,
    ) -> Result<Ballot, AppError> {
        self.ballot_on(item, (body, mode, options), opened, closes, false)
    }

    /// Opens a ballot as [`Seed::ballot`]; `from_roster`: its roll frozen from the roster,
    /// so turnout is against the roster and the rule's words show the real base.
    fn ballot_on(
        &mut self,
        item: &Item,
        (body, mode, options): (Body, &str, &str),
        opened: i64,
        closes: i64,
        from_roster: bool,
    ) -> Result<Ballot, AppError> {
        let at = self.ago(opened);
        let id = model::open(
            self.conn,
            &NewBallot {
                community_id: self.community,
                item_id: item.id,
                body,
                mode,
                options,
                rule: &Rule::preset(body),
                opens_at: at,
                closes_at: self.now + Duration::days(closes),
                created_by: self.residents[0],
                grid_id: None,
                from_roster,
            },
            at,
        )?;
        self.advance(
            item,
            Stage::Voting,
            Mover::BallotOpened,
            &format!("#{id}"),
            at,
        )?;
        model::find(self.conn, self.community, id)?.ok_or(AppError::NotFound)
    }

    /// Votes by the residents `from..from+n` (one per household on a household ballot),
    /// choosing by `pick(k)`, an hour after the ballot opened.
    fn votes(
        &mut self,
        b: &Ballot,
        from: usize,
        n: usize,
        pick: impl Fn(usize) -> i32,
    ) -> Result<(), AppError> {
        let at = b.opens_at + Duration::hours(1);
        let mut cast = 0;
        for uid in self.residents.iter().skip(from) {
            if cast == n {
                break;
            }
            let (voter_key, household, person) = if b.roll {
                match model::voter_on(self.conn, b, *uid)? {
                    Ok(v) => (v.key, v.household, v.person),
                    Err(_) => continue,
                }
            } else {
                let Some(household) = model::elector(self.conn, b.id, *uid)? else {
                    continue;
                };
                match (b.body(), household) {
                    (Body::Households, Some(h)) => (h, household, None),
                    (Body::Households, None) => continue,
                    _ => (*uid, household, None),
                }
            };
            if model::has_voted(self.conn, b.id, voter_key)? {
                continue;
            }
            let t = tracker::generate();
            let vote = NewVote {
                voter_key,
                user_id: *uid,
                household_id: household,
                choice: pick(cast),
                tracker: b.secret.then_some(t.as_str()),
                person,
            };
            model::cast(self.conn, b, &vote, at)?
                .map_err(|_| AppError::Internal("demo vote refused".into()))?;
            cast += 1;
        }
        Ok(())
    }

    /// Closes an online ballot at its closing time and publishes the decision.
    fn close(&mut self, b: &Ballot) -> Result<i64, AppError> {
        let (ballot, id, outcome) =
            model::close_online(self.conn, self.community, b.id, b.closes_at)?
                .ok_or_else(|| AppError::Internal("demo ballot did not close".into()))?;
        service::after_decision(
            self.conn,
            &ballot,
            id,
            &outcome,
            self.residents[0],
            b.closes_at,
        )?;
        Ok(id)
    }

    /// A result from the hall, entered by one committee member and confirmed by another;
    /// `photo`: the stored photo of its paper tally sheet, if any.
    fn hall(
        &mut self,
        b: &Ballot,
        (present, households_present): (i64, i64),
        counts: &[u64],
        (minutes, photo): (&str, Option<&str>),
        days_ago: i64,
    ) -> Result<i64, AppError> {
        let at = self.ago(days_ago);
        model::record_hall(
            self.conn,
            b,
            &model::NewHallResult {
                corrects: None,
                present,
                households_present,
                per_option: counts,
                minutes,
                photo,
            },
            self.residents[1],
            at,
        )?;
        let r = model::hall_results_of(self.conn, b.id)?
            .pop()
            .ok_or(AppError::NotFound)?;
        service::publish_hall(self.conn, b, &r, self.residents[0], at + Duration::hours(2))?
            .ok_or_else(|| AppError::Internal("demo hall result not published".into()))
    }
}

/// `seeded` is (community id, its verified residents; the first five are the committee),
/// 柳塘村 first, then 兴和社区; the agenda demo has run.
/// The road's tally-sheet photo is stored under `data_dir`.
pub fn seed(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    data_dir: &std::path::Path,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let [(liutang, lt), (xinghe, xh)] = seeded else {
        return Ok(());
    };
    {
        let mut s = Seed {
            conn,
            community: *xinghe,
            residents: xh,
            now,
        };
        if let Some(parking) = find_titled(s.conn, *xinghe, "兴和小区停车难")? {
            let parking = s.deliberate(&parking, 3)?;
            let how = (Body::Representatives, model::HALL, "");
            let b = s.ballot_on(&parking, how, 2, 1, true)?;
            // Everyone on the frozen list came; one abstained (never more present than
            // members: the list decides how many may come).
            let all = b.electorate;
            let minutes = format!(
                "居民代表会议在社区议事厅召开，应到{all}人，实到{all}人。表决通过停车方案：围墙外空地临时画线约28个车位；兴和路人行道夜间停车并保留1.5米步行通道；小区主通道全天禁停。"
            );
            let counts = [all.saturating_sub(1) as u64, 0, 1];
            s.hall(&b, (all, 0), &counts, (&minutes, None), 1)?;
        }
    }
    let mut s = Seed {
        conn,
        community: *liutang,
        residents: lt,
        now,
    };

    // 四议两公开, complete: 审议 recorded, then the villagers' meeting in the hall, by households.
    if let Some(road) = find_titled(s.conn, *liutang, "柳塘村三组至五组道路硬化工程")?
    {
        let held = s.ago(4);
        agenda::record_step(
            s.conn,
            &road,
            &agenda::NewStep {
                step: Step::Review,
                held_on: held,
                body: "党员大会",
                expected: 45,
                present: 38,
                outcome: "审议通过，提交村民会议决议。",
                minutes: "",
                photo: None,
            },
            lt[0],
            held,
        )?;
        let b = s.ballot_on(&road, (Body::Residents, model::HALL, ""), 3, 1, true)?;
        // Three in four households sent their representative (more than the two thirds the
        // law asks), and a few more villagers came along.
        let households = b.households * 3 / 4;
        let present = households + 12;
        let counts = [present as u64 - 7, 4, 3];
        // The tally sheet's photo, as the clerk would upload it with the count.
        let sheet = super::tally_photo::draw(&counts, b.id as u32);
        let photo = crate::work_orders::demo_photos::store(data_dir, &sheet)?;
        let d = s.hall(
            &b,
            (present, households),
            &counts,
            (
                "村民会议在村委会大院召开。应到成年村民及户代表见签到表；各组户代表到会，超过三分之二。举手表决，计票单由两名计票人、一名监票人签字。",
                Some(photo.as_str()),
            ),
            2,
        )?;
        let supervisor = lt[8];
        model::countersign(
            s.conn,
            d,
            supervisor,
            "已到会监督，计票单与录入一致。",
            s.ago(1),
        )?;
    }
    // A major matter part-way through 四议两公开: only 提议 so far.
    let forest = s.item(
        "集体林地承包方案（2027—2036年）",
        "村集体山林约620亩承包期明年到期。拟公开招标承包，承包期10年，收益按人口分配。属村民会议决定事项，按“四议两公开”办理。",
        "economy",
        6,
        true,
    )?;
    let held = s.ago(5);
    agenda::record_step(
        s.conn,
        &forest,
        &agenda::NewStep {
            step: Step::Proposal,
            held_on: held,
            body: "村党支部会",
            expected: 7,
            present: 6,
            outcome: "同意提议，交村“两委”会商议。",
            minutes: "",
            photo: None,
        },
        lt[0],
        held,
    )?;

    // A villagers' meeting in the hall with online voting the same day, that passed.
    let rules_item = s.item(
        "修订村规民约：禁止向河道、沟渠倾倒垃圾",
        "在村规民约第八条后增加一条：禁止向河道、沟渠倾倒生活垃圾和建筑垃圾，违者由村民小组劝导清理，屡劝不改的在村务公开栏公示。",
        "environment",
        14,
        false,
    )?;
    mixed_meeting(
        &mut s,
        &rules_item,
        12,
        "周六晚上在村委会大院召开村民会议，按签到表签到；在外务工的村民当天在网上投票。会场举手表决后收纸质票，两名计票人、一名监票人计票。",
    )?;

    // A household ballot: one vote per household.
    let fee = s.item(
        "生活垃圾清运费标准：每户每月5元",
        "保洁公司清运费上涨，村集体补贴一半，其余按户收取，每户每月5元，低保户、特困户免收。",
        "environment",
        11,
        false,
    )?;
    // A households' meeting in the hall, counted from the roster: four in five households sent
    // someone (more than the two thirds art. 22 asks), one vote per household.
    let b = s.ballot_on(&fee, (Body::Households, model::HALL, ""), 10, -4, true)?;
    let households = b.households * 4 / 5;
    let counts = [households as u64 - 14, 11, 3];
    s.hall(
        &b,
        (households, households),
        &counts,
        (
            "户代表会议在村委会大院召开，按户签到，每户一票。三户来的是户里其他成年人，按规定由他们代表本户表决。举手表决，两名计票人、一名监票人计票；三户弃权。",
            None,
        ),
        4,
    )?;

    // The committee, by name.
    let cleaning = s.item(
        "2027年村内保洁服务合同",
        "两家保洁公司报价：甲公司每年9.6万元，乙公司每年8.8万元但不含河道保洁。",
        "environment",
        9,
        false,
    )?;
    let b = s.ballot(
        &cleaning,
        Body::Committee,
        model::ONLINE,
        "甲公司（9.6万元，含河道）\n乙公司（8.8万元，不含河道）",
        8,
        -6,
    )?;
    s.votes(&b, 0, 5, |k| if k == 3 { 1 } else { 0 })?;
    s.close(&b)?;

    // No quorum: an online villagers' meeting held at harvest time.
    let plan = s.item(
        "2027年村级年度工作计划",
        "明年重点：道路硬化收尾、文化广场、集体林地承包、河道清淤。请村民在网上表决。",
        "other",
        40,
        false,
    )?;
    // Its roll is the roster's adults, so the decision says in numbers how far 23 fell short.
    let how = (Body::Residents, model::ONLINE, "");
    let b = s.ballot_on(&plan, how, 38, -31, true)?;
    s.votes(&b, 20, 23, |k| if k % 5 == 0 { 1 } else { 0 })?;
    s.close(&b)?;
    reconvened_plan(&mut s)?;

    // Open now: where to build the culture square; the demo resident has not voted yet.
    let square = s.item(
        SQUARE,
        "村里计划建一个文化广场，供跳广场舞、放电影和办红白喜事用。有三处候选地，请大家选一处。",
        "infrastructure",
        4,
        false,
    )?;
    let how = (
        Body::Residents,
        model::ONLINE,
        "村委会东侧空地\n老小学操场\n三组晒谷场",
    );
    let b = s.ballot_on(&square, how, 2, 5, true)?;
    let last = lt.len().saturating_sub(1);
    s.votes(&b, 30, 26.min(last.saturating_sub(30)), |k| (k % 3) as i32)?;

    // The power list that binds the committee, adopted by the villagers two months ago.
    let list = s.item(
        POWER_LIST,
        "村“两委”拟定了本村小微权力清单：工程项目立项和承包5万元以上、大额资金支出5万元以上须经村民会议决议；工单经费和工程建设支出5000元以上须经村民代表会议决议。提请村民会议表决。",
        "other",
        70,
        false,
    )?;
    mixed_meeting(
        &mut s,
        &list,
        68,
        "周日晚上在村委会大院召开村民会议，逐条宣读小微权力清单；在外务工的村民当天在网上投票。会场举手表决后收纸质票，两名计票人、一名监票人计票。",
    )?;

    // The supervision committees, elected by the representatives before this year's meetings
    // (seeded last, so the other demo records keep their numbers).
    supervisors_elected(
        &mut s,
        "选举村务监督委员会成员",
        "本届村务监督委员会成员任期届满。按村务监督委员会选举办法，由村民代表会议选举新一届成员；村民委员会成员及其近亲属不作为候选人。",
        "村民代表会议在村委会会议室召开，应到{all}人，实到{all}人。无记名投票，两名计票人、一名监票人计票，选举{names}为村务监督委员会成员。",
        75,
    )?;
    let mut s = Seed {
        conn: s.conn,
        community: *xinghe,
        residents: xh,
        now,
    };
    supervisors_elected(
        &mut s,
        "推选居务监督委员会成员",
        "本届居务监督委员会成员任期届满。按居务监督委员会推选办法，由居民代表会议推选新一届成员；居委会成员及其近亲属不作为人选。",
        "居民代表会议在社区议事厅召开，应到{all}人，实到{all}人。无记名投票，推选{names}为居务监督委员会成员。",
        60,
    )?;
    Ok(())
}

/// The work plan, reconvened (story 14): after the harvest-time ballot failed its quorum,
/// a villagers' meeting in the hall on a Sunday evening with online voting the same day,
/// its roll frozen from the roster. Those away vote online; the clerk signs the others in;
/// together they pass more than half of the roll, and the decision shows both parts.
fn reconvened_plan(s: &mut Seed) -> Result<(), AppError> {
    let plan = s.item(
        "2027年村级年度工作计划（重新召集村民会议）",
        "9月网上表决因参加人数不足未能通过。村委会提前十天发出召集通知，周日晚上在村委会大院召开村民会议，在外务工的村民可在当天网上投票。",
        "other",
        16,
        false,
    )?;
    mixed_meeting(
        s,
        &plan,
        3,
        "周日晚七点在村委会大院召开村民会议，按签到表签到；在外务工的村民当天在网上投票，已在网上投票的在签到表上打勾，不再签到。会场举手表决后收纸质票，两名计票人、一名监票人计票。",
    )?;
    Ok(())
}

/// A villagers' meeting in the hall with online voting the same evening (线上线下结合),
/// opened `days_ago`, its roll frozen from the roster: the residents with accounts from the
/// tenth on vote online (most of them away); the clerk signs in enough of the others from
/// the printed register for more than half of the roll with a margin; the hall's paper count
/// is entered by one committee member and confirmed by another. Returns the decision.
fn mixed_meeting(s: &mut Seed, item: &Item, days_ago: i64, minutes: &str) -> Result<i64, AppError> {
    let at = s.ago(days_ago);
    let id = model::open(
        s.conn,
        &NewBallot {
            community_id: s.community,
            item_id: item.id,
            body: Body::Residents,
            mode: model::MIXED,
            options: "",
            rule: &Rule::preset(Body::Residents),
            opens_at: at,
            closes_at: at + Duration::hours(5),
            created_by: s.residents[0],
            grid_id: None,
            from_roster: true,
        },
        at,
    )?;
    s.advance(
        item,
        Stage::Voting,
        Mover::BallotOpened,
        &format!("#{id}"),
        at,
    )?;
    let b = model::find(s.conn, s.community, id)?.ok_or(AppError::NotFound)?;
    // Online: the residents with accounts from the tenth on, most of them away.
    let mut online = 0u64;
    for (k, uid) in s.residents.iter().enumerate().skip(10) {
        let Ok(v) = model::voter_on(s.conn, &b, *uid)? else {
            continue;
        };
        let t = tracker::generate();
        let vote = NewVote {
            voter_key: v.key,
            user_id: *uid,
            household_id: v.household,
            choice: if k % 8 == 0 { 1 } else { 0 },
            tracker: Some(t.as_str()),
            person: v.person,
        };
        model::cast(s.conn, &b, &vote, at + Duration::minutes(30 + k as i64))?
            .map_err(|_| AppError::Internal("demo vote refused".into()))?;
        online += 1;
    }
    // The hall: enough of the others sign in for more than half of the roll with a margin.
    let quorum = b.electorate as u64 / 2 + 1;
    let hall = (quorum + 12).saturating_sub(online) as usize;
    let clerk = s.residents[2];
    let roll = super::attendance::register(s.conn, &b, None, i64::MAX)?;
    let mut signed = 0u64;
    for r in roll.iter().filter(|r| r.via.is_none()).take(hall) {
        let when = at + Duration::minutes(signed as i64 / 4);
        super::attendance::sign_in(s.conn, b.id, (r.person_id, r.household_id), clerk, when)?;
        signed += 1;
    }
    // The paper count: a few abstain, two papers are blank.
    let against = signed / 12;
    let abstain = signed / 20;
    let blank = 2.min(signed);
    let counts = [signed - against - abstain - blank, against, abstain];
    model::record_hall(
        s.conn,
        &b,
        &model::NewHallResult {
            corrects: None,
            present: signed as i64,
            households_present: 0,
            per_option: &counts,
            minutes,
            photo: None,
        },
        s.residents[1],
        b.closes_at,
    )?;
    let r = model::hall_results_of(s.conn, b.id)?
        .pop()
        .ok_or(AppError::NotFound)?;
    let confirmed = b.closes_at + Duration::minutes(30);
    service::publish_hall(s.conn, &b, &r, s.residents[0], confirmed)?
        .ok_or_else(|| AppError::Internal("demo mixed result not published".into()))
}

/// The supervision committee elected (村民委员会组织法 art. 32): a representatives' meeting
/// in the hall `days_ago`, its roll frozen from the roster, everyone present, one abstaining;
/// each of the community's supervisors is recorded as appointed on its decision, so the
/// residents page names the electing decision and the transparency log carries the
/// appointments. `minutes` names `{all}` present and the supervisors (`{names}`).
fn supervisors_elected(
    s: &mut Seed,
    title: &str,
    body: &str,
    minutes: &str,
    days_ago: i64,
) -> Result<(), AppError> {
    use crate::communities::model as communities;
    use crate::schema::users;
    use diesel::prelude::*;
    let supervisors = communities::holders(s.conn, s.community, crate::authz::Role::Supervisor)?;
    if supervisors.is_empty() {
        return Ok(());
    }
    let names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(&supervisors))
        .select((users::id, users::display_name))
        .load(s.conn)?;
    let names: Vec<&str> = supervisors
        .iter()
        .filter_map(|u| names.iter().find(|n| n.0 == *u).map(|n| n.1.as_str()))
        .collect();
    let item = s.item(title, body, "other", days_ago + 8, false)?;
    let how = (Body::Representatives, model::HALL, "");
    let b = s.ballot_on(&item, how, days_ago + 6, -days_ago, true)?;
    let all = b.electorate;
    let minutes = minutes
        .replace("{all}", &all.to_string())
        .replace("{names}", &names.join("、"));
    let counts = [all.saturating_sub(1) as u64, 0, 1];
    let d = s.hall(&b, (all, 0), &counts, (&minutes, None), days_ago)?;
    let at = s.ago(days_ago) + Duration::hours(3);
    for user in supervisors {
        communities::record_supervisor_change(
            s.conn,
            s.community,
            user,
            communities::SUPERVISOR_APPOINTED,
            Some(d),
            "",
            s.residents[0],
            at,
        )?;
    }
    Ok(())
}

/// The culture square's three sites as the committee described them (without photos).
pub fn square_options() -> Vec<super::options::Detail> {
    let site = |position, description: &str, cost_fen| super::options::Detail {
        position,
        description: description.to_string(),
        cost_fen: Some(cost_fen),
        ..Default::default()
    };
    vec![
        site(
            0,
            "村委会东边的空地，约1200平方米，已经是平地，离一组、二组近。要铺地面、装路灯和健身器材。",
            18_600_000,
        ),
        site(
            1,
            "老小学的操场，约2000平方米，有围墙和厕所，场地最大。要拆旧围墙、修厕所、平整地面。",
            25_800_000,
        ),
        site(
            2,
            "三组的晒谷场，约900平方米，在村子中间，走过去都近。秋收时还要留着晒谷，地方最小。",
            9_500_000,
        ),
    ]
}

/// The title of the open culture-square ballot's item.
pub const SQUARE: &str = "文化广场选在哪里？";

/// The title of the demo's decision that adopted 柳塘村's power list.
pub const POWER_LIST: &str = "通过《柳塘村小微权力清单》";

fn find_titled(
    conn: &mut AnyConnection,
    community: i64,
    prefix: &str,
) -> Result<Option<Item>, AppError> {
    let ids = agenda::recent(conn, community, 100)?;
    Ok(ids.into_iter().find(|i| i.title.starts_with(prefix)))
}
