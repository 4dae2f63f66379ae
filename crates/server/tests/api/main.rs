//! API tests: the real server over real HTTP, on SQLite and (when SALEPOINT_TEST_PG_URL is
//! set) PostgreSQL. Each test runs its story on every backend.

mod support;

mod analytics;
mod api_keys_approvals;
mod audit;
mod auth;
mod bad_input;
mod catalog;
mod customer_work;
mod customers;
mod idempotency;
mod inventory;
mod inventory_counts;
mod inventory_reports;
mod live_events;
mod members;
mod ops;
mod permissions;
mod register;
mod scope;
mod story;
