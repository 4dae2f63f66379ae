//! Catalog and pricing on both backends: products and barcodes, pinyin search, price lists
//! and their resolution, scale labels, register sync, import and export.

use crate::support::{TestApp, backends, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn ids(app: &TestApp, token: &str) -> (String, String) {
    let tax = app.get(token, "/api/v1/tax-classes").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "VAT13")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cat = app.get(token, "/api/v1/categories").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "DAIRY-MILK")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (tax, cat)
}

fn milk(tax: &str, cat: &str, sku: &str, barcode: &str) -> Value {
    json!({"sku": sku, "name_zh": "旺仔牛奶 245ml", "name_en": "Want Want milk 245ml", "unit": "can",
        "tax_class_id": tax, "category_id": cat, "brand": "旺旺", "list_price_minor": 650, "cost_price_minor": 400,
        "barcodes": [{"code": barcode}]})
}

async fn upload(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Value {
    let r = app
        .http
        .post(format!("{}/api/v1/products/import?{query}", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn products_barcodes_and_pinyin_search() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let (tax, cat) = ids(&app, &admin).await;

        let bad = app
            .post(
                &admin,
                "/api/v1/products",
                milk(&tax, &cat, "WZ-1", "6901939621609"),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["errors"][0]["field"], "/barcodes/0/code");
        assert!(
            bad.body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("should be 8")
        );

        let created = app
            .post(
                &admin,
                "/api/v1/products",
                milk(&tax, &cat, "WZ-1", "6901939621608"),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["barcodes"][0]["kind"], "ean13");
        assert_eq!(created.body["currency"], "CNY");
        let id = created.body["id"].as_str().unwrap().to_string();

        let dup_code = app
            .post(
                &admin,
                "/api/v1/products",
                milk(&tax, &cat, "WZ-2", "6901939621608"),
            )
            .await;
        assert_eq!(dup_code.status, StatusCode::CONFLICT);
        assert_eq!(dup_code.body["errors"][0]["field"], "/barcodes/0/code");
        let dup_sku = app
            .post(
                &admin,
                "/api/v1/products",
                milk(&tax, &cat, "WZ-1", "96385074"),
            )
            .await;
        assert_eq!(dup_sku.status, StatusCode::CONFLICT);
        assert_eq!(dup_sku.body["errors"][0]["field"], "/sku");
        let mut negative = milk(&tax, &cat, "WZ-3", "96385074");
        negative["list_price_minor"] = json!(-1);
        negative["tax_class_id"] = json!("nope");
        let r = app.post(&admin, "/api/v1/products", negative).await;
        let fields: Vec<&str> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"/list_price_minor") && fields.contains(&"/tax_class_id"),
            "{fields:?}"
        );

        // Found by pinyin initials, full pinyin, Chinese, English, SKU and barcode.
        for q in [
            "wzn",
            "wangzai",
            "旺仔",
            "want want milk",
            "wz-1",
            "6901939621608",
        ] {
            let r = app
                .get(
                    &admin,
                    &format!("/api/v1/products?q={}&limit=5", urlencode(q)),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(r.body["data"][0]["id"], json!(id), "query {q}: {}", r.body);
        }
        // A product with two barcodes: a scan of either finds it with both, in the order they
        // were given, and its currency; search results carry both too; an unknown code is 404.
        let mut two = milk(&tax, &cat, "WZ-9", "96385074");
        two["name_zh"] = json!("双码测试奶");
        two["name_en"] = json!("Two-code test milk");
        two["barcodes"] = json!([{"code": "96385074"}, {"code": "IN-77", "internal": true}]);
        let two = app.post(&admin, "/api/v1/products", two).await;
        assert_eq!(two.status, StatusCode::CREATED, "{}", two.body);
        for code in ["96385074", "IN-77"] {
            let r = app.get(&admin, &format!("/api/v1/scan/{code}")).await;
            assert_eq!(r.status, StatusCode::OK, "{code}: {}", r.body);
            assert_eq!(r.body["source"], "barcode");
            assert_eq!(r.body["product"]["id"], two.body["id"]);
            assert_eq!(r.body["product"]["currency"], "CNY");
            assert_eq!(
                r.body["product"]["barcodes"],
                json!([{"code": "96385074", "kind": "ean8"}, {"code": "IN-77", "kind": "internal"}])
            );
        }
        let r = app.get(&admin, "/api/v1/products?q=IN-77").await;
        assert_eq!(r.body["data"][0]["id"], two.body["id"], "{}", r.body);
        assert_eq!(r.body["data"][0]["barcodes"].as_array().unwrap().len(), 2);
        assert_eq!(r.body["data"][0]["currency"], "CNY");
        assert_eq!(
            app.get(&admin, "/api/v1/scan/96385081").await.status,
            StatusCode::NOT_FOUND
        );

        // The demo's Coca-Cola by its initials; an exact barcode beats every substring match.
        let kkkl = app.get(&admin, "/api/v1/products?q=kkkl&limit=50").await;
        let names: Vec<&str> = kkkl.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name_zh"].as_str().unwrap())
            .collect();
        assert!(
            !names.is_empty() && names.iter().all(|n| n.contains("可口可乐")),
            "{names:?}"
        );
        let filtered = app
            .get(
                &admin,
                &format!("/api/v1/products?q=wzn&category_id={cat}&status=active"),
            )
            .await;
        assert_eq!(filtered.body["data"].as_array().unwrap().len(), 1);
        let other = app
            .get(&admin, "/api/v1/products?q=wzn&status=discontinued")
            .await;
        assert_eq!(other.body["data"].as_array().unwrap().len(), 0);

        // Update with version; a stale one is refused; the price change is audited.
        let mut upd = milk(&tax, &cat, "WZ-1", "6901939621608");
        upd["list_price_minor"] = json!(590);
        upd["version"] = json!(1);
        let r = app
            .put(&admin, &format!("/api/v1/products/{id}"), upd.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["list_price_minor"], 590);
        assert_eq!(
            app.put(&admin, &format!("/api/v1/products/{id}"), upd)
                .await
                .code(),
            "version_conflict"
        );
        let audit = app
            .get(&admin, "/api/v1/audit?action=product.price_changed")
            .await;
        assert_eq!(
            audit.body["data"][0]["details"]["list_price_minor"]["before"],
            650
        );

        // A cashier reads but does not change the catalog.
        let cashier = app.demo_user("cashier.sh001").await;
        assert_eq!(
            app.get(&cashier, &format!("/api/v1/products/{id}"))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.post(
                &cashier,
                "/api/v1/products",
                milk(&tax, &cat, "X", "96385074")
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // Category tree: no cycles.
        let cats = app.get(&admin, "/api/v1/categories").await.body["data"].clone();
        let dairy = cats
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "DAIRY")
            .unwrap()
            .clone();
        let r = app
            .put(&admin, &format!("/api/v1/categories/{}", dairy["id"].as_str().unwrap()),
                json!({"code": "DAIRY", "name": "乳制品", "parent_id": cat, "version": dairy["version"]}))
            .await;
        assert_eq!(r.body["errors"][0]["code"], "cycle", "{}", r.body);
    }
}

/// Scans that arrive together are looked up together (one statement for the batch): each
/// still gets its own product, with all of that product's barcodes, or its own 404.
#[tokio::test]
async fn concurrent_scans_each_get_their_own_product() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let page = app.get(&admin, "/api/v1/products?limit=30").await;
        let products: Vec<Value> = page.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| !p["barcodes"].as_array().unwrap().is_empty())
            .cloned()
            .collect();
        assert!(products.len() >= 20, "{}", page.body);
        // A code holding a NUL, which no database column can, is simply not found.
        assert_eq!(
            app.get(&admin, "/api/v1/scan/69%0001").await.status,
            StatusCode::NOT_FOUND
        );
        // Every product three times, and a code no product carries after each.
        let mut asks: Vec<(String, Option<&Value>)> = Vec::new();
        for _ in 0..3 {
            for p in &products {
                let code = p["barcodes"][0]["code"].as_str().unwrap().to_string();
                asks.push((format!("{code}9"), None));
                asks.push((code, Some(p)));
            }
        }
        let calls = asks.iter().map(|(code, _)| {
            let app = &app;
            let admin = &admin;
            async move { app.get(admin, &format!("/api/v1/scan/{code}")).await }
        });
        let answers = futures::future::join_all(calls).await;
        for ((code, expected), r) in asks.iter().zip(&answers) {
            match expected {
                Some(p) => {
                    assert_eq!(r.status, StatusCode::OK, "{code}: {}", r.body);
                    assert_eq!(r.body["product"]["id"], p["id"], "{code}");
                    assert_eq!(r.body["product"]["barcodes"], p["barcodes"], "{code}");
                    assert_eq!(r.body["product"]["list_price_minor"], p["list_price_minor"]);
                }
                None => assert_eq!(r.status, StatusCode::NOT_FOUND, "{code}: {}", r.body),
            }
        }
    }
}

