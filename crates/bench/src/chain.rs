//! The chain as the selling benchmarks see it over HTTP: one logged-in client, the stores with
//! their register catalogs, and virtual registers with an open shift each. Shared by
//! `checkout`, `customers` and `analytics` so that they all sell the same way.

use crate::harness::Server;
use anyhow::Context;
use serde_json::{Value, json};
use std::sync::Arc;

/// The drawer float of every shift the benchmarks open.
const OPENING_FLOAT_MINOR: i64 = 50_000;
/// The demo chain sells in CNY, which has 2 minor digits.
const CNY_EXPONENT: u8 = 2;

/// One user's view of the API (the admin sees every store, so one login serves all registers).
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) token: String,
}

impl Api {
    /// Logs `username` in on the server under test.
    pub(crate) async fn login(s: &Server, username: &str, password: &str) -> anyhow::Result<Api> {
        Ok(Api {
            http: s.http.clone(),
            base: s.base.clone(),
            token: s.login(username, password).await?,
        })
    }

    /// `GET path`, which must answer 200 with JSON.
    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?;
        expect(res, 200, path).await
    }

    /// `POST path` with a JSON body, which must answer `want` with JSON.
    pub(crate) async fn post(&self, path: &str, body: &Value, want: u16) -> anyhow::Result<Value> {
        let res = self.posting(path, body).send().await?;
        expect(res, want, path).await
    }

    /// [`Api::post`] with a fresh `Idempotency-Key`, as a client of the money and stock
    /// endpoints sends it.
    pub(crate) async fn post_idempotent(
        &self,
        path: &str,
        body: &Value,
        want: u16,
    ) -> anyhow::Result<Value> {
        let res = self
            .posting(path, body)
            .header("idempotency-key", uuid::Uuid::now_v7().to_string())
            .send()
            .await?;
        expect(res, want, path).await
    }

    fn posting(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
    }

    /// `GET path` as a load driver sends it: the status and the whole body (reading it is part
    /// of the cost, and lets the connection be reused). A transport failure ends the run.
    pub(crate) async fn load(&self, path: &str) -> (reqwest::StatusCode, Vec<u8>) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = res.status();
        let body = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        (status, body)
    }
}

async fn expect(res: reqwest::Response, want: u16, path: &str) -> anyhow::Result<Value> {
    let status = res.status();
    let text = res.text().await?;
    anyhow::ensure!(
        status.as_u16() == want,
        "{path}: {status} {}",
        text.chars().take(400).collect::<String>()
    );
    Ok(serde_json::from_str(&text)?)
}

/// A product as the store's catalog snapshot gives it to a register.
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) price_minor: i64,
    /// The `member` tier's price (the list price when the product has none).
    pub(crate) member_minor: i64,
    pub(crate) weighed: bool,
}

/// A store and its catalog.
pub(crate) struct Shop {
    pub(crate) id: String,
    pub(crate) code: String,
    /// Cash rounding (抹零) step in fen: 10 for the demo stores' 0.1 CNY.
    pub(crate) cash_step: i64,
    pub(crate) items: Vec<Item>,
}

/// A virtual register: its store and its open shift.
pub(crate) struct Till {
    pub(crate) shop: Arc<Shop>,
    pub(crate) register_id: String,
    pub(crate) shift_id: String,
}

/// The first `limit` stores (not warehouses, ordered as `GET /stores` lists them) with their
/// register catalogs.
pub(crate) async fn shops(api: &Api, limit: usize) -> anyhow::Result<Vec<Arc<Shop>>> {
    let locations = api.get("/api/v1/stores?kind=store&limit=100").await?;
    let mut shops = Vec::new();
    for loc in locations["data"].as_array().context("stores")? {
        if loc["kind"] != "store" || shops.len() == limit {
            continue;
        }
        let id = loc["id"].as_str().context("store id")?.to_string();
        let cash_step = loc["cash_rounding"]
            .as_str()
            .and_then(salepoint_domain::org::CashRounding::parse)
            .context("cash_rounding")?
            .step_minor(CNY_EXPONENT);
        let snapshot = api.get(&format!("/api/v1/stores/{id}/catalog")).await?;
        anyhow::ensure!(snapshot["currency"] == "CNY", "the demo chain sells in CNY");
        let items: Vec<Item> = snapshot["products"]
            .as_array()
            .context("products")?
            .iter()
            .filter(|p| p["status"] == "active" && p["price_minor"].as_i64() > Some(0))
            .map(|p| {
                let price = p["price_minor"].as_i64().unwrap_or_default();
                Item {
                    id: p["id"].as_str().unwrap_or_default().to_string(),
                    price_minor: price,
                    member_minor: p["tier_prices"]["member"].as_i64().unwrap_or(price),
                    weighed: p["sold_by_weight"].as_bool().unwrap_or(false),
                }
            })
            .collect();
        anyhow::ensure!(!items.is_empty(), "store {id} has nothing to sell");
        shops.push(Arc::new(Shop {
            id,
            code: loc["code"].as_str().unwrap_or_default().to_string(),
            cash_step,
            items,
        }));
    }
    anyhow::ensure!(!shops.is_empty(), "the chain has no stores");
    Ok(shops)
}

/// `n` registers with an open shift each: the stores' registers, plus new ones where a store
/// has too few, taken round-robin over the stores so that every level spreads over as many
/// stores as it can (8 registers are 8 stores, as in a chain, not 8 tills of one shop; the
/// first `shops.len()` are one per store).
pub(crate) async fn tills(
    api: &Api,
    shops: &[Arc<Shop>],
    n: usize,
) -> anyhow::Result<Vec<Arc<Till>>> {
    let per_store = n.div_ceil(shops.len());
    let mut registers = Vec::new();
    for shop in shops {
        let list = api
            .get(&format!("/api/v1/stores/{}/registers?limit=100", shop.id))
            .await?;
        let mut ids: Vec<String> = list["data"]
            .as_array()
            .context("registers")?
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect();
        for k in ids.len()..per_store {
            let r = api
                .post(
                    &format!("/api/v1/stores/{}/registers", shop.id),
                    &json!({"code": format!("BENCH{k:03}"), "name": format!("{} 压测 {k}", shop.code)}),
                    201,
                )
                .await?;
            ids.push(r["id"].as_str().context("register id")?.to_string());
        }
        registers.push(ids);
    }
    let mut tills = Vec::with_capacity(n);
    'fill: for k in 0..per_store {
        for (shop, ids) in shops.iter().zip(&registers) {
            if tills.len() == n {
                break 'fill;
            }
            let shift = api
                .post(
                    "/api/v1/shifts",
                    &json!({"register_id": ids[k], "opening_float_minor": OPENING_FLOAT_MINOR}),
                    201,
                )
                .await?;
            tills.push(Arc::new(Till {
                shop: shop.clone(),
                register_id: ids[k].clone(),
                shift_id: shift["id"].as_str().context("shift id")?.to_string(),
            }));
        }
    }
    Ok(tills)
}

/// SplitMix64: each register (or generator) draws from its own seeded stream, so a run is
/// reproducible and nothing shares a lock.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
