//! `/products`, `/scan/{code}`: products, search, scanning, import and export.

use super::files::{self, ImportQuery};
use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::catalog::ProductStatus;
use salepoint_domain::roles::Permission;
use salepoint_store::Principal;
use salepoint_store::catalog::categories;
use salepoint_store::catalog::export::{self};
use salepoint_store::catalog::import::{self, ImportReport};
use salepoint_store::catalog::products::{self, Product, ProductFilter, ProductInput};
use salepoint_store::catalog::search::{self, ScanResult};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(scan))
        .routes(routes!(export_products))
        .routes(routes!(import_products))
        .routes(routes!(import_errors))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// Search text: barcode, SKU, name, pinyin initials or full pinyin.
    q: Option<String>,
    /// A category and its subcategories.
    category_id: Option<Uuid>,
    brand: Option<String>,
    status: Option<ProductStatus>,
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn filter(
    s: &AppState,
    p: &Principal,
    category: Option<Uuid>,
    brand: Option<String>,
    status: Option<ProductStatus>,
) -> ApiResult<ProductFilter> {
    let categories = match category {
        Some(c) => Some(categories::with_descendants(&s.db, p, &c.to_string()).await?),
        None => None,
    };
    Ok(ProductFilter {
        categories,
        brand: brand.filter(|b| !b.is_empty()),
        status,
        text: None,
    })
}

/// Products: ranked search with `q`, else cursor pages in id order.
#[utoipa::path(get, path = "/products", tag = "catalog", params(ListQuery), responses((status = 200, body = Page<Product>)))]
async fn list_products(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Product>>> {
    p.require(Permission::CatalogRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    let f = filter(&s, &p, q.category_id, q.brand, q.status).await?;
    match q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            if text.chars().count() > 100 {
                return Err(ApiError::field("q", "too_long", "at most 100 characters"));
            }
            let data = search::search(&s.db, &p, text, &f, pg.limit).await?;
            Ok(Json(Page {
                data,
                next_cursor: None,
            }))
        }
        None => Ok(Json(products::list(&s.db, &p, &f, &pg).await?)),
    }
}

/// Creates a product.
#[utoipa::path(post, path = "/products", tag = "catalog", request_body = ProductInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = Product), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_product(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<ProductInput>,
) -> ApiResult<Response> {
    p.require(Permission::CatalogManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(products::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// One product.
#[utoipa::path(get, path = "/products/{id}", tag = "catalog", params(("id" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = crate::error::Problem)))]
async fn get_product(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Product>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(products::get(&s.db, &p, &id.to_string()).await?))
}

/// Replaces a product (send its `version`); reaches the registers at their next sync.
#[utoipa::path(put, path = "/products/{id}", tag = "catalog", params(("id" = String, Path)), request_body = ProductInput,
    responses((status = 200, body = Product), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn update_product(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<ProductInput>,
) -> ApiResult<Json<Product>> {
    p.require(Permission::CatalogManage)?;
    Ok(Json(
        products::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// Resolves a scanned code: a product barcode or a scale label.
#[utoipa::path(get, path = "/scan/{code}", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = ScanResult), (status = 404, body = crate::error::Problem)))]
async fn scan(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<ScanResult>> {
    p.require(Permission::CatalogRead)?;
    // No label is that long or holds control characters (a NUL would fail the statement of
    // every scan looked up with this one).
    if code.len() > 64 || code.chars().any(char::is_control) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(search::scan(&s.db, &s.scans, &p, &code).await?))
}

#[derive(Deserialize, IntoParams)]
struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    format: Option<String>,
    /// Header language: `zh-CN` (default) or `en`.
    lang: Option<String>,
    category_id: Option<Uuid>,
    brand: Option<String>,
    status: Option<ProductStatus>,
    /// Search text, as in the list.
    q: Option<String>,
}

/// The product list as a file, with the import's columns.
#[utoipa::path(get, path = "/products/export", tag = "catalog", params(ExportQuery),
    responses((status = 200, description = "the file", content_type = "text/csv")))]
async fn export_products(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    p.require(Permission::CatalogRead)?;
    let format = files::format(q.format.as_deref())?;
    let lang = files::lang(q.lang.as_deref());
    let mut f = filter(&s, &p, q.category_id, q.brand, q.status).await?;
    f.text = q.q.filter(|t| !t.trim().is_empty());
    let rows = export::rows(&s.db, &p, &f, lang).await?;
    let bytes = export::render(&rows, format)?;
    Ok(files::download(bytes, format, "products"))
}

/// Imports products from a CSV (UTF-8 or GBK) or XLSX file sent as the request body.
#[utoipa::path(post, path = "/products/import", tag = "catalog", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 413, body = crate::error::Problem)))]
async fn import_products(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Body,
) -> ApiResult<Json<ImportReport>> {
    p.require(Permission::CatalogManage)?;
    let bytes = files::upload(body).await?;
    let opts = q.options();
    Ok(Json(import::import(&s.db, &p, &bytes, opts).await?))
}

/// The error file of an import with bad rows: the same file sent as the body is checked (as a
/// dry run: nothing changes) and its bad rows come back as CSV, each with one more column that
/// says what is wrong (`错误 / error`), to fix and import again (the reader skips that column).
/// Only the header when no row is bad; a file that cannot be read at all is a 422.
#[utoipa::path(post, path = "/products/import/errors", tag = "catalog",
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, description = "the bad rows", content_type = "text/csv"),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn import_errors(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: Body,
) -> ApiResult<Response> {
    p.require(Permission::CatalogManage)?;
    let bytes = files::upload(body).await?;
    let opts = import::ImportOptions {
        dry_run: true,
        skip_invalid: true,
    };
    let report = import::import(&s.db, &p, &bytes, opts).await?;
    let Some(csv) = import::error_file(&bytes, &report) else {
        let message = report
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "the file cannot be read".into());
        return Err(ApiError::field("file", "unreadable", &message));
    };
    Ok(files::download(
        csv,
        salepoint_store::catalog::export::Format::Csv,
        "products-errors",
    ))
}
