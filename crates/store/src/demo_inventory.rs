//! The demo chain's inventory: opening stock at the two warehouses, eight suppliers with the
//! products they supply, reorder rules at every store (a few dozen items per store already at
//! their reorder point), and purchase orders and transfers in every state — written through
//! the same functions the API uses.

use crate::bulk::{self, Val};
use crate::db::Db;
use crate::error::StoreResult;
use crate::inventory::post::{self, Movement};
use crate::inventory::purchase_orders::{self, ActionInput, PoAction, PoInput, PoLineInput};
use crate::inventory::receiving::{self, LineQuantity, ReceiveInput};
use crate::inventory::suppliers::{self, SupplierInput};
use crate::inventory::transfers::{
    self, TransferAction, TransferActionInput, TransferInput, TransferLineInput, TransferQuantity,
};
use crate::orders::model::DecimalText;
use crate::principal::Principal;
use crate::row;
use salepoint_domain::ids::CompanyId;

/// (code, name, contact, phone, lead time days)
const SUPPLIERS: &[(&str, &str, &str, &str, i64)] = &[
    (
        "S001",
        "上海百润食品贸易有限公司",
        "周敏",
        "021-6258 8801",
        2,
    ),
    ("S002", "华东饮料经销有限公司", "吴强", "021-5488 1200", 3),
    ("S003", "光明乳业配送中心", "郑丽", "021-6471 3300", 1),
    (
        "S004",
        "广州日化用品批发有限公司",
        "黄海",
        "020-8666 2100",
        5,
    ),
    ("S005", "北方粮油食品有限公司", "孙涛", "010-8452 7700", 4),
    ("S006", "嘉兴休闲食品有限公司", "钱芳", "0573-8221 5566", 3),
    ("S007", "崇明生鲜果蔬合作社", "朱伟", "021-5963 1188", 1),
    (
        "S008",
        "深圳个护家居供应链有限公司",
        "林静",
        "0755-2399 8080",
        6,
    ),
];

