//! The route table, on the top floor beside `startup`: every URL the site answers, in one
//! list that both registers the handlers and is read by the authorization test (a route
//! missing there fails it). It is the one file that names features' handlers.

use actix_web::{web, HttpResponse};

use crate::accounts::handlers as accounts;
use crate::agenda::handlers as agenda;
use crate::agenda::notice_pages as notices;
use crate::ballots::{decision, hall, handlers as ballots, receipt, register};
use crate::comments::handlers as comments;
use crate::comments::host::OnThread;
use crate::comments::model::Target;
use crate::communities::{admin, handlers as communities, meetings};
use crate::disclosures::{handlers as disclosures, opendata};
use crate::error::AppError;
use crate::inquiries::handlers as inquiries;
use crate::projects::{handlers as projects, spending};
use crate::roster::handlers as roster;
use crate::roster::import_handlers as roster_import;
use crate::transparency::handlers as log;
use crate::web::AppState;
use crate::work_orders::handlers as orders;
use crate::work_orders::upward_handlers as upward;

macro_rules! route_table {
    ($( $method:ident $path:literal => $handler:path ),* $(,)?) => {
        /// (method, path pattern) of every route, in registration order.
        pub const ROUTES: &[(&str, &str)] = &[ $( (stringify!($method), $path) ),* ];

        pub fn configure(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, web::$method().to($handler)); )*
        }
    };
}

