/**
 * CityDesk live events for pages: one WebSocket to /ws/events/, events handed on once each,
 * in seq order. Frames are hints; whatever a frame's `prev` shows was missed, and whatever
 * happened while disconnected, is read back from GET /api/v1/events (the database is the truth).
 */

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
// Live this long before a drop: the next reconnect starts from the shortest delay again.
const STABLE_MS = 10000;
const PAGE_LIMIT = 500;
// A resync request that hangs would hold every frame behind it.
const FETCH_TIMEOUT_MS = 15000;
// The server's answer to a socket without a logged-in user, or whose session has ended.
const CLOSE_UNAUTHENTICATED = 4401;
// The server's answer to an account left without a role while its socket was open.
const CLOSE_FORBIDDEN = 4403;
// Client close codes must be 1000 or 3000-4999.
const CLOSE_RESYNC_FAILED = 4000;

/**
 * @typedef {"connecting"|"live"|"resyncing"|"offline"|"unauthenticated"|"forbidden"} EventStatus
 *
 * @typedef {Object} CityEvent
 * @property {number} seq
 * @property {string} type  e.g. "incident.created", "assignment.dispatched"
 * @property {string} action
 * @property {Object|null} incident  the incident summary (tracking_no, status, ...)
 * @property {string|null} at
 *
 * @typedef {Object} EventStreamOptions
 * @property {string[]} streams  e.g. ["all"], ["district:230102", "unit:7"]
 * @property {(event: CityEvent) => void} onEvent  called once per event, in seq order
 * @property {(status: EventStatus, detail: Object) => void} [onStatus]
 * @property {string} [url]  default: ws(s)://<this host>/ws/events/
 * @property {string} [apiBase]  default: "/api/v1"
 */

export class EventStream {
  /** @param {EventStreamOptions} options */
  constructor({ streams, onEvent, onStatus, url, apiBase }) {
    if (!Array.isArray(streams) || streams.length === 0) {
      throw new TypeError("streams: a non-empty list of stream names");
    }
    this.streams = [...streams];
    this.onEvent = onEvent;
    this.onStatus = onStatus || (() => {});
    this.url = url || defaultUrl();
    this.apiBase = (apiBase || "/api/v1").replace(/\/$/, "");
    /** @type {number|null} the last seq handed to onEvent (or known to be covered) */
    this.lastSeq = null;
    /** @type {string[]} what the server granted on the last subscribe */
    this.granted = [];
    /** @type {Object<string, string>} refused stream -> the server's reason */
    this.refused = {};
    /** @type {EventStatus} */
    this.status = "offline";
    this._socket = null;
    this._generation = 0; // bumped per socket: work queued for an old socket is dropped
    this._chain = Promise.resolve(); // frames and resyncs run one at a time, in arrival order
    this._attempt = 0;
    this._liveSince = null;
    this._timer = null;
    this._closed = false;
  }

  /** Open the socket (again); called by connectEvents. */
  open() {
    this._closed = false;
    this._connect();
    return this;
  }

  /** Stop for good: close the socket and do not reconnect. */
  close() {
    this._closed = true;
    clearTimeout(this._timer);
    this._generation += 1;
    if (this._socket) this._socket.close(1000);
    this._socket = null;
    this._setStatus("offline", {});
  }

