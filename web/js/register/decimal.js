// Exact decimals for the register, without floating point: quantities as integer thousandths
// ("0.532" kg → 532), percentages as integer hundredths of a percent ("12.5" → 1250), tax rates
// as a fraction ("0.13" → 13/100). Amounts stay integer minor units. No imports: the pricing
// mirror and its node tests use these as they are.

/**
 * Integer division of BigInts rounded to the nearest, `rule` deciding the halves: 'half_up'
 * (away from zero, the default) or 'half_even' — the company's rounding_rule, as the domain
 * crate's round_minor.
 */
export function divRound(n, d, rule = 'half_up') {
  if (rule !== 'half_even') return divHalfUp(n, d);
  n = BigInt(n);
  d = BigInt(d);
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (n < 0n) return -divRound(-n, d, rule);
  const q = n / d;
  const r2 = 2n * (n % d);
  if (r2 > d || (r2 === d && q % 2n === 1n)) return q + 1n;
  return q;
}

/** Integer division of BigInts rounded half up (away from zero), as the domain crate rounds. */
export function divHalfUp(n, d) {
  n = BigInt(n);
  d = BigInt(d);
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (n < 0n) return -divHalfUp(-n, d);
  return (2n * n + d) / (2n * d);
}

/**
 * A quantity typed by people or sent by the API ("2", "0.532", " 1,5 ") → thousandths.
 * `precision` is how many decimals the product allows (0–3). Returns { milli } or { error:
 * 'format' | 'decimals' | 'zero' }.
 */
export function parseQuantity(text, precision = 3) {
  const t = String(text ?? '').trim().replace(',', '.');
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || t === '' || (m[1] === '' && !m[2])) return { error: 'format' };
  const frac = (m[2] || '').replace(/0+$/, '');
  if (frac.length > Math.min(3, precision)) return { error: 'decimals', n: Math.min(3, precision) };
  const milli = Number(m[1] || '0') * 1000 + Number(frac.padEnd(3, '0') || '0');
  if (!Number.isSafeInteger(milli) || milli > 1_000_000_000) return { error: 'format' };
  if (milli === 0) return { error: 'zero' };
  return { milli };
}

/** Thousandths → the API's quantity string: 2000 → "2", 532 → "0.532", 1500 → "1.5". */
export function quantityString(milli) {
  const neg = milli < 0;
  const a = Math.abs(milli);
  const whole = Math.floor(a / 1000);
  const frac = String(a % 1000).padStart(3, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + (frac ? `${whole}.${frac}` : String(whole));
}

/**
 * A percentage typed by people ("10", "12.5", "7.25%") → hundredths of a percent (1000, 1250,
 * 725). Returns { bp } or { error: 'format' | 'decimals' | 'range' }; 0 < percent ≤ 100.
 */
export function parsePercent(text) {
  const t = String(text ?? '').trim().replace(/%$/, '').trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) return { error: 'format' };
  const frac = (m[2] || '').replace(/0+$/, '');
  if (frac.length > 2) return { error: 'decimals' };
  const bp = Number(m[1]) * 100 + Number(frac.padEnd(2, '0') || '0');
  if (bp <= 0 || bp > 10000) return { error: 'range' };
  return { bp };
}

/** Hundredths of a percent → the API's percent string: 1000 → "10", 1250 → "12.5". */
export function percentString(bp) {
  const whole = Math.floor(bp / 100);
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** A rate as the API writes it ("0.13", "0.065", "0") → { num, den } as BigInts. */
export function parseRate(text) {
  const t = String(text ?? '0').trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) return { num: 0n, den: 1n };
  const frac = m[2] || '';
  const den = 10n ** BigInt(frac.length);
  return { num: BigInt(m[1]) * den + BigInt(frac || '0'), den };
}
