// The sales queue: every sale goes into IndexedDB first (its client-made id and its body), then
// to POST /api/v1/sales. What the server has not accepted stays queued — across reloads and
// closed tabs — and is sent again, oldest first, until it is: a 201, or a 200 replay of the same
// id, takes it off the queue. A queued sale the server refuses (4xx) moves to the "needs
// attention" list, which keeps it until a person resolves it: nothing is ever dropped.
//
// A sale's first attempt is made while the customer waits ('new'): a refusal then goes back to
// the cashier (fix the cart, ask for an approval) and the sale is not kept. If the server cannot
// be reached, the sale becomes 'queued', is marked `offline: true`, and the customer leaves with
// a local receipt. Because the body then differs from a first attempt that might have reached the
// server after all, a 422 `idempotency_key_reused` is settled by asking GET /sales/{id}.
import { reactive } from 'vue';
import { postJson, getJson } from './http.js';
import { all, count, put, remove, req, tx } from './idb.js';

export const queueState = reactive({
  pending: 0,
  attention: [],
  online: true,
  /** The last transient failure: 'network', 'server' (5xx), 'auth' (401/403), 'busy'. */
  reason: null,
  syncing: false,
  started: false,
});

const RETRY_MS = 3000;
const waiters = new Map();
let running = null;
let again = false;
let timer = null;

async function saleExists(id) {
  const { status, data } = await getJson(`/sales/${encodeURIComponent(id)}`);
  return status === 200 ? { exists: true, sale: data } : { exists: false, status };
}

/** A problem answer as the attention list and the cashier see it. */
function problemOf(status, data) {
  return {
    status,
    code: data?.code || `http_${status}`,
    title: data?.title || '',
    detail: data?.detail || '',
    errors: Array.isArray(data?.errors) ? data.errors : [],
  };
}

/** Whether an answer means "try again later" rather than "this sale is refused". */
function transient(status, data) {
  if (status === 0 || status >= 500 || status === 408 || status === 429) return true;
  if (status === 401 || status === 403) return true; // a session matter, not the sale's
  if (status === 409 && data?.code === 'idempotency_in_progress') return true;
  return false;
}

async function refreshCounts() {
  try {
    queueState.pending = await count('queue');
    const att = await all('attention');
    att.sort((a, b) => String(a.failed_at).localeCompare(String(b.failed_at)));
    queueState.attention = att;
  } catch (e) {
    console.warn('register: cannot read the queue', e);
  }
}

/** Puts a sale on the queue (in IndexedDB) before anything is sent. */
export async function enqueue(item) {
  await put('queue', { ...item, state: item.state || 'new', queued_at: new Date().toISOString(), attempts: 0 });
  await refreshCounts();
}

/** Marks a sale that the customer was told is done (without the server) as an offline sale. */
async function toQueued(row) {
  if (row.state === 'queued') return row;
  const next = { ...row, state: 'queued', body: { ...row.body, offline: true } };
  await put('queue', next);
  return next;
}

function settle(id, result) {
  const w = waiters.get(id);
  if (w) {
    waiters.delete(id);
    w(result);
  }
}

async function sendOne(row) {
  const { status, data } = await postJson('/sales', row.body, { idempotencyKey: row.id });
  if (status === 200 || status === 201) return { kind: 'done', sale: data };
  if (status === 422 && data?.code === 'idempotency_key_reused') {
    const found = await saleExists(row.id);
    if (found.exists) return { kind: 'done', sale: found.sale };
    if (found.status === 0 || found.status >= 500) return { kind: 'retry', status: found.status };
  }
  if (transient(status, data)) return { kind: 'retry', status, data };
  return { kind: 'refused', problem: problemOf(status, data) };
}

