//! The community's meeting settings on the residents page: the notice period of
//! representatives' and group meetings, and the matters the villagers' meeting has
//! delegated to the representatives' meeting (村民委员会组织法 art. 24).

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::handlers::{done, residents_page, Feedback};
use crate::agenda::{convening, notices, rules::CATEGORIES};
use crate::authz::Action;
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::web::community::load_as;
use crate::web::forms::Posted;
use crate::web::AppState;

/// The form as typed: the period, and one `delegated_<category>` box per matter.
#[derive(Deserialize, Default, Clone)]
pub struct MeetingSettingsForm {
    #[serde(default)]
    pub notice_days: String,
    #[serde(flatten)]
    pub boxes: BTreeMap<String, String>,
}

impl MeetingSettingsForm {
    /// Is the box of `category` ticked?
    pub fn delegates(&self, category: &str) -> bool {
        self.boxes.contains_key(&format!("delegated_{category}"))
    }

    /// The ticked matters, in the order of the categories.
    fn matters(&self) -> Vec<String> {
        CATEGORIES
            .iter()
            .filter(|c| self.delegates(c))
            .map(|c| c.to_string())
            .collect()
    }

    pub fn categories(&self) -> &'static [&'static str] {
        &CATEGORIES
    }
}

/// The settings as saved, in the form's shape.
pub fn saved(conn: &mut AnyConnection, community_id: i64) -> Result<MeetingSettingsForm, AppError> {
    let days = notices::setting_days(conn, community_id)?;
    let boxes = notices::delegated(conn, community_id)?
        .into_iter()
        .map(|c| (format!("delegated_{c}"), "on".to_string()))
        .collect();
    Ok(MeetingSettingsForm {
        notice_days: days.to_string(),
        boxes,
    })
}

/// Saves the meeting settings; a period under the three-day floor or not a number is
/// refused at its field, the form kept.
pub async fn save_meeting_settings(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<MeetingSettingsForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let days = match convening::read_setting_days(&form.notice_days) {
        Ok(d) => d,
        Err(key) => {
            let mut shown = Feedback::refused("notice_days", ctx.t(key));
            shown.meetings = Some(form);
            return residents_page(&state, ctx, community, actor, shown).await;
        }
    };
    let matters = form.matters();
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                notices::save_settings(conn, cid, me, (days, &matters), now)
            })
        })
        .await?;
    Ok(done(&community, "meetings"))
}
