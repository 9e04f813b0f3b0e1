// VenuehopNow: "what can I still make from here", computed on the device
// from GET /api/v1/offline/travel, with the same answers as the server's
// GET /api/v1/me/next for the same inputs (docs/offline.md). Pure: no DOM.
// It follows internal/planner/next.go (NextAround) and
// internal/agenda/next.go (PlanPlace, nextItem) step by step.
(function (root) {
  'use strict';
  var ZERO = Date.parse('0001-01-01T00:00:00Z');

  function Model(doc) {
    var t = doc.travel;
    this.doc = doc;
    this.t = t;
    this.n = t.entrances.length;
    this.origin = t.origin;
    this.window = doc.window;
    this.releaseLead = doc.releaseLead;
    this.roomIdx = {};
    this.venueIdx = {};
    var i;
    for (i = 0; i < t.rooms.length; i++) this.roomIdx[t.rooms[i].id] = i;
    for (i = 0; i < t.venues.length; i++) this.venueIdx[t.venues[i].id] = i;
    this.sittings = [];
    this.byId = {};
    for (i = 0; i < doc.sittings.length; i++) {
      var s = doc.sittings[i];
      var se = {id: s[0], title: s[1], type: s[2], room: s[3], start: t.origin + s[4] * 1000,
        end: t.origin + s[5] * 1000, group: s[6] || s[0], cancelled: s[7] === 1, overflows: s[8] || []};
      this.sittings.push(se);
      this.byId[se.id] = se;
    }
    this.dayFmt = new Intl.DateTimeFormat('en-CA', {timeZone: t.zone, year: 'numeric', month: '2-digit', day: '2-digit'});
  }
  Model.prototype.minute = function (ms) { return Math.ceil((ms - this.origin) / 60000); };
  Model.prototype.time = function (m) { return this.origin + m * 60000; };
  Model.prototype.day = function (ms) {
    var p = this.dayFmt.formatToParts(new Date(ms)), y = '', mo = '', d = '';
    for (var i = 0; i < p.length; i++) {
      if (p[i].type === 'year') y = p[i].value;
      else if (p[i].type === 'month') mo = p[i].value;
      else if (p[i].type === 'day') d = p[i].value;
    }
    return y + '-' + mo + '-' + d;
  };
  // entranceArrive: [arrival conference minute, mode] leaving entrance
  // from at conference minute at (travel.Model.entranceArrive).
  Model.prototype.entranceArrive = function (from, to, at) {
    var days = this.t.days;
    for (var i = 0; i < days.length; i++) {
      var d = days[i];
      if (at >= d.offset && at < d.offset + d.length) {
        var runs = d.runs[from * this.n + to], k = at - d.offset, pos = 0;
        for (var j = 0; j < runs.length; j += 4) {
          var len = runs[j];
          if (k < pos + len) {
            var arr = runs[j + 1] + pos + runs[j + 2] * (k - pos);
            return [d.offset + arr, this.t.modes[runs[j + 3]]];
          }
          pos += len;
        }
      }
    }
    var o = this.t.off[from * this.n + to];
    return [at + o[0], this.t.modes[o[1]]];
  };
  Model.prototype.inside = function (a, b) {
    var ra = this.t.rooms[a], rb = this.t.rooms[b], v = this.t.venues[ra.v], levels = 0;
    var la = ra.l === undefined ? null : ra.l, lb = rb.l === undefined ? null : rb.l;
    if (la !== null && lb !== null) levels = Math.abs(la - lb);
    else if ((ra.ls || '') !== (rb.ls || '')) levels = 1;
    var walk = v.same + levels * v.levelStep, via = ra.a + rb.a;
    return via < walk ? via : walk;
  };
  Model.prototype.arriveBy = function (a, b, dep) {
    if (a === b) return dep;
    var ra = this.t.rooms[a], rb = this.t.rooms[b];
    if (ra.v === rb.v) return dep + this.inside(a, b);
    return this.entranceArrive(ra.e, rb.e, dep + ra.a)[0] + rb.a;
  };
  Model.prototype.mode = function (a, b, dep) {
    var ra = this.t.rooms[a], rb = this.t.rooms[b];
    if (a === b || ra.v === rb.v) return 'inside';
    return this.entranceArrive(ra.e, rb.e, dep + ra.a)[1];
  };
  // roomOf: a room id, or a venue id for its first room (-1 when it has
  // none); undefined when it is neither.
  Model.prototype.roomOf = function (roomId, venueId) {
    if (roomId) return this.roomIdx.hasOwnProperty(roomId) ? {room: this.roomIdx[roomId], venue: this.t.rooms[this.roomIdx[roomId]].v} : undefined;
    if (venueId) {
      if (!this.venueIdx.hasOwnProperty(venueId)) return undefined;
      for (var i = 0; i < this.t.rooms.length; i++) {
        if (this.t.rooms[i].v === this.venueIdx[venueId]) return {room: i, venue: this.venueIdx[venueId]};
      }
      return {room: -1, venue: this.venueIdx[venueId]};
    }
    return {room: -1, venue: -1};
  };

  function ms(v) {
    if (v === undefined || v === null || v === '') return ZERO;
    return typeof v === 'number' ? v : Date.parse(v);
  }
  function iso(v) { return new Date(v).toISOString(); }
  function rank(p) { return p === 'must' ? 0 : p === 'want' ? 1 : p === 'maybe' ? 2 : -1; }

  // itemJSON writes a planner.Item as the server does.
  function itemJSON(it) {
    var o = {kind: it.kind || ''};
    if (it.sessionId) o.sessionId = it.sessionId;
    if (it.title) o.title = it.title;
    o.start = iso(it.start);
    o.end = iso(it.end);
    if (it.roomId) o.roomId = it.roomId;
    if (it.venueId) o.venueId = it.venueId;
    if (it.reserved) o.reserved = true;
    if (it.locked) o.locked = true;
    if (it.importance) o.importance = it.importance;
    if (it.blockId) o.blockId = it.blockId;
    return o;
  }

  function resolve(m, raw) {
    var it = {kind: raw.kind, sessionId: raw.sessionId || '', title: raw.title || '', start: ms(raw.start), end: ms(raw.end),
      roomId: raw.roomId || '', venueId: raw.venueId || '', reserved: !!raw.reserved, locked: !!raw.locked,
      importance: raw.importance || '', blockId: raw.blockId || ''};
    var sess = -1;
    if (it.sessionId) {
      var se = m.byId[it.sessionId];
      if (!se) throw new Error('unknown session ' + it.sessionId);
      sess = 1;
      if (!it.title) it.title = se.title;
      if (it.start === ZERO && it.end === ZERO) { it.start = se.start; it.end = se.end; }
      if (!it.roomId && !it.venueId) it.roomId = m.t.rooms[se.room].id;
    }
    if (it.kind === 'reservation') it.reserved = true;
    if (it.start === ZERO || it.end === ZERO) throw new Error('an item has no time');
    var ro = m.roomOf(it.roomId, it.venueId);
    if (!ro) throw new Error('unknown place of an item');
    if (ro.venue >= 0 && !it.venueId) it.venueId = m.t.venues[ro.venue].id;
    return {item: it, sess: sess, room: ro.room, start: m.minute(it.start), end: m.minute(it.end)};
  }

  // planPlace is agenda.PlanPlace.
  function planPlace(m, items, at) {
    var day = m.day(at), place = '', best = 0, next = '', nextStart = 0;
    for (var i = 0; i < items.length; i++) {
      var it = items[i], start = ms(it.start), room = it.roomId || '', venue = it.venueId || '';
      var se = it.sessionId && m.byId[it.sessionId];
      if (se) { start = se.start; room = m.t.rooms[se.room].id; }
      var where = room || venue;
      if (m.day(start) !== day || !where) continue;
      if (start > at) {
        if (!next || start < nextStart) { next = where; nextStart = start; }
        continue;
      }
      if (!place || start > best) { place = where; best = start; }
    }
    return place || next || (m.t.venues.length ? m.t.venues[0].id : '');
  }

  // nextItem is agenda.nextItem.
  function nextItem(m, items, at) {
    var best = null;
    for (var i = 0; i < items.length; i++) {
      var r = items[i];
      var it = {kind: r.kind, sessionId: r.sessionId, title: r.title, start: ms(r.start), end: ms(r.end), roomId: r.roomId,
        venueId: r.venueId, reserved: r.reserved, locked: r.locked, importance: r.importance, blockId: r.blockId};
      var se = it.sessionId && m.byId[it.sessionId];
      if (se) { it.title = se.title; it.start = se.start; it.end = se.end; it.roomId = m.t.rooms[se.room].id; }
      if (m.day(it.start) !== m.day(at) || !(it.start > at)) continue;
      if (!best || it.start < best.start) best = it;
    }
    return best ? itemJSON(best) : null;
  }

  function leaveBy(m, from, to, dep, start) {
    var lo = dep, hi = start;
    while (lo < hi) {
      var mid = lo + Math.floor((hi - lo + 1) / 2);
      if (m.arriveBy(from, to, mid) <= start) lo = mid; else hi = mid - 1;
    }
    return {leaveBy: m.time(lo), minutes: m.arriveBy(from, to, lo) - lo, mode: m.mode(from, to, lo)};
  }

  function overflows(m, se, from, dep, start) {
    var cs = [], i;
    for (i = 0; i < se.overflows.length; i++) cs.push({room: se.overflows[i], arrive: m.arriveBy(from, se.overflows[i], dep), i: i});
    cs.sort(function (a, b) { return a.arrive - b.arrive || a.i - b.i; });
    var out = [];
    for (i = 0; i < cs.length; i++) {
      var c = cs[i], r = m.t.rooms[c.room];
      var o = {roomId: r.id, venueId: m.t.venues[r.v].id, legMinutes: c.arrive - dep, mode: '', inTime: c.arrive <= start, i: i};
      if (o.inTime) {
        var lb = leaveBy(m, from, c.room, dep, start);
        o.leaveBy = iso(lb.leaveBy); o.legMinutes = lb.minutes; o.mode = lb.mode;
      } else {
        o.mode = m.mode(from, c.room, dep);
      }
      out.push(o);
    }
    out.sort(function (a, b) { return a.legMinutes - b.legMinutes || a.i - b.i; });
    return out.map(function (o) {
      var r = {roomId: o.roomId, venueId: o.venueId};
      if (o.leaveBy) r.leaveBy = o.leaveBy;
      r.legMinutes = o.legMinutes; r.mode = o.mode; r.inTime = o.inTime;
      return r;
    });
  }

  // nextAround is planner.NextAround: the list of Reachable.
  function nextAround(m, from, at, wishes, items, within) {
    var fr = m.roomOf(from, '');
    if (!fr) fr = m.roomOf('', from);
    if (!fr || fr.room < 0) throw new Error('from: "' + from + '" is neither a room nor a venue');
    var fromRoom = fr.room, prio = {}, i, k;
    for (i = 0; i < wishes.length; i++) {
      var w = wishes[i], ws = m.byId[w.sessionId];
      if (ws && rank(w.priority) >= 0 && (!prio.hasOwnProperty(ws.group) || rank(w.priority) < rank(prio[ws.group]))) prio[ws.group] = w.priority;
    }
    var day = m.day(at), mine = [];
    for (i = 0; i < items.length; i++) {
      var rf = resolve(m, items[i]);
      if (m.day(rf.item.start) === day && rf.item.end !== ZERO) mine.push(rf);
    }
    mine = mine.map(function (x, j) { x.j = j; return x; }).sort(function (a, b) { return a.start - b.start || a.j - b.j; });
    var dep = m.minute(at), until = at + within * 60000, out = [];
    for (i = 0; i < m.sittings.length; i++) {
      var se = m.sittings[i];
      if (se.cancelled || se.start < at || se.start > until) continue;
      var room = se.room, start = m.minute(se.start), end = m.minute(se.end);
      var r = {sessionId: se.id, title: se.title, type: se.type, start: iso(se.start), end: iso(se.end),
        roomId: m.t.rooms[room].id, venueId: m.t.venues[m.t.rooms[room].v].id};
      if (prio[se.group]) r.priority = prio[se.group];
      var depRoom = fromRoom, depAt = dep, next = null, inPlan = false, misses = null, after = null;
      for (k = 0; k < mine.length; k++) {
        var x = mine[k];
        if (x.item.sessionId === se.id) inPlan = true;
        else if (x.start < end && start < x.end) { if (!misses) misses = x; }
        else if (x.end <= start && x.end > dep) { after = x; depAt = x.end; if (x.room >= 0) depRoom = x.room; }
        else if (x.start >= end && !next) next = x;
      }
      var hall = m.arriveBy(depRoom, room, depAt) <= start, lb = null;
      if (hall) lb = leaveBy(m, depRoom, room, depAt, start);
      var ovs = null, ov = null;
      if (se.type === 'keynote' || se.overflows.length > 0) {
        ovs = overflows(m, se, depRoom, depAt, start);
        for (k = 0; k < ovs.length; k++) if (ovs[k].inTime && !ov) ov = ovs[k];
      }
      if (!hall && !ov) continue;
      if (!misses && next && !inPlan) {
        var target = next.room >= 0 ? next.room : room;
        var arrive = m.arriveBy(room, target, end);
        if (arrive > next.start || (next.item.reserved && next.sess >= 0 && arrive >= next.start - m.releaseLead)) misses = next;
      }
      if (lb) { r.leaveBy = iso(lb.leaveBy); r.arrive = iso(lb.leaveBy + lb.minutes * 60000); }
      r.legMinutes = lb ? lb.minutes : 0;
      r.mode = lb ? lb.mode : '';
      r.fromRoomId = m.t.rooms[depRoom].id;
      if (inPlan) r.inPlan = true;
      if (after) r.after = itemJSON(after.item);
      if (misses) r.misses = itemJSON(misses.item);
      if (ov) r.overflow = ov;
      if (ovs && ovs.length) r.overflows = ovs;
      r._rank = rank(r.priority || '') >= 0 ? rank(r.priority) : 3;
      r._start = se.start;
      out.push(r);
    }
    out.sort(function (a, b) {
      return a._rank - b._rank || a._start - b._start || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);
    });
    out.forEach(function (r) { delete r._rank; delete r._start; });
    return out;
  }

  // compute answers like GET /api/v1/me/next?from=&at=: doc is the
  // offline travel document, items the attendee's own items (planner
  // items: reservations, blocks, keynotes, the plan's sittings), wishes
  // their favourites [{sessionId, priority}], at the instant (ms), opts
  // {from: room or venue id (default: where the plan puts them), seats:
  // {sessionId: {status, available, capacity}} (cached; optional)}.
  function compute(doc, items, wishes, at, opts) {
    opts = opts || {};
    var m = doc._model || (doc._model = new Model(doc));
    items = items || [];
    var v = {at: iso(at), from: opts.from || '', reachable: []};
    if (!opts.from) { v.from = planPlace(m, items, at); v.fromGuessed = true; }
    var next = nextItem(m, items, at);
    if (next) v.next = next;
    var list = nextAround(m, v.from, at, wishes || [], items, m.window);
    for (var i = 0; i < list.length; i++) {
      var r = list[i];
      var it = {session: r, legMinutes: r.legMinutes, mode: r.mode};
      if (r.leaveBy) it.leaveBy = r.leaveBy;
      var seats = opts.seats && opts.seats[r.sessionId];
      if (seats) it.seats = seats;
      if (r.overflow) it.overflow = r.overflow;
      if (r.misses) it.misses = r.misses;
      if (r.overflow && (!it.leaveBy || (seats && seats.status === 'full'))) {
        it.useOverflow = true;
        it.legMinutes = r.overflow.legMinutes; it.mode = r.overflow.mode; it.leaveBy = r.overflow.leaveBy;
      }
      v.reachable.push(it);
    }
    return v;
  }

  root.VenuehopNow = {compute: compute, Model: Model};
})(typeof self !== 'undefined' ? self : this);
