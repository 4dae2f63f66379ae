//! `/sales`, `/returns`: selling and taking returns at a register, reading sales back, and
//! their receipts. Sales and returns are idempotent by their client-made id (and by
//! `Idempotency-Key`): a replay answers the original, a different body under the same id 422.

use super::page;
use crate::documents::{self, Format, Lang};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use salepoint_domain::roles::Permission;
use salepoint_store::Principal;
use salepoint_store::orders::read::{self, SaleFilter};
use salepoint_store::orders::writer::{SaleRequest, Work};
use salepoint_store::orders::{Outcome, ReturnInput, Sale, SaleInput, prints, returns};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_sale, list_sales))
        .routes(routes!(get_sale))
        .routes(routes!(receipt))
        .routes(routes!(create_return))
}

/// The stored id of the caller's key (keys are per caller, like every Idempotency-Key).
fn scoped_key(p: &Principal, key: IdempotencyKey) -> Option<String> {
    key.0.map(|k| format!("{}:{k}", p.idempotency_scope()))
}

fn replayed(sale: Sale) -> Response {
    let mut res = (StatusCode::OK, Json(sale)).into_response();
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}

/// Answers a replay of a return before any checking: a return that was accepted stays
/// accepted even if what is left to return changed since.
async fn replay_if_known(
    s: &AppState,
    p: &Principal,
    id: &str,
    key: Option<&str>,
    fingerprint: &str,
) -> ApiResult<Option<Response>> {
    match read::find_request(&s.db, p, id, key).await? {
        None => Ok(None),
        Some((sale_id, hash)) if hash == fingerprint => {
            Ok(Some(replayed(read::get(&s.db, p, &sale_id).await?)))
        }
        Some(_) => Err(ApiError::IdempotencyKeyReused),
    }
}

async fn write(s: &AppState, p: &Principal, work: Work) -> ApiResult<Response> {
    match s.sales.submit(work).await? {
        Outcome::Created(sale) => Ok((StatusCode::CREATED, Json(*sale)).into_response()),
        Outcome::Replay { sale_id } => Ok(replayed(read::get(&s.db, p, &sale_id).await?)),
        Outcome::Mismatch => Err(ApiError::IdempotencyKeyReused),
    }
}

/// Records a sale from a register: priced again by the server, written with its stock
/// movements, receipt number and live event in one transaction (docs/register.md).
#[utoipa::path(post, path = "/sales", tag = "sales", request_body = SaleInput,
    responses((status = 201, body = Sale), (status = 200, description = "a replay of the same sale", body = Sale),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_sale(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<SaleInput>,
) -> ApiResult<Response> {
    p.require(Permission::SalesCreate)?;
    let input = body.get()?.clone();
    let key = scoped_key(&p, key);
    // The writer answers replays, then prices the sale with the others of its batch.
    let work = Work::Sale(Box::new(SaleRequest {
        principal: p.clone(),
        input,
        request_hash: body.fingerprint.clone(),
        idem_key: key,
    }));
    write(&s, &p, work).await
}

/// Records a return against a sale (or, with approval, without a receipt).
#[utoipa::path(post, path = "/returns", tag = "sales", request_body = ReturnInput,
    responses((status = 201, body = Sale), (status = 200, description = "a replay of the same return", body = Sale),
        (status = 422, body = crate::error::Problem)))]
async fn create_return(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<ReturnInput>,
) -> ApiResult<Response> {
    p.require(Permission::SalesCreate)?;
    let input = body.get()?;
    let key = scoped_key(&p, key);
    if let Some(r) = replay_if_known(&s, &p, &input.id, key.as_deref(), &body.fingerprint).await? {
        return Ok(r);
    }
    let prepared = returns::prepare(&s.db, &p, input, &body.fingerprint, key).await?;
    write(&s, &p, Work::Priced(Box::new(prepared))).await
}

