/**
 * The dispatch desk, live: follows every event over /ws/events/ (events.js) and, after each
 * burst, reads the queue, extension requests and alerts again from the server (the database
 * is the truth; frames are hints). A ticket whose version has not changed keeps its element,
 * so a form being filled in is not lost; a changed or new one is swapped in.
 */
import { connectEvents } from "../citydesk/events.js";

const REFRESH_DELAY_MS = 150;
const lists = document.getElementById("lists");
const live = document.getElementById("live");
let timer = null;
let refreshing = Promise.resolve();

function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(() => {
    refreshing = refreshing.then(refresh).catch((error) => console.warn("dispatch desk:", error));
  }, REFRESH_DELAY_MS);
}

async function refresh() {
  const response = await fetch(lists.dataset.url, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (!response.ok) throw new Error(`lists: HTTP ${response.status}`);
  const fresh = document.createElement("div");
  fresh.innerHTML = await response.text();
  for (const section of fresh.querySelectorAll("section")) {
    const current = document.getElementById(section.id);
    if (current) merge(current, section);
    else lists.append(section);
  }
  lists.dataset.refreshed = String(Number(lists.dataset.refreshed || 0) + 1);
}

/** Replace `current` by `fresh`, keeping the elements of tickets whose version is unchanged. */
function merge(current, fresh) {
  const kept = new Map();
  for (const item of current.querySelectorAll("[data-key]")) kept.set(item.dataset.key, item);
  for (const item of fresh.querySelectorAll("[data-key]")) {
    const old = kept.get(item.dataset.key);
    if (old && old.dataset.version === item.dataset.version) item.replaceWith(old);
  }
  const focused = document.activeElement;
  current.replaceWith(fresh);
  if (focused && fresh.contains(focused)) focused.focus();
}

// Setting a deadline by hand needs a reason: the form says so before the server does.
document.addEventListener("input", (event) => {
  const until = event.target.closest(".dispatch-form .until");
  if (!until) return;
  const form = until.form;
  form.querySelector(".note-input").required = until.value !== form.proposed_until.value;
});

const events = connectEvents({
  streams: ["all"],
  onEvent: scheduleRefresh,
  onStatus(state) {
    live.dataset.status = state;
    live.textContent = live.getAttribute(`data-label-${state}`) || state;
    if (state === "live") scheduleRefresh(); // what changed while connecting
  },
});

/** Stop following: no socket, no refresh still scheduled, and the one under way finished (the
 * promise a caller may wait on). Without the last two a refresh set off just before would still
 * redraw the lists afterwards. */
window.__dispatchDesk = {
  close() {
    events.close();
    clearTimeout(timer);
    return refreshing;
  },
};
