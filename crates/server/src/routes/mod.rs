//! One file per module of the API; each exposes `router()` with its documented handlers.

pub mod api_keys;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod catalog_sync;
pub mod channels;
pub mod company;
pub mod customer_reports;
pub mod customer_tasks;
pub mod customers;
pub mod events;
pub mod files;
pub mod inventory_reports;
pub mod member_tiers;
pub mod prices;
pub mod products;
pub mod purchase_orders;
pub mod regions;
pub mod registers;
pub mod replenishment;
pub mod reports;
pub mod roles;
pub mod sales;
pub mod segments;
pub mod shifts;
pub mod stock;
pub mod stock_counts;
pub mod stored_value;
pub mod stores;
pub mod suppliers;
pub mod tender_types;
pub mod transfers;
pub mod users;

use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use salepoint_store::page::PageRequest;
use serde::Serialize;

/// Parses `limit` / `cursor`.
pub fn page(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<PageRequest> {
    PageRequest::parse(limit, cursor).map_err(|which| {
        let msg = if which == "limit" {
            "from 1 to 200"
        } else {
            "not a cursor from this list"
        };
        ApiError::field(which, "invalid_value", msg)
    })
}

/// `201 Created` with a JSON body.
pub fn created<T: Serialize>(value: T) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}