#[derive(Deserialize, IntoParams)]
struct SalesQuery {
    store_id: Option<Uuid>,
    register_id: Option<Uuid>,
    cashier_id: Option<Uuid>,
    shift_id: Option<Uuid>,
    /// `sale` or `return`.
    kind: Option<String>,
    /// RFC 3339, inclusive.
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    receipt_no: Option<String>,
    /// Only flagged sales (negative stock, price changed, late shift).
    flagged: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn stored_time(field: &str, v: Option<&String>) -> ApiResult<Option<String>> {
    v.map(|t| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map(salepoint_store::clock::format)
            .map_err(|_| ApiError::field(field, "invalid_format", "an RFC 3339 time"))
    })
    .transpose()
}

/// Sales and returns of the stores in scope, newest first.
#[utoipa::path(get, path = "/sales", tag = "sales", params(SalesQuery), responses((status = 200, body = Page<Sale>)))]
async fn list_sales(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<SalesQuery>,
) -> ApiResult<Json<Page<Sale>>> {
    p.require(Permission::SalesRead)?;
    if let Some(k) = &q.kind
        && k != "sale"
        && k != "return"
    {
        return Err(ApiError::field("kind", "invalid_value", "sale or return"));
    }
    let filter = SaleFilter {
        store_id: q.store_id.map(|x| x.to_string()),
        register_id: q.register_id.map(|x| x.to_string()),
        cashier_id: q.cashier_id.map(|x| x.to_string()),
        shift_id: q.shift_id.map(|x| x.to_string()),
        kind: q.kind.clone(),
        from: stored_time("from", q.from.as_ref())?,
        to: stored_time("to", q.to.as_ref())?,
        receipt_no: q.receipt_no.clone().filter(|r| !r.trim().is_empty()),
        flagged: q.flagged.unwrap_or(false),
    };
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(read::list(&s.db, &p, &filter, &page).await?))
}

/// One sale or return.
#[utoipa::path(get, path = "/sales/{id}", tag = "sales", params(("id" = String, Path)), responses((status = 200, body = Sale)))]
async fn get_sale(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Sale>> {
    p.require(Permission::SalesRead)?;
    Ok(Json(read::get(&s.db, &p, &id.to_string()).await?))
}

#[derive(Deserialize, IntoParams)]
struct ReceiptQuery {
    /// `html` (default), `pdf` or `escpos`.
    format: Option<Format>,
    /// Mark as a copy (any PDF or ESC/POS print after the first is one anyway).
    copy: Option<bool>,
    /// `zh-CN` (default) or `en`.
    lang: Option<String>,
}

/// The 80 mm receipt of a sale or return as a printable page, a PDF or ESC/POS bytes. Every
/// PDF or ESC/POS print after the first is marked as a copy (重印); the HTML page is a view and
/// is marked when `copy=true`.
#[utoipa::path(get, path = "/sales/{id}/receipt", tag = "sales", params(("id" = String, Path), ReceiptQuery),
    responses((status = 200, description = "text/html, application/pdf or ESC/POS bytes")))]
async fn receipt(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
) -> ApiResult<Response> {
    p.require(Permission::SalesRead)?;
    let sale = read::get(&s.db, &p, &id.to_string()).await?;
    let ctx = prints::context(&s.db, &sale.register_id).await?;
    let format = q.format.unwrap_or(Format::Html);
    // PDF and ESC/POS are prints: each is logged and any after the first is a copy. An HTML
    // page is only a view (the back office looks at receipts); it says copy when asked.
    let before = match format {
        Format::Html => 0,
        Format::Pdf | Format::Escpos => prints::record_print(&s.db, &sale.id, &p.id).await?,
    };
    let lang = Lang::parse(q.lang.as_deref());
    let member = match &sale.customer_id {
        Some(c) => Some(salepoint_store::customers::history::for_sale(&s.db, &sale.id, c).await?),
        None => None,
    };
    let doc = documents::receipt(
        &sale,
        member.as_ref(),
        &ctx,
        lang,
        q.copy.unwrap_or(false) || before > 0,
    );
    documents::render(&doc, format, lang, &sale.receipt_no)
}
