/**
 * The operator console (话务台): the call form, keyboard first, with live panels beside it.
 *
 *   Alt+1..9        insert a common phrase at the cursor of the complaint
 *   Alt+Shift+1..5  attach the call to that duplicate and save
 *   Ctrl+Enter      save as a new report (intake merges or opens)
 *   Esc             after a save: the next call
 *
 * Duplicates and the category follow the text, the point and the category as typed (debounced,
 * stale requests aborted); the caller's history follows the number. Incoming calls, announced
 * on the `hotline` stream (`call.incoming`, the call's id only), fill the number in when the
 * reader may see it in full, and show the caller's earlier reports at once.
 */

import { connectEvents } from "../citydesk/events.js";
import { DistrictMap } from "./map.js";

const DEBOUNCE_MS = 150;
const MIN_PHONE_DIGITS = 5;
const NEARBY_M = 500; // wider than the merge radius (300 m): nothing that may be offered is missed

const root = document.getElementById("hotline");
const urls = { ...root.dataset };
const $ = (id) => document.getElementById(id);
const form = $("call-form");
const fields = {
  phone: $("phone"), name: $("name"), text: $("text"), address: $("address"),
  category: $("category"), priority: $("priority"), callKey: $("call_key"), callId: $("call_id"),
};
const labels = Object.fromEntries(
  [...$("labels").content.querySelectorAll("[data-key]")].map((e) => [e.dataset.key, e.textContent]),
);
const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;

let categoryChosen = false; // the operator picked one: suggestions no longer change it
let duplicates = [];
let saving = false;

// --- requests ---------------------------------------------------------------------------------

async function post(url, body, signal) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
    signal,
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

/** A function that runs `work(signal)` DEBOUNCE_MS after its last call, aborting the run before:
 * only the latest input's answer is shown. Its `cancel()` drops the waiting and the running run
 * (the panel is being filled from elsewhere). */
function latest(work) {
  let timer = null;
  let running = null;
  const run = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (running) running.abort();
      const abort = new AbortController();
      running = abort;
      try {
        await work(abort.signal);
      } catch (error) {
        if (error.name !== "AbortError") console.warn("hotline:", error);
      }
    }, DEBOUNCE_MS);
  };
  run.cancel = () => {
    clearTimeout(timer);
    if (running) running.abort();
    running = null;
  };
  return run;
}

// --- the map ----------------------------------------------------------------------------------

const map = new DistrictMap($("map"), {
  tileUrl: urls.tileUrl,
  onChange(point) {
    const shown = $("point");
    shown.textContent = point ? `${point.lat.toFixed(5)}, ${point.lon.toFixed(5)}` : shown.dataset.none;
    refreshDuplicates();
  },
});
window.__hotline = { map }; // for tests and for poking at in the console
fetch(urls.urlDistricts, { credentials: "same-origin" })
  .then((response) => response.json())
  .then((collection) => map.draw(collection))
  .catch((error) => console.warn("hotline: districts", error));

// --- duplicates and category ------------------------------------------------------------------

function ago(minutes) {
  return minutes < 120 ? `${minutes}${labels.minutesAgo}` : `${Math.round(minutes / 60)}${labels.hoursAgo}`;
}

function item(incident, extra = "") {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = incident.url;
  link.target = "_blank";
  link.className = "no";
  link.textContent = incident.tracking_no;
  const what = document.createElement("span");
  what.textContent = ` ${incident.category.name} · ${incident.status_label} ${extra}`;
  const summary = document.createElement("div");
  summary.className = "summary";
  summary.textContent = incident.summary;
  li.append(link, what, summary);
  return li;
}

function showList(list, empty, rows, emptyText) {
  list.replaceChildren(...rows);
  if (empty) {
    empty.hidden = rows.length > 0;
    if (emptyText) empty.textContent = emptyText;
  }
}

const refreshDuplicates = latest(async (signal) => {
  const point = map.value;
  const text = fields.text.value;
  if (!text.trim()) {
    duplicates = [];
    showList($("duplicates"), $("duplicates-empty"), []);
    return;
  }
  const body = { text, category: categoryChosen ? fields.category.value : "", ...(point || {}) };
  const { ok, data } = await post(urls.urlSuggest, body, signal);
  if (!ok) return;
  const suggested = data.category;
  $("category-hint").textContent = `${$("category-hint").dataset.label}${suggested.name}`;
  if (!categoryChosen) fields.category.value = suggested.code;
  duplicates = data.duplicates;
  const rows = duplicates.map((d, i) => {
    const li = item(d, `· ${labels.score} ${d.score.toFixed(2)} · ${d.distance_m}${labels.metres} · ${ago(d.age_minutes)}`);
    li.dataset.trackingNo = d.tracking_no;
    if (d.would_merge) li.classList.add("would-merge");
    const key = document.createElement("kbd");
    key.textContent = `Alt+Shift+${i + 1}`;
    const attach = document.createElement("button");
    attach.type = "button";
    attach.tabIndex = -1;
    attach.textContent = labels.attach;
    attach.addEventListener("click", () => save(d.tracking_no));
    li.prepend(key, " ", attach, " ");
    return li;
  });
  showList($("duplicates"), $("duplicates-empty"), rows, point ? labels.noDuplicates : undefined);
  map.mark(duplicates.filter((d) => d.location).map((d) => d.location));
});

