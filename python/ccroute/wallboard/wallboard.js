// ccroute wallboard: listens to /events (server-sent events) and redraws.
// No framework, no build step: the tiles are plain DOM, the chart inline SVG.
"use strict";
(function () {
  const WINDOW = 30 * 60;                       // seconds shown in the chart
  // Sixteen distinct chart colours; past them, hues spread by the golden angle.
  const COLORS = ["#4aa3ff", "#f78c40", "#b48cff", "#3fd0c9", "#ff6fae", "#d6d65a", "#8fd16a", "#e0e0e0",
                  "#ff4d4d", "#2e7dff", "#c27c0e", "#00a86b", "#a64dff", "#ffd1dc", "#7fffd4", "#9a9a9a"];
  const $ = (sel, el) => (el || document).querySelector(sel);
  const queuesEl = $("#queues"), chart = $("#chart"), conn = $("#conn");
  const history = {};                           // queue -> [[wall seconds, level|null], ...]
  const targets = {};                           // queue -> sl_target
  let order = [], lastUpdate = 0, updates = 0;

  const pct = (x, digits) => x == null ? "—" : (100 * x).toFixed(digits) + "%";
  function duration(s) {
    if (s == null) return "—";
    s = Math.round(s);
    if (s < 60) return s + " s";
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + sec : m + ":" + sec;
  }
  function color(name) {
    const i = Math.max(0, order.indexOf(name));
    return i < COLORS.length ? COLORS[i] : "hsl(" + Math.round((i * 137.508) % 360) + ", 70%, 60%)";
  }

  function tile(name) {
    let el = queuesEl.querySelector('[data-queue="' + CSS.escape(name) + '"]');
    if (el) return el;
    el = document.createElement("article");
    el.className = "tile";
    el.dataset.queue = name;
    el.innerHTML =
      '<h2></h2>' +
      '<div class="big"><b data-field="waiting">0</b><span>waiting</span></div>' +
      '<dl>' +
      '<dt>Longest wait</dt><dd data-field="longest_wait">—</dd>' +
      '<dt data-field="sl_window_label">Service level</dt><dd><span data-field="sl_window">—</span><small data-field="sl_goal"></small></dd>' +
      '<dt data-field="sl_interval_label">This interval</dt><dd data-field="sl_interval">—</dd>' +
      '<dt>Since start</dt><dd data-field="service_level">—</dd>' +
      '<dt>ASA</dt><dd data-field="asa">—</dd>' +
      '<dt>Abandoned</dt><dd data-field="abandon_rate">—</dd>' +
      '<dt>Callbacks</dt><dd class="minor" data-field="callbacks">—</dd>' +
      '<dt>Transfers</dt><dd class="minor" data-field="transfers">—</dd>' +
      '</dl>';
    $("h2", el).textContent = name;
    queuesEl.appendChild(el);
    return el;
  }

  function setField(el, field, text) {
    const f = el.querySelector('[data-field="' + field + '"]');
    if (f.textContent !== text) f.textContent = text;
  }

  function renderQueues(queues, snap) {
    order = queues.map((q) => q.name);
    const alerts = [];
    for (const q of queues) {
      const el = tile(q.name);
      targets[q.name] = q.sl_target;
      setField(el, "waiting", String(q.waiting));
      setField(el, "longest_wait", duration(q.waiting ? q.longest_wait : 0));
      setField(el, "service_level", pct(q.service_level, 0));
      setField(el, "sl_window", pct(q.sl_window, 0));
      setField(el, "sl_interval", pct(q.sl_interval, 0));
      setField(el, "sl_window_label", "Last " + snap.sl_window_minutes + " min");
      setField(el, "sl_interval_label", "This " + snap.sl_interval_minutes + " min");
      setField(el, "sl_goal", "goal " + pct(q.sl_target, 0) + " in " + duration(q.sl_threshold));
      setField(el, "asa", duration(q.asa));
      setField(el, "abandon_rate", pct(q.abandon_rate, 1));
      // Callbacks waiting (customer off the line) and being called now.
      setField(el, "callbacks", q.callbacks_waiting + " waiting · " + q.callbacks_calling + " calling");
      // Transfers into and out of the queue; failed warm transfers when any.
      setField(el, "transfers", "in " + q.transferred_in + " · out " + q.transferred_out +
        (q.transfers_failed ? " · failed " + q.transfers_failed : ""));
      // Coloured by the rolling window (what is happening now), not since start.
      const level = q.sl_window;
      el.dataset.slState = level == null ? "none" : (level + 1e-9 >= q.sl_target ? "ok" : "bad");
      el.dataset.waitingState = q.waiting > 0 && q.longest_wait >= q.sl_threshold ? "busy" : "calm";
      const late = q.waiting > 0 && q.longest_wait > q.sl_threshold;
      el.dataset.alert = late ? "on" : "off";
      if (late) alerts.push(q.name + ": longest wait " + duration(q.longest_wait) + " > " + duration(q.sl_threshold));
      el.title = q.name + ": entered " + q.entered + ", answered " + q.answered + ", abandoned " + q.abandoned;
    }
    for (const el of [...queuesEl.children]) {
      if (!order.includes(el.dataset.queue)) el.remove();
    }
    const box = $("#alerts");
    box.replaceChildren(...alerts.map((text) => { const d = document.createElement("div"); d.textContent = text; return d; }));
    box.hidden = alerts.length === 0;
  }

  function renderWaitingByChannel(counts) {
    const box = $("#waiting-channels");
    box.replaceChildren();
    if (!counts) return;
    box.appendChild(document.createTextNode("waiting by channel: "));
    Object.keys(counts).forEach((name, i) => {
      if (i) box.appendChild(document.createTextNode(" · "));
      const b = document.createElement("b");
      b.dataset.channel = name;
      b.textContent = String(counts[name]);
      box.appendChild(document.createTextNode(name + " "));
      box.appendChild(b);
    });
  }

  function renderAgentList(list, now) {
    const body = $("#agent-list tbody");
    body.replaceChildren();
    for (const a of list || []) {
      const tr = document.createElement("tr");
      tr.dataset.agent = a.id;
      tr.dataset.state = a.state;
      for (const text of [a.id, a.state + (a.contacts ? " · " + a.contacts + " held" : ""), a.reason || "",
                          a.since == null ? "—" : duration(Math.max(0, now - a.since))]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function renderAgents(agents, channels) {
    for (const el of document.querySelectorAll("[data-agents]")) {
      const v = agents[el.dataset.agents];
      el.textContent = v == null ? "–" : String(v);
    }
    const box = $("#occupancy");
    const names = Object.keys(channels || {});
    box.innerHTML = names.length ? '<h2>Occupancy</h2>' : "";
    for (const name of names) {
      const c = channels[name], row = document.createElement("div");
      row.className = "occ";
      row.dataset.channel = name;
      const share = c.occupancy == null ? 0 : c.occupancy;
      row.innerHTML = '<span></span><div class="bar"><i></i></div><span class="pct"></span>';
      row.children[0].textContent = name;
      row.querySelector("i").style.width = (100 * share).toFixed(1) + "%";
      row.children[2].textContent = pct(c.occupancy, 0);
      row.title = c.held + " of " + c.max + " slots held";
      box.appendChild(row);
    }
  }

  function svg(tag, attrs) {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    return el;
  }

  function renderChart(now) {
    // Drawn in CSS pixels (no stretching): 3.4rem on the left for the labels.
    const box = chart.getBoundingClientRect();
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    const W = Math.max(box.width, 100), H = Math.max(box.height, 60), left = 3.4 * rem, pad = 8;
    const x = (t) => left + (W - left - pad) * (1 - (now - t) / WINDOW);
    const y = (v) => pad + (H - 2 * pad) * (1 - v);
    chart.setAttribute("viewBox", "0 0 " + W + " " + H);
    chart.replaceChildren();
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      chart.appendChild(svg("line", { class: "grid", x1: left, x2: W - pad, y1: y(v), y2: y(v) }));
      if (v * 4 % 2 === 0) {
        const label = svg("text", { x: 0, y: y(v) });
        label.textContent = (100 * v) + "%";
        chart.appendChild(label);
      }
    }
    for (const t of [now - 1200, now - 600]) chart.appendChild(svg("line", { class: "grid", x1: x(t), x2: x(t), y1: y(1), y2: y(0) }));
    const legend = $("#legend");
    legend.replaceChildren();
    for (const name of order) {
      const c = color(name);
      if (targets[name] != null) {
        chart.appendChild(svg("line", { class: "target", x1: left, x2: W - pad, y1: y(targets[name]), y2: y(targets[name]), stroke: c }));
      }
      const pts = (history[name] || []).filter((p) => p[1] != null && p[0] >= now - WINDOW);
      if (pts.length) {
        const d = pts.map((p) => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" ");
        chart.appendChild(svg("polyline", { class: "series", points: d, stroke: c, "data-queue": name }));
        const last = pts[pts.length - 1];
        chart.appendChild(svg("circle", { class: "now", cx: x(last[0]), cy: y(last[1]), r: 5, fill: c }));
      }
      const item = document.createElement("span");
      item.innerHTML = "<i></i>";
      item.firstChild.style.background = c;
      item.appendChild(document.createTextNode(name));
      legend.appendChild(item);
    }
  }

  function onSnapshot(snap) {
    renderQueues(snap.queues, snap);
    renderAgents(snap.agents, snap.channels);
    renderWaitingByChannel(snap.waiting_by_channel);
    renderAgentList(snap.agent_list, snap.now);
    if (snap.sample) {
      for (const q of snap.queues) {
        const h = history[q.name] || (history[q.name] = []);
        h.push([snap.taken, q.service_level]);
        while (h.length && h[0][0] < snap.taken - WINDOW) h.shift();
      }
    }
    renderChart(snap.taken);
    $("#policy").textContent = (tenant ? "tenant " + tenant + " · " : "") + "policy " + snap.policy;
    lastUpdate = Date.now();
    document.body.dataset.updates = String(++updates);
    conn.className = "up";
    conn.textContent = "live";
  }

  // With tokens, the page is opened as /?token=<observer token>; its own
  // requests carry the token on (an EventSource cannot set a header), and
  // the tenant it shows (/?tenant=<name>; default: the default tenant).
  const params = new URLSearchParams(location.search);
  const token = params.get("token");
  const tenant = params.get("tenant");
  const query = new URLSearchParams();
  if (token) query.set("token", token);
  if (tenant) query.set("tenant", tenant);
  const eventsUrl = "/events" + (query.toString() ? "?" + query.toString() : "");
  if (tenant) document.title = tenant + " · " + document.title;

  function connect() {
    const es = new EventSource(eventsUrl);
    es.addEventListener("history", (e) => {
      const data = JSON.parse(e.data).history;
      for (const k of Object.keys(history)) delete history[k];
      Object.assign(history, data);
    });
    es.addEventListener("snapshot", (e) => onSnapshot(JSON.parse(e.data)));
    es.onerror = () => {
      conn.className = "down"; conn.textContent = "reconnecting";
      // Refused for good (its tenant moved to another server, or this one is
      // gone): load the page again, which the server redirects to the owner.
      if (es.readyState === EventSource.CLOSED) setTimeout(() => location.reload(), 5000);
    };
  }

  // For the console and tests: the chart's data.
  window.ccrouteWallboard = { history: history, targets: targets, color: color };

  setInterval(() => {
    $("#clock").textContent = new Date().toLocaleTimeString([], { hour12: false });
    if (lastUpdate && Date.now() - lastUpdate > 5000 && conn.className !== "down") {
      conn.className = "stale";
      conn.textContent = "no update for " + Math.round((Date.now() - lastUpdate) / 1000) + " s";
    }
  }, 1000);
  connect();
})();
