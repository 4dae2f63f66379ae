//! Field-level validation errors, collected rather than returned at the first failure, so a
//! form can show every problem next to its field at once. Field paths are JSON Pointers into
//! the request body (`/store_ids/2`).

use serde::Serialize;

/// One invalid field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON Pointer to the field in the request body, e.g. `/code`.
    pub field: String,
    /// Stable machine code, e.g. `required`, `too_long`, `invalid_format`.
    pub code: String,
    /// Human readable explanation (English).
    pub message: String,
}

/// A collector of field errors.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error for `field`.
    pub fn add(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            code: code.to_string(),
            message: message.into(),
        });
    }

    /// A required, trimmed, length-limited text field.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let len = value.trim().chars().count();
        if len == 0 && min > 0 {
            self.add(field, "required", "must not be empty");
        } else if len < min {
            self.add(field, "too_short", format!("at least {min} characters"));
        } else if value.chars().count() > max {
            self.add(field, "too_long", format!("at most {max} characters"));
        }
    }

    /// An optional text field limited in length.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value
            && v.chars().count() > max
        {
            self.add(field, "too_long", format!("at most {max} characters"));
        }
    }

    /// A code: letters, digits, `-` and `_`, 1..=max characters.
    pub fn code(&mut self, field: &str, value: &str, max: usize) {
        let before = self.errors.len();
        self.text(field, value, 1, max);
        if self.errors.len() == before
            && !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.add(
                field,
                "invalid_format",
                "only letters, digits, '-' and '_' are allowed",
            );
        }
    }

    /// Whether no error was recorded.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` or every recorded error.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error() {
        let mut v = Validator::new();
        v.text("/name", "  ", 1, 10);
        v.code("/code", "a b", 10);
        v.text("/x", "abcdefghijk", 1, 10);
        let errs = v.finish().unwrap_err();
        let fields: Vec<_> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("/name", "required"),
                ("/code", "invalid_format"),
                ("/x", "too_long")
            ]
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        let mut v = Validator::new();
        v.text("/name", "上海南京路店", 1, 6);
        assert!(v.is_ok());
    }
}
