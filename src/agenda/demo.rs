//! The demo's agenda: the parking shortage of 兴和小区 with a long discussion, a pocket park
//! still short of support, a ditch-clearing proposal just over its threshold, a declined
//! basketball court, an overdue street-light proposal, and the road-paving major matter.

use chrono::{Duration, NaiveDateTime};

use super::model::{self, NewItem, ORIGIN_COMMITTEE, ORIGIN_PROPOSAL};
use super::rules::{self, Mover, Stage, Step};
use super::service::{self, Move};
use crate::audit::{self, Entry};
use crate::comments::model::{self as comments, NewComment};
use crate::db::AnyConnection;
use crate::error::AppError;

/// An item as the demo raises it: by whom, what, and whether the committee puts it on
/// the agenda itself.
struct Raise<'a> {
    author: i64,
    title: &'a str,
    body: &'a str,
    category: &'a str,
    committee: bool,
    major: bool,
}

/// A comment as the demo writes it.
struct Said<'a> {
    author: i64,
    parent: Option<i64>,
    stance: Option<&'a str>,
    official: bool,
    body: &'a str,
}

struct Seed<'a> {
    conn: &'a mut AnyConnection,
    community: i64,
    residents: &'a [i64],
    now: NaiveDateTime,
}

impl Seed<'_> {
    fn item(&mut self, r: Raise, days_ago: i64) -> Result<model::Item, AppError> {
        let Raise {
            author,
            title,
            body,
            category,
            committee,
            major,
        } = r;
        let at = self.now - Duration::days(days_ago);
        let verified = crate::communities::model::verified_residents(self.conn, self.community)?;
        let id = model::insert(
            self.conn,
            &NewItem {
                community_id: self.community,
                author_id: author,
                origin: if committee {
                    ORIGIN_COMMITTEE
                } else {
                    ORIGIN_PROPOSAL
                },
                title,
                body,
                category,
                stage: if committee {
                    Stage::Adopted
                } else {
                    Stage::Proposed
                },
                major,
                threshold: rules::support_threshold(verified, 5, 3),
                respond_by: at + Duration::days(15),
            },
            at,
        )?;
        model::find(self.conn, self.community, id)?.ok_or(AppError::NotFound)
    }

    fn supports(
        &mut self,
        item: &model::Item,
        from: usize,
        n: usize,
        days_ago: i64,
    ) -> Result<(), AppError> {
        let at = self.now - Duration::days(days_ago);
        for uid in self.residents.iter().skip(from).take(n) {
            if *uid != item.author_id {
                model::support(self.conn, item, *uid, at)?;
            }
        }
        Ok(())
    }

    fn refresh(&mut self, item: &model::Item) -> Result<model::Item, AppError> {
        model::find(self.conn, self.community, item.id)?.ok_or(AppError::NotFound)
    }

    fn move_to(
        &mut self,
        item: &model::Item,
        to: Stage,
        by: i64,
        note: &str,
        days_ago: i64,
    ) -> Result<model::Item, AppError> {
        let item = self.refresh(item)?;
        let m = Move {
            item: &item,
            to,
            mover: Mover::Committee,
            by: Some(by),
            note,
        };
        service::advance(self.conn, &m, self.now - Duration::days(days_ago))?
            .map_err(|e| AppError::Internal(format!("demo move of #{} refused: {e:?}", item.id)))?;
        self.refresh(&item)
    }

    fn say(&mut self, item: &model::Item, c: Said, hours_ago: i64) -> Result<i64, AppError> {
        let Said {
            author,
            parent,
            stance,
            official,
            body,
        } = c;
        Ok(comments::insert(
            self.conn,
            &NewComment {
                community_id: self.community,
                target: comments::Target::Item(item.id),
                parent_id: parent,
                author_id: author,
                body,
                stance,
                official,
            },
            self.now - Duration::hours(hours_ago),
        )?)
    }
}

