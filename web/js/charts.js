// Small inline SVG charts. Each has role="img" and a text alternative; the numbers are
// also in a table or a list next to it, so nothing is said by the picture alone.

import { periodTitle } from "./periods.js";
import { s, h, fmtNumber, HEALTH } from "./dom.js";

const ORDER = ["RED", "AMBER", "GREEN", "UNKNOWN"];

/** One horizontal bar split by health: `counts` is `{ RED: 3, GREEN: 10, … }`. */
export function healthBar(counts, label) {
  const total = ORDER.reduce((sum, k) => sum + (counts[k] || 0), 0);
  const width = 600;
  const height = 28;
  const text = ORDER.filter((k) => counts[k]).map((k) => `${HEALTH[k]}: ${counts[k]}`).join(", ");
  const svg = s("svg", {
    class: "chart chart-health",
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "none",
    role: "img",
    "aria-label": `${label}: ${text || "нет проектов"}`,
  });
  if (!total) {
    svg.append(s("rect", { x: 0, y: 0, width, height, class: "fill-none-data" }));
    return svg;
  }
  let x = 0;
  for (const key of ORDER) {
    const n = counts[key] || 0;
    if (!n) continue;
    const w = (n / total) * width;
    svg.append(s("rect", { x, y: 0, width: w, height, class: `fill-${key.toLowerCase()}` }, s("title", {}, `${HEALTH[key]}: ${n}`)));
    x += w;
  }
  return svg;
}

/** A thin bar 0–100 % coloured by health. */
export function meter(percent, health) {
  const value = Math.max(0, Math.min(100, percent ?? 0));
  return s(
    "svg",
    { class: "chart meter", viewBox: "0 0 100 8", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
    s("rect", { x: 0, y: 0, width: 100, height: 8, class: "fill-track" }),
    s("rect", { x: 0, y: 0, width: value, height: 8, class: `fill-${(health || "unknown").toLowerCase()}` }),
  );
}

/**
 * Plan and fact by period: a bar per period (the fact) and a tick (the plan).
 * `periods` are the API's PeriodFact, oldest first.
 */
export function planFact(periods, { title, unit, cumulative }) {
  const shown = periods.slice(-8);
  const facts = shown.map((p) => (cumulative && p.cumulative != null ? p.cumulative : p.value));
  const max = Math.max(1, ...facts, ...shown.map((p) => p.target || 0)) * 1.1;
  const barW = 36;
  const gap = 18;
  const left = 8;
  const top = 14;
  const plotH = 90;
  const width = left + shown.length * (barW + gap);
  const height = top + plotH + 22;
  const y = (v) => top + plotH - (v / max) * plotH;
  const alt = shown
    .map((p, i) => `${periodTitle(p.period)}: факт ${fmtNumber(facts[i])}${p.target != null ? `, план ${fmtNumber(p.target)}` : ""}`)
    .join("; ");
  const svg = s("svg", {
    class: "chart chart-planfact",
    viewBox: `0 0 ${Math.max(width, 120)} ${height}`,
    width: Math.max(width, 120) * 1.5,
    height: height * 1.5,
    role: "img",
    "aria-label": `${title}, ${unit}: ${alt || "нет отчётов"}`,
  });
  svg.append(s("line", { x1: 0, x2: Math.max(width, 120), y1: top + plotH, y2: top + plotH, class: "axis" }));
  shown.forEach((p, i) => {
    const x = left + i * (barW + gap);
    const v = facts[i];
    const achieved = p.achievement == null ? "unknown" : p.achievement >= 80 ? "green" : p.achievement >= 50 ? "amber" : "red";
    svg.append(
      s("rect", { x, y: y(v), width: barW, height: Math.max(1, top + plotH - y(v)), class: `fill-${achieved}` }, s("title", {}, `${periodTitle(p.period)}: ${fmtNumber(v)}`)),
      // The value inside the bar when it fits (the plan's tick may cross just above it).
      top + plotH - y(v) > 16
        ? s("text", { x: x + barW / 2, y: y(v) + 12, class: "label inside", "text-anchor": "middle" }, fmtNumber(v))
        : s("text", { x: x + barW / 2, y: y(v) - 3, class: "label", "text-anchor": "middle" }, fmtNumber(v)),
      s("text", { x: x + barW / 2, y: top + plotH + 15, class: "label", "text-anchor": "middle" }, periodTitle(p.period, true)),
    );
    if (p.target != null) {
      svg.append(s("line", { x1: x - 4, x2: x + barW + 4, y1: y(p.target), y2: y(p.target), class: "plan" }, s("title", {}, `План: ${fmtNumber(p.target)}`)));
    }
  });
  return h("figure", { class: "planfact" }, svg, h("figcaption", {}, h("span", { class: "legend-fact" }, "факт"), " ", h("span", { class: "legend-plan" }, "план")));
}

/**
 * How each stage kept its baseline: a bar per stage, up (late) or down (early), in days —
 * the project's health over its life. `items` are `{ title, days }`.
 */
export function slippage(items) {
  const shown = items.slice(-12);
  const max = Math.max(5, ...shown.map((x) => Math.abs(x.days)));
  const barW = 26;
  const gap = 10;
  const half = 44;
  const width = shown.length * (barW + gap) + gap;
  const height = half * 2 + 4;
  const mid = half + 2;
  const words = (d) => (d > 0 ? `на ${d} дн. позже базового срока` : d < 0 ? `на ${-d} дн. раньше` : "в базовый срок");
  const svg = s("svg", {
    class: "chart chart-slippage",
    viewBox: `0 0 ${width} ${height}`,
    width: width * 1.4,
    height: height * 1.4,
    role: "img",
    "aria-label": `Отклонение от базовых сроков: ${shown.map((x) => `${x.title} — ${words(x.days)}`).join("; ")}`,
  });
  svg.append(s("line", { x1: 0, x2: width, y1: mid, y2: mid, class: "axis" }));
  shown.forEach((x, i) => {
    const hgt = Math.max(2, (Math.abs(x.days) / max) * half);
    const cls = x.days > 0 ? "fill-red" : "fill-green";
    svg.append(
      s("rect", { x: gap + i * (barW + gap), y: x.days > 0 ? mid - hgt : mid, width: barW, height: hgt, class: cls }, s("title", {}, `${x.title}: ${words(x.days)}`)),
      s("text", { x: gap + i * (barW + gap) + barW / 2, y: x.days > 0 ? mid + 11 : mid - 4, class: "label", "text-anchor": "middle" }, x.days > 0 ? `+${x.days}` : String(x.days)),
    );
  });
  return h(
    "figure",
    { class: "slippage" },
    svg,
    h("figcaption", { class: "small muted" }, "Отклонение от базового срока по этапам, дней: вверх — позже, вниз — раньше."),
  );
}
