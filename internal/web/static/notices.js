// venuehop notices: the header badge counts the unread notices and rises
// as they arrive on the event stream ("notice" events are sent to their
// attendee only). Without this file the count is right at each page load.
(function () {
  'use strict';
  var badge = document.getElementById('notice-count');
  var es = badge && window.venuehopEvents && window.venuehopEvents(); // events.js
  if (!es) return;
  var live = document.getElementById('notice-live');
  es.addEventListener('open', function () {
    document.documentElement.setAttribute('data-notices-live', 'on'); // tests wait for it
  });
  es.addEventListener('notice', function (ev) {
    var d;
    try { d = JSON.parse(ev.data); } catch (err) { return; }
    var n = Number(d.unread);
    if (!(n >= 0)) return;
    badge.firstChild.nodeValue = String(n);
    badge.setAttribute('data-unread', String(n));
    badge.hidden = n === 0;
    if (live && d.title) live.textContent = 'New notice: ' + d.title;
  });
})();
