//! Live events and the outbox behind them: no event is skipped when transactions commit out of
//! order (PostgreSQL), a stream resumes right after its `Last-Event-ID`, a malformed one is
//! refused.

use crate::register::till;
use crate::support::{Backend, TestApp, backends, spawn};
use reqwest::{Method, StatusCode};
use salepoint_domain::ids::CompanyId;
use salepoint_store::events::{self, Position};
use sqlx::Row;
use std::time::{Duration, Instant};

const INSERT_EVENT: &str = "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at) \
     VALUES ($1, NULL, 'test.event', $2, '2026-01-01T00:00:00Z')";

async fn company(app: &TestApp) -> CompanyId {
    let r = sqlx::query("SELECT id FROM companies")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    r.try_get::<String, _>(0).unwrap().parse().unwrap()
}

/// Reads the outbox after `cursor` as the live stream does, moving it on; the payloads read.
async fn read(app: &TestApp, company: CompanyId, cursor: &mut Position) -> Vec<String> {
    let mut out = Vec::new();
    for e in events::after(&app.db, company, *cursor, 100).await.unwrap() {
        *cursor = e.position;
        out.push(e.payload);
    }
    out
}

/// Two transactions write an event each; the one holding the lower sequence number commits
/// last, and a reader polls in between (as the live stream does every second). Both events
/// still reach the reader, once each. PostgreSQL only: SQLite has one writer at a time, so its
/// commits are always in sequence order.
#[tokio::test]
async fn an_event_committed_after_a_later_one_is_not_skipped() {
    for backend in backends() {
        if backend != Backend::Postgres {
            continue;
        }
        let app = spawn(backend).await;
        let company = company(&app).await;
        let mut cursor = events::head(&app.db, company).await.unwrap();
        let mut first = app.db.begin_pooled().await.unwrap();
        sqlx::query(INSERT_EVENT)
            .bind(company.to_string())
            .bind("first")
            .execute(&mut *first)
            .await
            .unwrap();
        let mut second = app.db.begin_pooled().await.unwrap();
        sqlx::query(INSERT_EVENT)
            .bind(company.to_string())
            .bind("second")
            .execute(&mut *second)
            .await
            .unwrap();
        second.commit().await.unwrap();

        let mut seen = read(&app, company, &mut cursor).await;
        first.commit().await.unwrap();
        // Transactions of other tests on the same server hold the watermark back for a moment:
        // poll as the stream does, with a deadline.
        let deadline = Instant::now() + Duration::from_secs(10);
        while seen.len() < 2 && Instant::now() < deadline {
            seen.extend(read(&app, company, &mut cursor).await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(seen, ["first", "second"]);
    }
}

/// One event of a stream.
#[derive(Debug)]
struct Frame {
    id: String,
    event: String,
    data: String,
}

/// An open `GET /events`, read frame by frame.
struct Live {
    res: reqwest::Response,
    buf: String,
}

impl Live {
    async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Live {
        let mut req = app
            .http
            .get(format!("{}/api/v1/events", app.base))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        Live {
            res,
            buf: String::new(),
        }
    }

    /// The events up to and including the first whose data contains `needle` (within 10 s).
    async fn until(&mut self, needle: &str) -> Vec<Frame> {
        let mut out = Vec::new();
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let text: String = self.buf.drain(..end + 2).collect();
                let mut f = Frame {
                    id: String::new(),
                    event: String::new(),
                    data: String::new(),
                };
                for line in text.lines() {
                    let field = |name: &str| line.strip_prefix(name).map(|v| v.trim_start());
                    if let Some(v) = field("id:") {
                        f.id = v.into();
                    } else if let Some(v) = field("event:") {
                        f.event = v.into();
                    } else if let Some(v) = field("data:") {
                        f.data = v.into();
                    }
                }
                if f.event.is_empty() {
                    continue; // a keep-alive
                }
                let done = f.data.contains(needle);
                out.push(f);
                if done {
                    return out;
                }
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.res.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event with {needle} within 10 s; got {out:?}"))
                .unwrap()
                .unwrap();
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn ids(frames: &[Frame]) -> Vec<&str> {
    frames.iter().map(|f| f.id.as_str()).collect()
}

/// A stream opened with the id of one of its events as `Last-Event-ID` starts right after that
/// event: the same events in the same order, none before. A plain sequence number (the ids of
/// earlier versions) still resumes, without losing any event after it.
#[tokio::test]
async fn a_stream_resumes_right_after_its_last_event_id() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let manager = app.demo_user("manager.sh001").await;
        let mut live = Live::open(&app, &manager, None).await;
        let mut receipts = Vec::new();
        for _ in 0..3 {
            let sale = app
                .post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 1000)]))
                .await;
            assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
            receipts.push(sale.body["receipt_no"].as_str().unwrap().to_string());
        }
        let seen = live.until(&receipts[2]).await;
        for f in &seen {
            let (tx, seq) = f.id.split_once('-').expect("ids are <tx_id>-<seq>");
            assert!(
                tx.parse::<u64>().is_ok() && seq.parse::<u64>().is_ok(),
                "{}",
                f.id
            );
        }
        let k = seen
            .iter()
            .position(|f| f.event == "sale.completed" && f.data.contains(&receipts[0]))
            .unwrap();

        let mut resumed = Live::open(&app, &manager, Some(&seen[k].id)).await;
        let again = resumed.until(&receipts[2]).await;
        assert_eq!(ids(&again), ids(&seen[k + 1..]));
        assert!(!again.iter().any(|f| f.data.contains(&receipts[0])));

        // An id from before event ids named transactions: its sequence number alone. Every
        // later event comes, in order; on PostgreSQL a few around it may come twice.
        let seq = seen[k].id.split_once('-').unwrap().1;
        let mut legacy = Live::open(&app, &manager, Some(seq)).await;
        let legacy = legacy.until(&receipts[2]).await;
        if backend == Backend::Sqlite {
            assert_eq!(ids(&legacy), ids(&seen[k + 1..]));
        }
        let mut rest = ids(&legacy).into_iter();
        for id in ids(&seen[k + 1..]) {
            assert!(
                rest.any(|l| l == id),
                "{id} missing after a plain Last-Event-ID"
            );
        }
    }
}

