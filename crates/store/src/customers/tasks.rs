//! The shopping guide's follow-up tasks (导购待办): call a member about a birthday, a lapsed
//! regular, an order to collect. A task belongs to a customer and is seen by whoever sees the
//! customer (scope by the customer's home store); a reminder tick turns due reminders into
//! `task.reminder` live events for the assignee.
//!
//! "Today" and "overdue" are days of the company's time zone (a chain in China runs on
//! Asia/Shanghai; the offset is taken at the time of the request).

use crate::clock;
use crate::crud::{require_version, stale_or_missing};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};
use utoipa::ToSchema;

/// A follow-up task.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    /// The customer's home store when the task was made.
    pub store_id: Option<String>,
    pub assignee_id: String,
    /// `manual`, `birthday` or `lapsed`.
    pub kind: String,
    pub title: String,
    pub notes: String,
    pub due_at: String,
    pub remind_at: Option<String>,
    /// Whether the reminder went out.
    pub reminded: bool,
    /// `open`, `done` or `cancelled`.
    pub status: String,
    pub sale_id: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub done_at: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// A new task.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub customer_id: String,
    /// Default: the caller.
    pub assignee_id: Option<String>,
    /// `manual` (default), `birthday` or `lapsed` (what a suggestion became).
    pub kind: Option<String>,
    pub title: String,
    #[serde(default)]
    pub notes: String,
    /// RFC 3339.
    pub due_at: String,
    /// RFC 3339; a `task.reminder` event goes to the assignee then.
    pub remind_at: Option<String>,
    /// The sale the task follows up.
    pub sale_id: Option<String>,
}

/// A change of a task: only the fields sent change; `version` is required.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskUpdate {
    /// `open`, `done` or `cancelled`.
    pub status: Option<String>,
    pub title: Option<String>,
    pub notes: Option<String>,
    pub assignee_id: Option<String>,
    pub due_at: Option<String>,
    /// A new reminder time (the reminder goes out again).
    pub remind_at: Option<String>,
    pub version: Option<i64>,
}

/// Which due dates a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Due during today (company time zone).
    Today,
    /// Still open and due before today.
    Overdue,
}

/// Filters of the task list.
#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    pub assignee_id: Option<String>,
    pub status: Option<String>,
    pub due: Option<Due>,
    pub customer_id: Option<String>,
}

const STATUSES: [&str; 3] = ["open", "done", "cancelled"];
const KINDS: [&str; 3] = ["manual", "birthday", "lapsed"];

fn from_row(r: &AnyRow) -> StoreResult<Task> {
    Ok(Task {
        id: row::text(r, "id")?,
        customer_id: row::text(r, "customer_id")?,
        customer_name: row::text(r, "customer_name")?,
        store_id: row::opt_text(r, "store_id")?,
        assignee_id: row::text(r, "assignee_id")?,
        kind: row::text(r, "kind")?,
        title: row::text(r, "title")?,
        notes: row::text(r, "notes")?,
        due_at: row::text(r, "due_at")?,
        remind_at: row::opt_text(r, "remind_at")?,
        reminded: row::flag(r, "reminded")?,
        status: row::text(r, "status")?,
        sale_id: row::opt_text(r, "sale_id")?,
        created_by: row::text(r, "created_by")?,
        created_at: row::text(r, "created_at")?,
        done_at: row::opt_text(r, "done_at")?,
        version: row::int(r, "version")?,
        updated_at: row::text(r, "updated_at")?,
    })
}

const SELECT: &str = "SELECT t.*, c.name AS customer_name FROM customer_tasks t \
     JOIN customers c ON c.id = t.customer_id WHERE t.company_id = ";

/// Limits a query to customers the caller may see: home store in scope, or no home store
/// (such customers are the whole chain's).
pub(crate) fn push_customer_scope(q: &mut Sql, p: &Principal, column: &str) {
    if let Some(stores) = p.store_filter() {
        if stores.is_empty() {
            q.push(&format!(" AND {column} IS NULL"));
        } else {
            q.push(&format!(" AND ({column} IS NULL OR {column} IN "));
            q.bind_list(&stores);
            q.push(")");
        }
    }
}

/// The phone as `p` may see it: the profile module's rule (full with `customers.contact`,
/// else masked `138****5678`).
pub(crate) fn phone_for(p: &Principal, phone: Option<String>) -> Option<String> {
    super::profiles::phone_for(p, phone.as_deref())
}