// --- the caller's history ---------------------------------------------------------------------

const refreshHistory = latest(async (signal) => {
  const phone = fields.phone.value;
  if (phone.replace(/\D/g, "").length < MIN_PHONE_DIGITS) {
    showList($("history"), $("history-empty"), []);
    return;
  }
  const { ok, data } = await post(urls.urlHistory, { phone }, signal);
  if (!ok) return;
  const rows = data.reports.map((r) => item(r.incident, `· ${when(r.received_at)}`));
  showList($("history"), $("history-empty"), rows, labels.noHistory);
});

function when(iso) {
  return iso.slice(0, 16).replace("T", " ");
}

/** The history a screen pop brings (GET /hotline/calls/<id>/), in the same panel and rows. */
function showCallHistory(history) {
  refreshHistory.cancel(); // an answer for the number as it was must not replace this one
  const rows = history.map((h) =>
    item(
      {
        tracking_no: h.tracking_no, url: h.url, category: { name: h.category },
        status_label: h.status_label, summary: "",
      },
      `· ${when(h.received_at)}`,
    ),
  );
  showList($("history"), $("history-empty"), rows, labels.noHistory);
}

// --- recent calls and search ------------------------------------------------------------------

async function refreshRecent() {
  const response = await fetch(urls.urlRecent, { credentials: "same-origin" });
  if (!response.ok) return;
  const { calls } = await response.json();
  showList($("recent"), null, calls.map((c) => item(c.incident, `· ${c.phone}`)));
}

$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { ok, data } = await post(urls.urlSearch, { q: $("search-q").value });
  if (!ok) return;
  const rows = data.incidents.map((i) => item(i));
  if (rows.length === 0) {
    const none = document.createElement("li");
    none.textContent = labels.none;
    rows.push(none);
  }
  showList($("search-results"), null, rows);
});

// --- saving -----------------------------------------------------------------------------------

function clearErrors() {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  $("form-error").textContent = "";
}

function showErrors(data) {
  const targets = { "reporter.phone": "phone", "location.lat": "location", "location.lon": "location" };
  clearErrors();
  for (const [name, messages] of Object.entries(data.fields || {})) {
    const slot = form.querySelector(`.field-error[data-for="${targets[name] || name}"]`);
    if (slot) slot.textContent = messages.join(" ");
  }
  $("form-error").textContent = data.message || labels.failed;
}

async function save(attachTo = "") {
  if (saving) return;
  saving = true;
  const body = {
    call_key: fields.callKey.value, call_id: fields.callId.value,
    phone: fields.phone.value, name: fields.name.value, text: fields.text.value,
    // The operator's category only when they chose one: otherwise intake reads the text itself
    // (the same category the hint shows), and the report does not claim a category given.
    address: fields.address.value, category: categoryChosen ? fields.category.value : "",
    priority: fields.priority.value,
    attach_to: attachTo, ...(map.value || {}),
  };
  try {
    const { ok, status, data } = await post(urls.urlCalls, body);
    if (!ok) {
      showErrors(data);
      return;
    }
    clearErrors();
    $("receipt-no").textContent = data.tracking_no;
    const what = status === 200 ? "replayed" : attachTo ? "attached" : data.merged ? "merged" : "created";
    $("receipt-what").textContent = labels[what];
    $("receipt").dataset.outcome = what;
    $("receipt").hidden = false;
    form.inert = true;
    $("next-call").focus();
    refreshRecent();
  } catch (error) {
    showErrors({ message: labels.failed });
  } finally {
    saving = false;
  }
}

/** A fresh key for the next call (crypto.randomUUID needs HTTPS; duty rooms may serve HTTP). */
function newCallKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function nextCall() {
  const notice = $("incoming");
  if (notice.dataset.callId && notice.dataset.callId === fields.callId.value) notice.hidden = true;
  form.reset();
  form.inert = false;
  fields.callKey.value = newCallKey();
  fields.callId.value = "";
  categoryChosen = false;
  duplicates = [];
  map.clear();
  $("category-hint").textContent = "";
  showList($("duplicates"), $("duplicates-empty"), []);
  showList($("history"), $("history-empty"), []);
  $("receipt").hidden = true;
  clearErrors();
  fields.phone.focus();
}

// --- keys -------------------------------------------------------------------------------------

function insertPhrase(phrase) {
  const text = fields.text;
  const start = text.selectionStart ?? text.value.length;
  const end = text.selectionEnd ?? start;
  text.focus();
  text.setRangeText(phrase, start, end, "end");
  text.dispatchEvent(new Event("input", { bubbles: true }));
}

