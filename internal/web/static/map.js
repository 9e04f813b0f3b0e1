// The map page: venues, entrances, walking paths and transit lines from
// /api/v1/venues.geojson, and the route between the listed sessions from
// /api/v1/route.geojson, drawn with Leaflet (vendored, no CDN). Without
// tiles the map is drawn on a plain background. The legs table on the page
// is the same information without script.
(function () {
  "use strict";
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  el.hidden = false;

  const css = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const colours = {
    walk: colour("--walk", "#6b7280"),
    shuttle: colour("--shuttle", "#0f8a7e"),
    monorail: colour("--monorail", "#8e3fb5"),
    venue: colour("--venue", "#2d3b9a"),
    "leg-ok": colour("--leg-ok", "#2337b8"),
    "leg-tight": colour("--leg-tight", "#d97a00"),
    "leg-impossible": colour("--leg-impossible", "#c62828"),
  };

  // The view is set once the data is in (fitBounds below): labels placed
  // during a zoom animation would land in the wrong place.
  const map = L.map(el, { zoomSnap: 0.25, minZoom: 11, maxZoom: 19 });
  const tiles = el.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: "" }).addTo(map);
    const credit = document.createElement("a");
    credit.href = "https://www.openstreetmap.org/copyright";
    credit.textContent = el.dataset.attribution || "© OpenStreetMap contributors";
    map.attributionControl.addAttribution(credit.outerHTML);
  }
  L.control.scale({ metric: true, imperial: true }).addTo(map);

  // On a wide map the legend moves into it, bottom left; on a phone it
  // would hide half the map, so it stays below.
  const legend = document.getElementById("map-legend");
  if (legend && el.clientWidth >= 640) {
    const ctl = L.control({ position: "bottomleft" });
    ctl.onAdd = () => {
      const box = L.DomUtil.create("div", "leaflet-control");
      box.appendChild(legend);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    ctl.addTo(map);
  }

  function label(s) {
    const span = document.createElement("span");
    span.textContent = s;
    return span;
  }
  const latLngs = (coords) => coords.map((c) => [c[1], c[0]]);
  // "2026-12-01T13:37:00-08:00" -> "13:37": the server writes times in the
  // conference zone, which is what the page shows whatever the browser's.
  const clock = (iso) => (iso || "").slice(11, 16);

  // Stacking: venue names, then session pins, then the legs' labels (the
  // tooltip pane, 650) on top.
  map.createPane("venueNames").style.zIndex = 620;
  map.createPane("pins").style.zIndex = 640;
  const base = L.featureGroup();
  const route = L.featureGroup();

  function drawVenues(fc) {
    const lines = [], points = [];
    for (const f of fc.features) {
      if (!f.geometry) continue;
      (f.geometry.type === "LineString" ? lines : points).push(f);
    }
    for (const f of lines) {
      const p = f.properties, kind = p.kind;
      const style = {
        walk: { color: colours.walk, weight: 3, dashArray: "6 5", opacity: 0.8 },
        shuttle: { color: colours.shuttle, weight: 4, opacity: 0.45 },
        monorail: { color: colours.monorail, weight: 4, opacity: 0.6 },
      }[kind] || { color: colours.walk, weight: 2 };
      style.className = "map-" + kind;
      const line = L.polyline(latLngs(f.geometry.coordinates), style).addTo(base);
      let tip = p.name || "";
      if (kind === "walk") tip = "Walk: " + p.minutes + " min, " + (p.meters / 1000).toFixed(1) + " km" + (p.note ? " — " + p.note : "");
      else if (p.hours && p.hours.length) {
        tip += " — every " + p.headwayMinutes + " min, " + p.hours.filter((h) => !h.day).map((h) => h.start + "–" + h.end).join(", ") +
          ", " + p.offPeakMinutes + " min off-peak";
      }
      line.bindTooltip(label(tip), { sticky: true });
    }
    for (const f of points) {
      const p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      if (p.kind === "venue") {
        L.circleMarker(ll, { radius: 9, color: "#fff", weight: 2, fillColor: colours.venue, fillOpacity: 1, className: "venue-marker" })
          .bindTooltip(label(p.name), { permanent: true, direction: "right", offset: [10, 0], className: "venue-label", pane: "venueNames" })
          .addTo(base);
      } else if (p.kind === "entrance") {
        L.circleMarker(ll, { radius: 4, color: colours.venue, weight: 2, fillColor: "#fff", fillOpacity: 1, className: "entrance-marker" })
          .bindTooltip(label(p.name)).addTo(base);
      } else if (p.kind === "stop") {
        L.circleMarker(ll, { radius: 3, color: colours.shuttle, weight: 2, fillColor: "#fff", fillOpacity: 1, className: "stop-marker" })
          .bindTooltip(label(p.name)).addTo(base);
      }
    }
  }

  // Two short lines, so labels fit a phone: "shuttle 38 min" over
  // "leave by 12:00 · late".
  function legLabel(p) {
    const mode = p.mode === "inside" ? (p.minutes ? "walk inside" : "same room") : p.mode;
    let when = "leave by " + clock(p.leaveBy);
    if (p.impossible) when += " · late";
    else if (p.tight) when += " · tight";
    const box = document.createElement("span");
    box.append(label(mode + " " + p.minutes + " min"), label(when));
    return box;
  }

  function drawRoute(fc) {
    const legs = fc.features.filter((f) => f.properties.kind === "leg");
    const sessions = fc.features.filter((f) => f.properties.kind === "session");
    for (const f of legs) {
      if (!f.geometry) continue;
      const p = f.properties;
      const state = p.impossible ? "leg-impossible" : p.tight ? "leg-tight" : "leg-ok";
      const line = L.polyline(latLngs(f.geometry.coordinates), {
        color: colours[state], weight: 6, opacity: 0.9, lineJoin: "round", className: "route-leg " + state,
      }).addTo(route);
      // A leg within one venue has no length: its label goes under the pin.
      const here = f.geometry.coordinates.every((c) => c[0] === f.geometry.coordinates[0][0] && c[1] === f.geometry.coordinates[0][1]);
      line.bindTooltip(legLabel(p), {
        permanent: true, direction: here ? "bottom" : "center", offset: here ? [0, 14] : [0, 0], className: "leg-label " + state,
      });
    }
    // Sessions in one place share a pin: "2, 3".
    const pins = new Map();
    for (const f of sessions) {
      if (!f.geometry) continue;
      const key = f.geometry.coordinates.join(",");
      if (!pins.has(key)) pins.set(key, { ll: latLngs([f.geometry.coordinates])[0], items: [] });
      pins.get(key).items.push(f.properties);
    }
    for (const { ll, items } of pins.values()) {
      const pin = document.createElement("div");
      pin.className = "session-pin";
      pin.textContent = items.map((p) => p.order).join(",");
      const width = Math.max(26, 12 + 8 * pin.textContent.length);
      const tip = items.map((p) => p.order + ". " + clock(p.start) + " " + p.title + " (" + (p.venue || "") + ")").join("\n");
      L.marker(ll, { pane: "pins", icon: L.divIcon({ html: pin, className: "", iconSize: [width, 26] }), title: tip, keyboard: true, alt: tip })
        .addTo(route);
    }
  }

  const get = (url) => fetch(url, { headers: { Accept: "application/geo+json" } }).then((r) => {
    if (!r.ok) throw new Error(url + ": " + r.status);
    return r.json();
  });
  const ids = el.dataset.sessions;
  Promise.all([
    get("/api/v1/venues.geojson"),
    ids ? get("/api/v1/route.geojson?sessions=" + encodeURIComponent(ids)) : null,
  ]).then(([venues, path]) => {
    drawVenues(venues);
    if (path) drawRoute(path);
    const focus = route.getLayers().length ? route : base;
    if (focus.getLayers().length) {
      map.fitBounds(focus.getBounds(), { paddingTopLeft: [40, 40], paddingBottomRight: [40, 100], maxZoom: 16, animate: false });
    } else {
      map.setView([36.11, -115.17], 14); // nothing located: the Strip
    }
    base.addTo(map);
    route.addTo(map);
    el.dataset.ready = "true";
  }).catch((err) => {
    map.setView([36.11, -115.17], 14); // the Strip, with what could be drawn
    base.addTo(map);
    el.dataset.ready = "error";
    console.error("map:", err);
  });
})();
