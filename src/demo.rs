//! The demo: 东溪镇 with 柳塘村 (rural) and 兴和社区 (urban), their grids, households,
//! residents, committees, representatives, supervisors, grid workers, township staff and a
//! few pending join requests. Loaded only into an empty database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::model::{self as accounts, NewUser};
use crate::accounts::password;
use crate::accounts::rules::Contact;
use crate::audit::{self, Entry};
use crate::authz::Role;
use crate::communities::model::{
    self as communities, KIND_NEIGHBOURHOOD, KIND_TOWNSHIP, KIND_VILLAGE,
};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::schema::users;

pub const DEMO_PASSWORD: &str = "yishi-demo-2026";

/// One demo sign-in per role, printed at start.
pub struct DemoSignin {
    pub role: &'static str,
    pub name: String,
    pub contact: String,
}

const SURNAMES: [&str; 12] = [
    "张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 40] = [
    "秀英", "建国", "桂兰", "志强", "玉梅", "海涛", "丽娟", "德福", "春燕", "国庆", "小红", "文军",
    "淑芬", "永刚", "晓东", "凤英", "伟", "芳", "敏", "静", "明辉", "子涵", "雨桐", "浩然", "欣怡",
    "宇航", "思远", "佳琪", "俊杰", "婷婷", "大勇", "金花", "长生", "秋菊", "守信", "爱华", "新民",
    "美玲", "光荣", "红霞",
];

fn name(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i * 7 + i / 12) % GIVEN.len()]
    )
}

fn phone(i: usize) -> Contact {
    Contact::Phone(format!("138{:08}", 10_000_000 + i))
}

/// Whether the demo can be loaded: only into a database with no users.
pub fn is_empty(conn: &mut AnyConnection) -> Result<bool, AppError> {
    let n: i64 = users::table.count().get_result(conn)?;
    Ok(n == 0)
}

struct Seeder<'a> {
    conn: &'a mut AnyConnection,
    hash: String,
    now: NaiveDateTime,
    next: usize,
    admin: i64,
}

impl Seeder<'_> {
    fn user(&mut self, display: Option<&str>) -> Result<(i64, String, String), AppError> {
        let i = self.next;
        self.next += 1;
        let contact = phone(i);
        let n = display.map(str::to_string).unwrap_or_else(|| name(i));
        let id = accounts::insert_user(
            self.conn,
            &NewUser::new(&contact, &n, &self.hash, "zh-CN", self.now),
        )?;
        Ok((id, n, contact.as_str().to_string()))
    }

    fn grant(
        &mut self,
        community: i64,
        user: i64,
        role: Role,
        household: Option<i64>,
        grid: Option<i64>,
    ) -> Result<(), AppError> {
        communities::grant(self.conn, community, user, role, household, grid, self.now)?;
        let action = if role == Role::Resident {
            audit::Action::VerifyResident
        } else {
            audit::Action::Appoint
        };
        audit::record(
            self.conn,
            &Entry {
                community_id: Some(community),
                actor_id: self.admin,
                action,
                target_user_id: Some(user),
                detail: role.as_str(),
                reason: "",
            },
            self.now,
        )?;
        Ok(())
    }
}

struct Place {
    slug: &'static str,
    name: &'static str,
    kind: &'static str,
    description: &'static str,
    grids: &'static [&'static str],
    households: usize,
    address: fn(usize) -> String,
}

const PLACES: [Place; 2] = [
    Place {
        slug: "liutang",
        name: "柳塘村",
        kind: KIND_VILLAGE,
        description: "东溪镇西北的行政村，约600户，六个村民小组。青壮年多在外务工，村里大事多在村民代表会议上商量。",
        grids: &["一组", "二组", "三组", "四组", "五组", "六组"],
        households: 36,
        address: |i| format!("柳塘村{}组{}号", ["一", "二", "三", "四", "五", "六"][i % 6], 10 + i),
    },
    Place {
        slug: "xinghe",
        name: "兴和社区",
        kind: KIND_NEIGHBOURHOOD,
        description: "东溪镇镇区的城市社区，兴和小区建于上世纪九十年代，46栋楼，没有物业公司。",
        grids: &["1—12号楼", "13—24号楼", "25—36号楼", "37—46号楼"],
        households: 24,
        address: |i| format!("兴和小区{}号楼{}单元{}室", 1 + (i * 2) % 46, 1 + i % 3, 101 + (i % 6) * 100),
    },
];

