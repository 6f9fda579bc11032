// Two light charts drawn as SVG: "lines" (a score per cycle, one line per series, one of them
// dashed) and "stacked" (counts per cycle stacked by category). The plot fits the width of
// its column and is drawn again when that changes; every mark has a tooltip (an SVG title)
// and the legend below names every colour. Texts are set as text, never as HTML.
const SVG = "http://www.w3.org/2000/svg";

export default function (component) {
  const { parentElement } = component;
  const data = component.data[0];  // see views/web.py
  let root = parentElement.querySelector(".chart");
  if (!root) {
    root = document.createElement("div");
    root.className = "chart";
    parentElement.appendChild(root);
  }
  const draw = () => {
    const width = Math.max(280, Math.floor(root.clientWidth || parentElement.host?.clientWidth || 600));
    const caption = document.createElement("p");
    caption.className = "note";
    caption.textContent = data.caption;
    root.replaceChildren(caption, plot(data, width), legend(data));
    root.drawnWidth = width;
  };
  draw();
  const observer = new ResizeObserver(() => {
    if (Math.abs((root.clientWidth || 0) - root.drawnWidth) > 2) draw();
  });
  observer.observe(root);
  return () => observer.disconnect();
}

function svg(tag, attributes, text) {
  const made = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) made.setAttribute(name, String(value));
  if (text !== undefined) made.textContent = text;
  return made;
}

function tip(mark, text) {
  mark.appendChild(svg("title", {}, text));
  return mark;
}

function niceStep(max) {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough || 1));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) || power;
}

function plot(data, width) {
  const height = data.height;
  const narrow = width < 600;
  const tilt = narrow || data.x.length * 80 > width;
  let yMin = 0, yMax = 1, ticks = [];
  if (data.kind === "lines") {
    [yMin, yMax] = data.y_domain;
    for (let v = yMin; v <= yMax + 1e-9; v += data.y_step) ticks.push(v);
  } else {
    const totals = data.x.map((_, i) => data.series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
    const step = niceStep(Math.max(1, ...totals));
    yMax = Math.ceil(Math.max(1, ...totals) / step) * step;
    for (let v = 0; v <= yMax + 1e-9; v += step) ticks.push(v);
  }
  const tickText = (v) => (data.kind === "lines" ? v.toFixed(1) : String(Math.round(v)));
  const longest = Math.max(...ticks.map((v) => tickText(v).length));
  const margin = { left: 30 + 7 * longest, right: 12, top: 12, bottom: tilt ? 78 : 48 };
  const inner = { w: width - margin.left - margin.right, h: height - margin.top - margin.bottom };
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  chart.setAttribute("aria-label", data.caption);
  const band = inner.w / Math.max(1, data.x.length);
  const xAt = (i) => margin.left + band * (i + 0.5);
  const yAt = (v) => margin.top + inner.h * (1 - (v - yMin) / (yMax - yMin));
  const axes = svg("g", { class: "axes" });
  for (const v of ticks) {
    axes.appendChild(svg("line", { x1: margin.left, x2: width - margin.right, y1: yAt(v), y2: yAt(v), class: "grid" }));
    axes.appendChild(svg("text", { x: margin.left - 8, y: yAt(v) + 4, "text-anchor": "end" }, tickText(v)));
  }
  data.x.forEach((label, i) => {
    const y = height - margin.bottom + 16;
    axes.appendChild(tilt
      ? svg("text", { x: xAt(i), y, "text-anchor": "end", transform: `rotate(-40 ${xAt(i)} ${y})` }, label)
      : svg("text", { x: xAt(i), y, "text-anchor": "middle" }, label));
  });
  axes.appendChild(svg("text", { x: margin.left + inner.w / 2, y: height - 6, "text-anchor": "middle", class: "title" }, data.x_title));
  axes.appendChild(svg("text", { x: 12, y: margin.top + inner.h / 2, "text-anchor": "middle", class: "title",
    transform: `rotate(-90 12 ${margin.top + inner.h / 2})` }, data.y_title));
  chart.appendChild(axes);

  const marks = svg("g", { class: "marks" });
  if (data.kind === "lines") {
    for (const series of data.series) {
      let path = "";
      series.values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        const start = i === 0 || series.values[i - 1] === null || series.values[i - 1] === undefined;
        path += `${start ? "M" : "L"}${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`;
      });
      const line = svg("path", { d: path, stroke: series.colour, fill: "none", "stroke-width": series.dashed ? 2.5 : 2 });
      if (series.dashed) line.setAttribute("stroke-dasharray", "6 3");
      marks.appendChild(line);
      series.values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        const dot = svg("circle", { cx: xAt(i), cy: yAt(v), r: 4, fill: series.colour });
        const extra = series.extra ? `, ${data.extra_title}: ${series.extra[i]}` : "";
        marks.appendChild(tip(dot, `${series.name} · ${data.x[i]}: ${v.toFixed(2)}${extra}`));
      });
    }
  } else {
    const barWidth = Math.min(64, band * 0.7);
    data.x.forEach((label, i) => {
      let base = 0;
      for (const series of data.series) {
        const n = series.values[i] || 0;
        if (!n) continue;
        const bar = svg("rect", { x: xAt(i) - barWidth / 2, width: barWidth, y: yAt(base + n),
          height: Math.max(0.5, yAt(base) - yAt(base + n)), fill: series.colour });
        marks.appendChild(tip(bar, `${label} · ${series.name}: ${n} ${data.unit_word}`));
        base += n;
      }
    });
  }
  chart.appendChild(marks);
  return chart;
}

function legend(data) {
  const list = document.createElement("div");
  list.className = "legend";
  list.setAttribute("role", "list");
  list.setAttribute("aria-label", data.legend_title);
  const title = document.createElement("span");
  title.className = "title";
  title.textContent = data.legend_title;
  list.appendChild(title);
  for (const series of data.series) {
    const item = document.createElement("span");
    item.className = "entry";
    item.setAttribute("role", "listitem");
    const swatch = document.createElement("span");
    swatch.className = series.dashed ? "swatch dashed" : "swatch";
    swatch.style.setProperty("--colour", series.colour);
    item.append(swatch, document.createTextNode(series.name));
    list.appendChild(item);
  }
  return list;
}
