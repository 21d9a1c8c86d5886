/**
 * The console's map: the city's district polygons drawn as SVG (no tiles, no internet needed),
 * a point picked by click or by keyboard (arrow keys move it, Shift for small steps, + / -
 * zoom, Delete clears). Optional raster tiles under the polygons when the server names a tile
 * URL ({z}/{x}/{y}, WGS-84 Web Mercator tiles). Coordinates handed out are WGS-84.
 */

const SVG = "http://www.w3.org/2000/svg";
const WORLD = 256; // Web Mercator world units at zoom 0: tiles line up without conversion
const STEP = 0.02; // share of the view's width an arrow key moves the point
const FINE_STEP = 0.004;
const MAX_TILES = 64;

export function project(lon, lat) {
  const x = ((lon + 180) / 360) * WORLD;
  const sin = Math.sin((lat * Math.PI) / 180);
  const y = (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * WORLD;
  return [x, y];
}

export function unproject(x, y) {
  const lon = (x / WORLD) * 360 - 180;
  const n = Math.PI * (1 - (2 * y) / WORLD);
  const lat = (Math.atan(Math.sinh(n)) * 180) / Math.PI;
  return [lon, lat];
}

export class DistrictMap {
  /**
   * @param {HTMLElement} element  the map's box (focusable)
   * @param {{tileUrl?: string, onChange?: (point: {lat:number, lon:number}|null) => void}} options
   */
  constructor(element, { tileUrl = "", onChange = () => {} } = {}) {
    this.element = element;
    this.tileUrl = tileUrl;
    this.onChange = onChange;
    this.point = null; // [x, y] in world units
    this.view = [0, 0, WORLD, WORLD]; // x, y, width, height
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    this.tiles = this._group("tiles");
    this.districts = this._group("districts");
    this.labels = this._group("labels");
    this.marks = this._group("marks");
    this.marker = document.createElementNS(SVG, "circle");
    this.marker.setAttribute("class", "marker");
    this.marker.style.display = "none";
    this.svg.append(this.marker);
    element.append(this.svg);
    element.addEventListener("keydown", (event) => this._key(event));
    this.svg.addEventListener("click", (event) => this._click(event));
    this.svg.addEventListener("wheel", (event) => this._wheel(event), { passive: false });
  }

  _group(name) {
    const group = document.createElementNS(SVG, "g");
    group.setAttribute("class", name);
    this.svg.append(group);
    return group;
  }

  /** Draw a GeoJSON FeatureCollection of (Multi)Polygons; the view starts on the city's core
   * (its smallest quarter of districts: a city's central districts are its smallest), and
   * zooming out shows the rest. */
  draw(collection) {
    const boxes = [];
    for (const feature of collection.features) {
      const polygons =
        feature.geometry.type === "MultiPolygon"
          ? feature.geometry.coordinates
          : [feature.geometry.coordinates];
      const box = [Infinity, Infinity, -Infinity, -Infinity];
      let d = "";
      let largest = null;
      for (const polygon of polygons) {
        for (const ring of polygon) {
          const points = ring.map(([lon, lat]) => project(lon, lat));
          d += `M${points.map(([x, y]) => `${x.toFixed(6)} ${y.toFixed(6)}`).join("L")}Z`;
          for (const [x, y] of points) {
            box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y);
            box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y);
          }
          if (!largest || points.length > largest.length) largest = points;
        }
      }
      if (box[0] < box[2]) boxes.push(box);
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      path.setAttribute("vector-effect", "non-scaling-stroke");
      path.dataset.code = feature.properties.code;
      const title = document.createElementNS(SVG, "title");
      title.textContent = feature.properties.name;
      path.append(title);
      this.districts.append(path);
      if (largest) {
        const label = document.createElementNS(SVG, "text");
        label.setAttribute("x", largest.reduce((s, p) => s + p[0], 0) / largest.length);
        label.setAttribute("y", largest.reduce((s, p) => s + p[1], 0) / largest.length);
        label.textContent = feature.properties.name;
        this.labels.append(label);
      }
    }
    if (boxes.length === 0) return;
    const area = (b) => (b[2] - b[0]) * (b[3] - b[1]);
    const quartile = [...boxes].sort((a, b) => area(a) - area(b))[Math.floor((boxes.length - 1) / 4)];
    const core = boxes.filter((b) => area(b) <= area(quartile));
    const minX = Math.min(...core.map((b) => b[0]));
    const minY = Math.min(...core.map((b) => b[1]));
    const maxX = Math.max(...core.map((b) => b[2]));
    const maxY = Math.max(...core.map((b) => b[3]));
    const pad = (maxX - minX) * 0.02;
    this._setView([minX - pad, minY - pad, maxX - minX + 2 * pad, maxY - minY + 2 * pad]);
  }

  /** Mark other places (e.g. the duplicates offered), numbered as listed. */
  mark(places) {
    this.marks.replaceChildren();
    places.forEach(({ lat, lon }, i) => {
      const [x, y] = project(lon, lat);
      const dot = document.createElementNS(SVG, "text");
      dot.setAttribute("x", x);
      dot.setAttribute("y", y);
      dot.textContent = String(i + 1);
      this.marks.append(dot);
    });
    this._restyle();
  }

  /** The picked point as WGS-84, or null. */
  get value() {
    if (!this.point) return null;
    const [lon, lat] = unproject(...this.point);
    return { lat: Number(lat.toFixed(6)), lon: Number(lon.toFixed(6)) };
  }

  setPoint(lat, lon) {
    this._place(lat === null ? null : project(lon, lat));
  }

  clear() {
    this._place(null);
  }

  /** Where (lat, lon) is on the screen, in client pixels (for tests and tooltips). */
  toScreen(lat, lon) {
    const [x, y] = project(lon, lat);
    const point = this.svg.createSVGPoint();
    point.x = x;
    point.y = y;
    const screen = point.matrixTransform(this.svg.getScreenCTM());
    return { x: screen.x, y: screen.y };
  }

  zoom(factor, centre) {
    const [vx, vy, vw, vh] = this.view;
    const [cx, cy] = centre || this.point || [vx + vw / 2, vy + vh / 2];
    const w = vw / factor;
    const h = vh / factor;
    this._setView([cx - w / 2, cy - h / 2, w, h]);
  }

  _place(point) {
    this.point = point;
    this.marker.style.display = point ? "" : "none";
    if (point) {
      this.marker.setAttribute("cx", point[0]);
      this.marker.setAttribute("cy", point[1]);
      this._keepInView();
    }
    this.onChange(this.value);
  }

  _keepInView() {
    const [vx, vy, vw, vh] = this.view;
    const [x, y] = this.point;
    if (x >= vx && x <= vx + vw && y >= vy && y <= vy + vh) return;
    this._setView([x - vw / 2, y - vh / 2, vw, vh]);
  }

  _setView(view) {
    // The box's aspect: the view fills it, so a click maps to the point under it.
    const box = this.element.getBoundingClientRect();
    const aspect = box.width > 0 && box.height > 0 ? box.height / box.width : 0.6;
    let [x, y, w, h] = view;
    if (h / w > aspect) {
      const wider = h / aspect;
      x -= (wider - w) / 2;
      w = wider;
    } else {
      const taller = w * aspect;
      y -= (taller - h) / 2;
      h = taller;
    }
    this.view = [x, y, w, h];
    this.svg.setAttribute("viewBox", this.view.join(" "));
    this._restyle();
    this._drawTiles();
  }

  _restyle() {
    const width = this.view[2];
    this.labels.setAttribute("font-size", width / 45);
    this.marks.setAttribute("font-size", width / 35);
    this.marker.setAttribute("r", width / 120);
  }

  _drawTiles() {
    if (!this.tileUrl) return;
    const [vx, vy, vw, vh] = this.view;
    const pixels = this.element.getBoundingClientRect().width || 800;
    const z = Math.max(0, Math.min(18, Math.round(Math.log2(pixels / vw))));
    const size = WORLD / 2 ** z;
    const first = [Math.floor(vx / size), Math.floor(vy / size)];
    const last = [Math.floor((vx + vw) / size), Math.floor((vy + vh) / size)];
    const images = [];
    for (let ty = first[1]; ty <= last[1]; ty++) {
      for (let tx = first[0]; tx <= last[0]; tx++) {
        if (images.length >= MAX_TILES || tx < 0 || ty < 0 || tx >= 2 ** z || ty >= 2 ** z) continue;
        const image = document.createElementNS(SVG, "image");
        const href = this.tileUrl.replace("{z}", z).replace("{x}", tx).replace("{y}", ty);
        image.setAttribute("href", href);
        image.setAttribute("x", tx * size);
        image.setAttribute("y", ty * size);
        image.setAttribute("width", size);
        image.setAttribute("height", size);
        images.push(image);
      }
    }
    this.tiles.replaceChildren(...images);
  }

  _key(event) {
    const [vx, vy, vw, vh] = this.view;
    const step = vw * (event.shiftKey ? FINE_STEP : STEP);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key in moves) {
      const [dx, dy] = moves[event.key];
      const [x, y] = this.point || [vx + vw / 2, vy + vh / 2];
      this._place(this.point ? [x + dx, y + dy] : [x, y]);
    } else if (event.key === "+" || event.key === "=") {
      this.zoom(2);
    } else if (event.key === "-" || event.key === "_") {
      this.zoom(0.5);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      this.clear();
    } else {
      return;
    }
    event.preventDefault();
  }

  _toWorld(event) {
    const point = this.svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const world = point.matrixTransform(this.svg.getScreenCTM().inverse());
    return [world.x, world.y];
  }

  _click(event) {
    this.element.focus();
    this._place(this._toWorld(event));
  }

  _wheel(event) {
    event.preventDefault();
    this.zoom(event.deltaY < 0 ? 2 : 0.5, this._toWorld(event));
  }
}
