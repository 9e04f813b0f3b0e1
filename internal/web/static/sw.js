// venuehop service worker (docs/offline.md). Served at /sw.js after two
// lines the server adds: VENUEHOP_VERSION (a hash of every part) and
// VENUEHOP_SHELL (the hashed static URLs and the offline page). Plain
// JavaScript, no build step. Other parts (sw-*.js) follow this file and
// only add handlers for events this one does not handle.
'use strict';

var STATIC = 'vh-static';   // hashed files: their URL changes with them
var DATA = 'vh-data';       // pages and API answers, the newest of each
var SHELL = 'vh-shell-' + self.VENUEHOP_VERSION; // this version's offline page

self.addEventListener('install', function (event) {
  event.waitUntil(Promise.all([
    caches.open(STATIC).then(function (c) {
      return c.addAll(self.VENUEHOP_SHELL.filter(function (u) { return u.indexOf('/static/') === 0; }));
    }),
    caches.open(SHELL).then(function (c) {
      return c.addAll(self.VENUEHOP_SHELL.filter(function (u) { return u.indexOf('/static/') !== 0; }));
    }),
    // The catalog snapshot, so that search works offline from the start.
    fetchAndStore(new Request('/api/v1/offline/catalog'))
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf('vh-shell-') === 0 && k !== SHELL;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// stamped is a copy of resp to keep: it carries Venuehop-Offline, the time
// it was cached, which only answers from the cache therefore have.
function stamped(resp) {
  var h = new Headers(resp.headers);
  h.set('Venuehop-Offline', new Date().toISOString());
  return resp.clone().blob().then(function (body) {
    return new Response(body, { status: resp.status, statusText: resp.statusText, headers: h });
  });
}

function fetchAndStore(req) {
  return fetch(req).then(function (resp) {
    if (resp.ok) {
      stamped(resp).then(function (copy) {
        return caches.open(DATA).then(function (c) { return c.put(cacheKey(req), copy); });
      });
    }
    return resp;
  }).catch(function () { /* offline at install: the first page load stores it */ });
}

// cacheKey drops the fragment-only "partial" flag: a page and its partial
// answer are different documents, so both keep their own URL otherwise.
function cacheKey(req) {
  return req.url;
}

function isPage(req, url) {
  return req.mode === 'navigate' || (req.headers.get('Accept') || '').indexOf('text/html') === 0;
}

function handled(url) {
  var p = url.pathname;
  if (p === '/sw.js' || p === '/api/v1/events' || p === '/me/events') return false;
  // The map's venues and routes too: the map page draws from them.
  return p.indexOf('/static/') === 0 || p.indexOf('/api/v1/offline/') === 0 ||
    p.indexOf('/api/v1/me/') === 0 || p === '/api/v1/venues.geojson' || p === '/api/v1/route.geojson' ||
    p.indexOf('/api/') !== 0;
}

// markOffline adds data-offline="TIME" to a cached page's <html>, so that
// its scripts know it came from the cache and how old it is.
function markOffline(resp) {
  var at = resp.headers.get('Venuehop-Offline') || new Date().toISOString();
  return resp.text().then(function (html) {
    html = html.replace(/<html([^>]*)>/, '<html$1 data-offline="' + at + '">');
    var h = new Headers(resp.headers);
    h.delete('Content-Length');
    h.delete('Content-Encoding');
    return new Response(html, { status: 200, headers: h });
  });
}

function fromCache(req, url, page) {
  return caches.open(DATA).then(function (c) {
    return c.match(req.url).then(function (hit) {
      // A page with another query (a catalog search) falls back to the
      // same page without it: offline.js filters on the device. Not a
      // partial answer (the catalog's search as you type): the whole
      // page in its place would show results of another search.
      return hit || (page && url.searchParams.get('partial') !== '1' ? c.match(req.url, { ignoreSearch: true }) : undefined);
    });
  }).then(function (hit) {
    if (hit) return page ? markOffline(hit) : hit;
    if (!page || url.searchParams.get('partial') === '1') {
      return new Response(JSON.stringify({ error: { code: 'unavailable', message: 'offline, and not cached on this device' } }),
        { status: 503, headers: { 'Content-Type': 'application/json', 'Venuehop-Offline': '' } });
    }
    return caches.match('/offline').then(function (fallback) {
      if (!fallback) return Response.error();
      var h = new Headers(fallback.headers);
      h.set('Venuehop-Offline', '');
      return markOffline(new Response(fallback.body, { headers: h }));
    });
  });
}

self.addEventListener('fetch', function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return; // map tiles: the network only
  if (req.method === 'POST' && intentOf(url.pathname)) {
    event.respondWith(postOrQueue(req, url));
    return;
  }
  if (req.method === 'POST' && (url.pathname === '/signout' || url.pathname === '/signin')) {
    // Another person may use the device next: the pages and answers
    // cached for this one go (the public catalog snapshot is fetched again),
    // and at sign-out the changes still queued, which only this sign-in
    // could send.
    event.waitUntil(Promise.all([
      caches.delete(DATA).then(function () {
        return fetchAndStore(new Request('/api/v1/offline/catalog'));
      }),
      url.pathname === '/signout' ? clearQueue() : null
    ]));
    return;
  }
  if (req.method !== 'GET' || !handled(url)) return;
  if (url.pathname.indexOf('/static/') === 0) {
    // Immutable: the cache first.
    event.respondWith(caches.open(STATIC).then(function (c) {
      return c.match(req).then(function (hit) {
        return hit || fetch(req).then(function (resp) {
          if (resp.ok) c.put(req, resp.clone());
          return resp;
        });
      });
    }));
    return;
  }
  var page = isPage(req, url);
  event.respondWith(fetch(req).then(function (resp) {
    if (resp.ok && !resp.redirected && url.searchParams.get('partial') !== '1') {
      var keep = stamped(resp).then(function (copy) {
        return caches.open(DATA).then(function (c) { return c.put(req.url, copy); });
      });
      event.waitUntil(keep);
    }
    return resp;
  }, function () {
    return fromCache(req, url, page);
  }));
});

// --- Offline intents (reserve, cancel, join waitlist) ---
// A seat form posted while the network is down is kept in IndexedDB with
// an Idempotency-Key; offline.js sends the queue in order when the
// network is back and shows each outcome. (A star changed offline is
// favsync.js's: the worker lets its post fail.)

function intentOf(path) {
  var m = /^\/me\/reservations\/([^/]+)$/.exec(path);
  if (m) return { kind: 'reserve', sessionId: decodeURIComponent(m[1]) };
  m = /^\/me\/reservations\/([^/]+)\/cancel$/.exec(path);
  if (m) return { kind: 'cancel', sessionId: decodeURIComponent(m[1]) };
  m = /^\/me\/waitlist\/([^/]+)$/.exec(path);
  if (m) return { kind: 'waitlist', sessionId: decodeURIComponent(m[1]) };
  return null;
}

function openQueue() {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open('venuehop', 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore('intents', { keyPath: 'seq', autoIncrement: true });
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}

function queueIntent(intent) {
  return openQueue().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction('intents', 'readwrite');
      tx.objectStore('intents').add(intent);
      tx.oncomplete = function () { resolve(); };
      tx.onerror = function () { reject(tx.error); };
    });
  });
}

function clearQueue() {
  return openQueue().then(function (db) {
    return new Promise(function (resolve) {
      var tx = db.transaction('intents', 'readwrite');
      tx.objectStore('intents').clear();
      tx.oncomplete = tx.onerror = function () { resolve(); };
    });
  }, function () { /* no queue */ });
}

var queuedText = 'Queued — will be sent when you are back online.';

function postOrQueue(req, url) {
  var copy = req.clone();
  return fetch(req).catch(function () {
    return copy.text().then(function (body) {
      var form = new URLSearchParams(body);
      var intent = intentOf(url.pathname);
      intent.csrf = form.get('csrf') || '';
      intent.key = (self.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
      intent.made = new Date().toISOString();
      intent.status = 'queued';
      return queueIntent(intent).then(function () {
        self.clients.matchAll().then(function (cs) {
          cs.forEach(function (c) { c.postMessage({ type: 'intent-queued' }); });
        });
        var accept = req.headers.get('Accept') || '';
        var back = form.get('back') || '/me/reservations';
        if (back.charAt(0) !== '/' || back.charAt(1) === '/') back = '/me/reservations';
        if (accept.indexOf('text/html-fragment') === 0) {
          return new Response('<div class="seats" data-seats="' + intent.sessionId.replace(/[^\w-]/g, '') +
            '"><p class="seat-flash" role="status">' + queuedText + '</p></div>',
            { status: 202, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
        }
        // A plain post (or My seats): the cached My seats page, which
        // lists the queue, else a short page.
        return caches.open(DATA).then(function (c) { return c.match(new URL('/me/reservations', url).href); }).then(function (hit) {
          if (hit) return markOffline(hit);
          return new Response('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Queued</title></head><body><main><p role="status">' +
            queuedText + '</p><p><a href="' + back.replace(/[<>"&]/g, '') + '">Back</a></p></main></body></html>',
            { status: 202, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
        });
      });
    });
  });
}

// A page asks to send the queue (offline.js does it; the worker only keeps it).
self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'online') {
    self.clients.matchAll().then(function (cs) {
      cs.forEach(function (c) { c.postMessage({ type: 'flush' }); });
    });
  }
});