route_table! {
    get "/healthz" => healthz,
    get "/log" => log::log_page,
    get "/log/checkpoint" => log::checkpoint_text,
    get "/log/key" => log::key_text,
    get "/log/tile/entries/{index:.*}" => log::entry_bundle,
    get "/log/tile/{level}/{index:.*}" => log::tile,
    get "/log/proof/inclusion" => log::inclusion,
    get "/log/proof/consistency" => log::consistency,
    get "/log/records" => log::records_json,
    get "/log/entries/{idx}" => log::entry_page,
    get "/static/style.css" => style_css,
    get "/static/read-aloud.js" => read_aloud_js,
    get "/favicon.ico" => favicon,
    get "/" => communities::site_home,
    get "/signup" => accounts::signup_form,
    post "/signup" => accounts::signup,
    get "/signin" => accounts::signin_form,
    post "/signin" => accounts::signin,
    post "/signout" => accounts::signout,
    post "/lang" => accounts::set_language,
    post "/elder" => accounts::set_elder,
    get "/profile" => accounts::profile,
    post "/profile/password" => accounts::change_password,
    post "/profile/sessions/{id}/end" => accounts::end_session,
    get "/inbox" => accounts::inbox,
    get "/admin" => admin::admin,
    post "/admin/communities" => admin::create_community,
    post "/admin/staff" => admin::appoint_staff,
    get "/admin/holidays" => crate::township::holidays::holidays,
    post "/admin/holidays" => crate::township::holidays::add,
    post "/admin/holidays/remove" => crate::township::holidays::remove,
    get "/c/{slug}" => communities::community_home,
    get "/t/{slug}" => crate::township::handlers::desk,
    post "/t/{slug}/limit" => crate::township::handlers::set_limit,
    get "/c/{slug}/join" => communities::join_form,
    post "/c/{slug}/join" => communities::join_submit,
    get "/c/{slug}/residents" => communities::residents,
    post "/c/{slug}/requests/{id}/approve" => communities::approve,
    post "/c/{slug}/requests/{id}/decline" => communities::decline,
    post "/c/{slug}/members/{id}/link" => communities::link_member,
    post "/c/{slug}/roles" => communities::appoint,
    post "/c/{slug}/roles/revoke" => communities::revoke,
    post "/c/{slug}/grids" => communities::add_grid,
    post "/c/{slug}/settings" => communities::save_settings,
    post "/c/{slug}/settings/meetings" => meetings::save_meeting_settings,
    post "/c/{slug}/settings/representatives" => crate::communities::representatives::save_reps_settings,
    get "/c/{slug}/roster" => roster::list,
    get "/c/{slug}/roster.csv" => roster::export_csv,
    post "/c/{slug}/roster/persons" => roster::add_person,
    get "/c/{slug}/roster/persons/{id}" => roster::show_person,
    post "/c/{slug}/roster/persons/{id}" => roster::edit_person,
    post "/c/{slug}/roster/persons/{id}/status" => roster::change_status,
    post "/c/{slug}/roster/persons/{id}/link" => roster::link,
    post "/c/{slug}/roster/households" => roster::add_household,
    post "/c/{slug}/roster/households/{id}" => roster::edit_household,
    get "/c/{slug}/roster/import" => roster_import::form,
    post "/c/{slug}/roster/import" => roster_import::preview,
    post "/c/{slug}/roster/import/confirm" => roster_import::confirm,
    get "/c/{slug}/log" => communities::action_log,
    get "/c/{slug}/supervision" => crate::supervision::dashboard,
    get "/c/{slug}/disclosures" => disclosures::board,
    get "/c/{slug}/disclosures/new" => disclosures::new_form,
    post "/c/{slug}/disclosures" => disclosures::publish,
    get "/c/{slug}/disclosures/schedule" => disclosures::schedule,
    post "/c/{slug}/disclosures/schedule" => disclosures::set_schedule,
    get "/c/{slug}/disclosures.csv" => opendata::disclosures_csv,
    get "/c/{slug}/disclosures.json" => opendata::disclosures_json,
    get "/c/{slug}/disclosures.atom" => opendata::disclosures_atom,
    get "/c/{slug}/ledger.csv" => opendata::ledger_csv,
    get "/c/{slug}/ledger.json" => opendata::ledger_json,
    get "/c/{slug}/decisions.csv" => opendata::decisions_csv,
    get "/c/{slug}/decisions.json" => opendata::decisions_json,
    get "/c/{slug}/decisions.atom" => opendata::decisions_atom,
    get "/c/{slug}/orders.csv" => opendata::orders_csv,
    get "/c/{slug}/orders.json" => opendata::orders_json,
    get "/c/{slug}/items.csv" => crate::agenda::plans::items_csv,
    get "/c/{slug}/items.json" => crate::agenda::plans::items_json,
    get "/c/{slug}/disclosures/v/{vid}" => disclosures::show_old,
    get "/c/{slug}/disclosures/{id}" => disclosures::show,
    get "/c/{slug}/disclosures/{id}/ledger.csv" => disclosures::ledger_csv,
    get "/c/{slug}/disclosures/{id}/correct" => disclosures::correct_form,
    post "/c/{slug}/disclosures/{id}/correct" => disclosures::correct,
    post "/c/{slug}/disclosures/{id}/comments" => comments::post_on_disclosure::<ThreadPages>,
    get "/files/{name}" => crate::disclosures::files::serve,
    get "/c/{slug}/inquiries" => inquiries::list,
    post "/c/{slug}/inquiries" => inquiries::ask,
    get "/c/{slug}/inquiries/{id}" => inquiries::show,
    get "/c/{slug}/inquiries/project/{id}" => inquiries::project_page,
    post "/c/{slug}/inquiries/{id}/answer" => inquiries::answer,
    post "/c/{slug}/inquiries/{id}/order" => inquiries::make_order,
    get "/c/{slug}/items" => agenda::list,
    get "/c/{slug}/items/new" => agenda::new_form,
    post "/c/{slug}/items" => agenda::create,
    get "/c/{slug}/items/{id}" => agenda::show,
    post "/c/{slug}/items/{id}/support" => agenda::support,
    post "/c/{slug}/items/{id}/unsupport" => agenda::unsupport,
    post "/c/{slug}/items/{id}/stage" => agenda::change_stage,
    post "/c/{slug}/items/{id}/steps" => agenda::record_step,
    post "/c/{slug}/items/{id}/result" => agenda::publish_result,
    post "/c/{slug}/items/{id}/plan" => crate::agenda::plans::set,
    get "/c/{slug}/items/{id}/notice" => notices::new_form,
    post "/c/{slug}/items/{id}/notice" => notices::publish,
    get "/c/{slug}/notices/{id}" => notices::show,
    post "/c/{slug}/items/{id}/follow" => agenda::follow,
    post "/c/{slug}/items/{id}/unfollow" => agenda::unfollow,
    post "/c/{slug}/items/{id}/comments" => comments::post::<ThreadPages>,
    post "/c/{slug}/orders/{id}/comments" => comments::post_on_order::<ThreadPages>,
    get "/c/{slug}/comments/{id}/history" => comments::history,
    post "/c/{slug}/comments/{id}/edit" => comments::edit::<ThreadPages>,
    post "/c/{slug}/comments/{id}/flag" => comments::flag::<ThreadPages>,
    post "/c/{slug}/comments/{id}/hide" => comments::hide::<ThreadPages>,
    post "/c/{slug}/comments/{id}/unhide" => comments::unhide::<ThreadPages>,
    get "/c/{slug}/feed.atom" => agenda::feed,
    get "/c/{slug}/items/{id}/ballots/new" => ballots::new_form,
    post "/c/{slug}/items/{id}/ballots" => ballots::open,
    get "/c/{slug}/ballots" => decision::list,
    get "/c/{slug}/ballots/{id}" => ballots::show,
    post "/c/{slug}/ballots/{id}/vote" => ballots::vote,
    post "/c/{slug}/ballots/{id}/receipt" => receipt::keep,
    get "/c/{slug}/ballots/{id}/electorate" => ballots::electorate,
    get "/c/{slug}/ballots/{id}/register" => register::register,
    post "/c/{slug}/ballots/{id}/register" => register::sign_in,
    get "/c/{slug}/ballots/{id}/register/print" => register::print,
    post "/c/{slug}/ballots/{id}/results" => hall::record_result,
    post "/c/{slug}/ballots/{id}/results/{rid}/confirm" => hall::confirm_result,
    post "/c/{slug}/ballots/{id}/results/{rid}/reject" => hall::reject_result,
    get "/c/{slug}/decisions/{id}" => decision::show,
    get "/c/{slug}/decisions/{id}/board.csv" => decision::csv,
    get "/c/{slug}/decisions/{id}/decision.json" => decision::json,
    post "/c/{slug}/decisions/{id}/countersign" => decision::countersign,
    post "/c/{slug}/decisions/{id}/correct" => hall::correct,
    post "/c/{slug}/decisions/{id}/orders" => orders::from_decision,
    get "/c/{slug}/orders" => orders::list,
    get "/c/{slug}/orders/new" => orders::new_form,
    get "/c/{slug}/orders/limits" => crate::work_orders::limits::page,
    post "/c/{slug}/orders/limits" => crate::work_orders::limits::save,
    post "/c/{slug}/orders" => orders::create,
    get "/c/{slug}/orders/{id}" => orders::show,
    post "/c/{slug}/orders/{id}/move" => orders::move_order,
    post "/c/{slug}/orders/{id}/assign" => orders::assign,
    post "/c/{slug}/orders/{id}/rate" => orders::rate,
    post "/c/{slug}/orders/{id}/send-up" => upward::send_up,
    post "/c/{slug}/orders/{id}/take" => upward::take,
    post "/c/{slug}/orders/{id}/send-back" => upward::send_back,
    get "/c/{slug}/projects" => projects::list,
    get "/c/{slug}/projects.csv" => crate::projects::opendata::projects_csv,
    get "/c/{slug}/projects.json" => crate::projects::opendata::projects_json,
    get "/c/{slug}/projects/new" => projects::new_form,
    post "/c/{slug}/projects" => projects::create,
    post "/c/{slug}/projects/{code}/disbursements" => spending::pay,
    post "/c/{slug}/projects/{code}/orders" => projects::attach_order,
    post "/c/{slug}/projects/{code}/update" => projects::update,
    get "/c/{slug}/disbursements.csv" => crate::projects::opendata::disbursements_csv,
    get "/c/{slug}/disbursements.json" => crate::projects::opendata::disbursements_json,
    get "/c/{slug}/disbursements/{id}" => spending::disbursement,
    post "/c/{slug}/disbursements/{id}/review" => spending::review_voucher,
    post "/c/{slug}/oversight" => crate::supervision::set_oversight,
    get "/c/{slug}/powers" => spending::powers,
    post "/c/{slug}/powers" => spending::add_power,
    get "/p/{code}" => projects::show,
    get "/p/{code}/notice" => projects::notice,
    get "/p/{code}/qr.svg" => projects::qr_svg,
    get "/p/{code}/qr.png" => projects::qr_png,
    get "/c/{slug}/echo" => orders::echo,
    get "/c/{slug}/bulletin" => crate::work_orders::bulletin::page,
    get "/c/{slug}/bulletin.csv" => crate::work_orders::bulletin::csv,
    get "/c/{slug}/bulletin/floor" => crate::work_orders::publish_bulletin::floor_form,
    post "/c/{slug}/bulletin/floor" => crate::work_orders::publish_bulletin::set_floor,
    get "/c/{slug}/followups" => crate::work_orders::followups::page,
    post "/c/{slug}/followups/{pick}" => crate::work_orders::followups::record,
    get "/c/{slug}/api-keys" => crate::open311::handlers::keys,
    post "/c/{slug}/api-keys" => crate::open311::handlers::create_key,
    post "/c/{slug}/api-keys/{id}/revoke" => crate::open311::handlers::revoke_key,
    get "/open311/v2/services.json" => crate::open311::handlers::services,
    get "/open311/v2/requests.json" => crate::open311::handlers::requests,
    post "/open311/v2/requests.json" => crate::open311::handlers::create_request,
    get "/open311/v2/requests/{id}.json" => crate::open311::handlers::request,
    get "/open311/v2/services.xml" => crate::open311::handlers::services_xml,
    get "/open311/v2/requests.xml" => crate::open311::handlers::requests_xml,
    post "/open311/v2/requests.xml" => crate::open311::handlers::create_request_xml,
    get "/open311/v2/requests/{id}.xml" => crate::open311::handlers::request_xml,
    get "/photos/{name}" => agenda::photo,
}

