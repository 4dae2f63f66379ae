//! Splitting an amount across lines in proportion to their weights, exactly: the shares always
//! sum to the amount (largest-remainder method), so an order discount never loses or invents a
//! fen between the receipt total and the lines.

/// Splits `amount` (≥ 0) across `weights` (each ≥ 0) in proportion. Remainders go to the
/// largest fractional parts, ties to the earlier line. No share exceeds its weight when
/// `amount ≤ Σ weights`. With all weights zero, everything goes to the first line (if any).
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| *w as i128).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total == 0 {
        let mut out = vec![0; weights.len()];
        out[0] = amount;
        return out;
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let exact = amount as i128 * *w as i128;
        let share = exact / total;
        shares.push(share as i64);
        rems.push((exact % total, i));
        given += share;
    }
    let mut left = amount as i128 - given;
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}
