//! `/reports`: sales reports by any one or two dimensions with comparisons, their export, and
//! the live dashboard — read from the analytics rollups (docs/analytics.md).

use super::files;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::analytics::dashboard::{self, Dashboard};
use salepoint_store::analytics::reports::{self, Limits, RawQuery, SalesQuery, SalesReport};
use salepoint_store::analytics::sales_export;
use salepoint_store::catalog::export::Lang;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sales_report))
        .routes(routes!(export_sales_report))
        .routes(routes!(dashboard))
}

#[derive(Deserialize, IntoParams)]
struct ReportQuery {
    /// First business day, `YYYY-MM-DD`.
    from: Option<String>,
    /// Last business day (inclusive).
    to: Option<String>,
    /// One or two of store, region, channel, category, brand, product, cashier, register,
    /// tier, business_day, week, month, hour, weekday, tender (comma-separated).
    group: Option<String>,
    /// Store ids (comma-separated).
    stores: Option<String>,
    /// Region ids (comma-separated).
    regions: Option<String>,
    /// Channel ids (comma-separated): only sales of these channels.
    channels: Option<String>,
    /// revenue, net, quantity, orders, avg_basket, discount, cost, margin, returns, return_rate.
    measures: Option<String>,
    /// `previous` or `last_year`.
    compare: Option<String>,
    /// Keep the first N rows (after `order`).
    top: Option<i64>,
    /// A measure; `-` first for descending.
    order: Option<String>,
    /// Export only: `csv` or `xlsx`.
    format: Option<String>,
    /// Export only: `zh-CN` (default) or `en` headers.
    lang: Option<String>,
}

impl ReportQuery {
    fn parsed(&self) -> ApiResult<SalesQuery> {
        Ok(SalesQuery::parse(&RawQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            group: self.group.clone(),
            stores: self.stores.clone(),
            regions: self.regions.clone(),
            channels: self.channels.clone(),
            measures: self.measures.clone(),
            compare: self.compare.clone(),
            top: self.top,
            order: self.order.clone(),
        })?)
    }
}

/// Sales figures for a period grouped by one or two dimensions, optionally with the previous
/// period or the same period last year. Stores outside the caller's scope are left out.
#[utoipa::path(get, path = "/reports/sales", tag = "reports", params(ReportQuery),
    responses((status = 200, body = SalesReport), (status = 422, body = crate::error::Problem)))]
async fn sales_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<SalesReport>> {
    p.require(Permission::ReportsRead)?;
    let q = q.parsed()?;
    Ok(Json(reports::sales(&s.db, &p, &q).await?))
}

/// The same report as a CSV or XLSX file (the same rows and figures; money in major units),
/// up to 1,000,000 rows.
#[utoipa::path(get, path = "/reports/sales/export", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "the file", content_type = "text/csv")))]
async fn export_sales_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    p.require(Permission::ReportsRead)?;
    let format = files::format(q.format.as_deref())?;
    let lang = files::lang(q.lang.as_deref());
    let parsed = q.parsed()?;
    let report = reports::compute(&s.db, &p, &parsed, Limits::EXPORT).await?;
    // Writing a big file is CPU work: off the async threads.
    let bytes = tokio::task::spawn_blocking(move || {
        sales_export::render(&report, format, lang == Lang::Zh)
    })
    .await
    .map_err(|e| salepoint_store::error::StoreError::Internal(e.to_string()))??;
    Ok(files::download(bytes, format, "sales-report"))
}

#[derive(Deserialize, IntoParams)]
struct DashboardQuery {
    store_id: Option<Uuid>,
    region_id: Option<Uuid>,
}

/// Today (each store's business day) for the stores in scope: revenue, orders, basket,
/// margin, returns, payment mix, the hourly curve against last week, top products and
/// categories, stores ranked (and regions when they span several, a single store's registers),
/// low-stock alerts and the rollup lag.
#[utoipa::path(get, path = "/reports/dashboard", tag = "reports", params(DashboardQuery),
    responses((status = 200, body = Dashboard)))]
async fn dashboard(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<Dashboard>> {
    p.require(Permission::ReportsRead)?;
    Ok(Json(
        dashboard::dashboard(
            &s.db,
            &p,
            q.store_id.map(|x| x.to_string()),
            q.region_id.map(|x| x.to_string()),
        )
        .await?,
    ))
}
