//! The community named in a path and the signed-in user as seen from it: the first thing
//! nearly every community page loads, and the one place an action is refused for them.

use crate::authz::{allows, Action, Actor, Role};
use crate::communities::model::{self, Community};
use crate::error::AppError;
use crate::web::ctx::Ctx;
use crate::web::AppState;

/// Loads the community named in the path and the current user as seen from it.
pub async fn load_community(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
) -> Result<(Community, Actor), AppError> {
    let user = ctx.user.clone();
    let (community, actor) = state
        .db(move |conn| {
            let community = model::by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
            let actor = model::actor(conn, user.as_ref(), &community)?;
            Ok((community, actor))
        })
        .await?;
    ctx.in_kind(&community.kind);
    Ok((community, actor))
}

/// Loads the community, refuses the action unless the signed-in user may take it there,
/// and returns the community, the user as seen from it, and their id.
pub async fn load_as(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    action: Action,
) -> Result<(Community, Actor, i64), AppError> {
    let (community, actor) = load_community(state, ctx, slug).await?;
    authorize(ctx, &actor, action)?;
    let me = ctx.require_user()?.id;
    Ok((community, actor, me))
}

/// Refuses an action the actor may not take: anonymous users are sent to sign in, and
/// someone whose request to join waits, asking for what verification would allow, is sent
/// to the join page, which says what happens next.
pub fn authorize(ctx: &Ctx, actor: &Actor, action: Action) -> Result<(), AppError> {
    if allows(actor, action) {
        Ok(())
    } else if ctx.user.is_none() {
        Err(AppError::SignIn(ctx.here.clone()))
    } else if let (Some(slug), true) = (&actor.waiting, verification_would_allow(actor, action)) {
        Err(AppError::Awaiting(slug.clone()))
    } else {
        Err(AppError::Forbidden)
    }
}

/// Would being a verified resident let this actor take the action?
fn verification_would_allow(actor: &Actor, action: Action) -> bool {
    let resident = Actor {
        roles: vec![Role::Resident],
        ..actor.clone()
    };
    allows(&resident, action)
}
