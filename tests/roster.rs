//! The roster (村民名册): the committee keeps households and persons, every change kept; the
//! demo's roster; supervisors read it; the public sees counts only.

use crate::both;
use crate::common::steps::{count_sql, demo_committee};
use crate::common::{spawn_app, Backend};

both!(demo_roster_has_households_persons_and_every_resident_linked);
async fn demo_roster_has_households_persons_and_every_resident_linked(backend: Backend) {
    let app = spawn_app(backend).await;
    let _committee = demo_committee(&app).await;
    let lt = "(SELECT id FROM communities WHERE slug = 'liutang')";
    let households = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM households WHERE community_id = {lt}"),
    )
    .await;
    let persons = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM persons WHERE community_id = {lt}"),
    )
    .await;
    let unlinked_residents = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM memberships m WHERE m.community_id = {lt} AND m.role = 'resident' \
             AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.user_id = m.user_id AND p.community_id = m.community_id \
             AND p.household_id = m.household_id)"
        ),
    )
    .await;
    let moved = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM persons WHERE community_id = {lt} AND status = 'moved'"),
    )
    .await;
    let deceased = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM persons WHERE community_id = {lt} AND status = 'deceased'"
        ),
    )
    .await;
    let xinghe = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons WHERE community_id = (SELECT id FROM communities WHERE slug = 'xinghe')".into(),
    )
    .await;
    assert_eq!(households, 150);
    assert!((440..=520).contains(&persons), "persons: {persons}");
    assert_eq!(unlinked_residents, 0);
    assert!((3..=5).contains(&moved), "moved: {moved}");
    assert_eq!(deceased, 1);
    assert!((100..=200).contains(&xinghe), "xinghe persons: {xinghe}");
}