/// Loads the demo in one transaction and returns the sign-ins to print. The photos its
/// records name from the start (a tally sheet, an acceptance record) are drawn and stored
/// under `data_dir` as it goes, since a published record cannot gain a photo later.
pub fn load(
    conn: &mut AnyConnection,
    data_dir: &std::path::Path,
    now: NaiveDateTime,
) -> Result<Vec<DemoSignin>, AppError> {
    let hash = password::hash(DEMO_PASSWORD)?;
    write_tx(conn, |conn| {
        let mut signins = Vec::new();
        let admin_contact = Contact::Phone("13900000000".into());
        let mut admin = NewUser::new(&admin_contact, "平台管理员", &hash, "zh-CN", now);
        admin.is_admin = true;
        let admin_id = accounts::insert_user(conn, &admin)?;
        signins.push(DemoSignin {
            role: "admin",
            name: "平台管理员".into(),
            contact: "13900000000".into(),
        });
        let mut s = Seeder {
            conn,
            hash: hash.clone(),
            now,
            next: 0,
            admin: admin_id,
        };

        let township = communities::insert_community(
            s.conn,
            None,
            KIND_TOWNSHIP,
            "dongxi",
            "东溪镇",
            "东溪镇人民政府，下辖柳塘村、兴和社区等村（社区）。",
            now,
        )?;
        for (i, staff) in ["周海峰", "吴丽娟"].into_iter().enumerate() {
            let (id, n, c) = s.user(Some(staff))?;
            s.grant(township, id, Role::Township, None, None)?;
            if i == 0 {
                signins.push(DemoSignin {
                    role: "township",
                    name: n,
                    contact: c,
                });
            }
        }

        let mut seeded = Vec::new();
        for (pi, place) in PLACES.iter().enumerate() {
            let cid = communities::insert_community(
                s.conn,
                Some(township),
                place.kind,
                place.slug,
                place.name,
                place.description,
                now,
            )?;
            let mut grid_ids = Vec::new();
            for g in place.grids {
                grid_ids.push(communities::insert_grid(s.conn, cid, g, now)?);
            }
            let mut residents = Vec::new();
            for h in 0..place.households {
                let grid = grid_ids[h % grid_ids.len()];
                let hid = communities::insert_household(
                    s.conn,
                    cid,
                    Some(grid),
                    &(place.address)(h),
                    now,
                )?;
                // Two residents a household, three in every fifth.
                let size = if h % 5 == 0 { 3 } else { 2 };
                for _ in 0..size {
                    let (uid, n, c) = s.user(None)?;
                    s.grant(cid, uid, Role::Resident, Some(hid), None)?;
                    residents.push((uid, n, c));
                }
            }
            for (k, (uid, n, c)) in residents.iter().take(5).enumerate() {
                s.grant(cid, *uid, Role::Committee, None, None)?;
                if k == 0 {
                    let role = if pi == 0 {
                        "committee"
                    } else {
                        "committee_xinghe"
                    };
                    signins.push(DemoSignin {
                        role,
                        name: n.clone(),
                        contact: c.clone(),
                    });
                }
            }
            for (k, (uid, n, c)) in residents.iter().skip(5).step_by(7).take(8).enumerate() {
                s.grant(cid, *uid, Role::Representative, None, None)?;
                if pi == 0 && k == 0 {
                    signins.push(DemoSignin {
                        role: "representative",
                        name: n.clone(),
                        contact: c.clone(),
                    });
                }
            }
            for (k, (uid, n, c)) in residents.iter().skip(8).step_by(11).take(3).enumerate() {
                s.grant(cid, *uid, Role::Supervisor, None, None)?;
                if pi == 0 && k == 0 {
                    signins.push(DemoSignin {
                        role: "supervisor",
                        name: n.clone(),
                        contact: c.clone(),
                    });
                }
            }
            if pi == 0 {
                let (_, n, c) = &residents[residents.len() - 1];
                signins.push(DemoSignin {
                    role: "resident",
                    name: n.clone(),
                    contact: c.clone(),
                });
            }
            for (k, grid) in grid_ids.iter().enumerate() {
                let (uid, n, c) = s.user(None)?;
                s.grant(cid, uid, Role::GridWorker, None, Some(*grid))?;
                if pi == 0 && k == 0 {
                    signins.push(DemoSignin {
                        role: "grid_worker",
                        name: n,
                        contact: c,
                    });
                }
            }
            for k in 0..(3 - pi) {
                let (uid, n, c) = s.user(None)?;
                let address = (place.address)(place.households + k);
                communities::insert_request(
                    s.conn,
                    cid,
                    uid,
                    &address,
                    Some(grid_ids[k % grid_ids.len()]),
                    "刚搬回村里，想参加村里的议事。",
                    now,
                )?;
                if pi == 0 && k == 0 {
                    signins.push(DemoSignin {
                        role: "unverified",
                        name: n,
                        contact: c,
                    });
                }
            }
            seeded.push((cid, residents.iter().map(|r| r.0).collect::<Vec<_>>()));
        }
        crate::agenda::demo::seed(s.conn, &seeded, now)?;
        crate::roster::demo::seed(s.conn, &seeded, now)?;
        crate::ballots::demo::seed(s.conn, &seeded, data_dir, now)?;
        crate::work_orders::demo::seed(s.conn, &seeded, now)?;
        if let Some((liutang, residents)) = seeded.first() {
            crate::work_orders::upward::seed_demo(s.conn, (*liutang, residents), now)?;
        }
        crate::disclosures::demo::seed(s.conn, &seeded, now)?;
        crate::projects::demo::seed(s.conn, &seeded, data_dir, now)?;
        crate::projects::demo_stories::xinghe(s.conn, &seeded, now)?;
        crate::projects::demo_stories::greenhouse(s.conn, &seeded, now)?;
        crate::work_orders::publish_bulletin::seed_demo(s.conn, &seeded, now)?;
        Ok(signins)
    })
}
