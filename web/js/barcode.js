// Retail barcodes as the domain crate checks them (crates/domain/src/catalog/barcode.rs):
// EAN-13, UPC-A and EAN-8 end in a GS1 mod-10 check digit; store-made codes are marked
// "internal" and carry none. The form checks while people type; the server checks again.

/** The GS1 check digit for the digits before it ("690193962160" → 8). */
export function checkDigit(body) {
  let sum = 0;
  const ds = String(body);
  for (let i = 0; i < ds.length; i++) {
    const d = ds.charCodeAt(ds.length - 1 - i) - 48;
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** A body with its check digit appended ("690193962160" → "6901939621608"). */
export function withCheckDigit(body) {
  return `${body}${checkDigit(body)}`;
}

/**
 * What is wrong with `code`, or null: { key, params } for t(). `partial` (while typing) only
 * complains about what cannot become right by typing on: a non-digit, or a wrong check digit
 * once the code has the 13 digits of an EAN-13.
 */
export function barcodeProblem(code, internal, { partial = false } = {}) {
  const c = String(code || '').trim();
  if (c === '') return null; // an empty row is left out when saving
  if (internal) {
    return /^[A-Za-z0-9_-]{1,32}$/.test(c) ? null : { key: 'barcode.internalFormat' };
  }
  if (!/^\d+$/.test(c)) return { key: 'barcode.digitsOnly' };
  if (partial && c.length !== 13) return c.length > 13 ? { key: 'barcode.length', params: { n: c.length } } : null;
  if (![8, 12, 13].includes(c.length)) return { key: 'barcode.length', params: { n: c.length } };
  const expected = checkDigit(c.slice(0, -1));
  if (Number(c.at(-1)) !== expected) return { key: 'barcode.wrongCheckDigit', params: { digit: expected } };
  return null;
}