async function runOnce() {
  const rows = await all('queue'); // in key order: the order sold
  for (let i = 0; i < rows.length; i++) {
    let row = rows[i];
    const result = await sendOne(row);
    if (result.kind === 'done') {
      await remove('queue', row.seq);
      queueState.online = true;
      queueState.reason = null;
      settle(row.id, { status: 'sent', sale: result.sale });
      continue;
    }
    if (result.kind === 'refused') {
      queueState.online = true;
      queueState.reason = null;
      if (row.state === 'new') {
        // The customer is still there: the cashier fixes it; nothing was sold.
        await remove('queue', row.seq);
        settle(row.id, { status: 'refused', problem: result.problem });
      } else {
        await tx(['queue', 'attention'], 'readwrite', (s) => {
          s.queue.delete(row.seq);
          s.attention.put({
            id: row.id, body: row.body, receipt: row.receipt || null, store_id: row.store_id,
            register_id: row.register_id, queued_at: row.queued_at, failed_at: new Date().toISOString(),
            problem: result.problem,
          });
        });
        settle(row.id, { status: 'attention', problem: result.problem });
      }
      continue;
    }
    // Cannot tell now: keep this and everything after it, in order; try again later.
    const status = result.status ?? 0;
    queueState.reason = status === 0 ? 'network' : status >= 500 ? 'server' : status === 401 || status === 403 ? 'auth' : 'busy';
    if (status === 0 || status >= 500) queueState.online = false;
    for (let j = i; j < rows.length; j++) {
      row = rows[j];
      row.attempts = (row.attempts || 0) + (j === i ? 1 : 0);
      const kept = await toQueued(row);
      if (j === i && kept === row) await put('queue', row);
      settle(row.id, { status: 'queued' });
    }
    break;
  }
}

async function runLocked() {
  if (navigator.locks?.request) {
    // One tab at a time sends (two tabs of the same register never race on one sale).
    await navigator.locks.request('salepoint-sales-queue', () => runOnce());
  } else {
    await runOnce();
  }
}

/** Sends what is queued, oldest first; one run at a time (a call during a run runs again after). */
export function flush() {
  again = true;
  if (running) return running;
  queueState.syncing = true;
  running = (async () => {
    while (again) {
      again = false;
      try {
        await runLocked();
      } catch (e) {
        console.warn('register: sending the queue failed', e);
      }
    }
    // No await between the last check of `again` and here: a sale queued meanwhile starts a run.
    running = null;
    queueState.syncing = false;
    for (const id of [...waiters.keys()]) settle(id, { status: 'queued' });
    await refreshCounts();
  })();
  return running;
}

/**
 * Queues a sale and sends it (after any older ones). Resolves with { status: 'sent', sale },
 * { status: 'queued' } (kept to send later; sold offline) or { status: 'refused', problem }.
 */
export async function submitSale(item) {
  await enqueue(item);
  const result = new Promise((resolve) => waiters.set(item.id, resolve));
  flush();
  return result;
}

/** Asks /healthz whether the server answers (used while offline with nothing queued). */
export async function checkHealth() {
  try {
    const res = await fetch('/healthz', { cache: 'no-store' });
    queueState.online = res.ok;
  } catch {
    queueState.online = false;
  }
  return queueState.online;
}

/** Sends a sale of the attention list again (after the cause was fixed on the server). */
export async function retryAttention(id) {
  const row = await tx('attention', 'readonly', (s) => req(s.attention.get(id)));
  if (!row) return;
  await tx(['queue', 'attention'], 'readwrite', (s) => {
    s.attention.delete(id);
    s.queue.put({
      id: row.id, body: row.body, receipt: row.receipt, store_id: row.store_id, register_id: row.register_id,
      state: 'queued', queued_at: row.queued_at, attempts: 0,
    });
  });
  await refreshCounts();
  return flush();
}

function tick() {
  if (queueState.pending > 0) flush();
  else if (!queueState.online) checkHealth();
}

const onOnline = () => flush();

/** Starts the background sender: reads the queue, sends it, and retries every few seconds. */
export async function startQueue() {
  if (queueState.started) return;
  queueState.started = true;
  // A sale left 'new' by a closed tab was never answered to anyone: it is an offline sale now.
  try {
    for (const row of await all('queue')) if (row.state !== 'queued') await toQueued(row);
  } catch (e) {
    console.warn('register: cannot open the queue', e);
  }
  await refreshCounts();
  timer = setInterval(tick, RETRY_MS);
  window.addEventListener('online', onOnline);
  if (queueState.pending > 0) flush();
}

export function stopQueue() {
  clearInterval(timer);
  timer = null;
  window.removeEventListener('online', onOnline);
  queueState.started = false;
}

export { refreshCounts };
