/**
 * CityDesk dashboards, live: follow the page's event streams with command's events.js
 * (seq order, resync through GET /api/v1/events after a gap or a reconnect) and tell Dash
 * that something changed by bumping one dcc.Store (`live-tick`) through
 * dash_clientside.set_props. Dash then runs the server callbacks, which read the database:
 * events are hints, the counts come from the database.
 *
 * Coalescing: however many events arrive, the store is bumped at most once per animation
 * frame, at most once per WINDOW_MS, and never while the round of callbacks the last bump
 * started is still running (the dashboard calls window.__citydeskRoundDone when it is over).
 * A burst of 100 events in a second makes a few refreshes, not a hundred, and the page's main
 * thread stays free.
 */

const WINDOW_MS = 250;
// Dash may not have rendered yet when the first event comes: look again this much later.
const NOT_READY_RETRY_MS = 50;
// A round whose end was never reported (a failed callback) stops holding ticks after this.
const ROUND_MAX_MS = 5000;

/**
 * @param {Object} options
 * @param {string} options.eventsModule  URL of citydesk/events.js (hashed in production)
 * @param {string[]} options.streams  e.g. ["all"] or ["unit:7"]
 * @param {HTMLElement} [options.statusElement]  shows the connection's state
 * @param {string} [options.storeId]
 * @param {string} [options.readyId]  an element Dash renders: set_props works once it exists
 * @param {number} [options.windowMs]
 */
export async function startLive({
  eventsModule,
  streams,
  statusElement,
  storeId = "live-tick",
  readyId = "n-open",
  windowMs = WINDOW_MS,
}) {
  const { connectEvents } = await import(eventsModule);
  const live = {
    events: 0, // events handed on by events.js
    flushes: 0, // store bumps (each makes one round of callbacks)
    pending: 0,
    lastSeq: null,
    status: "offline",
    stream: null,
  };
  let lastFlushAt = -Infinity;
  let frame = null;
  let timer = null;
  let wasLive = false;
  let round = null; // the timer bounding the round of callbacks in flight, if one is

  function roundOver() {
    clearTimeout(round);
    round = null;
    if (live.pending > 0) request();
  }
  window.__citydeskRoundDone = roundOver;
  // Nothing pending, scheduled or in flight (for tests and the benchmark).
  live.idle = () => live.pending === 0 && frame === null && timer === null && round === null;

  function request() {
    if (frame !== null || timer !== null || round !== null) return;
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

  function flush() {
    frame = null;
    const dash = window.dash_clientside;
    if (!dash || !dash.set_props || !document.getElementById(readyId)) {
      timer = setTimeout(() => {
        timer = null;
        request();
      }, NOT_READY_RETRY_MS);
      return;
    }
    const events = live.pending;
    live.pending = 0;
    live.flushes += 1;
    lastFlushAt = performance.now();
    round = setTimeout(roundOver, ROUND_MAX_MS);
    dash.set_props(storeId, { data: { n: live.flushes, seq: live.lastSeq, events } });
  }

  live.stream = connectEvents({
    streams,
    onEvent(event) {
      live.events += 1;
      live.pending += 1;
      live.lastSeq = event.seq;
      request();
    },
    onStatus(status) {
      live.status = status;
      if (statusElement) {
        statusElement.dataset.status = status;
        statusElement.textContent = statusElement.getAttribute(`data-label-${status}`) || status;
      }
      if (status !== "live") return;
      // Back after a drop: events.js has resynced what the streams missed; read the figures
      // again too, in case what changed meanwhile left no event on these streams.
      if (wasLive) {
        live.pending += 1;
        request();
      }
      wasLive = true;
    },
  });
  live.lastSeq = live.stream.lastSeq;
  return live;
}
