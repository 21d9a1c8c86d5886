/**
 * CityDesk dashboards, the map's points: every open incident drawn on one 2D canvas laid over
 * the plotly map's axes (the district polygons stay plotly's). Plotly redrew all 10,000 points
 * for any change, WebGL or SVG (~0.2 s a redraw here); this layer redraws them from sprites in
 * ~10 ms, needs no WebGL, and takes a live update of a few points without a server round of
 * Dash callbacks (bench.dashboard measures both).
 *
 * window.citydeskMap:
 *   prefetch(url) the page's head asks the changes endpoint for every point at once, while
 *                 Dash's scripts load (the layout carries the polygons and counters only)
 *   load(data)    the points as dashboards.figures.points_layer gives them (the prefetch's
 *                 answer; the `map-points` store after a filter change): replaces the layer
 *   apply(delta)  a live change (dashboards.panels.changes): points upserted or gone, the
 *                 districts' fills, and `at` for the next request
 *   count(), has(no), position(no)  for tests and the benchmark
 * A click on a point writes its tracking number to the `map-clicked` store (the detail).
 */
(function () {
  "use strict";

  // A pointer that moved more than this between down and up was a pan, not a click.
  const CLICK_SLOP_PX = 4;
  // A click or hover this close to a point's centre is on it (small markers are hard to hit).
  const HIT_MIN_PX = 6;
  // The colour bar's top is redrawn when the largest district's count moved by this share: a
  // restyle of it replots the polygons (~30 ms), and one more incident hardly moves it.
  const SCALE_SLACK = 0.05;

  const layer = {
    no: [], // tracking numbers; null where a point was removed (its slot reused later)
    x: [],
    y: [],
    state: [],
    size: [],
    index: new Map(), // tracking number -> slot
    free: [],
    states: [], // [{key, label, colour}] in drawing order
    at: null, // the server's time of the data: the next request's `since`
    filters: {},
    generation: 0, // bumped by load(): an answer asked for under older data is dropped
    drawnPoints: 0, // points in the last drawing (the benchmark's "map holds them all")
    fullDraws: 0,
    partialDraws: 0,
    drawMs: 0,
  };
  let gd = null;
  let canvas = null;
  let frame = null;
  let attachTries = 0;
  const sprites = new Map();
  // Slots changed since the last drawing: a live update redraws only the pixels around them.
  const dirty = new Set();
  // The axes' ranges and the canvas's size at the last full drawing; the points' boxes then.
  let drawnView = null;
  let drawnBox = []; // slot -> [left, top, side] in device pixels, or undefined
  let grid = new Map(); // cell -> Set of slots whose box touches it
  const CELL = 8; // px: a marker's box touches a few cells of a few points each
  // More changed points than this: drawing everything is as quick.
  const PARTIAL_MAX = 2000;
  let legend = null;
  let tip = null;

  function load(data) {
    layer.no = [];
    layer.x = [];
    layer.y = [];
    layer.state = [];
    layer.size = [];
    layer.index = new Map();
    layer.free = [];
    layer.states = data.states || layer.states;
    layer.at = data.at || null;
    layer.filters = data.filters || {};
    layer.generation += 1;
    drawnView = null; // everything drawn anew
    put(data);
    attach();
    schedule();
  }

  // The first fetch of the points (prefetch): retried a few times, a second apart, if it fails.
  const PREFETCH_TRIES = 5;
  const PREFETCH_RETRY_MS = 1000;
  let active = false; // the page has a points layer (not a tiled map): its data is coming

  function prefetch(url, tries = PREFETCH_TRIES) {
    active = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
        return response.json();
      })
      .then((answer) => {
        // A filter's answer came first (the `map-points` store): it is newer than this one.
        if (layer.generation > 0) return;
        load({ ...answer.points, states: answer.states, at: answer.at, filters: {} });
      })
      .catch((error) => {
        console.warn("citydesk map: points", error);
        if (tries > 1) setTimeout(() => prefetch(url, tries - 1), PREFETCH_RETRY_MS);
      });
  }

  function put(points) {
    for (let i = 0; i < points.no.length; i++) {
      const no = points.no[i];
      let slot = layer.index.get(no);
      if (slot === undefined) {
        slot = layer.free.length ? layer.free.pop() : layer.no.length;
        layer.index.set(no, slot);
        layer.no[slot] = no;
      }
      layer.x[slot] = points.x[i];
      layer.y[slot] = points.y[i];
      layer.state[slot] = points.state[i];
      layer.size[slot] = points.size[i];
      dirty.add(slot);
    }
  }

  function remove(no) {
    const slot = layer.index.get(no);
    if (slot === undefined) return;
    layer.index.delete(no);
    layer.no[slot] = null;
    layer.free.push(slot);
    dirty.add(slot);
  }

  function apply(delta) {
    if (delta.full) {
      const states = delta.states || layer.states;
      load({ ...delta.points, states, at: delta.at, filters: layer.filters });
    } else {
      for (const no of delta.gone || []) remove(no);
      put(delta.points);
      layer.at = delta.at;
      schedule();
    }
    if (delta.districts) fillDistricts(delta.districts, delta.most);
  }

  /** The districts' colours changed by a live update: a style-only restyle (no replot). */
  function fillDistricts(districts, most) {
    if (!gd || !gd.data || !window.Plotly) return;
    const byCode = new Map(districts.map((d) => [d.code, d]));
    const traces = [];
    const colours = [];
    gd.data.forEach((trace, i) => {
      const district = trace.meta && byCode.get(trace.meta.district);
      if (!district) return;
      trace.meta.open = district.open;
      trace.text = district.text; // read again by the restyle's defaults, for the hover
      if (trace.fillcolor !== district.colour) {
        traces.push(i);
        colours.push(district.colour);
      }
    });
    if (traces.length) window.Plotly.restyle(gd, { fillcolor: colours }, traces);
    const scale = gd.data.findIndex((t) => t.marker && t.marker.showscale);
    if (scale < 0) return;
    const shown = gd.data[scale].marker.cmax;
    const wanted = Math.max(most, 1);
    if (Math.abs(wanted - shown) > Math.max(1, shown * SCALE_SLACK) || wanted < 6) {
      if (wanted !== shown) window.Plotly.restyle(gd, { "marker.cmax": wanted }, [scale]);
    }
  }

  // --- drawing ---------------------------------------------------------------------------

  function attach() {
    const found = document.querySelector("#map .js-plotly-plot");
    if (!found || !found._fullLayout || !found._fullLayout.xaxis || !found.on) {
      // Plotly has not drawn the map yet: look again next frame (a few seconds at most).
      if (attachTries++ < 1200) requestAnimationFrame(attach);
      return;
    }
    attachTries = 0;
    if (found === gd) return;
    gd = found;
    for (const name of ["plotly_afterplot", "plotly_relayouting", "plotly_relayout"]) {
      gd.on(name, schedule);
    }
    gd.addEventListener("mousemove", hover);
    gd.addEventListener("mouseleave", () => showTip(null));
    schedule();
  }

  function schedule() {
    if (frame === null) frame = requestAnimationFrame(draw);
  }

  function place() {
    const xa = gd._fullLayout.xaxis;
    const ya = gd._fullLayout.yaxis;
    const container = gd.querySelector(".svg-container");
    if (!container) return null;
    if (!canvas || canvas.parentNode !== container) {
      canvas = document.createElement("canvas");
      canvas.className = "points-layer";
      canvas.style.position = "absolute";
      canvas.style.pointerEvents = "none";
      // A layer of its own: a few changed points do not repaint the polygons beneath.
      canvas.style.willChange = "transform";
      // Above the polygons, below plotly's colour bar and hover labels.
      const first = container.querySelector(".main-svg");
      container.insertBefore(canvas, first ? first.nextSibling : null);
      drawnView = null; // a new canvas (plotly made its frame anew): draw everything
    }
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(xa._length));
    const height = Math.max(1, Math.round(ya._length));
    canvas.style.left = `${xa._offset}px`;
    canvas.style.top = `${ya._offset}px`;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    return { xa, ya, width, height, ratio };
  }

  /** A marker drawn once per state and size (anti-aliased, by the canvas), kept as pixels. */
  function sprite(state, size, ratio) {
    const key = (state * 1000 + Math.round(size * 10)) * 10 + ratio;
    let found = sprites.get(key);
    if (found) return found;
    const r = (size / 2) * ratio;
    const side = Math.ceil(2 * r + 2 * ratio);
    const paper = document.createElement("canvas");
    paper.width = side;
    paper.height = side;
    const ctx = paper.getContext("2d");
    // Opaque (plotly's markers were 0.9): most pixels are then copied, not blended.
    ctx.beginPath();
    ctx.arc(side / 2, side / 2, r, 0, 2 * Math.PI);
    ctx.fillStyle = layer.states[state] ? layer.states[state].colour : "#888888";
    ctx.fill();
    ctx.lineWidth = 0.5 * ratio;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    found = { side, pixels: ctx.getImageData(0, 0, side, side).data };
    sprites.set(key, found);
    return found;
  }

  let buffer = null;

  /** `image` laid over `out` (RGBA, not premultiplied) at (left, top), inside the clip. */
  function blit(out, width, image, left, top, clip) {
    const side = image.side;
    const pixels = image.pixels;
    const rowFrom = Math.max(0, clip[1] - top);
    const rowTo = Math.min(side, clip[3] - top);
    const colFrom = Math.max(0, clip[0] - left);
    const colTo = Math.min(side, clip[2] - left);
    for (let row = rowFrom; row < rowTo; row++) {
      let s = (row * side + colFrom) * 4;
      let d = ((top + row) * width + left + colFrom) * 4;
      for (let col = colFrom; col < colTo; col++, s += 4, d += 4) {
        const sa = pixels[s + 3];
        if (sa === 0) continue;
        const da = out[d + 3];
        if (sa === 255 || da === 0) {
          out[d] = pixels[s];
          out[d + 1] = pixels[s + 1];
          out[d + 2] = pixels[s + 2];
          out[d + 3] = sa;
          continue;
        }
        // "over": the point on top of what is drawn already.
        const a = sa / 255;
        const below = (da / 255) * (1 - a);
        const total = a + below;
        out[d] = (pixels[s] * a + out[d] * below) / total;
        out[d + 1] = (pixels[s + 1] * a + out[d + 1] * below) / total;
        out[d + 2] = (pixels[s + 2] * a + out[d + 2] * below) / total;
        out[d + 3] = total * 255;
      }
    }
  }

  // A cell's key: its column and row (either may be negative: points just off the edge).
  const cellKey = (cx, cy) => (cx + 50000) * 100000 + (cy + 50000);
  const cellOf = (key) => [Math.floor(key / 100000) - 50000, (key % 100000) - 50000];

  function cells(box, each) {
    const [left, top, side] = box;
    for (let cx = Math.floor(left / CELL); cx <= Math.floor((left + side) / CELL); cx++) {
      for (let cy = Math.floor(top / CELL); cy <= Math.floor((top + side) / CELL); cy++) {
        each(cellKey(cx, cy));
      }
    }
  }

  function boxOf(slot, xa, ya, ratio) {
    const image = sprite(layer.state[slot], layer.size[slot], ratio);
    const left = Math.round(xa.l2p(layer.x[slot]) * ratio - image.side / 2);
    const top = Math.round(ya.l2p(layer.y[slot]) * ratio - image.side / 2);
    return [left, top, image.side];
  }

  // Pixels written by the script and put at once: the canvas's own drawImage, 10,000 calls,
  // took 30-300 ms here where Chromium rasterises in software (no GPU). A live update redraws
  // only the boxes of the points it changed (clear, then every point touching them, in order).
  function draw() {
    frame = null;
    if (!gd || !gd._fullLayout || !gd._fullLayout.xaxis) return;
    const started = performance.now();
    const at = place();
    if (!at) return;
    const { xa, ya, ratio } = at;
    const ctx = canvas.getContext("2d");
    const width = canvas.width;
    const height = canvas.height;
    const view = `${xa.range}|${ya.range}|${width}|${height}|${ratio}`;
    if (buffer && drawnView === view && dirty.size <= PARTIAL_MAX) {
      redrawAround(ctx, xa, ya, ratio);
      layer.partialDraws += 1;
    } else {
      drawAll(ctx, xa, ya, ratio, width, height);
      drawnView = view;
      layer.fullDraws += 1;
    }
    dirty.clear();
    showLegend();
    // Read by bench.dashboard (where the main thread's time goes); counters, not performance
    // measures, which a wall left open for weeks would pile up.
    layer.drawMs += performance.now() - started;
  }

  function drawAll(ctx, xa, ya, ratio, width, height) {
    if (!buffer || buffer.width !== width || buffer.height !== height) {
      buffer = ctx.createImageData(width, height);
    } else {
      buffer.data.fill(0);
    }
    drawnBox = [];
    grid = new Map();
    const clip = [0, 0, width, height];
    for (const slot of layer.index.values()) {
      const box = boxOf(slot, xa, ya, ratio);
      drawnBox[slot] = box;
      cells(box, (cell) => {
        let found = grid.get(cell);
        if (!found) grid.set(cell, (found = new Set()));
        found.add(slot);
      });
    }
    for (const slot of inDrawingOrder(layer.index.values())) {
      const box = drawnBox[slot];
      blit(buffer.data, width, sprite(layer.state[slot], layer.size[slot], ratio), box[0], box[1], clip);
    }
    ctx.putImageData(buffer, 0, 0);
  }

  function redrawAround(ctx, xa, ya, ratio) {
    const width = buffer.width;
    const height = buffer.height;
    // The cells the changed points were or are in: cleared, then every point touching them
    // drawn again in order, each clipped to them. Cells, not boxes: in a dense spot a hundred
    // changed points share their neighbours, which are drawn once, not once per change.
    const touched = new Set();
    for (const slot of dirty) {
      const old = drawnBox[slot];
      if (old) {
        cells(old, (cell) => {
          touched.add(cell);
          if (grid.get(cell)) grid.get(cell).delete(slot);
        });
        drawnBox[slot] = undefined;
      }
      if (layer.no[slot] === null || layer.no[slot] === undefined) continue;
      const box = boxOf(slot, xa, ya, ratio);
      drawnBox[slot] = box;
      cells(box, (cell) => {
        touched.add(cell);
        let found = grid.get(cell);
        if (!found) grid.set(cell, (found = new Set()));
        found.add(slot);
      });
    }
    const out = buffer.data;
    const clips = new Map();
    const near = new Set();
    for (const cell of touched) {
      const [cx, cy] = cellOf(cell);
      const clip = [
        Math.max(0, cx * CELL),
        Math.max(0, cy * CELL),
        Math.min(width, (cx + 1) * CELL),
        Math.min(height, (cy + 1) * CELL),
      ];
      if (clip[0] >= clip[2] || clip[1] >= clip[3]) continue;
      clips.set(cell, clip);
      for (let y = clip[1]; y < clip[3]; y++) {
        out.fill(0, (y * width + clip[0]) * 4, (y * width + clip[2]) * 4);
      }
      for (const slot of grid.get(cell) || []) near.add(slot);
    }
    if (clips.size === 0) return;
    for (const slot of inDrawingOrder(near)) {
      const box = drawnBox[slot];
      const image = sprite(layer.state[slot], layer.size[slot], ratio);
      cells(box, (cell) => {
        const clip = clips.get(cell);
        if (clip) blit(out, width, image, box[0], box[1], clip);
      });
    }
    for (const [x0, y0, x1, y1] of runs(clips)) {
      ctx.putImageData(buffer, 0, 0, x0, y0, x1 - x0, y1 - y0);
    }
  }

  /** The touched cells as rectangles to put: neighbours in a row of cells joined. One box
   * around them all was most of the canvas when a burst's points lay all over the city, and
   * putting (and compositing, in software here) that many pixels cost 10-30 ms a drawing. */
  function runs(clips) {
    const sorted = [...clips.values()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const out = [];
    for (const clip of sorted) {
      const last = out[out.length - 1];
      if (last && last[1] === clip[1] && last[3] === clip[3] && last[2] === clip[0]) {
        last[2] = clip[2];
      } else {
        out.push([...clip]);
      }
    }
    return out;
  }

  /** Drawn slots by state (the most urgent last, on top: dashboards.queries.STATES is in
   * drawing order), then by position; one of each stack of identical markers. */
  function inDrawingOrder(slots) {
    const live = [];
    for (const slot of slots) if (drawnBox[slot]) live.push(slot);
    live.sort(
      (a, b) =>
        layer.state[a] - layer.state[b] ||
        drawnBox[a][1] - drawnBox[b][1] ||
        drawnBox[a][0] - drawnBox[b][0] ||
        layer.size[a] - layer.size[b] ||
        a - b,
    );
    // Points stacked on one pixel in one state and size (one address, many reports) look as
    // one: drawn once. Many incidents share an address, and a cell of them was redrawn per point.
    return live.filter(
      (slot, i) =>
        i === 0 ||
        layer.state[slot] !== layer.state[live[i - 1]] ||
        layer.size[slot] !== layer.size[live[i - 1]] ||
        drawnBox[slot][0] !== drawnBox[live[i - 1]][0] ||
        drawnBox[slot][1] !== drawnBox[live[i - 1]][1],
    );
  }

  function showLegend() {
    const counts = layer.states.map(() => 0);
    for (const slot of layer.index.values()) counts[layer.state[slot]] += 1;
    layer.drawnPoints = layer.index.size;
    const box = document.getElementById("map-legend");
    if (!box) return;
    if (legend === null || legend.box !== box) {
      box.textContent = "";
      legend = { box, items: [] };
      layer.states.forEach((state) => {
        const item = document.createElement("span");
        item.className = "legend-item";
        item.dataset.state = state.key;
        const dot = document.createElement("i");
        dot.style.background = state.colour;
        const text = document.createElement("span");
        item.append(dot, text);
        box.append(item);
        legend.items.push(text);
      });
    }
    counts.forEach((n, i) => {
      const text = `${layer.states[i].label}（${n.toLocaleString("en-US")}）`;
      if (legend.items[i] && legend.items[i].textContent !== text) legend.items[i].textContent = text;
    });
  }

  // --- pointing ----------------------------------------------------------------------------

  /** The slot of the point under (clientX, clientY), or -1. */
  function hit(clientX, clientY) {
    if (!canvas || !gd) return -1;
    const box = canvas.getBoundingClientRect();
    // The wall is scaled to its screen: canvas pixels per CSS pixel of the box.
    const scale = box.width / (canvas.width / (window.devicePixelRatio || 1)) || 1;
    const x = (clientX - box.left) / scale;
    const y = (clientY - box.top) / scale;
    if (x < 0 || y < 0 || x > box.width / scale || y > box.height / scale) return -1;
    const xa = gd._fullLayout.xaxis;
    const ya = gd._fullLayout.yaxis;
    let best = -1;
    let bestDistance = Infinity;
    for (let slot = 0; slot < layer.no.length; slot++) {
      if (layer.no[slot] === null) continue;
      const dx = xa.l2p(layer.x[slot]) - x;
      const dy = ya.l2p(layer.y[slot]) - y;
      const distance = dx * dx + dy * dy;
      const reach = Math.max(layer.size[slot] / 2, HIT_MIN_PX);
      // Equal distances: the later state (drawn on top) wins.
      if (distance <= reach * reach && distance <= bestDistance) {
        if (distance < bestDistance || layer.state[slot] >= layer.state[best]) best = slot;
        bestDistance = distance;
      }
    }
    return best;
  }

  let hoverFrame = null;
  let hoverAt = null;
  function hover(event) {
    hoverAt = [event.clientX, event.clientY];
    if (hoverFrame !== null) return;
    hoverFrame = requestAnimationFrame(() => {
      hoverFrame = null;
      const slot = hit(hoverAt[0], hoverAt[1]);
      showTip(slot < 0 ? null : slot, hoverAt);
    });
  }

  function showTip(slot, at) {
    const box = document.querySelector("#map");
    if (!box) return;
    if (tip === null || !tip.isConnected) {
      tip = document.createElement("div");
      tip.className = "points-tip";
      tip.hidden = true;
      box.parentNode.append(tip);
    }
    if (slot === null) {
      tip.hidden = true;
      return;
    }
    const state = layer.states[layer.state[slot]];
    tip.textContent = `${layer.no[slot]} · ${state ? state.label : ""}`;
    const parent = tip.parentNode.getBoundingClientRect();
    tip.style.left = `${at[0] - parent.left + 12}px`;
    tip.style.top = `${at[1] - parent.top + 12}px`;
    tip.hidden = false;
  }

  // Plotly covers the page while a button is down (its drag), so a click is read as a pointer
  // that went down and up at one place over the layer.
  let down = null;
  document.addEventListener("pointerdown", (event) => {
    down = hit(event.clientX, event.clientY) >= 0 ? [event.clientX, event.clientY] : null;
  });
  document.addEventListener("pointerup", (event) => {
    if (down === null) return;
    const moved = Math.hypot(event.clientX - down[0], event.clientY - down[1]);
    down = null;
    if (moved > CLICK_SLOP_PX) return;
    const slot = hit(event.clientX, event.clientY);
    const dash = window.dash_clientside;
    if (slot >= 0 && dash && dash.set_props) {
      layer.clicked = layer.no[slot];
      dash.set_props("map-clicked", { data: layer.clicked });
    }
  });

  /** Where the point of `no` is drawn, in the page's CSS pixels (tests click it). */
  function position(no) {
    const slot = layer.index.get(no);
    if (slot === undefined || !canvas) return null;
    const box = canvas.getBoundingClientRect();
    const scale = box.width / (canvas.width / (window.devicePixelRatio || 1)) || 1;
    const xa = gd._fullLayout.xaxis;
    const ya = gd._fullLayout.yaxis;
    return [box.left + xa.l2p(layer.x[slot]) * scale, box.top + ya.l2p(layer.y[slot]) * scale];
  }

  window.citydeskMap = {
    prefetch,
    load,
    // The page has a points layer, loaded or on its way (live.js waits for it).
    active: () => active || layer.at !== null,
    apply,
    loaded: () => layer.at !== null,
    count: () => layer.index.size,
    has: (no) => layer.index.has(no),
    position,
    // [drawings of every point, drawings around changes, ms spent drawing in all]
    draws: () => [layer.fullDraws, layer.partialDraws, layer.drawMs],
    drawn: () => (canvas !== null && frame === null ? layer.drawnPoints : 0),
    get at() {
      return layer.at;
    },
    // The incident last clicked on the layer (its detail is shown), or null.
    get clicked() {
      return layer.clicked || null;
    },
    get filters() {
      return layer.filters;
    },
    get generation() {
      return layer.generation;
    },
  };
})();
