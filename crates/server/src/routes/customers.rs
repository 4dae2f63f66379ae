//! `/customers`: profiles (masked contact details, reveal audited), the register lookup, the
//! 360 view and sales history, duplicates and merge, import and export, PIPL export and
//! erasure. Points, stored value and top-ups are in `stored_value.rs`.

use super::files::{self, ImportQuery};
use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, ClientIp, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::catalog::import::ImportReport;
use salepoint_store::customers::export::{self};
use salepoint_store::customers::import;
use salepoint_store::customers::lookup::{self, LookupKey, RegisterView};
use salepoint_store::customers::merge::{self, DuplicatePair, MergeInput};
use salepoint_store::customers::privacy::{self, EraseInput, PrivacyExport};
use salepoint_store::customers::profiles::{
    self, Contact, Customer, CustomerFilter, CustomerInput, CustomerKind,
};
use salepoint_store::customers::view::{self, CustomerSale, Overview};
use salepoint_store::page::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(lookup_member))
        .routes(routes!(duplicates))
        .routes(routes!(export_customers))
        .routes(routes!(import_customers))
        .routes(routes!(get_one, update))
        .routes(routes!(reveal))
        .routes(routes!(overview))
        .routes(routes!(sales))
        .routes(routes!(merge_into))
        .routes(routes!(privacy_export))
        .routes(routes!(erase))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// Name, pinyin or initials, member number, last 4 phone digits, card, company name.
    q: Option<String>,
    /// Tier code.
    tier: Option<String>,
    tag: Option<String>,
    segment: Option<String>,
    home_store_id: Option<Uuid>,
    kind: Option<CustomerKind>,
    /// `active` (default), `merged`, `erased` or `all`.
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn filter(
    q: Option<String>,
    tier: Option<String>,
    tag: Option<String>,
    segment: Option<String>,
    home_store_id: Option<Uuid>,
    kind: Option<CustomerKind>,
    status: Option<String>,
) -> ApiResult<CustomerFilter> {
    if let Some(s) = &status
        && !["active", "merged", "erased", "all"].contains(&s.as_str())
    {
        return Err(ApiError::field(
            "status",
            "invalid_value",
            "active, merged, erased or all",
        ));
    }
    Ok(CustomerFilter {
        q: q.filter(|t| !t.trim().is_empty()),
        tier: tier.filter(|t| !t.is_empty()),
        tag: tag.filter(|t| !t.is_empty()),
        segment: segment.filter(|t| !t.is_empty()),
        home_store_id: home_store_id.map(|s| s.to_string()),
        kind,
        status,
    })
}

/// Customers in the caller's scope (contact details masked without customers.contact).
#[utoipa::path(get, path = "/customers", tag = "customers", params(ListQuery), responses((status = 200, body = Page<Customer>)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Customer>>> {
    p.require(Permission::CustomersRead)?;
    let page = page(q.limit, q.cursor.as_deref())?;
    let f = filter(
        q.q,
        q.tier,
        q.tag,
        q.segment,
        q.home_store_id,
        q.kind,
        q.status,
    )?;
    Ok(Json(profiles::list(&s.db, &p, &f, &page).await?))
}

/// Creates a customer (the member number is generated when absent).
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = Customer), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<CustomerInput>,
) -> ApiResult<Response> {
    p.require(Permission::CustomersManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(profiles::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

#[derive(Deserialize, IntoParams)]
struct LookupQuery {
    /// A phone number as typed (normalised like the profile's).
    phone: Option<String>,
    member_no: Option<String>,
    /// A member card's code.
    card: Option<String>,
}

/// Finds a member at the register, chain-wide (sales.create or customers.read).
#[utoipa::path(get, path = "/customers/lookup", tag = "customers", params(LookupQuery),
    responses((status = 200, body = RegisterView), (status = 404, body = crate::error::Problem)))]
async fn lookup_member(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> ApiResult<Json<RegisterView>> {
    if !p.can(Permission::SalesCreate) {
        p.require(Permission::CustomersRead)?;
    }
    let key = LookupKey {
        phone: q.phone,
        member_no: q.member_no,
        card: q.card,
    };
    Ok(Json(lookup::lookup(&s.db, &p, &key).await?))
}

#[derive(Deserialize, IntoParams)]
struct DuplicatesQuery {
    /// At most this many pairs (default 50, at most 200).
    limit: Option<i64>,
}

/// Pairs of customers that are probably one person.
#[derive(Serialize, ToSchema)]
struct Duplicates {
    data: Vec<DuplicatePair>,
}

/// Likely duplicates: same name and birthday, or same name and last 4 phone digits.
#[utoipa::path(get, path = "/customers/duplicates", tag = "customers", params(DuplicatesQuery),
    responses((status = 200, body = Duplicates)))]
