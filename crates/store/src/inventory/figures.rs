//! The stock figures of one level — on hand, reserved, available, in transit, the reorder rule
//! and the status — as every answer that shows a level carries them (the stock browser's
//! [`super::levels::StockLevel`], the per-product [`super::product_stock::LocationStock`]).
//! One struct read by one function, so the two answers can never disagree on how a figure is
//! derived (e.g. `available`, `status`).

use super::quantity::{from_milli, opt_text};
use crate::error::StoreResult;
use crate::row;
use salepoint_domain::inventory::{StockStatus, stock_status};
use serde::Serialize;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// A level's figures; embedded flat (`#[serde(flatten)]`) in the answers that show levels.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StockFigures {
    pub on_hand: String,
    pub reserved: String,
    /// On hand − reserved.
    pub available: String,
    /// Shipped to this location and not yet received.
    pub in_transit: String,
    pub reorder_point: Option<String>,
    pub reorder_qty: Option<String>,
    pub max: Option<String>,
    pub status: StockStatus,
}

/// The figures of a row carrying the level's columns under their own names (`on_hand_milli`,
/// `reserved_milli`, `in_transit_milli`, `reorder_point_milli`, `reorder_qty_milli`,
/// `max_milli`).
pub fn read(r: &AnyRow) -> StoreResult<StockFigures> {
    let on_hand = row::int(r, "on_hand_milli")?;
    let reserved = row::int(r, "reserved_milli")?;
    let in_transit = row::int(r, "in_transit_milli")?;
    let rp = row::opt_int(r, "reorder_point_milli")?;
    let max = row::opt_int(r, "max_milli")?;
    Ok(StockFigures {
        on_hand: from_milli(on_hand),
        reserved: from_milli(reserved),
        available: from_milli(on_hand - reserved),
        in_transit: from_milli(in_transit),
        reorder_point: opt_text(rp),
        reorder_qty: opt_text(row::opt_int(r, "reorder_qty_milli")?),
        max: opt_text(max),
        status: stock_status(on_hand, reserved, in_transit, rp, max),
    })
}