/// `seeded` is (community id, its verified residents; the first five are the committee),
/// 柳塘村 first, then 兴和社区.
pub fn seed(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
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
        let chair = xh[0];
        let parking = s.item(Raise { author: xh[12], title: "兴和小区停车难：建议利用围墙外空地和宽人行道画线停车", body: "兴和小区有150多辆车，只有48个车位，晚上消防通道都停满了。\n\n建议：\n1. 把小区东侧围墙外的闲置空地平整后画线，大约能停30辆；\n2. 兴和路人行道较宽的一段（约80米）画斜向车位，保留1.5米步行通道；\n3. 小区入口装道闸，只让本小区车辆夜间进入。", category: "traffic", committee: false, major: false }, 21)?;
        s.supports(&parking, 5, 14, 18)?;
        let parking = s.move_to(
            &parking,
            Stage::Adopted,
            chair,
            "附议人数已过门槛，居委会列入议题，先组织现场踏勘。",
            14,
        )?;
        let parking = s.move_to(
            &parking,
            Stage::Deliberating,
            chair,
            "已与交警、城管、消防联合踏勘，进入协商讨论。",
            9,
        )?;
        let a = s.say(
            &parking,
            Said {
                author: xh[13],
                parent: None,
                stance: Some("support"),
                official: false,
                body: "支持！每天晚上下班回来绕三圈都找不到车位，只能停到兴和路对面。",
            },
            300,
        )?;
        let b = s.say(&parking, Said { author: xh[20], parent: None, stance: Some("oppose"), official: false, body: "人行道画车位我不赞成。我们老年人每天早上去菜场就走这段路，车一多，轮椅和助行器都过不去。" }, 290)?;
        s.say(
            &parking,
            Said {
                author: xh[14],
                parent: Some(b),
                stance: Some("neutral"),
                official: false,
                body: "阿姨说得有道理。能不能只在晚上7点到早上7点允许停，白天把人行道让出来？",
            },
            280,
        )?;
        s.say(
            &parking,
            Said {
                author: xh[21],
                parent: Some(b),
                stance: Some("oppose"),
                official: false,
                body: "同意，人行道是给人走的。",
            },
            270,
        )?;
        let c = s.say(
            &parking,
            Said {
                author: xh[16],
                parent: None,
                stance: Some("neutral"),
                official: false,
                body: "围墙外那块空地是谁的？以前听说是区里的储备地，要先问清楚能不能用。",
            },
            260,
        )?;
        s.say(
            &parking,
            Said {
                author: xh[22],
                parent: None,
                stance: Some("support"),
                official: false,
                body: "装道闸我支持，外面的车白天进来停一整天，本小区的人反而没地方。",
            },
            250,
        )?;
        let fire = s.say(&parking, Said { author: xh[17], parent: None, stance: Some("oppose"), official: false, body: "**消防通道**一定要留出来。去年5号楼那次，消防车就是因为通道被堵耽误了十几分钟。" }, 240)?;
        let rude = s.say(
            &parking,
            Said {
                author: xh[23],
                parent: Some(a),
                stance: None,
                official: false,
                body: "你家那辆破车天天占两个位，还好意思说找不到车位？脑子有问题吧。",
            },
            230,
        )?;
        s.say(
            &parking,
            Said {
                author: xh[24],
                parent: None,
                stance: Some("support"),
                official: false,
                body: "建议车位按户分配，一户最多一个，多的车自己去外面找收费停车场。",
            },
            200,
        )?;
        s.say(&parking, Said { author: chair, parent: None, stance: None, official: true, body: "居委会答复：11月12日，居委会会同交警中队、城管中队和消防救援站对小区周边进行了联合踏勘。\n\n1. 围墙外空地属街道管理，街道已同意临时使用，可画线约28个车位；\n2. 兴和路人行道仅允许夜间（19:00—次日7:00）停车，并保留不少于1.5米的步行通道；\n3. 小区内主通道划为消防通道，全天禁停。\n\n方案将提交居民代表会议表决，欢迎继续提意见。" }, 120)?;
        s.say(
            &parking,
            Said {
                author: chair,
                parent: Some(fire),
                stance: None,
                official: true,
                body: "消防通道全天禁停，会画黄色网格线并安装提示牌。",
            },
            118,
        )?;
        s.say(
            &parking,
            Said {
                author: xh[17],
                parent: Some(c),
                stance: Some("support"),
                official: false,
                body: "居委会答复里说了，空地是街道的，已经同意临时使用。这样我支持。",
            },
            100,
        )?;
        s.say(
            &parking,
            Said {
                author: xh[25],
                parent: None,
                stance: Some("support"),
                official: false,
                body: "夜间停车这个办法好，既解决停车，白天老人走路也方便。",
            },
            60,
        )?;
        s.conn.batch_execute_hidden(
            rude,
            "人身攻击，违反《兴和社区议事规则》第五条：就事论事，不得攻击他人。",
        )?;
        audit::record(
            s.conn,
            &Entry {
                community_id: Some(*xinghe),
                actor_id: chair,
                action: crate::audit::Action::HideComment,
                target_user_id: Some(xh[23]),
                detail: &format!("#{rude}"),
                reason: "人身攻击，违反《兴和社区议事规则》第五条：就事论事，不得攻击他人。",
            },
            now - Duration::hours(220),
        )?;

        let park = s.item(Raise { author: xh[30], title: "把兴和路拐角的闲置地改成口袋公园", body: "兴和路和新华街拐角有一块闲置地，常年堆着建筑垃圾。建议清理后改成口袋公园，放几张长椅，种些树，给老人和带孩子的家长一个歇脚的地方。", category: "environment", committee: false, major: false }, 4)?;
        s.supports(&park, 31, 1, 3)?;
        s.say(
            &park,
            Said {
                author: xh[32],
                parent: None,
                stance: Some("support"),
                official: false,
                body: "好主意，我家老人每天下午都在那附近转，连个坐的地方都没有。",
            },
            50,
        )?;
    }
    {
        let mut s = Seed {
            conn,
            community: *liutang,
            residents: lt,
            now,
        };
        let chair = lt[0];
        let ditch = s.item(Raise { author: lt[40], title: "三组到五组之间的灌溉水渠清淤", body: "三组到五组之间的主水渠淤积严重，今年夏天好几块田浇不上水。建议在春耕前组织清淤，所需人工可以由受益农户按田亩出工。", category: "infrastructure", committee: false, major: false }, 6)?;
        let threshold = ditch.threshold as usize;
        s.supports(&ditch, 41, threshold, 5)?;
        s.say(
            &ditch,
            Said {
                author: lt[43],
                parent: None,
                stance: Some("support"),
                official: false,
                body: "支持，我家那两亩田今年就是因为水渠堵了减产的。",
            },
            90,
        )?;

        let court = s.item(
            Raise {
                author: lt[50],
                title: "在村委会门口建一个篮球场",
                body: "年轻人回村过年没地方活动，建议在村委会门口的空地上建一个篮球场。",
                category: "welfare",
                committee: false,
                major: false,
            },
            30,
        )?;
        s.supports(&court, 51, 5, 28)?;
        s.move_to(
            &court,
            Stage::Declined,
            chair,
            "村集体今年的建设资金已全部用于三组至五组道路硬化，暂不具备条件。已列入明年村级公益事业建议清单，明年一季度村民代表会议再议。",
            20,
        )?;

        let lights = s.item(
            Raise {
                author: lt[60],
                title: "村口到小学路段的路灯坏了三盏",
                body: "村口到小学那段路晚上很黑，三盏路灯坏了两个多月了，学生晚自习回家不安全。",
                category: "safety",
                committee: false,
                major: false,
            },
            20,
        )?;
        s.supports(&lights, 61, threshold + 1, 18)?;

        let road = s.item(Raise { author: chair, title: "柳塘村三组至五组道路硬化工程（1.2公里）", body: "三组至五组之间1.2公里土路，雨天泥泞，农用车和校车通行困难。拟硬化为4.5米宽水泥路面，预算38万元，超过村级小微权力清单5万元的限额，须经村民会议决定。\n\n按“四议两公开”程序办理：村党支部提议、村“两委”商议、党员大会审议、村民会议决议，决议和实施结果公开。", category: "infrastructure", committee: true, major: true }, 12)?;
        let road = s.move_to(
            &road,
            Stage::Deliberating,
            chair,
            "村党支部会已提议，村“两委”会商议中。",
            10,
        )?;
        for (step, days, body, expected, present, outcome) in [
            (
                Step::Proposal,
                11,
                "村党支部会（支部书记主持）",
                7,
                7,
                "同意提议，交村“两委”会商议。",
            ),
            (
                Step::Consultation,
                8,
                "村“两委”联席会议",
                9,
                9,
                "一致同意硬化方案，预算38万元，交党员大会审议。",
            ),
        ] {
            let held = now - Duration::days(days);
            let new = model::NewStep {
                step,
                held_on: held,
                body,
                expected,
                present,
                outcome,
                minutes: "",
                photo: None,
            };
            model::record_step(s.conn, &road, &new, chair, held)?;
        }
        s.say(
            &road,
            Said {
                author: lt[44],
                parent: None,
                stance: Some("support"),
                official: false,
                body: "盼了好多年了！下雨天孩子上学都是家长背过去的。",
            },
            150,
        )?;
        s.say(
            &road,
            Said {
                author: lt[45],
                parent: None,
                stance: Some("neutral"),
                official: false,
                body: "38万不是小数目，希望把预算明细公开，施工队怎么选也要公开。",
            },
            140,
        )?;
        s.say(
            &road,
            Said {
                author: chair,
                parent: None,
                stance: None,
                official: true,
                body: "预算明细和招标方式会在党员大会审议前公示，请大家监督。",
            },
            130,
        )?;
    }
    Ok(())
}

/// Hiding a demo comment, the same way the committee does.
trait HideComment {
    fn batch_execute_hidden(&mut self, id: i64, reason: &str) -> Result<(), AppError>;
}

impl HideComment for AnyConnection {
    fn batch_execute_hidden(&mut self, id: i64, reason: &str) -> Result<(), AppError> {
        comments::set_hidden(self, id, true, reason)?;
        Ok(())
    }
}