  _connect() {
    const generation = ++this._generation;
    this._setStatus("connecting", { attempt: this._attempt });
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      console.warn("citydesk events: cannot open", this.url, error);
      this._retry();
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      if (generation !== this._generation) return;
      socket.send(JSON.stringify({ action: "subscribe", streams: this.streams }));
    };
    socket.onmessage = (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        console.warn("citydesk events: not JSON", message.data);
        return;
      }
      this._enqueue(() => this._handle(frame, generation), generation);
    };
    socket.onclose = (event) => {
      if (generation !== this._generation) return;
      this._generation += 1;
      this._socket = null;
      if (event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_FORBIDDEN) {
        // Logged out, or no role: retrying cannot help until the user logs in again or an
        // administrator gives the account a role.
        this._closed = true;
        this._setStatus(event.code === CLOSE_FORBIDDEN ? "forbidden" : "unauthenticated", {});
        return;
      }
      if (!this._closed) this._retry();
    };
  }

  _enqueue(work, generation) {
    this._chain = this._chain.then(work).catch((error) => {
      console.warn("citydesk events:", error);
      // Cannot catch up now: drop the socket; the reconnect resyncs from lastSeq.
      if (generation === this._generation && this._socket) {
        this._socket.close(CLOSE_RESYNC_FAILED);
      }
    });
  }

  _retry() {
    if (this._liveSince !== null && Date.now() - this._liveSince >= STABLE_MS) this._attempt = 0;
    this._liveSince = null;
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this._attempt);
    // Jitter: clients dropped together by a restart do not come back together.
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this._attempt += 1;
    this._setStatus("offline", { retryInMs: delay });
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._connect(), delay);
  }

  async _handle(frame, generation) {
    if (generation !== this._generation) return;
    switch (frame.type) {
      case "error":
        if (frame.stream) {
          this.refused[frame.stream] = frame.message;
          // A stream taken away while live (rights revoked): resyncs leave it out from now on.
          this.granted = this.granted.filter((stream) => stream !== frame.stream);
        } else console.warn("citydesk events: server says", frame.message);
        return;
      case "subscribed":
        this.granted = frame.streams;
        if (this.lastSeq === null) this.lastSeq = frame.seq;
        else await this._resync(generation); // what happened while we were away
        if (generation !== this._generation) return;
        this._liveSince = Date.now();
        this._setStatus("live", { streams: this.granted, refused: { ...this.refused } });
        return;
      case "unsubscribed":
        return;
      case "resync":
        await this._resync(generation);
        return;
      default:
        if (typeof frame.seq !== "number" || this.lastSeq === null) return;
        if (frame.prev > this.lastSeq) await this._resync(generation); // frames were lost
        if (generation !== this._generation) return;
        this._apply(frame.type === "batch" ? frame.events : [frame]);
    }
  }

  async _resync(generation) {
    if (this.granted.length === 0) return;
    const before = this.status;
    this._setStatus("resyncing", { after: this.lastSeq });
    let more = true;
    while (more) {
      const query = new URLSearchParams({
        after: String(this.lastSeq),
        stream: this.granted.join(","),
        limit: String(PAGE_LIMIT),
      });
      const page = await fetchJson(`${this.apiBase}/events?${query}`);
      if (generation !== this._generation) return;
      this._apply(page.events);
      this.lastSeq = Math.max(this.lastSeq, page.next_after);
      more = page.more;
    }
    if (before === "live") this._setStatus("live", { streams: this.granted });
  }

  _apply(events) {
    const fresh = events.filter((event) => event.seq > this.lastSeq);
    fresh.sort((a, b) => a.seq - b.seq);
    for (const event of fresh) {
      if (event.seq <= this.lastSeq) continue; // the same seq twice in one list
      this.lastSeq = event.seq;
      try {
        this.onEvent(event);
      } catch (error) {
        console.error("citydesk events: onEvent failed", error);
      }
    }
  }

  _setStatus(status, detail) {
    if (status === this.status) return;
    this.status = status;
    try {
      this.onStatus(status, detail);
    } catch (error) {
      console.error("citydesk events: onStatus failed", error);
    }
  }
}

/**
 * Follow `streams` live: connect, subscribe, keep events in seq order, reconnect and resync.
 *
 * @param {EventStreamOptions} options
 * @returns {EventStream} call `close()` to stop; `lastSeq` is the last seq handed on
 */
export function connectEvents(options) {
  return new EventStream(options).open();
}

function defaultUrl() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/ws/events/`;
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
    if (!response.ok) throw new Error(`resync: HTTP ${response.status} from ${url}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}