/// Today's date in the company's time zone and the UTC instant it began.
pub(crate) async fn company_today(db: &Db, company: &str) -> StoreResult<(Date, OffsetDateTime)> {
    let tz: String = sqlx::query("SELECT time_zone FROM companies WHERE id = $1")
        .bind(company)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| row::text(&r, "time_zone"))
        .transpose()?
        .unwrap_or_else(|| "UTC".into());
    Ok(local_today(OffsetDateTime::now_utc(), &tz))
}

/// The local date at `now` in `tz` and the UTC instant of its midnight (offset as of `now`).
fn local_today(now: OffsetDateTime, tz: &str) -> (Date, OffsetDateTime) {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let wall = salepoint_domain::org::local_time(now.unix_timestamp(), tz);
    let local = PrimitiveDateTime::parse(&wall, fmt)
        .map(|l| l.assume_utc())
        .unwrap_or(now);
    // local − now = offset − (seconds past the minute): round to a quarter hour.
    let diff = (local - now).whole_seconds();
    let offset = Duration::minutes(((diff as f64) / 900.0).round() as i64 * 15);
    let date = local.date();
    let midnight = date.midnight().assume_utc() - offset;
    (date, midnight)
}

/// An RFC 3339 time as stored, or a field error.
pub(crate) fn parse_time(v: &mut Validator, field: &str, value: &str) -> Option<String> {
    match OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339) {
        Ok(t) => Some(clock::format(t)),
        Err(_) => {
            v.add(
                field,
                "invalid_format",
                "an RFC 3339 time such as 2026-12-01T10:00:00+08:00",
            );
            None
        }
    }
}

/// The customer's home store, if the customer exists in the company and is in the caller's
/// scope.
async fn customer_home(db: &Db, p: &Principal, id: &str) -> StoreResult<Option<Option<String>>> {
    let mut q = Sql::new("SELECT home_store_id FROM customers WHERE company_id = ");
    q.bind(p.company_id.to_string())
        .push(" AND id = ")
        .bind(id.to_string());
    push_customer_scope(&mut q, p, "home_store_id");
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&db.pool)
        .await?;
    r.map(|r| row::opt_text(&r, "home_store_id")).transpose()
}

/// Whether `id` is an active user of the company.
async fn user_exists(db: &Db, p: &Principal, id: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM users WHERE id = $1 AND company_id = $2 AND active = 1")
            .bind(id)
            .bind(p.company_id.to_string())
            .fetch_optional(&db.pool)
            .await?
            .is_some(),
    )
}

/// One task, if its customer is in the caller's scope.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<Task> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string())
        .push(" AND t.id = ")
        .bind(id.to_string());
    push_customer_scope(&mut q, p, "c.home_store_id");
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// Tasks of customers in the caller's scope, by due time.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &TaskFilter,
    page: &PageRequest,
) -> StoreResult<Page<Task>> {
    let company = p.company_id.to_string();
    let mut q = Sql::new(SELECT);
    q.bind(company.clone());
    push_customer_scope(&mut q, p, "c.home_store_id");
    if let Some(a) = &f.assignee_id {
        q.push(" AND t.assignee_id = ").bind(a.clone());
    }
    if let Some(s) = &f.status {
        q.push(" AND t.status = ").bind(s.clone());
    }
    if let Some(c) = &f.customer_id {
        q.push(" AND t.customer_id = ").bind(c.clone());
    }
    if let Some(due) = f.due {
        let (_, start) = company_today(db, &company).await?;
        let start_s = clock::format(start);
        match due {
            Due::Today => {
                q.push(" AND t.due_at >= ")
                    .bind(start_s)
                    .push(" AND t.due_at < ")
                    .bind(clock::format(start + Duration::days(1)));
            }
            Due::Overdue => {
                q.push(" AND t.status = 'open' AND t.due_at < ")
                    .bind(start_s);
            }
        }
    }
    if let Some((due, id)) = page.after.as_deref().and_then(|a| a.split_once('|')) {
        q.push(" AND (t.due_at > ")
            .bind(due.to_string())
            .push(" OR (t.due_at = ")
            .bind(due.to_string())
            .push(" AND t.id > ")
            .bind(id.to_string())
            .push("))");
    }
    q.push(" ORDER BY t.due_at, t.id LIMIT ")
        .bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |t| format!("{}|{}", t.due_at, t.id)))
}