async fn duplicates(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<DuplicatesQuery>,
) -> ApiResult<Json<Duplicates>> {
    p.require(Permission::CustomersRead)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "invalid_value", "from 1 to 200"));
    }
    Ok(Json(Duplicates {
        data: merge::duplicates(&s.db, &p, limit as usize).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    format: Option<String>,
    /// Header language: `zh-CN` (default) or `en`.
    lang: Option<String>,
    q: Option<String>,
    tier: Option<String>,
    tag: Option<String>,
    segment: Option<String>,
    home_store_id: Option<Uuid>,
    kind: Option<CustomerKind>,
    status: Option<String>,
}

/// The customer list as a file with the import's columns (phones masked without
/// customers.contact); audited.
#[utoipa::path(get, path = "/customers/export", tag = "customers", params(ExportQuery),
    responses((status = 200, description = "the file", content_type = "text/csv")))]
async fn export_customers(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    p.require(Permission::CustomersRead)?;
    let format = files::format(q.format.as_deref())?;
    let lang = files::lang(q.lang.as_deref());
    let f = filter(
        q.q,
        q.tier,
        q.tag,
        q.segment,
        q.home_store_id,
        q.kind,
        q.status,
    )?;
    let rows = export::rows(&s.db, &p, &f, lang).await?;
    let bytes = export::render(&rows, format)?;
    Ok(files::download(bytes, format, "customers"))
}

/// Imports customers from a CSV (UTF-8 or GBK) or XLSX file sent as the request body; rows
/// update the customer with the same phone or member number.
#[utoipa::path(post, path = "/customers/import", tag = "customers", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 413, body = crate::error::Problem)))]
async fn import_customers(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Body,
) -> ApiResult<Json<ImportReport>> {
    p.require(Permission::CustomersManage)?;
    let bytes = files::upload(body).await?;
    let opts = q.options();
    Ok(Json(import::import(&s.db, &p, &bytes, opts).await?))
}

/// One customer in the caller's scope.
#[utoipa::path(get, path = "/customers/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Customer), (status = 404, body = crate::error::Problem)))]
async fn get_one(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Customer>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(profiles::get(&s.db, &p, &id.to_string()).await?))
}

/// Changes a customer (send its `version`; a masked phone or e-mail keeps the stored one).
#[utoipa::path(put, path = "/customers/{id}", tag = "customers", params(("id" = String, Path)), request_body = CustomerInput,
    responses((status = 200, body = Customer), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<CustomerInput>,
) -> ApiResult<Json<Customer>> {
    p.require(Permission::CustomersManage)?;
    Ok(Json(
        profiles::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// A customer's full phone and e-mail (customers.contact); every reveal is audited.
#[utoipa::path(post, path = "/customers/{id}/reveal", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Contact), (status = 404, body = crate::error::Problem)))]
async fn reveal(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Contact>> {
    p.require(Permission::CustomersContact)?;
    Ok(Json(
        profiles::reveal(&s.db, &p, &id.to_string(), Some(ip)).await?,
    ))
}

/// The 360 view: stats, favourite categories and stores, recent sales, ledgers, open tasks.
#[utoipa::path(get, path = "/customers/{id}/overview", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Overview), (status = 404, body = crate::error::Problem)))]
async fn overview(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Overview>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(view::overview(&s.db, &p, &id.to_string()).await?))
}

#[derive(Deserialize, IntoParams)]
struct SalesQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Every sale and return of the customer across stores (and of customers merged into it),
/// newest first.
#[utoipa::path(get, path = "/customers/{id}/sales", tag = "customers", params(("id" = String, Path), SalesQuery),
    responses((status = 200, body = Page<CustomerSale>)))]
async fn sales(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<SalesQuery>,
) -> ApiResult<Json<Page<CustomerSale>>> {
    p.require(Permission::CustomersRead)?;
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(view::sales(&s.db, &p, &id.to_string(), &page).await?))
}

/// Merges this customer into `into` (customers.admin): balances, points lots and tasks move;
/// this one becomes `merged`. Answers the survivor.
#[utoipa::path(post, path = "/customers/{id}/merge", tag = "customers", params(("id" = String, Path)), request_body = MergeInput,
    responses((status = 200, body = Customer), (status = 422, body = crate::error::Problem)))]
async fn merge_into(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<MergeInput>,
) -> ApiResult<Json<Customer>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(
        merge::merge(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// Everything held about the person, as JSON (customers.admin); audited.
#[utoipa::path(get, path = "/customers/{id}/privacy-export", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = PrivacyExport)))]
async fn privacy_export(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PrivacyExport>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(privacy::export(&s.db, &p, &id.to_string()).await?))
}

/// Anonymises the customer (customers.admin); 409 `open_balance` while a receivable or stored
/// value is open.
#[utoipa::path(post, path = "/customers/{id}/erase", tag = "customers", params(("id" = String, Path)), request_body = EraseInput,
    responses((status = 200, body = Customer), (status = 409, body = crate::error::Problem)))]
async fn erase(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<EraseInput>,
) -> ApiResult<Json<Customer>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(
        privacy::erase(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}
