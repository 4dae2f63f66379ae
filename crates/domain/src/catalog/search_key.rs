//! Search keys. A cashier types `kkkl` or `kekou` to find 可口可乐: each product carries one
//! lower-case text made of its SKU, names, full pinyin and pinyin initials, which the database
//! indexes for substring search (trigrams).

use pinyin::ToPinyin;

/// Full pinyin without tones and spaces, and the initials: `可口可乐 500ml` →
/// (`kekoukele500ml`, `kkkl500ml`). Characters without pinyin are kept (lower-cased) in both;
/// spaces are dropped.
pub fn pinyin_keys(text: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for (ch, py) in text.chars().zip(text.to_pinyin()) {
        match py {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if ch.is_whitespace() => {}
            None => {
                for lc in ch.to_lowercase() {
                    full.push(lc);
                    initials.push(lc);
                }
            }
        }
    }
    (full, initials)
}

/// The text a product is found by: `sku | name_zh | name_en | pinyin | initials`, lower-case.
pub fn product_search_text(sku: &str, name_zh: &str, name_en: &str) -> String {
    let (full, initials) = pinyin_keys(name_zh);
    format!(
        "{} | {} | {} | {} | {}",
        sku.to_lowercase(),
        name_zh.to_lowercase(),
        name_en.to_lowercase(),
        full,
        initials
    )
}

/// Normalizes what a user typed for matching against [`product_search_text`].
pub fn normalize_query(q: &str) -> String {
    q.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_of_a_brand() {
        assert_eq!(pinyin_keys("可口可乐"), ("kekoukele".into(), "kkkl".into()));
        assert_eq!(
            pinyin_keys("农夫山泉 550ml"),
            ("nongfushanquan550ml".into(), "nfsq550ml".into())
        );
        let text = product_search_text("SKU-1", "可口可乐", "Coca-Cola");
        assert!(
            text.contains("kkkl")
                && text.contains("kekou")
                && text.contains("coca-cola")
                && text.contains("sku-1")
        );
    }
}
