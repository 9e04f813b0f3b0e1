// venuehop favourites sync (docs/offline.md, "Favourites sync"): a star
// changed while the network is gone is kept on this device and sent when
// it is back; stars changed on the attendee's other devices show here.
// The device keeps, per signed-in user, in localStorage: its cursor, the
// states it has seen (repeat group -> session and priority, "" = not
// starred) and the changes not yet sent. A sync pulls first (a new device,
// with no cursor, pulls everything), then pushes the pending changes in
// the order made, then updates the star buttons. The server's order
// decides: the last write it receives wins, an unstar like a star.
// account.js saves stars online as before and hands a failed save here
// (window.VenuehopFavSync.queue).
(function () {
  'use strict';
  if (!window.fetch || !window.localStorage || !window.JSON || !document.querySelector) return;
  var API = '/api/v1/me/favorites/changes';
  var MAX_BATCH = 500;

  function starForms() { return document.querySelectorAll('form.star[data-user]'); }
  function anyForm() { return document.querySelector('form.star[data-user]'); }
  var first = anyForm();
  if (!first) return;
  var user = first.getAttribute('data-user');
  if (!user) return;
  var key = 'vh-favsync:' + user;

  function load() {
    var st = null;
    try { st = JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { st = null; }
    if (!st || typeof st !== 'object') st = {};
    if (typeof st.cursor !== 'string') st.cursor = '';
    if (!st.known || typeof st.known !== 'object') st.known = {};
    if (!Array.isArray(st.pending)) st.pending = [];
    return st;
  }
  function save(st) {
    try { localStorage.setItem(key, JSON.stringify(st)); } catch (e) { /* full or private mode: memory only */ }
  }

  function csrf() {
    var f = anyForm();
    var i = f && f.querySelector('input[name="csrf"]');
    return i ? i.value : '';
  }
  function sessionOf(form) {
    var parts = (form.getAttribute('action') || '').split('/');
    try { return decodeURIComponent(parts[parts.length - 1]); } catch (e) { return parts[parts.length - 1]; }
  }
  function groupOf(form) { return form.getAttribute('data-group') || sessionOf(form); }

  // setForm draws a star form as the server does (account-parts.html).
  function setForm(form, prio) {
    var starred = !!prio;
    var toggle = form.querySelector('.star-toggle');
    if (!toggle) return;
    var hidden = toggle.querySelector('.visually-hidden');
    var m = /“([\s\S]*)”/.exec(hidden ? hidden.textContent : '');
    var title = m ? m[1] : '';
    form.classList.toggle('starred', starred);
    toggle.value = starred ? 'remove' : 'set';
    toggle.setAttribute('aria-pressed', starred ? 'true' : 'false');
    toggle.title = starred ? 'Remove from favourites' : 'Add to favourites';
    toggle.textContent = '';
    var icon = document.createElement('span');
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = starred ? '★' : '☆';
    var label = document.createElement('span');
    label.className = 'star-label';
    label.setAttribute('aria-hidden', 'true');
    label.textContent = starred ? 'Starred' : 'Star';
    var vh = document.createElement('span');
    vh.className = 'visually-hidden';
    vh.textContent = (starred ? 'Remove “' : 'Add “') + title + (starred ? '” from favourites' : '” to favourites');
    toggle.appendChild(icon); toggle.appendChild(label); toggle.appendChild(vh);
    var sel = form.querySelector('select[name="priority"]');
    if (sel) sel.value = prio || 'want';
    var saveBtn = form.querySelector('.star-save');
    if (starred && !saveBtn) {
      saveBtn = document.createElement('button');
      saveBtn.type = 'submit'; saveBtn.name = 'op'; saveBtn.value = 'set';
      saveBtn.className = 'star-save'; saveBtn.textContent = 'Save';
      form.appendChild(saveBtn);
    } else if (!starred && saveBtn) {
      saveBtn.remove();
    }
    form.classList.remove('busy');
  }

  // render redraws the forms of the given groups (all when null) from the
  // device's states, its pending changes last.
  function render(st, groups) {
    var want = {};
    Object.keys(st.known).forEach(function (g) { want[g] = st.known[g].p || ''; });
    st.pending.forEach(function (c) { want[c.group] = c.starred ? (c.priority || 'want') : ''; });
    var forms = starForms();
    for (var i = 0; i < forms.length; i++) {
      var g = groupOf(forms[i]);
      if (groups && !groups[g]) continue;
      if (Object.prototype.hasOwnProperty.call(want, g)) setForm(forms[i], want[g]);
    }
  }

  function take(st, ans, touched) {
    (ans.changes || []).forEach(function (c) {
      st.known[c.repeatGroup] = { s: c.sessionId, p: c.starred ? (c.priority || 'want') : '' };
      touched[c.repeatGroup] = true;
    });
    if (typeof ans.cursor === 'string') st.cursor = ans.cursor;
  }

  function answer(resp) {
    // A copy from the service worker's cache is no answer: offline.
    if (resp.headers.get('Venuehop-Offline')) throw new Error('offline');
    if (!resp.ok) { var e = new Error('HTTP ' + resp.status); e.status = resp.status; throw e; }
    return resp.json();
  }

  var busy = false, again = false;
  function sync() {
    if (busy) { again = true; return Promise.resolve(); }
    busy = true;
    var touched = {};
    var st = load();
    return fetch(API + '?since=' + encodeURIComponent(st.cursor), {
      credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' }
    }).then(answer).then(function (ans) {
      st = load();
      take(st, ans, touched);
      save(st);
      if (st.pending.length === 0) return null;
      var batch = st.pending.slice(0, MAX_BATCH);
      return fetch(API, {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': csrf() },
        body: JSON.stringify({
          since: st.cursor,
          changes: batch.map(function (c) {
            return { sessionId: c.sessionId, starred: c.starred, priority: c.starred ? c.priority : undefined, clientAt: c.clientAt };
          })
        })
      }).then(function (resp) {
        // A refused batch (422: it never will be taken) is dropped;
        // anything else (signed out, offline) is kept for the next try.
        if (resp.status === 422 || resp.status === 413 || resp.status === 400) return { dropped: batch };
        return answer(resp).then(function (ans) { return { sent: batch, ans: ans }; });
      }).then(function (r) {
        st = load();
        var gone = {};
        (r.sent || r.dropped).forEach(function (c) { gone[c.k] = true; touched[c.group] = true; });
        st.pending = st.pending.filter(function (c) { return !gone[c.k]; });
        if (r.ans) take(st, r.ans, touched);
        save(st);
        if (st.pending.length > 0) again = true;
        return null;
      });
    }).then(function () {
      render(load(), touched);
    }, function () {
      render(load(), touched);
    }).then(function () {
      busy = false;
      if (again && navigator.onLine !== false) { again = false; setTimeout(sync, 1000); }
    });
  }

  // queue keeps a star change made through a form whose save failed.
  function queue(form, op) {
    if (!form || !form.classList.contains('star')) return false;
    var sel = form.querySelector('select[name="priority"]');
    var c = {
      k: Date.now().toString(36) + Math.random().toString(36).slice(2),
      sessionId: sessionOf(form), group: groupOf(form),
      starred: op !== 'remove', priority: op !== 'remove' ? (sel ? sel.value : 'want') : '',
      clientAt: new Date().toISOString()
    };
    var st = load();
    st.pending.push(c);
    save(st);
    var groups = {}; groups[c.group] = true;
    render(st, groups);
    return true;
  }

  window.VenuehopFavSync = { queue: queue, sync: sync };
  // The page may come from the cache: show this device's unsent changes,
  // then sync.
  var st0 = load();
  if (st0.pending.length) {
    var g0 = {};
    st0.pending.forEach(function (c) { g0[c.group] = true; });
    render(st0, g0);
  }
  window.addEventListener('online', function () { sync(); });
  window.addEventListener('storage', function (e) {
    if (e.key === key) render(load(), null);
  });
  if (navigator.onLine !== false) sync();
  setInterval(function () {
    if (navigator.onLine !== false && load().pending.length) sync();
  }, 30000);
})();