/// Writes the demo inventory for `company` (after its opening store stock).
pub async fn seed(db: &Db, company: CompanyId) -> StoreResult<()> {
    let admin = sqlx::query(
        "SELECT id FROM users WHERE company_id = $1 AND role = 'admin' ORDER BY created_at LIMIT 1",
    )
    .bind(company.to_string())
    .fetch_one(&db.pool)
    .await?;
    let mut p = Principal::system(company);
    p.id = row::text(&admin, "id")?;
    p.name = "admin".into();
    let locations =
        sqlx::query("SELECT id, code, kind FROM stores WHERE company_id = $1 ORDER BY code")
            .bind(company.to_string())
            .fetch_all(&db.pool)
            .await?;
    let mut stores = Vec::new();
    let mut warehouses = Vec::new();
    for l in &locations {
        let item = (row::text(l, "id")?, row::text(l, "code")?);
        if row::text(l, "kind")? == "warehouse" {
            warehouses.push(item);
        } else {
            stores.push(item);
        }
    }
    let products = sqlx::query(
        "SELECT id, sold_by_weight, cost_price_minor FROM products WHERE company_id = $1 AND status = 'active' ORDER BY sku",
    )
    .bind(company.to_string())
    .fetch_all(&db.pool)
    .await?;
    let mut items = Vec::with_capacity(products.len());
    for r in &products {
        items.push((
            row::text(r, "id")?,
            row::flag(r, "sold_by_weight")?,
            row::int(r, "cost_price_minor")?,
        ));
    }
    // Opening stock at the warehouses.
    for (w, (wid, _)) in warehouses.iter().enumerate() {
        let moves: Vec<Movement> = items
            .iter()
            .enumerate()
            .map(|(i, (id, weighed, cost))| Movement {
                location_id: wid.clone(),
                product_id: id.clone(),
                kind: "adjustment",
                quantity_milli: if *weighed {
                    200_000 + ((i * 37 + w * 11) % 300) as i64 * 1000
                } else {
                    500_000 + ((i * 53 + w * 7) % 1500) as i64 * 1000
                },
                unit_cost_minor: *cost,
                ref_type: "opening_stock",
                ref_id: "demo".into(),
                ref_line: None,
            })
            .collect();
        let mut tx = db.begin().await?;
        post::post(&mut tx, &p, &moves, &[]).await?;
        tx.commit().await?;
    }
    // Suppliers, each supplying a share of the catalog (preferred), packs of 12 or by the kg.
    let mut supplier_ids = Vec::new();
    let mut tx = db.begin().await?;
    for (code, name, contact, phone, lead) in SUPPLIERS {
        let id = uuid::Uuid::now_v7().to_string();
        suppliers::insert(
            &mut tx,
            &company.to_string(),
            &id,
            &SupplierInput {
                code: code.to_string(),
                name: name.to_string(),
                contact: contact.to_string(),
                phone: phone.to_string(),
                email: String::new(),
                address: String::new(),
                lead_time_days: *lead,
                active: Some(true),
                version: None,
            },
        )
        .await?;
        supplier_ids.push(id);
    }
    let rows: Vec<Vec<Val>> = items
        .iter()
        .enumerate()
        .map(|(i, (id, weighed, cost))| {
            let s = if *weighed { 6 } else { i % SUPPLIERS.len() };
            vec![
                Val::from(supplier_ids[s].as_str()),
                id.as_str().into(),
                company.to_string().into(),
                format!("V{:05}", i + 1).into(),
                (*cost).into(),
                (if *weighed { 1000i64 } else { 12_000 }).into(),
                1i64.into(),
            ]
        })
        .collect();
    bulk::insert(
        &mut tx,
        "INSERT INTO supplier_products (supplier_id, product_id, company_id, supplier_sku, cost_minor, pack_milli, preferred) VALUES ",
        &rows,
        "",
    )
    .await?;
    // Reorder rules at every store: packaged 30 / 120 / 400, weighed 15 / 40 / 100 kg; every
    // 97th product per store is set where its stock already stands, so it shows as low.
    sqlx::query(
        "UPDATE stock_levels SET \
         reorder_point_milli = CASE WHEN (SELECT sold_by_weight FROM products WHERE id = stock_levels.product_id) = 1 THEN 15000 ELSE 30000 END, \
         reorder_qty_milli = CASE WHEN (SELECT sold_by_weight FROM products WHERE id = stock_levels.product_id) = 1 THEN 40000 ELSE 120000 END, \
         max_milli = CASE WHEN (SELECT sold_by_weight FROM products WHERE id = stock_levels.product_id) = 1 THEN 100000 ELSE 400000 END \
         WHERE company_id = $1 AND location_id IN (SELECT id FROM stores WHERE kind = 'store' AND company_id = $1)",
    )
    .bind(company.to_string())
    .execute(&mut *tx)
    .await?;
    for (n, (sid, _)) in stores.iter().enumerate() {
        let low: Vec<String> = items
            .iter()
            .enumerate()
            .filter(|(i, _)| (i + n * 13) % 97 == 0)
            .map(|(_, x)| x.0.clone())
            .collect();
        let mut q = crate::sql::Sql::new(
            "UPDATE stock_levels SET reorder_point_milli = on_hand_milli + 10000, max_milli = on_hand_milli + 400000 WHERE location_id = ",
        );
        q.bind(sid.clone())
            .push(" AND product_id IN ")
            .bind_list(&low);
        let (sql, args) = q.build();
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    documents(db, &p, &stores, &warehouses, &supplier_ids, &items).await
}

/// Submits a draft and, if its total needs it, approves it.
async fn approved(
    db: &Db,
    p: &Principal,
    po: &purchase_orders::PurchaseOrder,
) -> StoreResult<purchase_orders::PurchaseOrder> {
    let act = |po: &purchase_orders::PurchaseOrder| ActionInput {
        version: po.version,
        reason: None,
    };
    let po = purchase_orders::act(db, p, &po.id, PoAction::Submit, &act(po)).await?;
    if po.status == salepoint_domain::inventory::PoStatus::Submitted {
        return purchase_orders::act(db, p, &po.id, PoAction::Approve, &act(&po)).await;
    }
    Ok(po)
}

fn q(n: i64) -> DecimalText {
    DecimalText(n.to_string())
}

/// Purchase orders at the first store in every state, and transfers from its region's
/// warehouse in every state.
async fn documents(
    db: &Db,
    p: &Principal,
    stores: &[(String, String)],
    warehouses: &[(String, String)],
    supplier_ids: &[String],
    items: &[(String, bool, i64)],
) -> StoreResult<()> {
    let (Some((store, _)), Some((warehouse, _))) =
        (stores.iter().find(|s| s.1 == "SH001"), warehouses.first())
    else {
        return Ok(());
    };
    // Products of supplier S002 (every 8th, offset 1), packaged.
    let supplied: Vec<&(String, bool, i64)> = items
        .iter()
        .enumerate()
        .filter(|(i, x)| i % 8 == 1 && !x.1)
        .map(|(_, x)| x)
        .collect();
    let po = |k: usize, lines: usize, qty: i64| PoInput {
        supplier_id: supplier_ids[1].clone(),
        location_id: store.clone(),
        expected_date: Some("2026-12-05".into()),
        notes: format!("演示采购单 {}", k + 1),
        lines: supplied
            .iter()
            .skip(k * 6)
            .take(lines)
            .map(|x| PoLineInput {
                product_id: x.0.clone(),
                quantity: q(qty),
                unit_cost_minor: None,
            })
            .collect(),
        version: None,
    };
    let act = |po: &purchase_orders::PurchaseOrder| ActionInput {
        version: po.version,
        reason: None,
    };
    // draft
    purchase_orders::create(db, p, &po(0, 4, 24), None).await?;
    // submitted, waiting for approval (large)
    let big = purchase_orders::create(db, p, &po(1, 6, 1200), None).await?;
    purchase_orders::act(db, p, &big.id, PoAction::Submit, &act(&big)).await?;
    // approved, to be received
    let a = purchase_orders::create(db, p, &po(2, 5, 48), None).await?;
    approved(db, p, &a).await?;
    // partially received
    let b = purchase_orders::create(db, p, &po(3, 5, 36), None).await?;
    let b = approved(db, p, &b).await?;
    let first = ReceiveInput {
        lines: b
            .lines
            .iter()
            .take(3)
            .map(|l| LineQuantity {
                line_no: l.line_no,
                quantity: q(36),
            })
            .collect(),
        notes: "第一批".into(),
    };
    receiving::receive(db, p, &b.id, &first, None).await?;
    // received and closed
    let c = purchase_orders::create(db, p, &po(4, 4, 24), None).await?;
    let c = approved(db, p, &c).await?;
    let all = ReceiveInput {
        lines: c
            .lines
            .iter()
            .map(|l| LineQuantity {
                line_no: l.line_no,
                quantity: q(24),
            })
            .collect(),
        notes: String::new(),
    };
    let c = receiving::receive(db, p, &c.id, &all, None).await?;
    purchase_orders::act(db, p, &c.id, PoAction::Close, &act(&c)).await?;

    // Transfers from the warehouse to the store (要货).
    let tr = |k: usize| TransferInput {
        from_location_id: warehouse.clone(),
        to_location_id: store.clone(),
        notes: format!("门店要货 {}", k + 1),
        lines: items
            .iter()
            .filter(|x| !x.1)
            .skip(100 + k * 5)
            .take(4)
            .map(|x| TransferLineInput {
                product_id: x.0.clone(),
                quantity: q(24),
            })
            .collect(),
    };
    let step =
        |t: &transfers::Transfer, lines: Option<Vec<TransferQuantity>>| TransferActionInput {
            version: t.version,
            lines,
            reason: None,
        };
    transfers::create(db, p, &tr(0), None).await?;
    let t = transfers::create(db, p, &tr(1), None).await?;
    transfers::act(db, p, &t.id, TransferAction::Approve, &step(&t, None), None).await?;
    let t = transfers::create(db, p, &tr(2), None).await?;
    let t = transfers::act(db, p, &t.id, TransferAction::Approve, &step(&t, None), None).await?;
    transfers::act(db, p, &t.id, TransferAction::Ship, &step(&t, None), None).await?;
    // Received one short: the difference shows.
    let t = transfers::create(db, p, &tr(3), None).await?;
    let t = transfers::act(db, p, &t.id, TransferAction::Approve, &step(&t, None), None).await?;
    let t = transfers::act(db, p, &t.id, TransferAction::Ship, &step(&t, None), None).await?;
    let short = vec![TransferQuantity {
        line_no: 1,
        quantity: q(23),
    }];
    transfers::act(
        db,
        p,
        &t.id,
        TransferAction::Receive,
        &step(&t, Some(short)),
        None,
    )
    .await?;
    Ok(())
}
