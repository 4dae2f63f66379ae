//! `/shifts`: a cashier's shift at a register — open with a float, pay in and out, the X
//! report, close with counted amounts and the numbered Z report.

use super::page;
use crate::documents::{self, Format, Lang};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use salepoint_domain::roles::Permission;
use salepoint_store::orders::prints;
use salepoint_store::orders::shifts::{
    self, CashMove, CashMoveInput, CloseShiftInput, OpenShiftInput, Shift, ShiftFilter,
};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_shift, list_shifts))
        .routes(routes!(get_shift))
        .routes(routes!(cash_move))
        .routes(routes!(close_shift))
        .routes(routes!(report))
}

/// Opens a shift on a register (one open shift per register).
#[utoipa::path(post, path = "/shifts", tag = "shifts", request_body = OpenShiftInput,
    responses((status = 201, body = Shift), (status = 409, body = crate::error::Problem)))]
async fn open_shift(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: ApiJson<OpenShiftInput>,
) -> ApiResult<Response> {
    p.require(Permission::SalesCreate)?;
    let shift = shifts::open(&s.db, &p, body.get()?).await?;
    Ok((StatusCode::CREATED, Json(shift)).into_response())
}

#[derive(Deserialize, IntoParams)]
struct ShiftsQuery {
    register_id: Option<Uuid>,
    store_id: Option<Uuid>,
    /// `open` or `closed`.
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Shifts of the stores in scope, newest first.
#[utoipa::path(get, path = "/shifts", tag = "shifts", params(ShiftsQuery), responses((status = 200, body = Page<Shift>)))]
async fn list_shifts(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ShiftsQuery>,
) -> ApiResult<Json<Page<Shift>>> {
    p.require(Permission::SalesRead)?;
    let f = ShiftFilter {
        register_id: q.register_id.map(|x| x.to_string()),
        store_id: q.store_id.map(|x| x.to_string()),
        status: q.status.clone(),
    };
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(shifts::list(&s.db, &p, &f, &page).await?))
}

/// One shift with its expected (and, once closed, counted) amounts per tender.
#[utoipa::path(get, path = "/shifts/{id}", tag = "shifts", params(("id" = String, Path)), responses((status = 200, body = Shift)))]
async fn get_shift(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Shift>> {
    p.require(Permission::SalesRead)?;
    Ok(Json(shifts::get(&s.db, &p, &id.to_string()).await?))
}

/// Pays cash into or out of the drawer of an open shift, with a reason.
#[utoipa::path(post, path = "/shifts/{id}/cash-moves", tag = "shifts", params(("id" = String, Path)), request_body = CashMoveInput,
    responses((status = 201, body = CashMove), (status = 422, body = crate::error::Problem)))]
async fn cash_move(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<CashMoveInput>,
) -> ApiResult<Response> {
    p.require(Permission::SalesCreate)?;
    let m = shifts::cash_move(&s.db, &p, &id.to_string(), body.get()?).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// Closes a shift with the counted amount per tender; answers the shift with its Z number and
/// variances.
#[utoipa::path(post, path = "/shifts/{id}/close", tag = "shifts", params(("id" = String, Path)), request_body = CloseShiftInput,
    responses((status = 200, body = Shift), (status = 422, body = crate::error::Problem)))]
async fn close_shift(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<CloseShiftInput>,
) -> ApiResult<Json<Shift>> {
    p.require(Permission::SalesCreate)?;
    Ok(Json(
        shifts::close(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
struct ReportQuery {
    /// `json` (default), `html`, `pdf` or `escpos`.
    format: Option<String>,
    /// `zh-CN` (default) or `en`.
    lang: Option<String>,
}

/// The X report (open shift) or Z report (closed), as JSON or a printable slip.
#[utoipa::path(get, path = "/shifts/{id}/report", tag = "shifts", params(("id" = String, Path), ReportQuery),
    responses((status = 200, body = Shift)))]
async fn report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    p.require(Permission::SalesRead)?;
    let shift = shifts::get(&s.db, &p, &id.to_string()).await?;
    let format = match q.format.as_deref() {
        None | Some("json") => return Ok(Json(shift).into_response()),
        Some("html") => Format::Html,
        Some("pdf") => Format::Pdf,
        Some("escpos") => Format::Escpos,
        Some(_) => {
            return Err(crate::error::ApiError::field(
                "format",
                "invalid_value",
                "json, html, pdf or escpos",
            ));
        }
    };
    let ctx = prints::context(&s.db, &shift.register_id).await?;
    let moves = shifts::cash_moves(&s.db, &shift.id).await?;
    let currency = salepoint_store::org::company(&s.db, p.company_id)
        .await?
        .currency;
    let lang = Lang::parse(q.lang.as_deref());
    let doc = documents::shift_report(&shift, &moves, &ctx, &currency, lang);
    let name = match shift.z_number {
        Some(z) => format!("Z{z}"),
        None => "X".into(),
    };
    documents::render(&doc, format, lang, &name)
}
