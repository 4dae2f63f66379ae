//! `/customer-reports`: the membership report (new and returning buyers, repeat rate, member
//! share of sales, points and stored-value liability, tier spread); and
//! `/member-tiers/review`, which re-tiers every member from their spend (kept here, beside
//! the report, so the tier settings' routes stay with the profile module).

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use salepoint_domain::roles::Permission;
use salepoint_store::clock;
use salepoint_store::customers::reports::{self, CustomerReport, ReportQuery};
use salepoint_store::customers::tier_review::{self, ReviewResult};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(review))
}

#[derive(Deserialize, IntoParams)]
struct ReportParams {
    /// RFC 3339 time or `YYYY-MM-DD` (UTC midnight), inclusive; default 30 days before `to`.
    from: Option<String>,
    /// RFC 3339 time or `YYYY-MM-DD` (UTC midnight), exclusive; default now.
    to: Option<String>,
    /// One store (must be in scope); default every store in scope.
    store_id: Option<Uuid>,
}

/// An instant from a query value.
fn instant(field: &str, v: &str) -> ApiResult<OffsetDateTime> {
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(v, day) {
        return Ok(d.midnight().assume_utc());
    }
    OffsetDateTime::parse(v, &Rfc3339)
        .map_err(|_| ApiError::field(field, "invalid_format", "an RFC 3339 time or YYYY-MM-DD"))
}

/// The membership report of a period.
#[utoipa::path(get, path = "/customer-reports", tag = "customers", params(ReportParams),
    responses((status = 200, body = CustomerReport)))]
async fn report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult<Json<CustomerReport>> {
    p.require(Permission::CustomersRead)?;
    let to = match &q.to {
        Some(t) => instant("to", t)?,
        None => OffsetDateTime::now_utc(),
    };
    let from = match &q.from {
        Some(f) => instant("from", f)?,
        None => to - Duration::days(30),
    };
    if from >= to {
        return Err(ApiError::field("from", "out_of_range", "before to"));
    }
    let r = ReportQuery {
        from: clock::format(from),
        to: clock::format(to),
        store_id: q.store_id.map(|id| id.to_string()),
    };
    Ok(Json(reports::report(&s.db, &p, &r).await?))
}

/// Re-tiers every active member from their spend over the programme's window (upgrades and
/// downgrades).
#[utoipa::path(post, path = "/member-tiers/review", tag = "customers",
    responses((status = 200, body = ReviewResult)))]
async fn review(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<ReviewResult>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(tier_review::review(&s.db, &p).await?))
}
