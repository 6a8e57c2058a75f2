//! Who holds a role in a community, asked by work orders, projects and inquiries when they
//! tell people. (The periodic work of work orders is in `periodic`.)

use diesel::prelude::*;

use crate::authz::Role;
use crate::db::AnyConnection;
use crate::schema::memberships;

/// Users holding `role` in a community.
pub fn holders(conn: &mut AnyConnection, community_id: i64, role: Role) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq(role.as_str()))
        .select(memberships::user_id)
        .load(conn)
}
