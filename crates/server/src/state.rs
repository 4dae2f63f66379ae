//! What every handler shares: the database and the server's configuration. Nothing here is
//! state that matters if the process dies.

use metrics_exporter_prometheus::PrometheusHandle;
use salepoint_store::Db;
use salepoint_store::sessions::AuthConfig;
use std::sync::Arc;

/// Server settings.
#[derive(Clone, Debug, Default)]
pub struct ServerConfig {
    pub auth: AuthConfig,
    /// Mark cookies `Secure` (set when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
}

/// Shared handler state.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cfg: Arc<ServerConfig>,
    pub metrics: PrometheusHandle,
    /// The queue of sales waiting for the next group commit.
    pub sales: salepoint_store::orders::SaleWriter,
}
