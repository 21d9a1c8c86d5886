/**
 * CityDesk dashboards, live: follow the page's event streams with command's events.js
 * (seq order, resync through GET /api/v1/events after a gap or a reconnect) and bring the page
 * up to date. Events are hints: what is drawn and counted comes from the database.
 *
 * The map (window.citydeskMap, map_points.js): the tracking numbers the events name are
 * gathered, and at most once per animation frame and per WINDOW_MS, one request at a time,
 * the changes endpoint answers those incidents as they are now (and the districts' fills and
 * the counters); the answer is applied in one animation frame: a few points redrawn, no round
 * of Dash callbacks. The charts and tables follow with one Dash round (`charts-tick`) once
 * events have been quiet for CHARTS_QUIET_MS, or every CHARTS_EVERY_MS while they keep coming.
 * After a reconnect the whole layer is read again. A burst of 100 events in a second costs the
 * page a few small requests and one round of charts (bench.dashboard).
 *
 * A tiled map (CITYDESK_MAP_TILE_URL) has no points layer: there, one Dash store (`live-tick`)
 * is bumped as the map's data changes, under the same coalescing, and the server callbacks
 * redraw everything.
 */

// A quiet page asks at once (an incident reaches the map in well under a second); during a
// burst, at most every half second: each request costs the page ~10-20 ms besides drawing.
const WINDOW_MS = 500;
const CHARTS_QUIET_MS = 1000;
const CHARTS_EVERY_MS = 5000;
// Dash may not have rendered yet when the first event comes: look again this much later.
const NOT_READY_RETRY_MS = 50;
// A round whose end was never reported (a failed callback) stops holding ticks after this.
const ROUND_MAX_MS = 5000;
// More changed incidents than this in one request: ask for the whole layer instead
// (dashboards.panels.MAX_CHANGED).
const MAX_CHANGED = 500;
const FETCH_TIMEOUT_MS = 15000;
const COUNTERS = ["n-open", "n-warning", "n-overdue", "updated-at"];

/**
 * @param {Object} options
 * @param {string} options.eventsModule  URL of citydesk/events.js (hashed in production)
 * @param {string[]} options.streams  e.g. ["all"] or ["unit:7"]
 * @param {string} options.changesUrl  the dashboard's changes endpoint
 * @param {HTMLElement} [options.statusElement]  shows the connection's state
 * @param {string} [options.readyId]  an element Dash renders: set_props works once it exists
 * @param {number} [options.windowMs]
 */
