// Keyboard and scanner at the register. A keyboard-wedge scanner "types" the code's digits a
// few milliseconds apart and then Enter; people type slower. The search box watches the gaps
// between keys to tell a scan from typing, and the F-keys work wherever the focus is.

/** The register's shortcuts: key → action (shown on the buttons, in the help). */
export const SHORTCUTS = [
  { key: 'F1', action: 'help' },
  { key: 'F2', action: 'quantity' },
  { key: 'F4', action: 'pay' },
  { key: 'F6', action: 'park' },
  { key: 'F7', action: 'member' },
  { key: 'F8', action: 'return' },
  { key: 'F9', action: 'discount' },
  { key: 'Esc', action: 'cancel' },
  { key: 'Del', action: 'remove' },
  { key: '+ / -', action: 'plusMinus' },
  { key: '↑ / ↓', action: 'select' },
  { key: 'Enter', action: 'enter' },
];

const F_KEYS = { F1: 'help', F2: 'quantity', F4: 'pay', F6: 'park', F7: 'member', F8: 'return', F9: 'discount' };

/** The action of an F-key event, or null. */
export function functionKeyAction(e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return null;
  return F_KEYS[e.key] || null;
}

/**
 * Tells a scan from typing: feed it every keydown of the search box; at Enter, `wasScan(text)`
 * says whether the text arrived as a burst (every gap under `maxGapMs`, at least `minLength`
 * characters).
 */
export function createScanDetector({ maxGapMs = 60, minLength = 4 } = {}) {
  let stamps = [];
  return {
    key(e) {
      if (e.key && e.key.length === 1) stamps.push(e.timeStamp || performance.now());
      else if (e.key === 'Backspace' || e.key === 'Delete') stamps = [];
    },
    reset() {
      stamps = [];
    },
    wasScan(text) {
      const n = String(text || '').length;
      if (n < minLength || stamps.length < n) return false;
      const last = stamps.slice(-n);
      for (let i = 1; i < last.length; i++) if (last[i] - last[i - 1] > maxGapMs) return false;
      return true;
    },
  };
}

/** Whether `text` looks like a code (digits only) rather than words to search for. */
export function looksLikeCode(text) {
  return /^\d{4,14}$/.test(String(text || '').trim());
}

/** "3*6901234567892" or "3x…": a quantity typed before a code. Returns { qty, code } or null. */
export function splitQuantityPrefix(text) {
  const m = /^\s*(\d+(?:\.\d{1,3})?)\s*[*xX×]\s*(\S+)\s*$/.exec(String(text || ''));
  return m ? { qty: m[1], code: m[2] } : null;
}
