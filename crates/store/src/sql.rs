//! A small dynamic SQL builder that numbers placeholders `$1, $2, …` — the form both SQLite and
//! PostgreSQL accept. (sqlx's own `QueryBuilder` writes `?` for the `Any` driver, which
//! PostgreSQL rejects.)

use sqlx::any::{Any, AnyArguments};
use sqlx::{Arguments, Encode, Type};
use std::fmt::Write;

/// SQL text plus its bound arguments.
#[derive(Default)]
pub struct Sql {
    text: String,
    args: AnyArguments<'static>,
    count: usize,
    /// Anonymous `?` placeholders (SQLite): sqlx looks up every numbered SQLite parameter by
    /// name, which is quadratic in the number of parameters — ruinous for bulk inserts.
    anonymous: bool,
}

impl Sql {
    /// Starts with `text`.
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            ..Default::default()
        }
    }

    /// Starts with `text`, with the placeholder style that is fastest for `backend` (use for
    /// statements with many parameters; `$n` is the same on both but slow on SQLite at scale).
    pub fn for_backend(backend: crate::db::Backend, text: &str) -> Self {
        Sql {
            text: text.to_string(),
            anonymous: backend == crate::db::Backend::Sqlite,
            ..Default::default()
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any> + 'static,
    {
        self.count += 1;
        if self.anonymous {
            self.text.push('?');
        } else {
            write!(self.text, "${}", self.count).expect("writing to a String");
        }
        self.args.add(value).expect("encoding into AnyArguments");
        self
    }

    /// Appends `(` `$a, $b, …` `)` for a non-empty list.
    pub fn bind_list(&mut self, values: &[String]) -> &mut Self {
        self.push("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v.clone());
        }
        self.push(")")
    }

    /// Appends `LOWER(column) LIKE $n ESCAPE '\'` matching `text` anywhere, case-insensitively,
    /// with `%`, `_` and `\` in `text` taken literally.
    pub fn contains(&mut self, column: &str, text: &str) -> &mut Self {
        let escaped = text
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        self.push(&format!("LOWER({column}) LIKE "));
        self.bind(format!("%{escaped}%"));
        self.push(" ESCAPE '\\'")
    }

    /// Appends `column LIKE $n ESCAPE '\'` matching values that start with `prefix`.
    pub fn starts_with(&mut self, column: &str, prefix: &str) -> &mut Self {
        let escaped = prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        self.push(&format!("{column} LIKE "));
        self.bind(format!("{escaped}%"));
        self.push(" ESCAPE '\\'")
    }

    /// The SQL text and arguments, for `sqlx::query_with` / `query_as_with`.
    pub fn build(self) -> (String, AnyArguments<'static>) {
        (self.text, self.args)
    }
}
