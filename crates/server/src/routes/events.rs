//! `/events`: server-sent events of sales, returns, stock and shifts for the stores the caller
//! may see. Read from the outbox (written with each business transaction), woken at once by
//! this process's commits and every second for other app servers'.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Require};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use salepoint_domain::roles::Permission;
use salepoint_store::Principal;
use salepoint_store::events::{self, LastEventId, Position};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream_events))
}

struct Cursor {
    state: AppState,
    principal: Principal,
    at: Position,
    ready: VecDeque<Event>,
    wake: tokio::sync::watch::Receiver<u64>,
}

/// Whether the caller may see an event: its store in scope, and its kind readable by the role
/// (stock events with `stock.read`, the others with `sales.read`). Task events (`task.`) go
/// only to their assignee, with `customers.read`.
fn visible(p: &Principal, store: Option<&str>, kind: &str, payload: &str) -> bool {
    if kind.starts_with("task.") {
        return p.can(Permission::CustomersRead)
            && serde_json::from_str::<serde_json::Value>(payload)
                .is_ok_and(|v| v["assignee_id"].as_str() == Some(p.id.as_str()));
    }
    let readable = if kind.starts_with("analytics.") {
        p.can(Permission::ReportsRead)
    } else if kind.starts_with("stock.") {
        p.can(Permission::StockRead)
    } else {
        p.can(Permission::SalesRead)
    };
    readable
        && match store.and_then(|s| s.parse().ok()) {
            Some(id) => p.sees(id),
            None => p.store_filter().is_none(),
        }
}

async fn next_event(mut c: Cursor) -> Option<(Result<Event, Infallible>, Cursor)> {
    loop {
        if let Some(e) = c.ready.pop_front() {
            return Some((Ok(e), c));
        }
        match events::after(&c.state.db, c.principal.company_id, c.at, 200).await {
            Ok(rows) if !rows.is_empty() => {
                for r in rows {
                    c.at = r.position;
                    if visible(&c.principal, r.store_id.as_deref(), &r.kind, &r.payload) {
                        c.ready.push_back(
                            Event::default()
                                .id(r.position.to_string())
                                .event(r.kind)
                                .data(r.payload),
                        );
                    }
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "live events: reading the outbox failed"),
        }
        // Nothing new: wait for a commit here, or poll for other servers' commits.
        let _ = tokio::time::timeout(Duration::from_secs(1), c.wake.changed()).await;
    }
}

/// Where a stream starts: after the client's `Last-Event-ID` (see [`LastEventId`]; a plain
/// number from before the event ids named transactions resumes as [`events::resume`] says), or
/// at the head when it sent none. A malformed id is refused (422) rather than treated as "from
/// now", which would silently drop the events the client missed; a browser's EventSource only
/// ever sends back an id this server gave it.
async fn start(s: &AppState, p: &Principal, headers: &HeaderMap) -> ApiResult<Position> {
    let last = match headers
        .get("last-event-id")
        .map(|v| v.to_str().map(str::trim))
    {
        None | Some(Ok("")) => return Ok(events::head(&s.db, p.company_id).await?),
        Some(Ok(v)) => LastEventId::parse(v),
        Some(Err(_)) => None,
    };
    let last = last.ok_or_else(|| {
        ApiError::field(
            "Last-Event-ID",
            "invalid_format",
            "the id of an event of this stream: <tx_id>-<seq>",
        )
    })?;
    Ok(events::resume(&s.db, p.company_id, last).await?)
}

/// Live events (`text/event-stream`): `sale.completed`, `return.completed`, `stock.changed`,
/// `stock.low`, `shift.opened`, `shift.closed`, `task.reminder` (to its assignee only),
/// `analytics.updated` (with `reports.read`: the rollups of a store changed). Each event's `id`
/// is an opaque position in the stream (`<tx_id>-<seq>`); send it back as `Last-Event-ID` to
/// resume right after that event (an unparsable one answers 422). Events of transactions that
/// commit out of order (several app servers on PostgreSQL) are never skipped: an event is sent
/// once every transaction that could still commit an earlier one has ended. Only events of
/// stores in the caller's scope, and stock events only with `stock.read`, the others only with
/// `sales.read`.
#[utoipa::path(get, path = "/events", tag = "sales", responses(
    (status = 200, description = "text/event-stream"),
    (status = 422, description = "a malformed Last-Event-ID", body = crate::error::Problem)))]
async fn stream_events(
    State(s): State<AppState>,
    Auth(p): Auth,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    if !p.can(Permission::SalesRead) && !p.can(Permission::ReportsRead) {
        p.require(Permission::StockRead)?;
    }
    let at = start(&s, &p, &headers).await?;
    let wake = s.db.subscribe();
    let cursor = Cursor {
        state: s,
        principal: p,
        at,
        ready: VecDeque::new(),
        wake,
    };
    Ok(Sse::new(stream::unfold(cursor, next_event)).keep_alive(KeepAlive::default()))
}
