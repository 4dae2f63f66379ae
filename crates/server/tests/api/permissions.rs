//! The permission matrix, walked: every route × every role is allowed exactly when the role
//! grants the route's permission. Bodies are empty objects, so an allowed write answers 422
//! (validation) and a denied one 403 — the permission check comes before validation.

use crate::support::{backends, spawn};
use reqwest::{Method, StatusCode};
use salepoint_domain::roles::{Permission, Role};
use serde_json::json;

/// (method, path, permission; None = any signed-in user)
fn routes(
    sh001: &str,
    region: &str,
    register: &str,
    channel: &str,
    other_user: &str,
) -> Vec<(Method, String, Option<Permission>)> {
    use Permission::*;
    let fake = "01900000-0000-7000-8000-000000000000";
    vec![
        (Method::GET, "/api/v1/company".into(), Some(CompanyRead)),
        (Method::PUT, "/api/v1/company".into(), Some(CompanyManage)),
        (Method::GET, "/api/v1/regions".into(), Some(OrgRead)),
        (Method::POST, "/api/v1/regions".into(), Some(OrgManage)),
        (
            Method::GET,
            format!("/api/v1/regions/{region}"),
            Some(OrgRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/regions/{region}"),
            Some(OrgManage),
        ),
        (Method::GET, "/api/v1/stores".into(), Some(OrgRead)),
        (Method::POST, "/api/v1/stores".into(), Some(OrgManage)),
        (
            Method::GET,
            format!("/api/v1/stores/{sh001}"),
            Some(OrgRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/stores/{sh001}"),
            Some(OrgManage),
        ),
        (
            Method::GET,
            format!("/api/v1/stores/{sh001}/registers"),
            Some(OrgRead),
        ),
        (
            Method::POST,
            format!("/api/v1/stores/{sh001}/registers"),
            Some(RegistersManage),
        ),
        (
            Method::GET,
            format!("/api/v1/stores/{sh001}/registers/{register}"),
            Some(OrgRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/stores/{sh001}/registers/{register}"),
            Some(RegistersManage),
        ),
        (Method::GET, "/api/v1/channels".into(), Some(OrgRead)),
        (Method::POST, "/api/v1/channels".into(), Some(OrgManage)),
        (
            Method::PUT,
            format!("/api/v1/channels/{channel}"),
            Some(OrgManage),
        ),
        (Method::GET, "/api/v1/users".into(), Some(UsersRead)),
        (Method::POST, "/api/v1/users".into(), Some(UsersManage)),
        (
            Method::GET,
            format!("/api/v1/users/{other_user}"),
            Some(UsersRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/users/{other_user}"),
            Some(UsersManage),
        ),
        (
            Method::POST,
            format!("/api/v1/users/{other_user}/password"),
            Some(UsersManage),
        ),
        (
            Method::PUT,
            format!("/api/v1/users/{other_user}/pin"),
            Some(UsersManage),
        ),
        (Method::GET, "/api/v1/roles".into(), None),
        (Method::GET, "/api/v1/api-keys".into(), Some(ApiKeysRead)),
        (Method::POST, "/api/v1/api-keys".into(), Some(ApiKeysManage)),
        (
            Method::DELETE,
            format!("/api/v1/api-keys/{fake}"),
            Some(ApiKeysManage),
        ),
        (Method::POST, "/api/v1/approvals".into(), None),
        (Method::GET, "/api/v1/audit".into(), Some(AuditRead)),
        (Method::GET, "/api/v1/audit/verify".into(), Some(AuditRead)),
        (Method::GET, "/api/v1/auth/me".into(), None),
        (Method::GET, "/api/v1/tax-classes".into(), Some(CatalogRead)),
        (
            Method::POST,
            "/api/v1/tax-classes".into(),
            Some(CatalogManage),
        ),
        (
            Method::PUT,
            format!("/api/v1/tax-classes/{fake}"),
            Some(CatalogManage),
        ),
        (Method::GET, "/api/v1/categories".into(), Some(CatalogRead)),
        (
            Method::POST,
            "/api/v1/categories".into(),
            Some(CatalogManage),
        ),
        (
            Method::PUT,
            format!("/api/v1/categories/{fake}"),
            Some(CatalogManage),
        ),
        (Method::GET, "/api/v1/products".into(), Some(CatalogRead)),
        (
            Method::GET,
            "/api/v1/products?q=kkkl".into(),
            Some(CatalogRead),
        ),
        (Method::POST, "/api/v1/products".into(), Some(CatalogManage)),
        (
            Method::GET,
            format!("/api/v1/products/{fake}"),
            Some(CatalogRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/products/{fake}"),
            Some(CatalogManage),
        ),
        (
            Method::GET,
            "/api/v1/scan/6901939621608".into(),
            Some(CatalogRead),
        ),
        (
            Method::GET,
            "/api/v1/products/export".into(),
            Some(CatalogRead),
        ),
        (
            Method::POST,
            "/api/v1/products/import".into(),
            Some(CatalogManage),
        ),
        (Method::GET, "/api/v1/price-lists".into(), Some(CatalogRead)),
        (
            Method::POST,
            "/api/v1/price-lists".into(),
            Some(CatalogManage),
        ),
        (
            Method::GET,
            format!("/api/v1/price-lists/{fake}"),
            Some(CatalogRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/price-lists/{fake}"),
            Some(CatalogManage),
        ),
        (
            Method::GET,
            format!("/api/v1/price-lists/{fake}/items"),
            Some(CatalogRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/price-lists/{fake}/items"),
            Some(CatalogManage),
        ),
        (
            Method::GET,
            format!("/api/v1/prices/resolve?product_id={fake}"),
            Some(CatalogRead),
        ),
        (
            Method::GET,
            "/api/v1/scale-formats".into(),
            Some(CatalogRead),
        ),
        (
            Method::POST,
            "/api/v1/scale-formats".into(),
            Some(CatalogManage),
        ),
        (
            Method::PUT,
            format!("/api/v1/scale-formats/{fake}"),
            Some(CatalogManage),
        ),
        (
            Method::GET,
            format!("/api/v1/stores/{sh001}/catalog/changes?since=0"),
            Some(CatalogRead),
        ),
        (Method::GET, "/api/v1/tender-types".into(), Some(OrgRead)),
        (
            Method::POST,
            "/api/v1/tender-types".into(),
            Some(TendersManage),
        ),
        (
            Method::PUT,
            format!("/api/v1/tender-types/{fake}"),
            Some(TendersManage),
        ),
        (Method::POST, "/api/v1/shifts".into(), Some(SalesCreate)),
        (Method::GET, "/api/v1/shifts".into(), Some(SalesRead)),
        (
            Method::GET,
            format!("/api/v1/shifts/{fake}"),
            Some(SalesRead),
        ),
        (
            Method::POST,
            format!("/api/v1/shifts/{fake}/cash-moves"),
            Some(SalesCreate),
        ),
        (
            Method::POST,
            format!("/api/v1/shifts/{fake}/close"),
            Some(SalesCreate),
        ),
        (
            Method::GET,
            format!("/api/v1/shifts/{fake}/report"),
            Some(SalesRead),
        ),
        (Method::POST, "/api/v1/sales".into(), Some(SalesCreate)),
        (Method::GET, "/api/v1/sales".into(), Some(SalesRead)),
        (
            Method::GET,
            format!("/api/v1/sales/{fake}"),
            Some(SalesRead),
        ),
        (
            Method::GET,
            format!("/api/v1/sales/{fake}/receipt"),
            Some(SalesRead),
        ),
        (Method::POST, "/api/v1/returns".into(), Some(SalesCreate)),
        (Method::GET, "/api/v1/stock".into(), Some(StockRead)),
        (
            Method::GET,
            format!("/api/v1/products/{fake}/stock"),
            Some(StockRead),
        ),
        (
            Method::GET,
            "/api/v1/stock/movements".into(),
            Some(StockRead),
        ),
        (
            Method::POST,
            "/api/v1/stock/adjustments".into(),
            Some(StockManage),
        ),
        (
            Method::PUT,
            "/api/v1/stock/reorder-rules".into(),
            Some(StockManage),
        ),
        (Method::GET, "/api/v1/stock/alerts".into(), Some(StockRead)),
        (Method::GET, "/api/v1/suppliers".into(), Some(StockRead)),
        (
            Method::POST,
            "/api/v1/suppliers".into(),
            Some(SuppliersManage),
        ),
        (
            Method::GET,
            format!("/api/v1/suppliers/{fake}"),
            Some(StockRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/suppliers/{fake}"),
            Some(SuppliersManage),
        ),
        (
            Method::GET,
            format!("/api/v1/suppliers/{fake}/products"),
            Some(StockRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/suppliers/{fake}/products"),
            Some(SuppliersManage),
        ),
        (
            Method::GET,
            "/api/v1/purchase-orders".into(),
            Some(StockRead),
        ),
        (
            Method::POST,
            "/api/v1/purchase-orders".into(),
            Some(StockManage),
        ),
        (
            Method::GET,
            format!("/api/v1/purchase-orders/{fake}"),
            Some(StockRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/purchase-orders/{fake}"),
            Some(StockManage),
        ),
        (
            Method::POST,
            format!("/api/v1/purchase-orders/{fake}/submit"),
            Some(StockManage),
        ),
        (
            Method::POST,
            format!("/api/v1/purchase-orders/{fake}/approve"),
            Some(StockApprove),
        ),
        (
            Method::POST,
            format!("/api/v1/purchase-orders/{fake}/cancel"),
            Some(StockApprove),
        ),
        (
            Method::POST,
            format!("/api/v1/purchase-orders/{fake}/close"),
            Some(StockApprove),
        ),
        (
            Method::POST,
            format!("/api/v1/purchase-orders/{fake}/receive"),
            Some(StockManage),
        ),
        (
            Method::POST,
            format!("/api/v1/purchase-orders/{fake}/returns"),
            Some(StockManage),
        ),
        (Method::GET, "/api/v1/transfers".into(), Some(StockRead)),
        (
            Method::GET,
            "/api/v1/transfers/sources".into(),
            Some(StockManage),
        ),
        (Method::POST, "/api/v1/transfers".into(), Some(StockManage)),
        (
            Method::GET,
            format!("/api/v1/transfers/{fake}"),
            Some(StockRead),
        ),
        (
            Method::POST,
            format!("/api/v1/transfers/{fake}/approve"),
            Some(StockApprove),
        ),
        (
            Method::POST,
            format!("/api/v1/transfers/{fake}/ship"),
            Some(StockManage),
        ),
        (
            Method::POST,
            format!("/api/v1/transfers/{fake}/receive"),
            Some(StockManage),
        ),
        (
            Method::POST,
            format!("/api/v1/transfers/{fake}/close"),
            Some(StockApprove),
        ),
        (
            Method::POST,
            format!("/api/v1/transfers/{fake}/cancel"),
            Some(StockApprove),
        ),
        (
            Method::POST,
            "/api/v1/stock-counts".into(),
            Some(StockManage),
        ),
        (Method::GET, "/api/v1/stock-counts".into(), Some(StockRead)),
        (
            Method::GET,
            format!("/api/v1/stock-counts/{fake}"),
            Some(StockRead),
        ),
        (
            Method::POST,
            format!("/api/v1/stock-counts/{fake}/entries"),
            Some(StockManage),
        ),
        (
            Method::POST,
            format!("/api/v1/stock-counts/{fake}/submit"),
            Some(StockManage),
        ),
        (
            Method::POST,
            format!("/api/v1/stock-counts/{fake}/approve"),
            Some(StockApprove),
        ),
        (
            Method::POST,
            format!("/api/v1/stock-counts/{fake}/cancel"),
            Some(StockApprove),
        ),
        (
            Method::GET,
            format!("/api/v1/replenishment/suggestions?location_id={sh001}"),
            Some(StockRead),
        ),
        (
            Method::POST,
            "/api/v1/replenishment/orders".into(),
            Some(StockManage),
        ),
        (
            Method::GET,
            "/api/v1/stock/valuation".into(),
            Some(StockRead),
        ),
        (
            Method::GET,
            "/api/v1/customer-tasks".into(),
            Some(CustomersRead),
        ),
        (
            Method::POST,
            "/api/v1/customer-tasks".into(),
            Some(CustomersManage),
        ),
        (
            Method::GET,
            "/api/v1/customer-tasks/suggestions".into(),
            Some(CustomersRead),
        ),
        (
            Method::GET,
            format!("/api/v1/customer-tasks/{fake}"),
            Some(CustomersRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/customer-tasks/{fake}"),
            Some(CustomersManage),
        ),
        (
            Method::POST,
            "/api/v1/segments/recompute".into(),
            Some(CustomersAdmin),
        ),
        (Method::GET, "/api/v1/segments".into(), Some(CustomersRead)),
        (
            Method::POST,
            "/api/v1/segments".into(),
            Some(CustomersManage),
        ),
        (
            Method::GET,
            format!("/api/v1/segments/{fake}"),
            Some(CustomersRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/segments/{fake}"),
            Some(CustomersManage),
        ),
        (
            Method::DELETE,
            format!("/api/v1/segments/{fake}"),
            Some(CustomersManage),
        ),
        (
            Method::GET,
            format!("/api/v1/segments/{fake}/export"),
            Some(CustomersRead),
        ),
        (
            Method::GET,
            "/api/v1/customer-reports".into(),
            Some(CustomersRead),
        ),
        (
            Method::POST,
            "/api/v1/member-tiers/review".into(),
            Some(CustomersAdmin),
        ),
        (Method::GET, "/api/v1/customers".into(), Some(CustomersRead)),
        (
            Method::POST,
            "/api/v1/customers".into(),
            Some(CustomersManage),
        ),
        (
            Method::GET,
            "/api/v1/customers/lookup?card=NOPE".into(),
            Some(CustomersRead),
        ),
        (
            Method::GET,
            "/api/v1/customers/duplicates".into(),
            Some(CustomersRead),
        ),
        (
            Method::GET,
            "/api/v1/customers/export".into(),
            Some(CustomersRead),
        ),
        (
            Method::POST,
            "/api/v1/customers/import".into(),
            Some(CustomersManage),
        ),
        (
            Method::GET,
            format!("/api/v1/customers/{fake}"),
            Some(CustomersRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/customers/{fake}"),
            Some(CustomersManage),
        ),
        (
            Method::POST,
            format!("/api/v1/customers/{fake}/reveal"),
            Some(CustomersContact),
        ),
        (
            Method::GET,
            format!("/api/v1/customers/{fake}/overview"),
            Some(CustomersRead),
        ),
        (
            Method::GET,
            format!("/api/v1/customers/{fake}/sales"),
            Some(CustomersRead),
        ),
        (
            Method::POST,
            format!("/api/v1/customers/{fake}/merge"),
            Some(CustomersAdmin),
        ),
        (
            Method::GET,
            format!("/api/v1/customers/{fake}/privacy-export"),
            Some(CustomersAdmin),
        ),
        (
            Method::POST,
            format!("/api/v1/customers/{fake}/erase"),
            Some(CustomersAdmin),
        ),
        (
            Method::GET,
            "/api/v1/member-tiers".into(),
            Some(CustomersRead),
        ),
        (
            Method::POST,
            "/api/v1/member-tiers".into(),
            Some(CustomersAdmin),
        ),
        (
            Method::GET,
            format!("/api/v1/member-tiers/{fake}"),
            Some(CustomersRead),
        ),
        (
            Method::PUT,
            format!("/api/v1/member-tiers/{fake}"),
            Some(CustomersAdmin),
        ),
        (
            Method::GET,
            "/api/v1/loyalty-program".into(),
            Some(CustomersRead),
        ),
        (
            Method::PUT,
            "/api/v1/loyalty-program".into(),
            Some(CustomersAdmin),
        ),
        (
            Method::GET,
            "/api/v1/points-rules".into(),
            Some(CustomersRead),
        ),
        (
            Method::PUT,
            "/api/v1/points-rules".into(),
            Some(CustomersAdmin),
        ),
        (
            Method::GET,
            "/api/v1/reports/sales".into(),
            Some(ReportsRead),
        ),
        (
            Method::GET,
            "/api/v1/reports/sales/export".into(),
            Some(ReportsRead),
        ),
        (
            Method::GET,
            "/api/v1/reports/dashboard".into(),
            Some(ReportsRead),
        ),
        (
            Method::GET,
            "/api/v1/reports/inventory?kind=value".into(),
            Some(ReportsRead),
        ),
        (
            Method::GET,
            "/api/v1/reports/inventory/export?kind=dead_stock".into(),
            Some(ReportsRead),
        ),
    ]
}

#[tokio::test]
async fn every_route_for_every_role() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let sh001 = app.store_id("SH001").await;
        let region = app.get(&admin, "/api/v1/regions").await.body["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let register = app
            .get(&admin, &format!("/api/v1/stores/{sh001}/registers"))
            .await
            .body["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let channel = app.get(&admin, "/api/v1/channels").await.body["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let other_user = app.user_id("cashier.bj001").await;
        let users = [
            (Role::Admin, "admin"),
            (Role::RegionalManager, "region.east"),
            (Role::StoreManager, "manager.sh001"),
            (Role::Cashier, "cashier.sh001"),
            (Role::StockClerk, "stock.sh001"),
            (Role::Accountant, "accountant"),
            (Role::Auditor, "auditor"),
        ];
        let mut checked = 0;
        for (role, username) in users {
            let token = if role == Role::Admin {
                admin.clone()
            } else {
                app.demo_user(username).await
            };
            let me = app.get(&token, "/api/v1/auth/me").await;
            let actual = Role::parse(me.body["user"]["role"].as_str().unwrap()).unwrap();
            assert_eq!(actual, role);
            for (method, path, perm) in routes(&sh001, &region, &register, &channel, &other_user) {
                let body = if method == Method::GET || method == Method::DELETE {
                    None
                } else {
                    Some(json!({}))
                };
                let r = app.call(method.clone(), &path, Some(&token), body).await;
                let allowed = perm.is_none_or(|p| actual.has(p));
                if allowed {
                    assert!(
                        r.status != StatusCode::FORBIDDEN
                            && r.status != StatusCode::UNAUTHORIZED
                            && r.status.as_u16() < 500,
                        "{} {method} {path} should be allowed, got {} {}",
                        actual.as_str(),
                        r.status,
                        r.body
                    );
                } else {
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{} {method} {path} should be denied: {}",
                        actual.as_str(),
                        r.body
                    );
                    assert_eq!(r.code(), "forbidden");
                }
                checked += 1;
            }
        }
        assert!(checked >= 7 * 55);
        // Without a token every route is 401.
        for (method, path, _) in routes(&sh001, &region, &register, &channel, &other_user) {
            let r = app.call(method.clone(), &path, None, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
}
