//! The sale writer's first stage: pricing a batch of register sales before its transaction.
//!
//! The writer prices batch N+1 while batch N commits (see `writer`), so pricing reads on a pool
//! connection of its own, outside any transaction: the batch's shifts, products and price rules
//! in one round trip each, registers, tender types and the loyalty programme from the 2 s
//! caches. A price changed between this read and the commit is the same as the sale arriving a
//! moment earlier; a shift closed meanwhile is not, so the commit reads the shifts again inside
//! its transaction (locked on PostgreSQL) and prices again a sale whose shift has closed
//! ([`Pricing::reprice_closed`]).

use super::context::{self, RegisterContext};
use super::prepared::PreparedSale;
use super::sales::{self, PriceBook, Till};
use super::writer::{SaleRequest, Work};
use crate::customers::accounts;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::payments::tender_types;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::ids::CompanyId;
use std::collections::HashMap;
use std::sync::Arc;

/// A sale of a batch after the pricing stage.
pub(crate) enum Priced {
    /// Came priced (a return, the demo history): nothing to do here.
    AsGiven,
    /// A register's sale, priced with its shift open.
    Ready {
        sale: Box<PreparedSale>,
        ctx: Box<RegisterContext>,
    },
    /// A register's sale that does not price (answered with this error unless it is a replay).
    Refused(StoreError),
}

/// The pricing of a batch: one entry per sale, and what they were priced from.
pub(crate) struct Pricing {
    pub(crate) sales: Vec<Priced>,
    books: Arc<HashMap<CompanyId, PriceBook>>,
}

impl Pricing {
    /// Takes out the pricing of sale `i`, to write it alone (the batch failed as a whole).
    pub(crate) fn take(&mut self, i: usize) -> Pricing {
        Pricing {
            sales: vec![std::mem::replace(&mut self.sales[i], Priced::AsGiven)],
            books: self.books.clone(),
        }
    }

    /// Prices again, as rung up in a closed shift, sale `i` (the register's `work`): its shift
    /// closed after it was priced. An online sale is then refused (`shift_closed`), an offline
    /// one flagged `late_shift`, exactly as if the shift had been closed when it arrived.
    pub(crate) fn reprice_closed(&mut self, i: usize, work: &Work) {
        let (Priced::Ready { ctx, .. }, Work::Sale(r)) = (&self.sales[i], work) else {
            return;
        };
        let again = price_one(
            Till {
                ctx,
                shift_open: false,
            },
            &self.books,
            r,
        );
        self.sales[i] = match again {
            Ok(sale) => Priced::Ready {
                sale: Box::new(sale),
                ctx: ctx.clone(),
            },
            Err(e) => Priced::Refused(e),
        };
    }
}

fn price_one(
    till: Till<'_>,
    books: &HashMap<CompanyId, PriceBook>,
    r: &SaleRequest,
) -> StoreResult<PreparedSale> {
    let book = books
        .get(&r.principal.company_id)
        .ok_or_else(|| StoreError::Internal("no price book for the company".into()))?;
    sales::price(
        till,
        book,
        &r.principal,
        &r.input,
        &r.request_hash,
        r.idem_key.clone(),
    )
}

/// The same error again: a pricing error is kept for the batch and answered once the commit
/// has ruled out a replay, and one failed read answers every sale of the batch that needed it.
pub(crate) fn copy_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Conflict { field, message } => StoreError::Conflict {
            field: field.clone(),
            message: message.clone(),
        },
        StoreError::Rule {
            field,
            code,
            message,
        } => StoreError::Rule {
            field: field.clone(),
            code,
            message: message.clone(),
        },
        StoreError::VersionConflict => StoreError::VersionConflict,
        StoreError::Invalid(v) => StoreError::Invalid(v.clone()),
        StoreError::Forbidden(m) => StoreError::Forbidden(m.clone()),
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Db(e) => StoreError::Internal(format!("pricing the batch: {e}")),
        StoreError::Internal(m) => StoreError::Internal(m.clone()),
    }
}

