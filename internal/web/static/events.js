// venuehop events: one Server-Sent Events stream per page, shared by the
// scripts that listen to it (seat counts, My week, the notices badge), so
// that a page never holds two of the attendee's few streams.
(function () {
  'use strict';
  var es = null;
  window.venuehopEvents = function () {
    if (!window.EventSource) return null;
    if (!es) {
      es = new EventSource('/api/v1/events');
      window.addEventListener('pagehide', function () { if (es) es.close(); });
    }
    return es;
  };
})();