/// A Last-Event-ID the server never sent is refused with a problem naming the header, rather
/// than silently read as "from now" (which would drop what the client missed); an empty one is
/// no id at all.
#[tokio::test]
async fn a_malformed_last_event_id_is_refused() {
    for backend in backends() {
        let app = spawn(backend).await;
        let manager = app.demo_user("manager.sh001").await;
        for bad in ["abc", "12-x", "-3", "1-2-3", "1.5"] {
            let r = app
                .call_with(
                    Method::GET,
                    "/api/v1/events",
                    Some(&manager),
                    None,
                    &[("last-event-id", bad)],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(
                r.headers["content-type"], "application/problem+json",
                "{bad}"
            );
            assert_eq!(r.code(), "validation_failed");
            assert_eq!(r.body["errors"][0]["field"], "Last-Event-ID");
            assert_eq!(r.body["errors"][0]["code"], "invalid_format");
        }
        Live::open(&app, &manager, Some("")).await;
        let doc = app.call(Method::GET, "/api/openapi.json", None, None).await;
        let responses = &doc.body["paths"]["/events"]["get"]["responses"];
        assert!(responses["422"].is_object(), "{responses}");
    }
}

/// A database restored into a new PostgreSQL server keeps the transaction ids of the old one,
/// which the new server has not reached yet. On start those events are put back first (tx_id
/// 0), and a client's id naming such a transaction resumes by its sequence number, so new
/// events still reach it (rather than after the new server's ids catch up).
#[tokio::test]
async fn events_from_another_postgres_server_neither_wait_nor_come_back() {
    const FOREIGN: i64 = 9_000_000_000_000;
    for backend in backends() {
        if backend != Backend::Postgres {
            continue;
        }
        let app = spawn(backend).await;
        let company = company(&app).await;
        let restored = sqlx::query(
            "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at, tx_id) \
             VALUES ($1, NULL, 'test.event', 'restored', '2026-01-01T00:00:00Z', $2) RETURNING seq",
        )
        .bind(company.to_string())
        .bind(FOREIGN)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap();
        sqlx::query(INSERT_EVENT)
            .bind(company.to_string())
            .bind("ours")
            .execute(&app.db.pool)
            .await
            .unwrap();
        let tx_ids = |db: &salepoint_store::Db| {
            let pool = db.pool.clone();
            async move {
                sqlx::query("SELECT payload, tx_id FROM outbox_events WHERE kind = 'test.event' ORDER BY seq")
                    .fetch_all(&pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
                    .collect::<Vec<_>>()
            }
        };
        let before = tx_ids(&app.db).await;
        assert_eq!(before[0], ("restored".to_string(), FOREIGN));

        // A client that saw the restored event before the restore resumes after it…
        let mut cursor = events::resume(
            &app.db,
            company,
            events::LastEventId::Position(Position {
                tx_id: FOREIGN,
                seq: restored,
            }),
        )
        .await
        .unwrap();
        // …and gets the events written since.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while seen.is_empty() && Instant::now() < deadline {
            seen = read(&app, company, &mut cursor).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(seen, ["ours"]);

        // The analytics worker's cursor had passed the restored event on the old server.
        sqlx::query(
            "INSERT INTO analytics_cursors (company_id, tx_id, seq) VALUES ($1, $2, $3) \
             ON CONFLICT (company_id) DO UPDATE SET tx_id = excluded.tx_id, seq = excluded.seq",
        )
        .bind(company.to_string())
        .bind(FOREIGN)
        .bind(restored)
        .execute(&app.db.pool)
        .await
        .unwrap();

        // The next start puts the restored event first; this server's events keep their ids.
        app.db.migrate().await.unwrap();
        let after = tx_ids(&app.db).await;
        assert_eq!(after[0], ("restored".to_string(), 0));
        assert_eq!(after[1], before[1]);
        // The cursor stands after the restored events, before this server's: it would never
        // have reached them from the old server's ids.
        let cursor = sqlx::query("SELECT tx_id, seq FROM analytics_cursors WHERE company_id = $1")
            .bind(company.to_string())
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            (cursor.get::<i64, _>(0), cursor.get::<i64, _>(1)),
            (0, restored)
        );
    }
}
