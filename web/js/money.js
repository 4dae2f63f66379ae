// Money in the UI: the API speaks minor units (`*_minor`, fen for CNY) of the company's
// currency; people read and type major units (yuan). All conversions work on decimal strings,
// never on floating point, so 0.1 + 0.2 stays 0.30.
import { locale } from './i18n.js';
import { session } from './session.js';

const digitsCache = {};

/** The company's currency (ISO 4217) from the session; CNY until the session says otherwise. */
export function companyCurrency() {
  return session.company?.currency || 'CNY';
}

/** How many minor digits `currency` has (CNY 2, JPY 0, KWD 3). */
export function currencyDigits(currency = companyCurrency()) {
  if (!(currency in digitsCache)) {
    try {
      digitsCache[currency] = new Intl.NumberFormat('en', { style: 'currency', currency })
        .resolvedOptions().maximumFractionDigits;
    } catch {
      digitsCache[currency] = 2;
    }
  }
  return digitsCache[currency];
}

/** Minor units as a plain major-unit decimal: 1250 → "12.50" (no symbol, no grouping). */
export function minorToMajor(minor, currency = companyCurrency()) {
  if (minor === null || minor === undefined || minor === '') return '';
  const digits = currencyDigits(currency);
  const n = BigInt(minor);
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(digits + 1, '0');
  const whole = digits ? s.slice(0, -digits) : s;
  const frac = digits ? s.slice(-digits) : '';
  return (neg ? '-' : '') + whole + (digits ? `.${frac}` : '');
}

/** Minor units for people: 1250 → "¥12.50" (in the UI language's style). */
export function formatMoney(minor, currency = companyCurrency()) {
  if (minor === null || minor === undefined || minor === '') return '';
  const major = minorToMajor(minor, currency);
  try {
    return new Intl.NumberFormat(locale.value === 'en' ? 'en-US' : 'zh-CN', {
      style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: currencyDigits(currency),
    }).format(major); // a decimal string is formatted exactly
  } catch {
    return major;
  }
}

/**
 * Reads an amount typed in major units ("12.5", "￥1,299", " 3 ") into minor units.
 * Returns { minor } or { error: 'format' | 'negative' | 'decimals', digits }; an empty text is
 * { minor: null }.
 */
export function parseMajor(text, currency = companyCurrency()) {
  const digits = currencyDigits(currency);
  const t = String(text ?? '').trim().replace(/^[¥￥]/, '').replace(/,/g, '').trim();
  if (t === '') return { minor: null };
  if (/^-/.test(t)) return { error: 'negative', digits };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && !m[2])) return { error: 'format', digits };
  const frac = m[2] || '';
  if (frac.length > digits) return { error: 'decimals', digits };
  const minor = BigInt((m[1] || '0') + frac.padEnd(digits, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { error: 'format', digits };
  return { minor: Number(minor) };
}

/** A tax rate as the API writes it ("0.13") → percent for people ("13"). */
export function rateToPercent(rate) {
  const t = String(rate ?? '').trim();
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || t === '') return t;
  const digits = (m[1] || '0') + (m[2] || '').padEnd(2, '0');
  const whole = digits.slice(0, (m[1] || '0').length + 2).replace(/^0+(?=\d)/, '');
  const frac = digits.slice((m[1] || '0').length + 2).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

/**
 * Percent typed by people ("13", "6.5") → the API's decimal string ("0.13", "0.065").
 * Returns { rate } or { error: 'format' | 'range' | 'decimals' }.
 */
export function percentToRate(text) {
  const t = String(text ?? '').trim().replace(/%$/, '').trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) return { error: 'format' };
  const frac = m[2] || '';
  if (frac.length > 2) return { error: 'decimals' };
  const whole = m[1].replace(/^0+(?=\d)/, '');
  if (whole.length > 2) return { error: 'range' }; // 100 % or more
  const digits = whole.padStart(2, '0') + frac; // "13" → "13", "6.5" → "065"
  const fracOfOne = digits.replace(/0+$/, '');
  return { rate: fracOfOne ? `0.${fracOfOne}` : '0' };
}

/** The currency's symbol in the UI language ("¥" for CNY), for input prefixes. */
export function currencySymbol(currency = companyCurrency()) {
  try {
    const parts = new Intl.NumberFormat(locale.value === 'en' ? 'en-US' : 'zh-CN', {
      style: 'currency', currency, currencyDisplay: 'narrowSymbol',
    })
      .formatToParts(0);
    return parts.find((p) => p.type === 'currency')?.value || currency;
  } catch {
    return currency;
  }
}

/** An el-form rule for an amount typed in major units; `required` refuses an empty text. */
export function moneyRule(t, { required = false } = {}) {
  return {
    trigger: 'blur',
    validator: (_r, v, cb) => {
      const parsed = parseMajor(v);
      if (parsed.error) cb(new Error(t(`money.${parsed.error}`, { n: parsed.digits })));
      else if (required && parsed.minor === null) cb(new Error(t('fieldError.required')));
      else cb();
    },
  };
}