/// 200 once the database answers a query.
/// The pages that carry a comment thread, handed to the comment handlers so that a refused
/// comment shows its host page again without the comments feature naming a host's handlers.
pub struct ThreadPages;

impl crate::comments::host::Pages for ThreadPages {
    async fn refuse(
        state: &AppState,
        on: OnThread,
        message: String,
        kept: String,
    ) -> Result<HttpResponse, AppError> {
        let OnThread {
            ctx,
            community,
            actor,
            target,
        } = on;
        match target {
            Target::Item(id) => {
                let on = agenda::OnItem {
                    ctx,
                    community,
                    actor,
                    id,
                };
                on.refuse(state, "comment", message, kept).await
            }
            Target::Order(id) => {
                orders::refuse_comment(state, ctx, community, actor, id, message, kept).await
            }
            Target::Disclosure(id) => {
                disclosures::refuse_comment(state, ctx, community, actor, id, message, kept).await
            }
        }
    }
}

async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ok"))
}

const STYLE: &str = include_str!("../static/style.css");

async fn style_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(STYLE)
}

const READ_ALOUD: &str = include_str!("../static/read-aloud.js");

async fn read_aloud_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(READ_ALOUD)
}

/// The site's icon, an SVG, also at /favicon.ico where browsers look without being told.
const FAVICON: &str = include_str!("../static/favicon.svg");

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("cache-control", "public, max-age=86400"))
        .body(FAVICON)
}

pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