/// Creates a task for a customer in the caller's scope (assigned to the caller unless
/// `assignee_id` says otherwise).
pub async fn create(db: &Db, p: &Principal, input: &TaskInput) -> StoreResult<Task> {
    let mut v = Validator::new();
    v.text("/title", &input.title, 1, 200);
    v.optional_text("/notes", Some(&input.notes), 2000);
    let kind = input.kind.clone().unwrap_or_else(|| "manual".into());
    if !KINDS.contains(&kind.as_str()) {
        v.add("/kind", "invalid_value", "manual, birthday or lapsed");
    }
    let due = parse_time(&mut v, "/due_at", &input.due_at);
    let remind = input
        .remind_at
        .as_deref()
        .and_then(|r| parse_time(&mut v, "/remind_at", r));
    if uuid::Uuid::parse_str(&input.customer_id).is_err() {
        v.add("/customer_id", "invalid_format", "a customer id");
    }
    v.finish().map_err(StoreError::Invalid)?;
    let home = customer_home(db, p, &input.customer_id)
        .await?
        .ok_or_else(|| StoreError::invalid("/customer_id", "not_found", "no such customer"))?;
    let assignee = input.assignee_id.clone().unwrap_or_else(|| p.id.clone());
    if !user_exists(db, p, &assignee).await? {
        return Err(StoreError::invalid(
            "/assignee_id",
            "not_found",
            "no such active user",
        ));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let now = clock::now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO customer_tasks (id, company_id, customer_id, store_id, assignee_id, kind, title, notes, \
         due_at, remind_at, sale_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(&input.customer_id)
    .bind(home)
    .bind(&assignee)
    .bind(&kind)
    .bind(input.title.trim())
    .bind(input.notes.trim())
    .bind(due)
    .bind(remind)
    .bind(input.sale_id.clone().filter(|s| !s.is_empty()))
    .bind(&p.id)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    get(db, p, &id).await
}

/// Changes a task (send its `version`): status (`done` stamps `done_at`), title, notes,
/// assignee, due and reminder times.
pub async fn update(db: &Db, p: &Principal, id: &str, input: &TaskUpdate) -> StoreResult<Task> {
    let mut v = Validator::new();
    let version = require_version(&mut v, input.version);
    if let Some(s) = &input.status
        && !STATUSES.contains(&s.as_str())
    {
        v.add("/status", "invalid_value", "open, done or cancelled");
    }
    if let Some(t) = &input.title {
        v.text("/title", t, 1, 200);
    }
    v.optional_text("/notes", input.notes.as_deref(), 2000);
    let due = input
        .due_at
        .as_deref()
        .and_then(|d| parse_time(&mut v, "/due_at", d));
    let remind = input
        .remind_at
        .as_deref()
        .and_then(|r| parse_time(&mut v, "/remind_at", r));
    v.finish().map_err(StoreError::Invalid)?;
    let current = get(db, p, id).await?;
    if let Some(a) = &input.assignee_id
        && !user_exists(db, p, a).await?
    {
        return Err(StoreError::invalid(
            "/assignee_id",
            "not_found",
            "no such active user",
        ));
    }
    let now = clock::now();
    let status = input.status.clone().unwrap_or(current.status.clone());
    let done_at = match (status.as_str(), current.status.as_str()) {
        ("done", "done") => current.done_at.clone(),
        ("done", _) => Some(now.clone()),
        _ => None,
    };
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE customer_tasks SET status = $1, title = $2, notes = $3, assignee_id = $4, due_at = $5, \
         remind_at = $6, reminded = $7, done_at = $8, version = version + 1, updated_at = $9 \
         WHERE id = $10 AND company_id = $11 AND version = $12",
    )
    .bind(&status)
    .bind(input.title.as_deref().map(str::trim).unwrap_or(&current.title))
    .bind(input.notes.as_deref().map(str::trim).unwrap_or(&current.notes))
    .bind(input.assignee_id.as_ref().unwrap_or(&current.assignee_id))
    .bind(due.unwrap_or(current.due_at.clone()))
    .bind(remind.clone().or(current.remind_at.clone()))
    .bind(if remind.is_some() { 0 } else { current.reminded as i64 })
    .bind(done_at)
    .bind(&now)
    .bind(id)
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(stale_or_missing(&mut tx, "customer_tasks", id).await);
    }
    tx.commit().await?;
    get(db, p, id).await
}

/// Tasks whose reminders are handled per pass of the tick.
const REMINDER_BATCH: i64 = 500;

