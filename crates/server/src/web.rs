//! The web UI, embedded in the binary (read from disk in debug builds, so UI work needs no
//! rebuild). Vendored libraries are cached for a day; the app's own files are revalidated.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/"]
struct Assets;

/// Serves `web/` at the site root; `/` is `index.html`.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match Assets::get(path) {
        Some(file) => {
            let mime = file.metadata.mimetype().to_string();
            let cache = if path.starts_with("vendor/") {
                "public, max-age=86400"
            } else {
                "no-cache"
            };
            let mut res = (StatusCode::OK, file.data.into_owned()).into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&mime) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            res
        }
        None => crate::error::ApiError::NotFound.into_response(),
    }
}
