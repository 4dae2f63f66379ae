//! Files in and out of the API: the `format` and `lang` of an export, the download response,
//! and reading an uploaded import (with its size limit and options) — one shape for products,
//! customers and segments.

use crate::error::{ApiError, ApiResult};
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use salepoint_store::catalog::export::{Format, Lang};
use salepoint_store::catalog::import::ImportOptions;
use salepoint_store::catalog::table::MAX_FILE_BYTES;
use serde::Deserialize;
use utoipa::IntoParams;

/// `csv` (the default) or `xlsx`; anything else is a 422 at `format`.
pub fn format(q: Option<&str>) -> ApiResult<Format> {
    match q.unwrap_or("csv") {
        "csv" => Ok(Format::Csv),
        "xlsx" => Ok(Format::Xlsx),
        _ => Err(ApiError::field("format", "invalid_value", "csv or xlsx")),
    }
}

/// Column headers in English for `en`, else in Chinese.
pub fn lang(q: Option<&str>) -> Lang {
    if q == Some("en") { Lang::En } else { Lang::Zh }
}

/// A file to download as `{name}.csv` or `{name}.xlsx`.
pub fn download(bytes: Vec<u8>, format: Format, name: &str) -> Response {
    let (mime, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// How an import runs.
#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Check only; change nothing (default true).
    dry_run: Option<bool>,
    /// Import the good rows and skip the bad ones (default false: all or nothing).
    skip_invalid: Option<bool>,
}

impl ImportQuery {
    /// The options it asks for.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            dry_run: self.dry_run.unwrap_or(true),
            skip_invalid: self.skip_invalid.unwrap_or(false),
        }
    }
}

/// The uploaded file, up to the import limit (413 above it).
pub async fn upload(body: Body) -> ApiResult<Bytes> {
    axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "files up to {} MiB can be imported",
                MAX_FILE_BYTES / 1024 / 1024
            ))
        })
}