/// One pass of the reminder tick, for every company: open tasks whose `remind_at` has come
/// and that were not reminded get a `task.reminder` outbox event (at the customer's home
/// store) and `reminded = 1`, in one transaction per batch; live streams are woken after.
/// Safe on several app servers at once: a task is claimed by the `UPDATE … AND reminded = 0`
/// that flips it, so each reminder goes out once. Returns how many went out.
pub async fn send_reminders(db: &Db) -> StoreResult<usize> {
    let mut sent = 0;
    loop {
        let now = clock::now();
        let mut tx = db.begin().await?;
        let claimed = sqlx::query(
            "UPDATE customer_tasks SET reminded = 1 WHERE id IN (SELECT id FROM customer_tasks \
             WHERE status = 'open' AND reminded = 0 AND remind_at <= $1 ORDER BY remind_at LIMIT $2) \
             AND reminded = 0 AND status = 'open' \
             RETURNING id, company_id, customer_id, assignee_id, title, due_at",
        )
        .bind(&now)
        .bind(REMINDER_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if claimed.is_empty() {
            break;
        }
        let ids: Vec<String> = claimed
            .iter()
            .map(|r| row::text(r, "customer_id"))
            .collect::<StoreResult<_>>()?;
        let mut q = Sql::new("SELECT id, home_store_id FROM customers WHERE id IN ");
        q.bind_list(&ids);
        let (sql, args) = q.build();
        let homes: std::collections::HashMap<String, Option<String>> = sqlx::query_with(&sql, args)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((row::text(r, "id")?, row::opt_text(r, "home_store_id")?)))
            .collect::<StoreResult<_>>()?;
        let mut ins = Sql::for_backend(
            tx.backend,
            "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at) VALUES ",
        );
        for (i, r) in claimed.iter().enumerate() {
            let customer = row::text(r, "customer_id")?;
            let payload = serde_json::json!({
                "task_id": row::text(r, "id")?,
                "assignee_id": row::text(r, "assignee_id")?,
                "customer_id": customer,
                "title": row::text(r, "title")?,
                "due_at": row::text(r, "due_at")?,
            });
            if i > 0 {
                ins.push(", ");
            }
            ins.push("(")
                .bind(row::text(r, "company_id")?)
                .push(", ")
                .bind(homes.get(&customer).cloned().flatten())
                .push(", ")
                .bind("task.reminder".to_string())
                .push(", ")
                .bind(payload.to_string())
                .push(", ")
                .bind(now.clone())
                .push(")");
        }
        let (sql, args) = ins.build();
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        tx.commit().await?;
        sent += claimed.len();
        db.notify();
        if (claimed.len() as i64) < REMINDER_BATCH {
            break;
        }
    }
    Ok(sent)
}

/// Runs [`send_reminders`] every 30 seconds until the pool closes (started by `serve`).
pub async fn reminder_loop(db: Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        if db.pool.is_closed() {
            return;
        }
        match send_reminders(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(reminders = n, "task reminders sent"),
            Err(e) => tracing::warn!(error = %e, "task reminders failed; will retry"),
        }
    }
}

/// A customer worth a task.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestion {
    /// `birthday` or `lapsed`: the `kind` of the task it becomes.
    pub kind: String,
    pub customer_id: String,
    pub name: String,
    /// Masked unless the caller has `customers.contact`.
    pub phone: Option<String>,
    pub member_no: Option<String>,
    pub home_store_id: Option<String>,
    pub tier_code: Option<String>,
    /// The task's suggested title.
    pub title: String,
    /// When the task would be due (the birthday; today for a lapsed member), RFC 3339.
    pub due_at: String,
    /// `YYYY-MM-DD`, for birthdays.
    pub birthday: Option<String>,
    /// The last purchase, for lapsed members.
    pub last_visit_at: Option<String>,
}

