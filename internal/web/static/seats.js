// venuehop seats: live seat counts over Server-Sent Events, seat forms sent
// in place, and offer countdowns. Without this file the counts are right at
// page load, every form posts and redirects back with its answer, and
// offers show their expiry time.
(function () {
  'use strict';
  var hasBoxes = !!document.querySelector('[data-seats]');
  var mine = document.getElementById('myseats');
  if (!hasBoxes && !mine) return;

  var labels = { available: 'Available', limited: 'Limited', full: 'Full', walkup: 'Walk-up' };
  var fmt = window.Intl ? new Intl.NumberFormat('en-US') : null;
  function num(n) { return fmt ? fmt.format(n) : String(n); }
  function sel(id) { return window.CSS && CSS.escape ? CSS.escape(id) : id.replace(/["\\]/g, '\\$&'); }

  // One polite live region says what a form did, wherever its box is.
  var live = document.createElement('div');
  live.className = 'visually-hidden';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  document.body.appendChild(live);
  function say(text) { live.textContent = ''; setTimeout(function () { live.textContent = text; }, 50); }

  function setText(root, attr, text) {
    var els = root.querySelectorAll('[' + attr + ']');
    for (var i = 0; i < els.length; i++) els[i].textContent = text;
  }

  // applySeats shows one session's new count everywhere it is on the page.
  function applySeats(d) {
    var boxes = document.querySelectorAll('[data-seats="' + sel(d.sessionId) + '"]');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      box.className = box.className.replace(/\bband-[a-z]+/, 'band-' + d.band);
      setText(box, 'data-seat-available', num(d.available));
      setText(box, 'data-seat-held', num(d.held));
      setText(box, 'data-seat-band', labels[d.band] || d.band);
      var note = box.querySelector('[data-seat-held-note]');
      if (note) note.hidden = !d.held;
      box.setAttribute('data-seats-at', String(Date.now()));
    }
  }

  // --- My seats: countdowns and refreshes ---
  var offset = 0; // server clock minus this browser's, from the page
  function readClock() {
    var page = document.getElementById('myseats');
    var now = page && Date.parse(page.getAttribute('data-now'));
    offset = now ? now - Date.now() : 0;
  }
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  var expiredSeen = false;
  function tick() {
    var els = document.querySelectorAll('[data-expires]');
    for (var i = 0; i < els.length; i++) {
      var left = Date.parse(els[i].getAttribute('data-expires')) - (Date.now() + offset);
      var out = els[i].parentNode.querySelector('[data-countdown]');
      if (!out) continue;
      if (left <= 0) {
        out.textContent = ' (expired)';
        out.parentNode.classList.add('expired');
        if (!expiredSeen) { expiredSeen = true; setTimeout(refreshMine, 1500); }
        continue;
      }
      var s = Math.floor(left / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
      out.textContent = ' (' + (h ? h + ':' + pad(m) : m) + ':' + pad(s % 60) + ' left)';
      out.parentNode.classList.toggle('soon', left < 5 * 60 * 1000);
    }
  }

  function swapMine(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var fresh = doc.getElementById('myseats');
    var old = document.getElementById('myseats');
    if (!fresh || !old) throw new Error('no My seats in the answer');
    old.replaceWith(document.importNode(fresh, true));
    readClock();
    expiredSeen = false;
    tick();
    var flash = document.querySelector('#myseats .seat-flash');
    if (flash) say(flash.textContent);
  }

  var refreshing = null;
  function refreshMine() {
    if (!document.getElementById('myseats') || refreshing) return;
    refreshing = fetch('/me/reservations', { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (resp) { if (!resp.ok) throw new Error('HTTP ' + resp.status); return resp.text(); })
      .then(swapMine)
      .catch(function () {})
      .then(function () { refreshing = null; });
  }

  if (mine) {
    readClock();
    tick();
    setInterval(tick, 1000);
  }

  // --- Forms: sent by fetch, answered in place ---
  function fallback(form, submitter) {
    if (submitter && submitter.name) {
      var input = document.createElement('input');
      input.type = 'hidden'; input.name = submitter.name; input.value = submitter.value;
      form.appendChild(input);
    }
    form.submit();
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains('seat-form') || !window.fetch) return;
    var box = form.closest('[data-seats]');
    var page = form.closest('#myseats');
    if (!box && !page) return;
    e.preventDefault();
    if (form.classList.contains('busy')) return; // a double click: the first answer will come
    form.classList.add('busy');
    var body = new URLSearchParams(new FormData(form));
    if (e.submitter && e.submitter.name) body.set(e.submitter.name, e.submitter.value);
    var headers = { 'Accept': box ? 'text/html-fragment' : 'text/html' };
    fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin', headers: headers })
      .then(function (resp) {
        if (!resp.ok) throw new Error('HTTP ' + resp.status);
        return resp.text();
      })
      .then(function (html) {
        if (page) { swapMine(html); return; }
        var tmp = document.createElement('div');
        tmp.innerHTML = html.trim();
        var fresh = tmp.firstElementChild;
        if (!fresh || !fresh.hasAttribute('data-seats')) throw new Error('no seat box in the answer');
        box.replaceWith(fresh);
        var flash = fresh.querySelector('.seat-flash');
        if (flash) say(flash.textContent);
        var next = fresh.querySelector('.seat-form button');
        if (next && form.contains(document.activeElement)) next.focus();
      })
      .catch(function () {
        // The plain post shows whatever went wrong as a page.
        form.classList.remove('busy');
        fallback(form, e.submitter);
      });
  });

  // --- Live events ---
  var es = window.venuehopEvents && window.venuehopEvents(); // events.js
  if (!es) return;
  var opened = false;
  es.addEventListener('open', function () {
    // After a reconnect, events may have been missed: read the counts again.
    if (opened) resync();
    opened = true;
    document.documentElement.setAttribute('data-live', 'on'); // tests wait for it

  });
  es.addEventListener('seats', function (ev) {
    try { applySeats(JSON.parse(ev.data)); } catch (err) { /* a malformed event changes nothing */ }
  });
  es.addEventListener('offer', function (ev) {
    if (document.getElementById('myseats')) { refreshMine(); return; }
    var d;
    try { d = JSON.parse(ev.data); } catch (err) { return; }
    if (d.state && d.state !== 'open') return;
    showOfferNotice();
  });

  function resync() {
    if (document.getElementById('myseats')) refreshMine();
    var boxes = document.querySelectorAll('[data-seats]');
    var seen = {};
    for (var i = 0; i < boxes.length && i < 60; i++) {
      var id = boxes[i].getAttribute('data-seats');
      if (seen[id]) continue;
      seen[id] = true;
      fetch('/api/v1/sessions/' + encodeURIComponent(id), { headers: { 'Accept': 'application/json' } })
        .then(function (resp) { return resp.ok ? resp.json() : null; })
        .then(function (s) {
          if (s && s.seats) applySeats({ sessionId: s.id, available: s.seats.available, held: s.seats.held, band: s.seats.band });
        })
        .catch(function () {});
    }
  }

  // A seat was offered while the attendee looks at another page.
  function showOfferNotice() {
    var n = document.getElementById('offer-notice');
    if (!n) {
      n = document.createElement('div');
      n.id = 'offer-notice';
      n.className = 'offer-notice';
      n.setAttribute('role', 'alert');
      var p = document.createElement('p');
      p.appendChild(document.createTextNode('A seat is held for you in a session you wait for. '));
      var a = document.createElement('a');
      a.href = '/me/reservations#offers';
      a.textContent = 'See it on My seats';
      p.appendChild(a);
      n.appendChild(p);
      document.body.appendChild(n);
    }
    n.hidden = false;
  }
})();