export async function startLive({
  eventsModule,
  streams,
  changesUrl,
  statusElement,
  readyId = "n-open",
  windowMs = WINDOW_MS,
}) {
  const { connectEvents } = await import(eventsModule);
  const live = {
    events: 0, // events handed on by events.js
    flushes: 0, // map updates asked for (a changes request, or a live-tick round)
    charts: 0, // rounds of the charts' callbacks asked for
    pending: 0,
    lastSeq: null,
    status: "offline",
    stream: null,
  };
  const changed = new Set(); // tracking numbers named by the pending events
  let reload = false; // read the whole layer (after a reconnect, or a failed request)
  let lastFlushAt = -Infinity;
  let frame = null;
  let timer = null;
  let busy = null; // the request or round of callbacks in flight, if one is
  let chartsTimer = null;
  let chartsDueSince = null;
  let chartsRound = null;

  // The charts' callback ended (or a tiled map's whole round did).
  window.__citydeskRoundDone = () => {
    if (chartsRound !== null) {
      clearTimeout(chartsRound);
      chartsRound = null;
      if (chartsDueSince !== null) scheduleCharts();
      return;
    }
    if (busy !== null) {
      clearTimeout(busy);
      busy = null;
      if (live.pending > 0) request();
    }
  };
  // Nothing pending, scheduled or in flight (for tests and the benchmark).
  live.idle = () =>
    live.pending === 0 &&
    frame === null &&
    timer === null &&
    busy === null &&
    chartsTimer === null &&
    chartsDueSince === null &&
    chartsRound === null;

  function request() {
    if (frame !== null || timer !== null || busy !== null) return;
    const wait = lastFlushAt + windowMs - performance.now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = null;
        request();
      }, wait);
      return;
    }
    frame = requestAnimationFrame(flush);
  }

  function ready() {
    const dash = window.dash_clientside;
    return dash && dash.set_props && document.getElementById(readyId) ? dash : null;
  }

  function flush() {
    frame = null;
    const dash = ready();
    if (!dash) {
      timer = setTimeout(() => {
        timer = null;
        request();
      }, NOT_READY_RETRY_MS);
      return;
    }
    const map = window.citydeskMap;
    if (map && map.active() && !map.loaded()) {
      // The points' first fetch is not in yet: these changes are asked for since its time.
      timer = setTimeout(() => {
        timer = null;
        request();
      }, NOT_READY_RETRY_MS);
      return;
    }
    live.flushes += 1;
    lastFlushAt = performance.now();
    if (map && map.loaded()) {
      fetchChanges(map, dash);
      return;
    }
    // A tiled map: the server callbacks redraw it all.
    const events = live.pending;
    live.pending = 0;
    changed.clear();
    busy = setTimeout(() => window.__citydeskRoundDone(), ROUND_MAX_MS);
    dash.set_props("live-tick", { data: { n: live.flushes, seq: live.lastSeq, events } });
  }

  async function fetchChanges(map, dash) {
    const full = reload || changed.size > MAX_CHANGED;
    const nos = full ? [] : [...changed];
    const query = new URLSearchParams();
    if (!full) {
      query.set("since", map.at);
      query.set("no", nos.join(","));
    }
    for (const [name, value] of Object.entries(map.filters)) {
      if (value) query.set(name, value);
    }
    live.pending = 0;
    changed.clear();
    reload = false;
    const generation = map.generation;
    busy = true;
    try {
      const delta = await fetchJson(`${changesUrl}?${query}`);
      await new Promise((done) => requestAnimationFrame(done));
      // Filters changed meanwhile: the layer holds other data now, and this answer is stale.
      if (map.generation === generation) {
        map.apply(delta);
        // Only the counters whose text changed: each set_props is a render of Dash's tree.
        for (const id of COUNTERS) {
          const shown = document.getElementById(id);
          const text = delta.counters[id];
          if (!shown || shown.textContent !== text) dash.set_props(id, { children: text });
        }
        // The incident whose detail is open changed: its detail is read again.
        if (map.clicked && (full || nos.includes(map.clicked))) {
          dash.set_props("detail-tick", { data: { n: live.flushes } });
        }
      }
      scheduleCharts();
    } catch (error) {
      console.warn("citydesk live: changes", error);
      reload = true; // what those events changed is read with the whole layer next time
    } finally {
      busy = null;
    }
    if (live.pending > 0) request();
  }

  /** The charts once the events are quiet, or every CHARTS_EVERY_MS while they keep coming. */
  function scheduleCharts() {
    const now = performance.now();
    if (chartsDueSince === null) chartsDueSince = now;
    clearTimeout(chartsTimer);
    const wait = Math.min(CHARTS_QUIET_MS, chartsDueSince + CHARTS_EVERY_MS - now);
    chartsTimer = setTimeout(bumpCharts, Math.max(0, wait));
  }

  function bumpCharts() {
    chartsTimer = null;
    if (chartsRound !== null) return; // asked again when the round in flight ends
    const dash = ready();
    if (!dash) {
      scheduleCharts();
      return;
    }
    chartsDueSince = null;
    live.charts += 1;
    chartsRound = setTimeout(() => window.__citydeskRoundDone(), ROUND_MAX_MS);
    dash.set_props("charts-tick", { data: { n: live.charts } });
  }

  // The first charts once the map is drawn: they would compete with its first render.
  const firstChartsBy = performance.now() + 10000;
  chartsDueSince = performance.now();
  (function firstCharts() {
    const map = window.citydeskMap;
    const plotted = document.querySelector("#map .js-plotly-plot");
    const drawn =
      map && map.active() ? map.loaded() && map.drawn() > 0 : plotted && plotted._fullLayout;
    if ((drawn && ready()) || performance.now() > firstChartsBy) bumpCharts();
    else requestAnimationFrame(firstCharts);
  })();

  live.stream = connectEvents({
    streams,
    onEvent(event) {
      live.events += 1;
      live.pending += 1;
      live.lastSeq = event.seq;
      const incident = event.incident;
      if (incident && incident.tracking_no) {
        changed.add(incident.tracking_no);
        if (incident.merged_into) changed.add(incident.merged_into);
      }
      request();
    },
    onStatus(status) {
      live.status = status;
      if (statusElement) {
        statusElement.dataset.status = status;
        statusElement.textContent = statusElement.getAttribute(`data-label-${status}`) || status;
      }
      if (status !== "live") return;
      // Back after a drop: events.js has resynced what the streams missed; read the map and
      // the figures again too, in case what changed meanwhile left no event on these streams.
      if (live.wasLive) {
        reload = true;
        live.pending += 1;
        request();
      }
      live.wasLive = true;
    },
  });
  live.lastSeq = live.stream.lastSeq;
  return live;
}

async function fetchJson(url) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: abort.signal,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}
