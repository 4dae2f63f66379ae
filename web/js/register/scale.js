// Scale labels as the domain crate reads them (crates/domain/src/catalog/scale.rs): an EAN-13
// made of the format's prefix, the PLU, the value (grams or minor units) and the GS1 check
// digit, e.g. SCALE-W "2 PPPPP VVVVVV C". Pure: the register and its node tests share it.
import { checkDigit } from '../barcode.js';

/** A PLU without its leading zeros ("00123" and "123" are the same item on a scale). */
export function normalPlu(plu) {
  const s = String(plu ?? '').trim();
  if (!/^\d+$/.test(s)) return s;
  return s.replace(/^0+(?=\d)/, '');
}

/** Whether a 13-digit code ends in its right check digit. */
export function validEan13(code) {
  return /^\d{13}$/.test(code) && Number(code[12]) === checkDigit(code.slice(0, 12));
}

/**
 * Reads `code` with the active format it fits, the longest prefix first ("21…" before "2…"):
 * { plu, kind: 'weight'|'price', value, format } or null.
 */
export function decodeScale(code, formats) {
  const c = String(code || '').trim();
  if (!validEan13(c)) return null;
  const byPrefix = [...(formats || [])].sort((a, b) => String(b.prefix).length - String(a.prefix).length);
  for (const f of byPrefix) {
    if (f.active === false) continue;
    const p = f.prefix.length;
    const pluDigits = Number(f.plu_digits);
    const valueDigits = Number(f.value_digits);
    if (p + pluDigits + valueDigits !== 12 || !c.startsWith(f.prefix)) continue;
    const plu = c.slice(p, p + pluDigits);
    const value = Number(c.slice(p + pluDigits, 12));
    return { plu: normalPlu(plu), kind: f.value_kind, value, format: f };
  }
  return null;
}

/** Prints a label as a scale would (for tests and the help screen); null if it does not fit. */
export function encodeScale(format, plu, value) {
  const pluDigits = Number(format.plu_digits);
  const valueDigits = Number(format.value_digits);
  const p = normalPlu(plu);
  if (!/^\d+$/.test(p) || p.length > pluDigits || value < 0 || String(value).length > valueDigits) return null;
  const body = format.prefix + p.padStart(pluDigits, '0') + String(value).padStart(valueDigits, '0');
  return body + checkDigit(body);
}