/// Prices the register sales of `sales` (returns come priced). A read that fails refuses
/// every register sale of the batch with its error; a sale that does not price is refused
/// alone.
pub(crate) async fn price(db: &Db, sales: &[&Work]) -> Pricing {
    let mut out = Pricing {
        sales: sales.iter().map(|_| Priced::AsGiven).collect(),
        books: Arc::default(),
    };
    let requests: Vec<(usize, &SaleRequest)> = sales
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Work::Sale(r) => Some((i, r.as_ref())),
            Work::Priced(_) => None,
        })
        .collect();
    if requests.is_empty() {
        return out;
    }
    let mut clock = super::timing::Clock::new();
    let member = requests.iter().any(|(_, r)| r.input.customer_id.is_some());
    let (shifts, books) = match read(db, &requests).await {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(error = %e, sales = requests.len(), "reading what a sale batch is priced from failed");
            for (i, _) in requests {
                out.sales[i] = Priced::Refused(copy_error(&e));
            }
            return out;
        }
    };
    clock.lap(0);
    for (i, r) in requests {
        let priced = async {
            let ctx =
                context::register_context(db, &r.principal, &r.input.register_id, "/register_id")
                    .await?;
            let shift_open = match shifts.get(&r.input.shift_id) {
                Some((register, open)) if *register == ctx.register_id => *open,
                _ => {
                    return Err(StoreError::invalid(
                        "/shift_id",
                        "unknown",
                        "no such shift at this register",
                    ));
                }
            };
            let sale = price_one(
                Till {
                    ctx: &ctx,
                    shift_open,
                },
                &books,
                r,
            )?;
            Ok((sale, ctx))
        }
        .await;
        out.sales[i] = match priced {
            Ok((sale, ctx)) => Priced::Ready {
                sale: Box::new(sale),
                ctx: Box::new(ctx),
            },
            Err(e) => Priced::Refused(e),
        };
    }
    clock.lap(1);
    out.books = Arc::new(books);
    clock.flush(member, 0, false);
    out
}

type Shifts = HashMap<String, (String, bool)>;

/// The shifts (register, open) of the requests, and per company its price book: products,
/// price rules, tender types and members of the batch. The reads run at once, each on a pool
/// connection of its own: a batch waits for the slowest of them, not for their sum (with
/// members: three round trips, at the few registers where pricing is not hidden behind the
/// previous batch's commit).
async fn read(
    db: &Db,
    requests: &[(usize, &SaleRequest)],
) -> StoreResult<(Shifts, HashMap<CompanyId, PriceBook>)> {
    let mut companies: Vec<CompanyId> = requests
        .iter()
        .map(|(_, r)| r.principal.company_id)
        .collect();
    companies.sort();
    companies.dedup();
    // Sales of several companies in one batch (a shared server) are rare: their books are
    // read one company after the other.
    let books = async {
        let mut books = HashMap::new();
        for company in companies {
            let (company, book) = price_book(db, requests, company).await?;
            books.insert(company, book);
        }
        Ok(books)
    };
    tokio::try_join!(read_shifts(db, requests), books)
}

/// The shifts (register, open) of the requests.
async fn read_shifts(db: &Db, requests: &[(usize, &SaleRequest)]) -> StoreResult<Shifts> {
    let mut shift_ids: Vec<String> = requests
        .iter()
        .map(|(_, r)| r.input.shift_id.clone())
        .collect();
    shift_ids.sort();
    shift_ids.dedup();
    let mut q = Sql::for_backend(
        db.backend,
        "SELECT id, register_id, status FROM shifts WHERE ",
    );
    super::unnest::push_in(&mut q, db.backend, "id", &shift_ids);
    let (sql, args) = q.build();
    let mut shifts = HashMap::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        shifts.insert(
            row::text(&r, "id")?,
            (
                row::text(&r, "register_id")?,
                row::text(&r, "status")? == "open",
            ),
        );
    }
    Ok(shifts)
}

/// The price book of `company` for its requests: products and price rules, tender types
/// (cached) and the members of its sales, the reads at once.
async fn price_book(
    db: &Db,
    requests: &[(usize, &SaleRequest)],
    company: CompanyId,
) -> StoreResult<(CompanyId, PriceBook)> {
    let of_company = || {
        requests
            .iter()
            .filter(move |(_, r)| r.principal.company_id == company)
    };
    let mut ids: Vec<String> = of_company()
        .flat_map(|(_, r)| r.input.lines.iter().map(|l| l.product_id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    let mut customers: Vec<String> = of_company()
        .filter_map(|(_, r)| r.input.customer_id.as_ref().map(|c| c.to_lowercase()))
        .collect();
    customers.sort();
    customers.dedup();
    let products = async {
        let mut conn = db.pool.acquire().await?;
        sales::products_and_rules(&mut conn, company, Some(&ids), true).await
    };
    // Only batches with members pay for reading them.
    let members = async {
        if customers.is_empty() {
            return Ok(Default::default());
        }
        let mut conn = db.pool.acquire().await?;
        let book = accounts::member_book(
            &mut conn,
            Some(&db.caches),
            &company.to_string(),
            Some(&customers),
        )
        .await?;
        Ok::<_, StoreError>(Arc::new(book))
    };
    let ((products, rules), types, members) =
        tokio::try_join!(products, tender_types::for_company(db, company), members)?;
    Ok((
        company,
        PriceBook {
            products,
            rules,
            types,
            members,
        },
    ))
}
