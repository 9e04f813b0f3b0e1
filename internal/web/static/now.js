// Now: "leave in N min" counts down. The page says the instant it was made
// for (data-now, the conference clock); the countdown moves on from there
// with the browser's clock, so a pinned time counts down too.
(function () {
  'use strict';
  var page = document.querySelector('.now[data-now]');
  if (!page) return;
  var base = Date.parse(page.getAttribute('data-now'));
  var loaded = Date.now();
  if (isNaN(base)) return;
  var spans = document.querySelectorAll('[data-leave-by]');
  function tick() {
    var now = base + (Date.now() - loaded);
    for (var i = 0; i < spans.length; i++) {
      var el = spans[i];
      var by = Date.parse(el.getAttribute('data-leave-by'));
      if (isNaN(by)) continue;
      var mins = Math.floor((by - now) / 60000);
      var out = el.querySelector('.leave-in');
      if (!out) continue;
      var text = mins <= 0 ? 'leave now' : 'leave in ' + mins + ' min';
      if (out.textContent !== text) out.textContent = text;
      var card = el.closest('.now-card');
      if (card) card.classList.toggle('urgent', mins < 10);
    }
  }
  tick();
  setInterval(tick, 1000); // cheap: the text changes once a minute
})();

// Offline: when GET /api/v1/me/next cannot be fetched, or comes from the
// service worker's cache (the Venuehop-Offline header), the answer is
// computed on this device by nownext.js from the cached travel tables,
// agenda and favourites, and redrawn every 30 seconds (docs/offline.md).
(function () {
  'use strict';
  var page = document.querySelector('.now[data-now]');
  if (!page || !window.VenuehopNow || !window.fetch) return;
  var params = new URLSearchParams(location.search);
  var from = params.get('from') || '';
  // The conference clock: the page's instant, moving on with the
  // browser's clock unless a time was asked for (?at=).
  var base = Date.parse(page.getAttribute('data-now')), loaded = Date.now();
  function clock() { return params.get('at') ? base : base + (Date.now() - loaded); }
  function get(url) {
    return fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/json'}}).then(function (r) {
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return r.json().then(function (body) { return {body: body, cached: r.headers.get('Venuehop-Offline')}; });
    });
  }
  var zoneFmt = null; // times in the conference zone, once the tables say which
  function hhmm(t) {
    var d = new Date(t);
    if (zoneFmt) return zoneFmt.format(d);
    return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function card(it, now) {
    var s = it.session, a = el('article', 'now-card' + (it.misses ? ' misses' : ''));
    a.setAttribute('data-session', s.sessionId);
    var top = a.appendChild(el('p', 'now-top'));
    top.appendChild(el('span', 'now-start', hhmm(Date.parse(s.start))));
    if (s.inPlan) top.appendChild(el('span', 'tag tag-ok', 'in your plan'));
    if (s.priority) top.appendChild(el('span', 'prio prio-' + s.priority, s.priority));
    if (it.leaveBy) {
      var by = Date.parse(it.leaveBy), mins = Math.floor((by - now) / 60000);
      var lv = top.appendChild(el('span', 'now-leave'));
      lv.setAttribute('data-leave-by', it.leaveBy);
      lv.appendChild(el('span', 'leave-in', mins <= 0 ? 'leave now' : 'leave in ' + mins + ' min'));
      lv.appendChild(document.createTextNode(' (by ' + hhmm(by) + ')'));
      if (mins < 10) a.classList.add('urgent');
    }
    var h = a.appendChild(el('h2', 'now-title'));
    var link = h.appendChild(el('a', '', s.title));
    link.href = '/sessions/' + encodeURIComponent(s.sessionId);
    a.appendChild(el('p', 'now-where', it.useOverflow && it.overflow ? 'Overflow room ' + it.overflow.roomId : s.roomId));
    a.appendChild(el('p', 'now-trip', it.legMinutes + ' min · ' + it.mode +
      (s.after ? ' after ' + (s.after.title || 'your item') : '')));
    if (it.misses) a.appendChild(el('p', 'now-misses', 'You would miss ' + (it.misses.title || 'an item of your plan')));
    return a;
  }
  function render(view, now, since) {
    var status = page.querySelector('.now-offline');
    if (!status) {
      status = el('p', 'notice now-offline');
      status.setAttribute('role', 'status');
      page.insertBefore(status, page.querySelector('.now-form'));
    }
    // When the data was fetched is the device's time, as the offline
    // banner says it (offline.js), not a conference time.
    var at = new Date(since);
    status.textContent = 'Offline — computed on this device, data from ' +
      ('0' + at.getHours()).slice(-2) + ':' + ('0' + at.getMinutes()).slice(-2) + '.';
    var old = page.querySelectorAll('.now-list, .now-more, .now-missing, .now-empty, .now-next, .now-list + .notice');
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
    var ok = view.reachable.filter(function (it) { return !it.misses; });
    var missing = view.reachable.filter(function (it) { return it.misses; });
    if (view.next) page.appendChild(el('p', 'now-next', 'Next in your plan: ' + (view.next.title || '') + ' at ' + hhmm(Date.parse(view.next.start))));
    if (!ok.length) {
      page.appendChild(el('div', 'notice now-empty')).appendChild(el('p', '', 'Nothing you can still reach starts in the next 90 minutes without making you miss something in your plan.'));
    } else {
      var ol = page.appendChild(el('ol', 'now-list'));
      ok.forEach(function (it) { ol.appendChild(el('li')).appendChild(card(it, now)); });
    }
    if (missing.length) {
      var d = page.appendChild(el('details', 'now-missing'));
      d.appendChild(el('summary', '', missing.length + ' more you could reach, but you would miss something in your plan'));
      var ml = d.appendChild(el('ol', 'now-list'));
      missing.forEach(function (it) { ml.appendChild(el('li')).appendChild(card(it, now)); });
    }
  }
  var data = null;
  function offline() {
    var load = data ? Promise.resolve(data) : Promise.all([get('/api/v1/offline/travel'), get('/api/v1/me/agenda'),
      get('/api/v1/me/favorites').catch(function () { return {body: {favorites: []}}; })]).then(function (x) {
      var since = Date.now();
      x.forEach(function (r) { if (r.cached && Date.parse(r.cached) < since) since = Date.parse(r.cached); });
      try {
        zoneFmt = new Intl.DateTimeFormat('en-GB', {timeZone: x[0].body.travel.zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23'});
      } catch (e) { zoneFmt = null; }
      data = {doc: x[0].body, items: x[1].body.items || [], wishes: (x[2].body.favorites || []).map(function (f) {
        return {sessionId: f.sessionId || f.id, priority: f.priority};
      }), since: since};
      return data;
    });
    return load.then(function (d) {
      var now = clock();
      render(VenuehopNow.compute(d.doc, d.items, d.wishes, now, {from: from}), now, d.since);
    });
  }
  var q = new URLSearchParams();
  if (from) q.set('from', from);
  if (params.get('at')) q.set('at', params.get('at'));
  // Online, the documents the device computes from are fetched too, so
  // that the service worker has them when the network goes (the travel
  // tables answer 304 while they are current).
  function warm() {
    ['/api/v1/offline/travel', '/api/v1/me/agenda', '/api/v1/me/favorites'].forEach(function (u) {
      fetch(u, {credentials: 'same-origin', headers: {Accept: 'application/json'}}).catch(function () {});
    });
  }
  fetch('/api/v1/me/next?' + q.toString(), {credentials: 'same-origin'}).then(function (r) {
    if (r.ok && !r.headers.get('Venuehop-Offline')) { warm(); return; }
    throw new Error('offline');
  }).catch(function () {
    offline().then(function () {
      setInterval(function () { offline().catch(function () {}); }, 30000);
    }).catch(function () {});
  });
})();
