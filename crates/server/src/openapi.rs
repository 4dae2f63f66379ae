//! The OpenAPI document's frame; paths and schemas are added by each route module.

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "Salepoint API", description = "Point-of-sale management for retail chains. \
        Authenticate with `Authorization: Bearer <token or API key>`; see docs/api.md for conventions \
        (problem+json errors, cursor pagination, versions, Idempotency-Key)."),
    servers((url = "/api/v1")),
    modifiers(&Security),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::extract::SESSION_COOKIE,
            ))),
        );
    }
}
