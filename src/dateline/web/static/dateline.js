// dateline's own page script. Data comes from data- attributes and the JSON API and is
// written with textContent only: nothing from an article is ever parsed as HTML.
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const PALETTE = ["#d1495b", "#edae49", "#00798c", "#30638e", "#003d5b", "#8f2d56", "#6a994e",
    "#bc4749", "#7b2cbf", "#e76f51", "#2a9d8f", "#264653", "#f4a261", "#577590", "#43aa8b",
    "#f94144", "#90be6d", "#4d908e"];
  const WINDOW_DAYS = 120; // beyond this the timeline shows the latest days (set From for more)

  function colorOf(type, types) {
    const i = types.indexOf(type);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  function articleHref(articleId, idx) {
    // ids are ours (hex); encoded all the same so no value can leave the path
    let href = "/article/" + encodeURIComponent(articleId);
    if (idx !== undefined) href += "?event=" + encodeURIComponent(idx) + "#event-" + encodeURIComponent(idx);
    return href;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); });
  }

  function dayNumber(day) { return Math.round(Date.parse(day + "T00:00:00Z") / 86400000); }
  function dayString(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }

  // --- timeline: stacked bars per day ------------------------------------------------------
  function drawTimeline(container, counts, explicitFrom) {
    container.replaceChildren();
    if (!counts.length) { container.appendChild(el("p", "muted", "No dated events.")); return; }
    const types = Array.from(new Set(counts.map(function (c) { return c.type; }))).sort();
    let first = dayNumber(counts[0].day);
    const last = dayNumber(counts[counts.length - 1].day);
    let hidden = 0;
    if (!explicitFrom && last - first + 1 > WINDOW_DAYS) {
      // the latest days, from where the bulk starts: early outliers (a war in 2010 recalled
      // in a 2022 article) would squeeze every bar into a hairline
      let bulk = last;
      for (let i = counts.length - 1; i >= 0; i--) {
        const n = dayNumber(counts[i].day);
        if (bulk - n > 30) break; // a month without events: what comes before is history
        bulk = n;
      }
      first = Math.max(last - WINDOW_DAYS + 1, bulk - 2);
      counts.forEach(function (c) { if (dayNumber(c.day) < first) hidden += c.count; });
    }
    const span = last - first + 1;
    const byDay = new Map();
    counts.forEach(function (c) {
      const n = dayNumber(c.day);
      if (n < first) return;
      if (!byDay.has(n)) byDay.set(n, []);
      byDay.get(n).push(c);
    });
    let max = 1;
    byDay.forEach(function (list) {
      max = Math.max(max, list.reduce(function (s, c) { return s + c.count; }, 0));
    });
    const W = 960, H = 180, left = 34, bottom = 22, top = 8;
    const plotW = W - left - 8, plotH = H - bottom - top;
    const barW = Math.min(plotW / span, 36); // a few days should not make slabs
    const x0 = left + (plotW - barW * span) / 2;
    const chart = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "timeline-chart", role: "img" });
    chart.appendChild(svg("line", { x1: left, y1: top + plotH, x2: W - 8, y2: top + plotH, class: "axis" }));
    [0, Math.ceil(max / 2), max].forEach(function (v) {
      const y = top + plotH - (v / max) * plotH;
      const label = svg("text", { x: left - 4, y: y + 4, class: "tick", "text-anchor": "end" });
      label.textContent = String(v);
      chart.appendChild(label);
    });
    byDay.forEach(function (list, n) {
      let y = top + plotH;
      list.forEach(function (c) {
        const h = (c.count / max) * plotH;
        y -= h;
        const bar = svg("rect", {
          x: x0 + (n - first) * barW + barW * 0.1, y: y, width: Math.max(barW * 0.8, 1), height: h,
          fill: colorOf(c.type, types), class: "bar",
        });
        bar.dataset.day = c.day;
        bar.dataset.type = c.type;
        const tip = svg("title");
        tip.textContent = c.day + " " + c.type + ": " + c.count;
        bar.appendChild(tip);
        chart.appendChild(bar);
      });
    });
    const ticks = Math.min(6, span);
    for (let i = 0; i < ticks; i++) {
      const n = first + Math.round((i * (span - 1)) / Math.max(ticks - 1, 1));
      const label = svg("text", { x: x0 + (n - first + 0.5) * barW, y: H - 6, class: "tick", "text-anchor": "middle" });
      label.textContent = dayString(n);
      chart.appendChild(label);
    }
    container.appendChild(chart);
    const legend = el("div", "legend");
    types.forEach(function (t) {
      const item = el("span", "legend-item");
      const swatch = el("span", "swatch");
      swatch.style.backgroundColor = colorOf(t, types);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(t));
      legend.appendChild(item);
    });
    container.appendChild(legend);
    if (hidden) {
      container.appendChild(el("p", "muted small",
        hidden + " events on days before " + dayString(first) + " are not drawn; set From to see them."));
    }
  }

  function initTimeline(container) {
    const from = container.dataset.from || "";
    getJSON(container.dataset.src).then(function (data) {
      drawTimeline(container, data.items || [], /^\d{4}-\d{2}-\d{2}$/.test(from));
      container.dataset.ready = "1";
    });
  }

  function initMentions(container) {
    let rows = [];
    try { rows = JSON.parse(container.dataset.mentions || "[]"); } catch (e) { rows = []; }
    const counts = rows.map(function (r) { return { day: r.day, type: "mentions", count: r.mentions }; });
    drawTimeline(container, counts, false);
  }

  // --- map: country outlines (no tiles) and event markers -----------------------------------
  function showEvents(panel, group) {
    panel.replaceChildren();
    const head = el("h3", null, (group[0].place || "place") + (group[0].country ? " (" + group[0].country + ")" : ""));
    panel.appendChild(head);
    panel.appendChild(el("p", "muted small", group.length + (group.length === 1 ? " event" : " events")));
    group.forEach(function (e) {
      const card = el("div", "event-card");
      card.dataset.eventId = e.id;
      const title = el("div", "event-title");
      title.appendChild(el("span", "type", e.type));
      if (e.mode) title.appendChild(el("span", "mode", " " + e.mode));
      title.appendChild(el("span", "aux aux-" + String(e.aux).replace(/[^a-z]/g, ""), " " + e.aux));
      card.appendChild(title);
      card.appendChild(el("div", "small", (e.day_from || "no date") + " · " +
        ((e.actors || []).join(", ") || "—") + " → " + ((e.recipients || []).join(", ") || "—")));
      card.appendChild(el("blockquote", "evidence-text", e.evidence || ""));
      const link = el("a", "open-event", "Open in the article");
      link.href = articleHref(e.article_id, e.idx);
      card.appendChild(link);
      card.appendChild(el("div", "muted small", (e.publisher || "") + " " + (e.published || "").slice(0, 10)));
      panel.appendChild(card);
    });
  }

  function initMap(container) {
    if (typeof L === "undefined") {
      container.appendChild(el("p", "muted", "The map library is not installed (run make setup)."));
      return;
    }
    const map = L.map(container, { worldCopyJump: true, minZoom: 1, maxZoom: 10, zoomSnap: 0.5 });
    map.setView([35, 40], 2);
    map.createPane("outlines").style.zIndex = "350"; // under the markers, whichever loads first
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Country outlines: Natural Earth via world-atlas");
    const panel = document.getElementById("event-detail");
    const outlines = getJSON(container.dataset.outlines).then(function (topo) {
      if (typeof topojson === "undefined") return;
      const land = topojson.feature(topo, topo.objects.countries);
      L.geoJSON(land, { pane: "outlines", interactive: false, style: { color: "#9aa5b1", weight: 0.7, fillColor: "#eef1f4", fillOpacity: 1 } }).addTo(map);
    }).catch(function () { /* outlines are decoration: markers still work */ });
    const events = getJSON(container.dataset.events).then(function (data) {
      const groups = new Map();
      (data.items || []).forEach(function (e) {
        if (typeof e.lat !== "number" || typeof e.lon !== "number") return;
        const key = e.lat.toFixed(4) + "," + e.lon.toFixed(4);
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(e);
      });
      const types = Array.from(new Set((data.items || []).map(function (e) { return e.type; }))).sort();
      const bounds = [];
      groups.forEach(function (group, key) {
        const marker = L.circleMarker([group[0].lat, group[0].lon], {
          radius: 5 + 2 * Math.sqrt(group.length), color: "#1f2933", weight: 1,
          fillColor: colorOf(group[0].type, types), fillOpacity: 0.8,
        }).addTo(map);
        marker.on("click", function () { showEvents(panel, group); });
        const node = marker.getElement();
        if (node) {
          node.classList.add("event-marker");
          node.setAttribute("data-key", key);
          node.setAttribute("data-count", String(group.length));
        }
        bounds.push([group[0].lat, group[0].lon]);
      });
      if (bounds.length) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 5 });
      container.dataset.markers = String(groups.size);
    });
    Promise.all([outlines, events]).then(function () { container.dataset.ready = "1"; });
  }

  // --- article: pick the event whose evidence to highlight --------------------------------
  function selectEvent(index) {
    document.querySelectorAll(".seg.evidence-active").forEach(function (s) { s.classList.remove("evidence-active"); });
    document.querySelectorAll(".seg.trigger-active").forEach(function (s) { s.classList.remove("trigger-active"); });
    document.querySelectorAll(".seg[data-events]").forEach(function (s) {
      if (s.dataset.events.split(" ").indexOf(String(index)) >= 0) s.classList.add("evidence-active");
    });
    document.querySelectorAll(".event-item").forEach(function (li) {
      li.classList.toggle("active", li.id === "event-" + index);
    });
  }

  function initArticle(article) {
    document.querySelectorAll("a.event-link").forEach(function (link) {
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        const index = link.dataset.event;
        selectEvent(index);
        history.replaceState(null, "", "?event=" + encodeURIComponent(index) + "#event-" + encodeURIComponent(index));
        const first = document.querySelector(".seg.evidence-active");
        if (first) first.scrollIntoView({ block: "center" });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const timeline = document.getElementById("timeline");
    if (timeline && timeline.dataset.src) initTimeline(timeline);
    const mentions = document.getElementById("mentions");
    if (mentions) initMentions(mentions);
    const map = document.getElementById("map");
    if (map) initMap(map);
    const article = document.querySelector("article.article");
    if (article) initArticle(article);
  });
})();
