/**
 * The duty officer's live view: draws the alert queue and emerging events on the district map,
 * and redraws them from /duty/queue.json whenever an event arrives on /ws/events/ (frames are
 * hints; the queue is read from the database), and every 30 s for alerts the scan raised
 * without an incident event (emerging events).
 */
import { connectEvents } from "/static/citydesk/events.js";

const projection = JSON.parse(document.getElementById("projection").textContent);
const labels = document.getElementById("labels-text").dataset;
const svgNS = "http://www.w3.org/2000/svg";
const REFRESH_MS = 30000;

function xy(lat, lon) {
  return [
    (lon - projection.west) * projection.scale,
    ((projection.north - lat) * projection.scale) / projection.kx,
  ];
}

function marker(lat, lon, kind, title) {
  if (lat === null || lon === null || lat === undefined) return null;
  const [x, y] = xy(lat, lon);
  const dot = document.createElementNS(svgNS, "circle");
  dot.setAttribute("cx", x.toFixed(1));
  dot.setAttribute("cy", y.toFixed(1));
  dot.setAttribute("r", kind === "emerging" ? 9 : 6);
  dot.setAttribute("class", `marker ${kind}`);
  const tip = document.createElementNS(svgNS, "title");
  tip.textContent = title;
  dot.append(tip);
  return dot;
}

function draw(queue) {
  const alerts = document.getElementById("alerts");
  const emerging = document.getElementById("emerging");
  const markers = document.getElementById("markers");
  alerts.replaceChildren();
  emerging.replaceChildren();
  markers.replaceChildren();
  document.getElementById("alert-count").textContent = queue.alerts.length;
  document.body.classList.toggle("alarm", queue.alerts.length > 0);
  for (const alert of queue.alerts) {
    const item = document.getElementById("alert-item").content.cloneNode(true);
    const li = item.querySelector("li");
    li.dataset.alert = alert.id;
    item.querySelector(".reason").textContent = alert.reason;
    const level = labels.level.replace("{n}", alert.level);
    item.querySelector(".meta").textContent =
      `${alert.source} · ${alert.raised_at} · ${level} · ${labels.to} ${alert.to || "—"}`;
    item.querySelector("form").action = `/duty/alerts/${alert.id}/acknowledge`;
    alerts.append(item);
    const dot = marker(alert.lat, alert.lon, "alert", alert.reason);
    if (dot) markers.append(dot);
  }
  for (const event of queue.emerging) {
    const item = document.getElementById("emerging-item").content.cloneNode(true);
    item.querySelector("li").dataset.emerging = event.id;
    item.querySelector(".what").textContent =
      `${event.area} ${event.category} ${event.count}（${labels.usual} ${event.expected}）`;
    for (const form of item.querySelectorAll("form")) form.action = `/duty/emerging/${event.id}`;
    emerging.append(item);
    const dot = marker(event.lat, event.lon, "emerging", `${event.area} ${event.category}`);
    if (dot) markers.append(dot);
  }
}

let pending = null;
async function refresh() {
  if (pending) return pending;
  pending = (async () => {
    try {
      const response = await fetch("/duty/queue.json", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) draw(await response.json());
    } finally {
      pending = null;
    }
  })();
  return pending;
}

draw(JSON.parse(document.getElementById("queue").textContent));
const status = document.getElementById("status");
window.__dutyEvents = connectEvents({
  streams: ["all"],
  onEvent() {
    refresh();
  },
  onStatus(state) {
    status.dataset.status = state;
    status.textContent = status.getAttribute(`data-label-${state}`) || state;
    if (state === "live") refresh();
  },
});
setInterval(refresh, REFRESH_MS);