document.addEventListener("keydown", (event) => {
  if (!$("receipt").hidden) {
    if (event.key === "Escape") {
      event.preventDefault();
      nextCall();
    }
    return;
  }
  const digit = /^Digit([1-9])$/.exec(event.code);
  if (event.altKey && !event.ctrlKey && digit) {
    const n = Number(digit[1]);
    event.preventDefault();
    if (event.shiftKey) {
      if (duplicates[n - 1]) save(duplicates[n - 1].tracking_no);
    } else {
      const phrase = document.querySelectorAll("#phrases [data-phrase]")[n - 1];
      if (phrase) insertPhrase(phrase.dataset.phrase);
    }
  } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    save();
  }
});

for (const button of document.querySelectorAll("#phrases [data-phrase]")) {
  button.addEventListener("click", () => insertPhrase(button.dataset.phrase));
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
$("next-call").addEventListener("click", nextCall);
fields.text.addEventListener("input", refreshDuplicates);
fields.category.addEventListener("change", () => {
  categoryChosen = fields.category.value !== "";
  refreshDuplicates();
});
fields.phone.addEventListener("input", refreshHistory);
refreshRecent();

// --- live: incoming calls, and duplicates as other operators save ----------------------------

/** Whether `caller` is a number one can call back: digits (and +, spaces, dashes, brackets), not
 * the masked form (138****1111) those without personal-data rights are given. */
function isFullNumber(caller) {
  return typeof caller === "string" && /^\+?\d[\d\s()-]*$/.test(caller.trim());
}

/** Put a call into the (empty) form: its id, its number when given in full, its history. A
 * masked number stays out of the phone field (it could only be saved as a wrong number): the
 * notice shows it and the focus goes to the number, to be asked of the caller. */
function takeCall(call) {
  fields.callId.value = String(call.id);
  showCallHistory(call.history || []);
  if (isFullNumber(call.caller)) {
    fields.phone.value = call.caller.trim();
    fields.text.focus();
  } else {
    showNotice(call, false);
    fields.phone.focus();
  }
}

function showNotice(call, withTake) {
  const notice = $("incoming");
  const full = isFullNumber(call.caller);
  notice.textContent = `${labels.incoming}${call.caller ?? ""} `;
  notice.dataset.callId = String(call.id);
  notice.dataset.number = full ? "full" : "masked";
  if (!full) {
    const hint = document.createElement("span");
    hint.className = "masked-hint";
    hint.textContent = `${labels.masked} `;
    notice.append(hint);
  }
  if (withTake) {
    const take = document.createElement("button");
    take.type = "button";
    take.textContent = labels.take;
    take.addEventListener("click", () => {
      nextCall();
      notice.hidden = true;
      takeCall(call); // a masked number: the notice again, without the button
    });
    notice.append(take);
  }
  notice.hidden = false;
}

/** A `call.incoming` event names a call recorded by the voice webhook; its number and the
 * caller's earlier reports come from GET /hotline/calls/<id>/ (in full for operators, masked for
 * duty staff), never over the socket. An idle form takes the call at once; a form mid-call
 * keeps its work and the notice offers the new call. */
async function incoming(event) {
  const id = event.call?.id ?? event.call_id;
  if (id === undefined || id === null) return;
  const response = await fetch(`${urls.urlCall}${encodeURIComponent(id)}/`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) return;
  const call = await response.json();
  // Busy: something typed, or a call already taken (a masked one leaves the number empty).
  const busy = [fields.phone, fields.text, fields.callId].some((f) => f.value.trim() !== "");
  if (!busy && $("receipt").hidden) takeCall(call);
  else showNotice(call, true);
}

/** Whether a change to this incident may change the duplicates offered: one of them, or one
 * near the draft's point. A busy city sends many events a second; most are elsewhere. */
function concernsDraft(incident) {
  const point = map.value;
  if (!point || !incident) return false;
  if (duplicates.some((d) => d.tracking_no === incident.tracking_no)) return true;
  const where = incident.location;
  if (!where) return false;
  const north = (where.lat - point.lat) * 111195;
  const east = (where.lon - point.lon) * 111195 * Math.cos((point.lat * Math.PI) / 180);
  return Math.hypot(north, east) <= NEARBY_M;
}

// `all` for the incidents, `hotline` for the calls (events about no incident are on their own
// stream): one socket, one seq order, one resync over both.
window.__citydeskEvents = connectEvents({
  streams: ["all", "hotline"],
  onEvent(event) {
    if (event.type === "call.incoming") incoming(event).catch((e) => console.warn("hotline:", e));
    else if (concernsDraft(event.incident)) refreshDuplicates();
  },
  onStatus(status) {
    const live = $("live");
    live.dataset.status = status;
    live.textContent = labels[status] || status;
  },
});
