// UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids made at the
// register sort by time. A sale's id is made here, before the server ever sees the sale, and
// stays its id forever (the server's idempotency makes a resend of the same id safe).

let lastMs = 0;
let seq = 0;

/** A new UUIDv7 string. Ids made in the same millisecond still sort in the order made. */
export function uuidv7(now = Date.now()) {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let ms = now;
  if (ms <= lastMs) {
    // Same (or an earlier) millisecond: keep counting in the 12 bits after the version.
    seq += 1;
    if (seq > 0xfff) {
      lastMs += 1;
      seq = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = bytes[6] & 0x07; // a small random start leaves room to count up
  }
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = 0x70 | ((seq >> 8) & 0x0f);
  bytes[7] = seq & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = [...bytes].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