/// Suggestions: members with a birthday in the next 7 days, and members not seen for `days`
/// days (most recently lapsed first) — each in the caller's scope and without an open task
/// of that kind; at most `limit` of each.
pub async fn suggestions(
    db: &Db,
    p: &Principal,
    days: i64,
    limit: i64,
) -> StoreResult<Vec<Suggestion>> {
    let company = p.company_id.to_string();
    let (today, midnight) = company_today(db, &company).await?;
    let mut out = Vec::new();

    // Birthdays: month-day of today … today + 7, with 29 February in a non-leap year on the
    // 28th.
    let mut days_ahead: Vec<(String, Date)> = Vec::new();
    for d in 0..=7 {
        let date = today + Duration::days(d);
        let md = format!("{:02}-{:02}", date.month() as u8, date.day());
        if md == "02-28" && !time::util::is_leap_year(date.year()) {
            days_ahead.push(("02-29".into(), date));
        }
        days_ahead.push((md, date));
    }
    let mds: Vec<String> = days_ahead.iter().map(|(m, _)| m.clone()).collect();
    let mut q = Sql::new(
        "SELECT c.id, c.name, c.phone, c.member_no, c.home_store_id, c.tier_code, c.birthday \
         FROM customers c WHERE c.company_id = ",
    );
    q.bind(company.clone())
        .push(
            " AND c.status = 'active' AND c.birthday IS NOT NULL AND SUBSTR(c.birthday, 6, 5) IN ",
        )
        .bind_list(&mds);
    push_customer_scope(&mut q, p, "c.home_store_id");
    q.push(
        " AND NOT EXISTS (SELECT 1 FROM customer_tasks t WHERE t.customer_id = c.id \
         AND t.kind = 'birthday' AND t.status = 'open') ORDER BY c.id LIMIT ",
    )
    .bind(limit * 8);
    let (sql, args) = q.build();
    let mut birthdays = Vec::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        let birthday = row::opt_text(&r, "birthday")?.unwrap_or_default();
        let md = birthday.get(5..10).unwrap_or("").to_string();
        let Some((_, date)) = days_ahead.iter().find(|(m, _)| *m == md) else {
            continue;
        };
        let name = row::text(&r, "name")?;
        let due = date.midnight().assume_utc() - (today.midnight().assume_utc() - midnight)
            + Duration::hours(10);
        birthdays.push((
            *date,
            Suggestion {
                kind: "birthday".into(),
                customer_id: row::text(&r, "id")?,
                title: format!("生日关怀：{name}"),
                name,
                phone: phone_for(p, row::opt_text(&r, "phone")?),
                member_no: row::opt_text(&r, "member_no")?,
                home_store_id: row::opt_text(&r, "home_store_id")?,
                tier_code: row::opt_text(&r, "tier_code")?,
                due_at: clock::format(due),
                birthday: Some(birthday),
                last_visit_at: None,
            },
        ));
    }
    birthdays.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.customer_id.cmp(&b.1.customer_id)));
    out.extend(birthdays.into_iter().take(limit as usize).map(|(_, s)| s));

    // Lapsed: the last purchase anywhere in the chain is older than `days`.
    let cut = clock::format(OffsetDateTime::now_utc() - Duration::days(days));
    let mut q = Sql::new(
        "SELECT c.id, c.name, c.phone, c.member_no, c.home_store_id, c.tier_code, l.last_at \
         FROM customers c JOIN (SELECT customer_id, MAX(created_at) AS last_at FROM sales \
         WHERE company_id = ",
    );
    q.bind(company.clone())
        .push(" AND customer_id IS NOT NULL AND kind = 'sale' GROUP BY customer_id) l ON l.customer_id = c.id \
               WHERE c.company_id = ")
        .bind(company.clone())
        .push(" AND c.status = 'active' AND l.last_at < ")
        .bind(cut);
    push_customer_scope(&mut q, p, "c.home_store_id");
    q.push(
        " AND NOT EXISTS (SELECT 1 FROM customer_tasks t WHERE t.customer_id = c.id \
         AND t.kind = 'lapsed' AND t.status = 'open') ORDER BY l.last_at DESC, c.id LIMIT ",
    )
    .bind(limit);
    let (sql, args) = q.build();
    let due = clock::format(midnight + Duration::hours(18));
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        let name = row::text(&r, "name")?;
        out.push(Suggestion {
            kind: "lapsed".into(),
            customer_id: row::text(&r, "id")?,
            title: format!("回访：{name}（{days} 天未到店）"),
            name,
            phone: phone_for(p, row::opt_text(&r, "phone")?),
            member_no: row::opt_text(&r, "member_no")?,
            home_store_id: row::opt_text(&r, "home_store_id")?,
            tier_code: row::opt_text(&r, "tier_code")?,
            due_at: due.clone(),
            birthday: None,
            last_visit_at: row::opt_text(&r, "last_at")?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_day_of_shanghai() {
        // 2026-11-27T17:30:00Z is 01:30 on the 28th in Shanghai; the day began at 16:00Z.
        let now =
            OffsetDateTime::from_unix_timestamp(1_795_800_600).unwrap() + Duration::seconds(17);
        let (date, midnight) = local_today(now, "Asia/Shanghai");
        assert_eq!(date.to_string(), "2026-11-28");
        assert_eq!(clock::format(midnight), "2026-11-27T16:00:00.000000Z");
        let (date, midnight) = local_today(now, "UTC");
        assert_eq!(date.to_string(), "2026-11-27");
        assert_eq!(clock::format(midnight), "2026-11-27T00:00:00.000000Z");
    }
}
