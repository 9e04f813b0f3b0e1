// venuehop offline (docs/offline.md): registers the service worker, says
// when a page came from the device's cache and how old it is, searches the
// cached catalog when offline, shows sessions the cache has no page for,
// and sends the seat changes queued offline when the network is back.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {});

  var root = document.documentElement;
  var main = document.getElementById('main');

  function two(n) { return (n < 10 ? '0' : '') + n; }

  // --- The banner ---
  function banner(at) {
    var old = document.getElementById('offline-banner');
    if (old) old.remove();
    var p = document.createElement('p');
    p.id = 'offline-banner';
    p.className = 'offline-banner';
    p.setAttribute('role', 'status');
    var t = at ? new Date(at) : null;
    if (t && !isNaN(t)) {
      var mins = Math.max(0, Math.round((Date.now() - t.getTime()) / 60000));
      p.textContent = 'Offline — data from ' + two(t.getHours()) + ':' + two(t.getMinutes()) + ' (' + mins + ' min ago)';
    } else {
      p.textContent = 'Offline — this page is not on this device yet';
    }
    if (main) main.insertBefore(p, main.firstChild);
  }
  var offlineAt = root.getAttribute('data-offline');
  if (offlineAt !== null) banner(offlineAt);
  // A page loaded from the network whose network goes away (the browser
  // says offline, or a fetch of the page's own scripts failed): its data
  // is from when it loaded, and its scripts now work on the device.
  var loadedAt = new Date().toISOString();
  // The results shown stay (with their star buttons) until the next
  // search, which the device answers; a search that just failed is
  // answered at once.
  function wentOffline(ev) {
    if (root.getAttribute('data-offline') !== null) return;
    root.setAttribute('data-offline', loadedAt);
    banner(loadedAt);
    if (ev.type === 'venuehop:offline' && document.getElementById('search')) offlineSearch();
  }
  window.addEventListener('offline', wentOffline);
  document.addEventListener('venuehop:offline', wentOffline);
  window.addEventListener('online', function () {
    var b = document.getElementById('offline-banner');
    if (b) b.remove();
    root.removeAttribute('data-offline');
    flush();
  });

  function toast(text) {
    var box = document.getElementById('offline-toast');
    if (!box) {
      box = document.createElement('div');
      box.id = 'offline-toast';
      box.className = 'offline-toast';
      box.setAttribute('role', 'status');
      document.body.appendChild(box);
    }
    // The outcomes of one flush stay together, one line each.
    if (toast.keep && box.textContent) box.appendChild(document.createElement('br'));
    else box.textContent = '';
    box.appendChild(document.createTextNode(text));
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.textContent = ''; }, 8000);
  }

  // --- The cached catalog ---
  var catalog = null, loading = null, catalogAt = null;
  function loadCatalog() {
    if (catalog) return Promise.resolve(catalog);
    if (loading) return loading;
    loading = fetch('/api/v1/offline/catalog').then(function (r) {
      if (!r.ok) throw new Error('no catalog');
      catalogAt = r.headers.get('Venuehop-Offline'); // when the device's copy was made
      return r.json();
    }).then(function (c) {
      c.roomName = {}; c.venueName = {};
      c.rooms.forEach(function (r) { c.roomName[r.id] = r.name; });
      c.venues.forEach(function (v) { c.venueName[v.id] = v.name; });
      catalog = c;
      return c;
    });
    loading.catch(function () { loading = null; });
    return loading;
  }

  function fmtTime(iso, tz) {
    if (!iso) return 'Unscheduled';
    var d = new Date(iso);
    try {
      return d.toLocaleString('en-GB', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit' });
    } catch (e) { return d.toISOString(); }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function card(c, s) {
    var li = el('li', 'offline-card');
    var h = el('h3');
    var a = el('a', '', s.title);
    a.href = '/sessions/' + encodeURIComponent(s.id);
    h.appendChild(a);
    li.appendChild(h);
    var where = [fmtTime(s.start, c.timeZone), c.roomName[s.roomId], c.venueName[s.venueId]].filter(Boolean).join(' · ');
    li.appendChild(el('p', 'when', where));
    if (s.speakers && s.speakers.length) li.appendChild(el('p', 'speakers', s.speakers.join(', ')));
    if (s.cancelled) li.appendChild(el('p', 'mark cancelled', 'Cancelled'));
    return li;
  }

  // dayOf is the conference day (YYYY-MM-DD in its zone) of a UTC time.
  var dayFmt = null;
  function dayOf(c, iso) {
    if (!iso) return '';
    try {
      dayFmt = dayFmt || new Intl.DateTimeFormat('en-CA', { timeZone: c.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      return dayFmt.format(new Date(iso));
    } catch (e) { return iso.slice(0, 10); }
  }

  // The search's semantics, simply: every word of the query must appear,
  // case-insensitively, in the title, abstract, speakers or topics.
  function matches(s, words) {
    if (!words.length) return true;
    var hay = [s.title, s.abstract || '', (s.speakers || []).join(' '), (s.topics || []).join(' '), s.type].join(' ').toLowerCase();
    return words.every(function (w) { return hay.indexOf(w) >= 0; });
  }

  function offlineSearch() {
    var form = document.getElementById('search');
    var results = document.getElementById('results');
    if (!form || !results) return;
    loadCatalog().then(function (c) {
      results = document.getElementById('results');
      var q = (document.getElementById('q') || {}).value || '';
      var words = q.toLowerCase().split(/\s+/).filter(Boolean);
      var want = {};
      document.querySelectorAll('input[type=checkbox][form=search]:checked').forEach(function (box) {
        (want[box.name] = want[box.name] || []).push(box.value);
      });
      var reservable = (document.getElementById('reservable') || {}).value || '';
      var recorded = (document.getElementById('recorded') || {}).value || '';
      // During the conference the list is "from now", as the server's:
      // sessions ended before the page's clock (moved on since the copy
      // was made) or the time of day asked for are left out.
      var fromNow = document.getElementById('from-now');
      var nowISO = fromNow && fromNow.getAttribute('data-now');
      var cutoff = 0;
      if (nowISO && !(document.getElementById('ended') || {}).checked && !want.day) {
        var at = (document.getElementById('at') || {}).value || '';
        var made = Date.parse(root.getAttribute('data-offline') || '') || Date.now();
        cutoff = at && at !== nowISO.slice(11, 16)
          ? Date.parse(nowISO.slice(0, 11) + at + ':00' + nowISO.slice(19))
          : Date.parse(nowISO) + (Date.now() - made);
      }
      var hits = c.sessions.filter(function (s) {
        if (!matches(s, words)) return false;
        if (cutoff && s.end && Date.parse(s.end) <= cutoff) return false;
        if (reservable && String(!!s.reservable) !== reservable) return false;
        if (recorded && String(!!s.recorded) !== recorded) return false;
        for (var name in want) {
          var vals = want[name];
          var v = name === 'type' ? [s.type] : name === 'level' ? [String(s.level)] :
            name === 'venue' ? [s.venueId] : name === 'room' ? [s.roomId] :
            name === 'day' ? [dayOf(c, s.start)] : (s.topics || []);
          if (!vals.some(function (x) { return v.indexOf(x) >= 0; })) return false;
        }
        return true;
      });
      hits.sort(function (a, b) { return (a.start || '9').localeCompare(b.start || '9'); });
      var sec = el('section', 'results');
      sec.id = 'results';
      sec.appendChild(el('h2', '', 'Sessions (from this device)'));
      var ol = el('ol', 'result-list offline-list');
      hits.slice(0, 100).forEach(function (s) { ol.appendChild(card(c, s)); });
      sec.appendChild(ol);
      if (hits.length > 100) sec.appendChild(el('p', '', 'Showing 100 of ' + hits.length + ': narrow the search.'));
      results.replaceWith(sec);
      var status = document.getElementById('result-count');
      if (status) status.textContent = hits.length + ' sessions (offline search)';
    }).catch(function () {});
  }

  function offlineCatalogPage() {
    var form = document.getElementById('search');
    if (!form) return;
    // Ahead of app.js: while offline the device answers, not the server.
    var timer = 0;
    function again(ev) {
      if (root.getAttribute('data-offline') === null) return;
      if (ev.type === 'submit') ev.preventDefault();
      ev.stopImmediatePropagation();
      clearTimeout(timer);
      timer = setTimeout(offlineSearch, 100);
    }
    window.addEventListener('input', function (ev) { if (ev.target.form === form) again(ev); }, true);
    window.addEventListener('change', function (ev) { if (ev.target.form === form) again(ev); }, true);
    window.addEventListener('submit', function (ev) { if (ev.target === form) again(ev); }, true);
    if (root.getAttribute('data-offline') !== null) {
      // The cached page may be that of another search (the worker falls
      // back to the page without its query): the address says which.
      var qs = new URLSearchParams(location.search);
      qs.delete('partial');
      if (qs.toString()) {
        var q = document.getElementById('q');
        if (q) q.value = qs.get('q') || '';
        document.querySelectorAll('input[type=checkbox][form=search]').forEach(function (box) {
          box.checked = qs.getAll(box.name).indexOf(box.value) >= 0;
        });
        document.querySelectorAll('select[form=search]').forEach(function (sel) { sel.value = qs.get(sel.name) || ''; });
      }
      offlineSearch();
    }
  }
  offlineCatalogPage();

  // A session the cache has no page for: drawn from the snapshot.
  function offlineSessionView() {
    var view = document.getElementById('offline-view');
    if (!view) return;
    var m = /^\/sessions\/([^/]+)$/.exec(location.pathname);
    var intro = document.getElementById('offline-intro');
    loadCatalog().then(function (c) {
      if (m) {
        var id = decodeURIComponent(m[1]);
        var s = c.sessions.filter(function (x) { return x.id === id; })[0];
        if (!s) return;
        if (catalogAt) banner(catalogAt); // the data is the snapshot's, of its time
        var h = document.querySelector('#offline-page h1');
        if (h) h.textContent = s.title;
        if (intro) intro.textContent = 'Saved on this device; seats and changes since are not shown.';
        var dl = el('dl', 'offline-session');
        [['When', fmtTime(s.start, c.timeZone) + (s.end ? ' – ' + fmtTime(s.end, c.timeZone).slice(-5) : '')],
         ['Where', [c.roomName[s.roomId], c.venueName[s.venueId]].filter(Boolean).join(', ')],
         ['Speakers', (s.speakers || []).join(', ')], ['Type', s.type], ['Level', s.level ? String(s.level) : ''],
         ['Topics', (s.topics || []).join(', ')]].forEach(function (row) {
          if (!row[1]) return;
          dl.appendChild(el('dt', '', row[0]));
          dl.appendChild(el('dd', '', row[1]));
        });
        view.appendChild(dl);
        if (s.abstract) view.appendChild(el('p', 'abstract', s.abstract));
      }
    }).catch(function () {});
  }
  offlineSessionView();

  // --- The queue of seat changes made offline ---
  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open('venuehop', 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore('intents', { keyPath: 'seq', autoIncrement: true });
      };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }
  function all() {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var req = d.transaction('intents').objectStore('intents').getAll();
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    });
  }
  function save(intent) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction('intents', 'readwrite');
        tx.objectStore('intents').put(intent);
        tx.oncomplete = function () { resolve(); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function drop(seq) {
    return db().then(function (d) {
      return new Promise(function (resolve) {
        var tx = d.transaction('intents', 'readwrite');
        tx.objectStore('intents').delete(seq);
        tx.oncomplete = function () { resolve(); };
      });
    });
  }

  var words = {
    reserved: 'Reserved', already: 'Reserved already', full: 'Full', conflict: 'Conflicts with another seat',
    cap_reached: 'Seat quota reached', not_open: 'Not open for reservation yet', closed: 'Reservations closed',
    not_reservable: 'Needs no reservation', cancelled: 'Session cancelled', unknown: 'No such session',
    'cancelled-seat': 'Seat cancelled', waitlisted: 'On the waitlist', failed: 'Refused', queued: 'Queued — will be sent when you are back online'
  };
  var kinds = { reserve: 'Reserve', cancel: 'Cancel seat', waitlist: 'Join waitlist' };

  // send makes the intent's JSON API call; the same Idempotency-Key on every
  // try, so a retry after a lost answer reserves once.
  function send(it) {
    var headers = { 'X-CSRF-Token': it.csrf, 'Idempotency-Key': it.key, 'Accept': 'application/json' };
    var id = encodeURIComponent(it.sessionId);
    var req;
    if (it.kind === 'reserve') {
      headers['Content-Type'] = 'application/json';
      req = fetch('/api/v1/me/reservations', { method: 'POST', headers: headers, credentials: 'same-origin', body: JSON.stringify({ sessionIds: [it.sessionId] }) });
    } else if (it.kind === 'cancel') {
      req = fetch('/api/v1/me/reservations/' + id, { method: 'DELETE', headers: headers, credentials: 'same-origin' });
    } else {
      req = fetch('/api/v1/me/waitlist/' + id, { method: 'POST', headers: headers, credentials: 'same-origin' });
    }
    return req.then(function (r) {
      if (r.headers.get('Venuehop-Offline') !== null) throw new Error('offline');
      if (r.status === 429 || r.status >= 500) {
        // Busy (a reservation rush) or down: not an answer. The intent
        // stays queued and the queue is tried again later.
        var e = new Error('busy');
        e.retryAfter = parseInt(r.headers.get('Retry-After'), 10) || 30;
        throw e;
      }
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (it.kind === 'reserve' && r.ok) {
          var res = (body.results || [])[0] || {};
          return res.status || 'failed';
        }
        if (r.ok) return it.kind === 'cancel' ? 'cancelled-seat' : 'waitlisted';
        // A cancel sent again after its answer was lost finds no seat:
        // what it asked for.
        if (it.kind === 'cancel' && r.status === 404) return 'cancelled-seat';
        if (r.status === 409) return 'conflict';
        it.message = body.error && body.error.message;
        return 'failed';
      });
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !window.indexedDB) return;
    flushing = true;
    toast.keep = false;
    all().then(function (list) {
      var todo = list.filter(function (it) { return it.status === 'queued'; });
      if (!todo.length) return;
      var titles = {};
      return loadCatalog().then(function (c) {
        c.sessions.forEach(function (s) { titles[s.id] = s.title; });
      }, function () {}).then(function () { return todo.reduce(function (p, it) {
        return p.then(function () {
          return send(it).then(function (outcome) {
            it.status = outcome;
            toast(kinds[it.kind] + ': ' + (titles[it.sessionId] || it.sessionId) + ' — ' + (words[outcome] || outcome));
            toast.keep = true;
            return save(it);
          });
        });
      }, Promise.resolve()); });
    }).catch(function (err) {
      // Still offline: the next try (online again, the next page) sends
      // them. The server busy: try again when it says.
      if (err && err.retryAfter) setTimeout(flush, Math.min(err.retryAfter, 300) * 1000);
    })
      .then(function () { flushing = false; toast.keep = false; showQueue(); });
  }

  // The "Queued changes" area of My seats.
  function showQueue() {
    if (location.pathname !== '/me/reservations' || !window.indexedDB) return;
    // The titles first: the list names sessions by title. Only the
    // latest call draws: an earlier one may have read an older queue.
    var turn = showQueue.turn = (showQueue.turn || 0) + 1;
    loadCatalog().catch(function () {}).then(all).then(function (list) {
      if (turn !== showQueue.turn) return;
      var old = document.getElementById('queued-changes');
      if (old) old.remove();
      if (!list.length) return;
      var sec = el('section', 'queued-changes');
      sec.id = 'queued-changes';
      sec.setAttribute('aria-labelledby', 'queued-heading');
      var h = el('h2', '', 'Queued changes');
      h.id = 'queued-heading';
      sec.appendChild(h);
      var ul = el('ul', 'queued-list');
      var titles = catalog ? {} : null;
      if (catalog) catalog.sessions.forEach(function (s) { titles[s.id] = s.title; });
      list.forEach(function (it) {
        var li = el('li', 'queued-item status-' + it.status);
        li.setAttribute('data-intent', it.status);
        li.appendChild(el('span', 'what', kinds[it.kind] + ': ' + ((titles && titles[it.sessionId]) || it.sessionId)));
        li.appendChild(el('span', 'outcome', ' — ' + (words[it.status] || it.status) + (it.message ? ' (' + it.message + ')' : '')));
        var acts = el('div', 'queued-actions');
        if (it.status === 'full') {
          var b = el('button', 'join-waitlist', 'Join the waitlist');
          b.type = 'button';
          b.addEventListener('click', function () {
            save({ kind: 'waitlist', sessionId: it.sessionId, csrf: it.csrf, key: crypto.randomUUID(), made: new Date().toISOString(), status: 'queued' })
              .then(function () { return drop(it.seq); }).then(flush);
          });
          acts.appendChild(b);
        }
        if (it.status !== 'queued') {
          var x = el('button', 'dismiss secondary neutral', 'Dismiss');
          x.type = 'button';
          x.addEventListener('click', function () { drop(it.seq).then(showQueue); });
          acts.appendChild(x);
        }
        if (acts.firstChild) li.appendChild(acts);
        ul.appendChild(li);
      });
      sec.appendChild(ul);
      var at = main && (document.getElementById('offline-banner') || null);
      if (at && at.nextSibling) main.insertBefore(sec, at.nextSibling); else if (main) main.insertBefore(sec, main.firstChild);
    });
  }
  if (location.pathname === '/me/reservations') showQueue();

  navigator.serviceWorker.addEventListener('message', function (ev) {
    if (!ev.data) return;
    if (ev.data.type === 'intent-queued') { toast('Queued — will be sent when you are back online'); showQueue(); }
    if (ev.data.type === 'flush') flush();
  });
  if (root.getAttribute('data-offline') === null) flush();
})();
