// The service worker of the Salepoint web UI: keeps the app shell so that the register starts
// without the server (it sells from its IndexedDB catalog and queues the sales; see
// docs/ui.md "Offline start").
//
// - install: caches the shell — /index.html, /app.js, the styles and vendor files index.html
//   names, the import map's targets and every module reachable from app.js through its static
//   imports (the same files the browser would load; no list to keep up to date by hand);
// - fetch: shell files (/, /index.html, /app.js, /js/…, /css/…, /vendor/…) are answered from the
//   cache at once and refreshed from the server in the background (stale-while-revalidate); a
//   shell file not cached yet comes from the server and is kept. Everything else — above all
//   /api/… — is not touched: it goes to the network as if there were no worker, and is never
//   cached;
// - activate: drops the caches of older versions and takes over the open pages.
//
// After a deployment the first page load still runs the cached files and the second the new
// ones (the background refresh fetched them in between).

const VERSION = 'v1';
const CACHE = `salepoint-shell-${VERSION}`;
const ENTRIES = ['/index.html', '/app.js'];

/** Whether `url` (a URL) is a file of the app shell. */
function isShell(url) {
  if (url.origin !== self.location.origin) return false;
  const p = url.pathname;
  if (p.startsWith('/api/')) return false;
  return p === '/' || p === '/index.html' || p === '/app.js' || /^\/(js|css|vendor)\//.test(p);
}

/** The cache key of a shell URL: its path ('/' is index.html), without a query. */
function keyOf(url) {
  return url.pathname === '/' ? '/index.html' : url.pathname;
}

/** What index.html loads: stylesheets, scripts and the import map's targets. */
function pageDeps(html) {
  const deps = [];
  for (const m of html.matchAll(/\b(?:href|src)="([^"]+)"/g)) deps.push(m[1]);
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (map) {
    try {
      deps.push(...Object.values(JSON.parse(map[1]).imports || {}));
    } catch (e) {
      console.warn('sw: unreadable import map', e);
    }
  }
  return deps;
}

/** The specifiers a module of ours imports (static `import … from`, `export … from`, `import()`). */
function moduleDeps(source) {
  const deps = [];
  const patterns = [
    /^\s*import\s+[\w*{][^;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*export\s*(?:\*|\{)[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) deps.push(m[1]);
  return deps;
}

/** Caches the shell: the entries and everything they load, level by level. */
async function precache() {
  const cache = await caches.open(CACHE);
  const seen = new Set();
  let level = ENTRIES;
  while (level.length) {
    const next = [];
    await Promise.all(level.map(async (path) => {
      if (seen.has(path)) return;
      seen.add(path);
      // `no-cache`: the server's current file, not one the HTTP cache kept.
      const res = await fetch(path, { cache: 'no-cache', credentials: 'same-origin' });
      if (!res.ok) {
        // An entry must be there; a file named by an import that is not (a 404) would break the
        // page online too: leave it out rather than fail the whole shell.
        if (ENTRIES.includes(path) || res.status !== 404) throw new Error(`sw: ${path} answered ${res.status}`);
        console.warn(`sw: ${path} answered 404, not cached`);
        return;
      }
      const parse = path === '/index.html' || (path.endsWith('.js') && !path.startsWith('/vendor/'));
      if (parse) {
        const text = await res.clone().text();
        const base = new URL(path, self.location.origin);
        for (const spec of path === '/index.html' ? pageDeps(text) : moduleDeps(text)) {
          // Bare specifiers ('vue') are the import map's, which index.html already added.
          if (!/^(\.{1,2}\/|\/)/.test(spec)) continue;
          const url = new URL(spec, base);
          if (isShell(url) && !seen.has(keyOf(url))) next.push(keyOf(url));
        }
      }
      await cache.put(path, res);
    }));
    level = next;
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('salepoint-shell-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/** Cache first; the server's fresh copy replaces the cached one in the background. */
async function shellResponse(event, url) {
  const cache = await caches.open(CACHE);
  const key = keyOf(url);
  const cached = await cache.match(key);
  const fresh = fetch(event.request).then(async (res) => {
    if (res.ok && res.type === 'basic') await cache.put(key, res.clone());
    return res;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => {})); // offline: the cached copy is all there is
    return cached;
  }
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!isShell(url)) return; // the API and anything else: the network, never cached
  event.respondWith(shellResponse(event, url));
});
