// The register's IndexedDB: what must survive a reload or a closed tab, offline included.
//   kv        { key, value }           the store's catalog snapshot, the register's context
//                                      (store, register, shift, tender types), the open cart
//   queue     { seq (auto), id, … }    sales not yet accepted by the server, in the order sold
//   attention { id, … }                queued sales the server refused: kept until resolved
//   parked    { id, register_id, … }   parked carts (挂单)
// Plain promises over the IndexedDB API; no library.

const DB_NAME = 'salepoint-register';
const VERSION = 1;
let opening = null;

function promisify(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Opens (and on first use creates) the database. */
export function openDb() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('queue')) {
        const q = db.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
        q.createIndex('id', 'id', { unique: true });
      }
      if (!db.objectStoreNames.contains('attention')) db.createObjectStore('attention', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('parked')) {
        const p = db.createObjectStore('parked', { keyPath: 'id' });
        p.createIndex('register_id', 'register_id');
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading: let it, and open again next time.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    req.onerror = () => {
      opening = null;
      reject(req.error);
    };
  });
  return opening;
}

/** Runs `fn(stores)` in one transaction over `names`; resolves with fn's value once committed. */
export async function tx(names, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(names, mode);
    const stores = Object.fromEntries([].concat(names).map((n) => [n, t.objectStore(n)]));
    let value;
    Promise.resolve(fn(stores)).then((v) => { value = v; }, (e) => { t.abort(); reject(e); });
    t.oncomplete = () => resolve(value);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
}

export const req = promisify;

/** kv: the value under `key`, or `fallback`. */
export async function getKv(key, fallback = null) {
  const row = await tx('kv', 'readonly', (s) => promisify(s.kv.get(key)));
  return row ? row.value : fallback;
}

/** kv: stores `value` under `key`. */
export function setKv(key, value) {
  return tx('kv', 'readwrite', (s) => { s.kv.put({ key, value }); });
}

export function deleteKv(key) {
  return tx('kv', 'readwrite', (s) => { s.kv.delete(key); });
}

/** Every row of `store` (in key order). */
export function all(store) {
  return tx(store, 'readonly', (s) => promisify(s[store].getAll()));
}

export function put(store, row) {
  return tx(store, 'readwrite', (s) => promisify(s[store].put(row)));
}

export function remove(store, key) {
  return tx(store, 'readwrite', (s) => { s[store].delete(key); });
}

export function count(store) {
  return tx(store, 'readonly', (s) => promisify(s[store].count()));
}
