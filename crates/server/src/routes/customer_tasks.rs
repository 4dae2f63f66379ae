//! `/customer-tasks`: the shopping guide's follow-up work (导购待办) — tasks on customers in
//! scope, "my tasks today / overdue", and suggestions (birthdays, lapsed members) ready to
//! become tasks.

use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::customers::tasks::{
    self, Due, Suggestion, Task, TaskFilter, TaskInput, TaskUpdate,
};
use salepoint_store::page::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(suggestions))
        .routes(routes!(get_one, update))
}

#[derive(Deserialize, IntoParams)]
struct TaskQuery {
    /// `me` or a user id.
    assignee: Option<String>,
    /// `open`, `done` or `cancelled`.
    status: Option<String>,
    /// `today` (due today, company time zone) or `overdue` (open and due before today).
    due: Option<String>,
    customer_id: Option<Uuid>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Tasks of customers in scope, by due time.
#[utoipa::path(get, path = "/customer-tasks", tag = "customers", params(TaskQuery),
    responses((status = 200, body = Page<Task>)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<Page<Task>>> {
    p.require(Permission::CustomersRead)?;
    let page = page(q.limit, q.cursor.as_deref())?;
    let assignee_id = match q.assignee.as_deref() {
        None | Some("") => None,
        Some("me") => Some(p.id.clone()),
        Some(id) => Some(
            Uuid::parse_str(id)
                .map_err(|_| ApiError::field("assignee", "invalid_value", "me or a user id"))?
                .to_string(),
        ),
    };
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s @ ("open" | "done" | "cancelled")) => Some(s.to_string()),
        Some(_) => {
            return Err(ApiError::field(
                "status",
                "invalid_value",
                "open, done or cancelled",
            ));
        }
    };
    let due = match q.due.as_deref() {
        None | Some("") => None,
        Some("today") => Some(Due::Today),
        Some("overdue") => Some(Due::Overdue),
        Some(_) => return Err(ApiError::field("due", "invalid_value", "today or overdue")),
    };
    let f = TaskFilter {
        assignee_id,
        status,
        due,
        customer_id: q.customer_id.map(|c| c.to_string()),
    };
    Ok(Json(tasks::list(&s.db, &p, &f, &page).await?))
}

/// Creates a task on a customer in scope (assigned to the caller unless `assignee_id`).
#[utoipa::path(post, path = "/customer-tasks", tag = "customers", request_body = TaskInput,
    responses((status = 201, body = Task), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: ApiJson<TaskInput>,
) -> ApiResult<Response> {
    p.require(Permission::CustomersManage)?;
    created(tasks::create(&s.db, &p, body.get()?).await?)
}

/// One task.
#[utoipa::path(get, path = "/customer-tasks/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Task)))]
async fn get_one(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Task>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(tasks::get(&s.db, &p, &id.to_string()).await?))
}

/// Changes a task — typically `{"status": "done", "version": n}` (a stale version is 409).
#[utoipa::path(put, path = "/customer-tasks/{id}", tag = "customers", params(("id" = String, Path)),
    request_body = TaskUpdate,
    responses((status = 200, body = Task), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<TaskUpdate>,
) -> ApiResult<Json<Task>> {
    p.require(Permission::CustomersManage)?;
    Ok(Json(
        tasks::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
struct SuggestionQuery {
    /// Members not seen for this many days count as lapsed (default 60, 1–3650).
    days: Option<i64>,
    /// At most this many of each kind (default 100, 1–500).
    limit: Option<i64>,
}

/// Suggestions.
#[derive(Serialize, ToSchema)]
struct Suggestions {
    data: Vec<Suggestion>,
}

/// Members worth a task: birthdays in the next 7 days and members not seen for `days` days,
/// in scope and without an open task of that kind.
#[utoipa::path(get, path = "/customer-tasks/suggestions", tag = "customers", params(SuggestionQuery),
    responses((status = 200, body = Suggestions)))]
async fn suggestions(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<SuggestionQuery>,
) -> ApiResult<Json<Suggestions>> {
    p.require(Permission::CustomersRead)?;
    let days = q.days.unwrap_or(60);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::field("days", "out_of_range", "from 1 to 3650"));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "out_of_range", "from 1 to 500"));
    }
    Ok(Json(Suggestions {
        data: tasks::suggestions(&s.db, &p, days, limit).await?,
    }))
}
