// venuehop catalog: search as you type. The page works without this file
// (the form submits with GET); with it, the results update in place.
(function () {
  'use strict';

  var form = document.getElementById('search');
  var filters = document.getElementById('filters');
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;

  // On a wide screen the filters are a sidebar: show them open.
  if (filters && window.matchMedia && window.matchMedia('(min-width: 56rem)').matches) {
    filters.open = true;
  }

  var timer = 0;
  var inflight = null;
  var lastURL = location.pathname + location.search;

  // The query string of the form, without empty values, as the server reads it.
  function formURL() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== '') params.append(key, value);
    });
    var qs = params.toString();
    return form.getAttribute('action') + (qs ? '?' + qs : '');
  }

  function partialURL(url) {
    var u = new URL(url, location.href);
    u.searchParams.set('partial', '1');
    return u.pathname + u.search;
  }

  // load fetches the results fragment for url; append adds its results to
  // the list (More results) instead of replacing them.
  function load(url, append) {
    if (inflight) inflight.abort();
    var ctrl = new AbortController();
    inflight = ctrl;
    var results = document.getElementById('results');
    results.setAttribute('aria-busy', 'true');
    function offline() { var e = new Error('offline'); e.offline = true; return e; }
    return fetch(partialURL(url), { signal: ctrl.signal, headers: { 'Accept': 'text/html' } })
      .catch(function (err) { throw err.name === 'AbortError' ? err : offline(); })
      .then(function (res) {
        // No network (an answer of the service worker, or none): offline.js
        // searches on the device from now on.
        if (res.headers.get('Venuehop-Offline') !== null) throw offline();
        return res.text();
      })
      .then(function (html) {
        if (inflight !== ctrl) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('results');
        if (!fresh) throw new Error('no results in the response');
        var focusTarget = null;
        if (append) {
          var list = results.querySelector('.result-list');
          var items = fresh.querySelectorAll('.result-list > li');
          for (var i = 0; i < items.length; i++) {
            var item = document.importNode(items[i], true);
            list.appendChild(item);
            if (!focusTarget) focusTarget = item.querySelector('a');
          }
          var pager = results.querySelector('.pager');
          var freshPager = fresh.querySelector('.pager');
          if (pager) pager.remove();
          if (freshPager) results.appendChild(document.importNode(freshPager, true));
        } else {
          results.replaceWith(document.importNode(fresh, true));
          var status = document.getElementById('result-count');
          var freshStatus = doc.getElementById('result-count');
          if (status && freshStatus) status.textContent = freshStatus.textContent;
          updateCounts(doc);
          if (url !== lastURL) {
            history.replaceState(null, '', url);
            lastURL = url;
          }
        }
        // Keyboard users continue at the first new result.
        if (focusTarget) focusTarget.focus();
      })
      .catch(function (err) {
        if (err.name === 'AbortError') return;
        if (err.offline) {
          document.dispatchEvent(new CustomEvent('venuehop:offline'));
          if (document.documentElement.getAttribute('data-offline') !== null) return;
        }
        var status = document.getElementById('result-count');
        if (status) status.textContent = 'The results could not be updated. Press Search to try again.';
      })
      .finally(function () {
        if (inflight === ctrl) {
          inflight = null;
          var r = document.getElementById('results');
          if (r) r.removeAttribute('aria-busy');
        }
      });
  }

  // The facet counts change with every search; update them in place so the
  // checkbox that has the focus stays where it is.
  function updateCounts(doc) {
    var counts = doc.querySelectorAll('.facet-count');
    for (var i = 0; i < counts.length; i++) {
      var mine = document.getElementById(counts[i].id);
      if (!mine) continue;
      mine.textContent = counts[i].textContent;
      var li = mine.closest('li');
      var freshLi = counts[i].closest('li');
      if (li && freshLi) li.classList.toggle('zero', freshLi.classList.contains('zero'));
    }
  }

  function refresh() {
    clearTimeout(timer);
    load(formURL(), false);
  }

  form.addEventListener('input', function (ev) {
    if (ev.target.id !== 'q') return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    refresh();
  });
  // Checkboxes and selects live outside the form element (form="search").
  document.addEventListener('change', function (ev) {
    if (ev.target.form === form && ev.target.id !== 'q') refresh();
  });
  document.addEventListener('click', function (ev) {
    var more = ev.target.closest && ev.target.closest('.pager a.more');
    if (!more || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    load(more.getAttribute('href'), true);
  });
})();
