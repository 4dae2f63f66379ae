//! `/reports/inventory`: stock value, turnover, days of cover, sell-through and dead stock for
//! the locations in scope, and their export (docs/analytics.md, "Inventory reports").

use super::files;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::analytics::stock_reports::{self, RawStockQuery, StockQuery, StockReport};
use salepoint_store::catalog::export::{self, Lang};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inventory_report))
        .routes(routes!(export_inventory_report))
}

/// Every parameter as text, so that a bad one is a 422 naming it.
#[derive(Deserialize, IntoParams)]
struct InventoryReportQuery {
    /// `value`, `turnover`, `cover`, `sell_through` or `dead_stock`.
    kind: Option<String>,
    /// `location` (default), `category`, `product` or `location,category`; not with dead_stock.
    group: Option<String>,
    /// First business day, `YYYY-MM-DD` (turnover, sell_through).
    from: Option<String>,
    /// Last business day, inclusive (turnover, sell_through).
    to: Option<String>,
    /// Look-back in business days, 1–3650 (cover: 28, dead_stock: 90).
    days: Option<String>,
    /// Location ids (comma-separated).
    locations: Option<String>,
    /// A category id (its sub-categories included).
    category: Option<String>,
    /// Keep the first N rows (after `order`), 1–10000.
    top: Option<String>,
    /// A measure of the kind; `-` first for descending.
    order: Option<String>,
    /// Export only: `csv` or `xlsx`.
    format: Option<String>,
    /// Export only: `zh-CN` (default) or `en` headers.
    lang: Option<String>,
}

impl InventoryReportQuery {
    fn parsed(&self) -> ApiResult<StockQuery> {
        Ok(StockQuery::parse(&RawStockQuery {
            kind: self.kind.clone(),
            group: self.group.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            days: self.days.clone(),
            locations: self.locations.clone(),
            category: self.category.clone(),
            top: self.top.clone(),
            order: self.order.clone(),
        })?)
    }
}

/// An inventory report of the locations in scope (locations outside it are left out; one
/// asked for alone answers 404).
#[utoipa::path(get, path = "/reports/inventory", tag = "reports", params(InventoryReportQuery),
    responses((status = 200, body = StockReport), (status = 422, body = crate::error::Problem)))]
async fn inventory_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<InventoryReportQuery>,
) -> ApiResult<Json<StockReport>> {
    p.require(Permission::ReportsRead)?;
    let q = q.parsed()?;
    Ok(Json(stock_reports::report(&s.db, &p, &q).await?))
}

/// The same report as a CSV or XLSX file: the same rows and figures (money in major units),
/// then the totals.
#[utoipa::path(get, path = "/reports/inventory/export", tag = "reports", params(InventoryReportQuery),
    responses((status = 200, description = "the file", content_type = "text/csv")))]
async fn export_inventory_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<InventoryReportQuery>,
) -> ApiResult<Response> {
    p.require(Permission::ReportsRead)?;
    let format = files::format(q.format.as_deref())?;
    let lang = files::lang(q.lang.as_deref());
    let parsed = q.parsed()?;
    let report = stock_reports::report(&s.db, &p, &parsed).await?;
    let rows = stock_reports::table(&report, lang == Lang::Zh);
    let bytes = export::render(&rows, format)?;
    Ok(files::download(bytes, format, "inventory-report"))
}