/// A product whose name starts with what was typed is found and ranked first even when more
/// products contain the text further in than the search reads as substring candidates
/// (PostgreSQL reads 100 after its prefix keys; the crowd here comes first in the table).
#[tokio::test]
async fn a_name_that_starts_with_the_query_beats_a_crowd_of_substring_hits() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let mut csv = String::from("sku,name_zh,name_en,tax_class,list_price\n");
        for n in 0..150 {
            csv.push_str(&format!(
                "ZB-{n},测试饮料{n},Ultra zorblax tonic {n},VAT13,3.00\n"
            ));
        }
        csv.push_str("ZB-TARGET,目标可乐,Zorblax cola,VAT13,3.50\n");
        let r = upload(&app, &admin, "dry_run=false", csv.into_bytes()).await;
        assert_eq!(r["applied"], true, "{r}");
        let found = app.get(&admin, "/api/v1/products?q=zorb&limit=5").await;
        assert_eq!(found.status, StatusCode::OK);
        let skus: Vec<&str> = found.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["sku"].as_str().unwrap())
            .collect();
        assert_eq!(skus.len(), 5, "{backend:?}: {skus:?}");
        assert_eq!(skus[0], "ZB-TARGET", "{backend:?}: {skus:?}");
        // The rest are the products that contain it further in.
        assert!(skus[1..].iter().all(|s| s.starts_with("ZB-")), "{skus:?}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn price_lists_resolve_and_reach_the_registers() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let (tax, cat) = ids(&app, &admin).await;
        let sh001 = app.store_id("SH001").await;
        let bj001 = app.store_id("BJ001").await;
        let p = app
            .post(
                &admin,
                "/api/v1/products",
                milk(&tax, &cat, "WZ-1", "6901939621608"),
            )
            .await
            .body;
        let pid = p["id"].as_str().unwrap().to_string();

        // Snapshot first: the register has the list price.
        let snap = app
            .get(&admin, &format!("/api/v1/stores/{sh001}/catalog"))
            .await;
        assert_eq!(snap.status, StatusCode::OK);
        let cursor = snap.body["cursor"].as_i64().unwrap();
        let mine = snap.body["products"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == json!(pid))
            .unwrap()
            .clone();
        assert_eq!(mine["price_minor"], 650);
        assert_eq!(mine["barcodes"], json!(["6901939621608"]));
        assert!(
            snap.body["products"].as_array().unwrap().len() > 4_000,
            "the demo catalog is in the snapshot"
        );
        assert!(snap.body["tax_classes"].as_array().unwrap().len() >= 4);

        // A store price list for SH001 and a member price for everyone.
        let store_list = app
            .post(
                &admin,
                "/api/v1/price-lists",
                json!({"code": "SH-LOCAL", "name": "上海本地价", "store_id": sh001}),
            )
            .await;
        assert_eq!(
            store_list.status,
            StatusCode::CREATED,
            "{}",
            store_list.body
        );
        let sl = store_list.body["id"].as_str().unwrap().to_string();
        let overlap = app
            .post(
                &admin,
                "/api/v1/price-lists",
                json!({"code": "SH-LOCAL2", "name": "重复", "store_id": sh001}),
            )
            .await;
        assert_eq!(
            overlap.body["errors"][0]["code"], "overlap",
            "{}",
            overlap.body
        );
        let r = app
            .put(
                &admin,
                &format!("/api/v1/price-lists/{sl}/items"),
                json!({"items": [{"product_id": pid, "price_minor": 620}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let member = app.get(&admin, "/api/v1/price-lists").await.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["code"] == "MEMBER")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.put(
            &admin,
            &format!("/api/v1/price-lists/{member}/items"),
            json!({"items": [{"product_id": pid, "price_minor": 600}]}),
        )
        .await;

        let resolve = |q: String| {
            let (app, admin) = (&app, &admin);
            async move {
                app.get(
                    admin,
                    &format!(
                        "/api/v1/prices/resolve?product_id={pid}{q}",
                        pid = q.split('|').next().unwrap(),
                        q = q.split('|').nth(1).unwrap_or("")
                    ),
                )
                .await
                .body
            }
        };
        let plain = resolve(format!("{pid}|")).await;
        assert_eq!(plain["price_minor"], 650);
        assert_eq!(plain["price_list_id"], Value::Null);
        let at_store = resolve(format!("{pid}|&store_id={sh001}")).await;
        assert_eq!(at_store["price_minor"], 620);
        assert_eq!(at_store["price_list_code"], "SH-LOCAL");
        let elsewhere = resolve(format!("{pid}|&store_id={bj001}")).await;
        assert_eq!(elsewhere["price_minor"], 650);
        // Both apply for a member at SH001 with equal priority: the store list is more specific.
        let member_sh = resolve(format!("{pid}|&store_id={sh001}&tier=member")).await;
        assert_eq!(member_sh["price_list_code"], "SH-LOCAL");
        let member_bj = resolve(format!("{pid}|&store_id={bj001}&tier=member")).await;
        assert_eq!(member_bj["price_minor"], 600);

        // An expired promotion never applies.
        let promo = app
            .post(&admin, "/api/v1/price-lists", json!({"code": "OLD", "name": "过期促销", "priority": 10,
                "valid_from": "2020-01-01T00:00:00+08:00", "valid_to": "2020-02-01T00:00:00+08:00"}))
            .await;
        assert_eq!(promo.status, StatusCode::CREATED, "{}", promo.body);
        let promo_id = promo.body["id"].as_str().unwrap();
        app.put(
            &admin,
            &format!("/api/v1/price-lists/{promo_id}/items"),
            json!({"items": [{"product_id": pid, "price_minor": 1}]}),
        )
        .await;
        assert_eq!(resolve(format!("{pid}|")).await["price_minor"], 650);
        assert_eq!(
            resolve(format!("{pid}|&at=2020-01-15T00:00:00Z")).await["price_minor"],
            1
        );

        // The register's changes carry the new store price and tier price, and removals.
        let changes = app
            .get(
                &admin,
                &format!("/api/v1/stores/{sh001}/catalog/changes?since={cursor}"),
            )
            .await;
        assert_eq!(changes.status, StatusCode::OK);
        let c = changes.body["products"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == json!(pid))
            .unwrap()
            .clone();
        assert_eq!(c["price_minor"], 620);
        let next = changes.body["cursor"].as_i64().unwrap();
        assert!(next > cursor);
        let mut disc = milk(&tax, &cat, "WZ-1", "6901939621608");
        disc["status"] = json!("discontinued");
        disc["version"] = json!(1);
        assert_eq!(
            app.put(&admin, &format!("/api/v1/products/{pid}"), disc)
                .await
                .status,
            StatusCode::OK
        );
        let after = app
            .get(
                &admin,
                &format!("/api/v1/stores/{sh001}/catalog/changes?since={next}"),
            )
            .await;
        assert_eq!(after.body["removed"], json!([pid]));
        assert_eq!(after.body["products"].as_array().unwrap().len(), 0);

        // The register of another store is out of the manager's scope.
        let m = app.demo_user("manager.sh001").await;
        assert_eq!(
            app.get(&m, &format!("/api/v1/stores/{bj001}/catalog"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn scale_labels_resolve_to_the_weighed_product() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        // The demo's format: 2 + 5-digit PLU + 6-digit grams + check digit; PLU 10005 is bananas.
        let body = "210005001234";
        let digits: Vec<u32> = body.chars().map(|c| c.to_digit(10).unwrap()).collect();
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| d * if i % 2 == 0 { 3 } else { 1 })
            .sum();
        let code = format!("{body}{}", (10 - sum % 10) % 10);
        let r = app.get(&admin, &format!("/api/v1/scan/{code}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["source"], "scale");
        assert_eq!(r.body["quantity"], "1.234");
        assert_eq!(r.body["product"]["name_zh"], "香蕉");
        let wrong = format!("{body}{}", ((10 - sum % 10) % 10 + 1) % 10);
        assert_eq!(
            app.get(&admin, &format!("/api/v1/scan/{wrong}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let bad = app
            .post(&admin, "/api/v1/scale-formats", json!({"code": "X", "name": "x", "prefix": "2", "plu_digits": 5, "value_kind": "price", "value_digits": 4}))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn import_dry_run_all_or_nothing_skip_and_reimport() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let csv = "商品编码,商品名称,税率类别,零售价,条码,分类编码\n\
                   IM-1,进口橄榄油 500ml,VAT9,59.90,6901939621608,GROCERY-OIL\n\
                   IM-2,进口意面 500g,VAT13,12.50,6901939621609,GROCERY-NOODLE\n\
                   IM-3,进口番茄酱 400g,VAT13,9.90,96385074,GROCERY-SAUCE\n";
        let before = app.get(&admin, "/api/v1/products?q=im-").await.body["data"]
            .as_array()
            .unwrap()
            .len();
        let dry = upload(&app, &admin, "dry_run=true", csv.as_bytes().to_vec()).await;
        assert_eq!(dry["total_rows"], 3);
        assert_eq!(dry["valid_rows"], 2);
        assert_eq!(dry["errors"][0]["row"], 3);
        assert_eq!(dry["errors"][0]["column"], "条码");
        assert_eq!(dry["errors"][0]["value"], "6901939621609");
        assert_eq!(dry["applied"], false);
        let all_or_nothing = upload(&app, &admin, "dry_run=false", csv.as_bytes().to_vec()).await;
        assert_eq!(all_or_nothing["applied"], false);
        assert_eq!(
            app.get(&admin, "/api/v1/products?q=im-").await.body["data"]
                .as_array()
                .unwrap()
                .len(),
            before
        );

        let skip = upload(
            &app,
            &admin,
            "dry_run=false&skip_invalid=true",
            csv.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(skip["applied"], true);
        assert_eq!(skip["created"], 2);
        assert_eq!(skip["skipped"], 1);
        // The error file: the bad row as it was, with what is wrong; it reads back as an import
        // file (the error column is skipped) and changes nothing when checked.
        let errors = app
            .http
            .post(format!("{}/api/v1/products/import/errors", app.base))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(csv.as_bytes().to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(errors.status(), StatusCode::OK);
        assert!(
            errors.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let file = errors.bytes().await.unwrap().to_vec();
        let text = String::from_utf8(file.clone()).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(
            lines[0],
            "商品编码,商品名称,税率类别,零售价,条码,分类编码,错误 / error"
        );
        assert!(
            lines[1]
                .starts_with("IM-2,进口意面 500g,VAT13,12.50,6901939621609,GROCERY-NOODLE,条码: "),
            "{text}"
        );
        let back = upload(&app, &admin, "dry_run=true", file).await;
        assert_eq!(back["total_rows"], 1, "{back}");
        assert_eq!(back["errors"][0]["column"], "条码", "{back}");
        let unreadable = app
            .http
            .post(format!("{}/api/v1/products/import/errors", app.base))
            .bearer_auth(&admin)
            .body(b"sku,name,price\n".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(unreadable.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = upload(
            &app,
            &admin,
            "dry_run=false&skip_invalid=true",
            csv.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(again["created"], 0);
        assert_eq!(again["updated"], 0);
        assert_eq!(
            again["unchanged"], 2,
            "re-importing changes nothing: {again}"
        );

        // GBK from Excel, English headers, an update by SKU.
        let (gbk, _, _) = encoding_rs::GBK
            .encode("sku,name_zh,tax_class,list_price\nIM-1,进口橄榄油 500ml,VAT9,55.00\n");
        let r = upload(&app, &admin, "dry_run=false", gbk.into_owned()).await;
        assert_eq!(r["encoding"], "gb18030");
        assert_eq!(r["updated"], 1, "{r}");
        let p = app.get(&admin, "/api/v1/products?q=im-1").await.body["data"][0].clone();
        assert_eq!(p["list_price_minor"], 5500);
        assert_eq!(
            p["barcodes"][0]["code"], "6901939621608",
            "a column the file lacks keeps its value"
        );

        // Files that cannot be read say why.
        for (bytes, needle) in [
            (Vec::new(), "empty"),
            (b"sku,name,price\n".to_vec(), "unknown column"),
            (
                vec![0x73, 0x6b, 0x75, 0x0a, 0xff, 0xfe, 0xfd, 0x81],
                "neither UTF-8 nor GBK",
            ),
        ] {
            let r = upload(&app, &admin, "dry_run=true", bytes).await;
            assert!(
                r["errors"][0]["message"].as_str().unwrap().contains(needle),
                "{r}"
            );
        }
        // Too large: 413 problem+json, nothing read.
        let big = vec![b'a'; 64 * 1024 * 1024 + 10];
        let r = app
            .http
            .post(format!("{}/api/v1/products/import?dry_run=true", app.base))
            .bearer_auth(&admin)
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

        // Export with filters, then the export imports back unchanged.
        let r = app
            .call(
                Method::GET,
                "/api/v1/products/export?format=csv&lang=en&brand=%E5%BA%B7%E5%B8%88%E5%82%85",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let text = r.body.as_str().unwrap().to_string();
        assert!(
            text.trim_start_matches('\u{feff}')
                .starts_with("sku,name_zh")
        );
        let lines = text.lines().count();
        assert!(
            lines > 100 && text.lines().skip(1).all(|l| l.contains("康师傅")),
            "brand filter"
        );
        let back = upload(&app, &admin, "dry_run=true", text.into_bytes()).await;
        assert_eq!(
            back["unchanged"].as_u64().unwrap() as usize,
            lines - 1,
            "{}",
            back["errors"]
        );
    }
}
