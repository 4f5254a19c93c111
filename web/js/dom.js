// Small helpers: elements without innerHTML (no markup injection), Russian formatting,
// labels of the API's enums, accessible form fields and tables.

/** `h("p", { class: "x", onclick: f }, "text", child, [more])`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element, like {@link h}. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "value" && "value" in el && !(el instanceof SVGElement)) {
      el.value = value;
    } else if (key === "checked" || key === "selected") {
      el[key] = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Says `text` to screen readers (a polite live region). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** A message box: kind is `error`, `success` or `info`. */
export function alertBox(kind, ...content) {
  return h("div", { class: `alert alert-${kind}`, role: kind === "error" ? "alert" : "status" }, ...content);
}

// ---- formatting ----

const dateFormat = new Intl.DateTimeFormat("ru-RU", { day: "numeric", month: "long", year: "numeric" });
const shortDate = new Intl.DateTimeFormat("ru-RU", { day: "2-digit", month: "2-digit", year: "numeric" });

/** A GraphQL `Date` (`2025-03-03`) as a JS date at local midnight. */
export function parseDate(text) {
  if (!text) return null;
  const [y, m, d] = text.split("-").map(Number);
  return new Date(y, m - 1, d);
}

/** `2025-03-03` → «3 марта 2025 г.» */
export function fmtDate(text) {
  const d = parseDate(text);
  return d ? dateFormat.format(d) : "—";
}

export function fmtShortDate(text) {
  const d = parseDate(text);
  return d ? shortDate.format(d) : "—";
}

/** An RFC 3339 instant in the given IANA zone (or the browser's). */
export function fmtDateTime(text, timeZone) {
  if (!text) return "—";
  const options = { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat("ru-RU", timeZone ? { ...options, timeZone } : options).format(new Date(text));
  } catch {
    return new Intl.DateTimeFormat("ru-RU", options).format(new Date(text));
  }
}

/** An instant as «22.11.2026, 08:05» (for dense tables). */
export function fmtShortDateTime(text, timeZone) {
  if (!text) return "—";
  const options = { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" };
  if (timeZone) options.timeZone = timeZone;
  return new Intl.DateTimeFormat("ru-RU", options).format(new Date(text));
}

/** A date as `YYYY-MM-DD` (for GraphQL `Date` inputs). */
export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const numberFormat = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 2 });

export function fmtNumber(n) {
  return n === null || n === undefined ? "—" : numberFormat.format(n);
}

export function fmtPercent(n) {
  return n === null || n === undefined ? "—" : `${numberFormat.format(Math.round(n))} %`;
}

/** Russian plural: plural(5, "день", "дня", "дней") → «дней». */
export function plural(n, one, few, many) {
  const a = Math.abs(n) % 100;
  const b = a % 10;
  if (a > 10 && a < 20) return many;
  if (b === 1) return one;
  if (b >= 2 && b <= 4) return few;
  return many;
}

export function days(n) {
  return `${n} ${plural(n, "день", "дня", "дней")}`;
}

/** «осталось 3 дня», «срок сегодня», «просрочено на 5 дней». */
export function daysLeftText(n) {
  if (n === null || n === undefined) return "";
  if (n < 0) return `просрочено на ${days(-n)}`;
  if (n === 0) return "срок сегодня";
  return `${plural(n, "остался", "осталось", "осталось")} ${days(n)}`;
}

// ---- the API's enums in Russian ----

export const HEALTH = {
  GREEN: "В норме",
  AMBER: "Под угрозой",
  RED: "Отставание",
  UNKNOWN: "Нет данных",
};

export const ROLE = {
  ADMIN: "Администратор",
  COORDINATOR: "Координатор",
  DIRECTOR: "Руководитель организации",
  OBSERVER: "Наблюдатель",
};

export const STATUS = {
  ACTIVE: "Идёт",
  COMPLETED: "Завершён",
  CANCELLED: "Отменён",
};

export const KIND = {
  SCHOOL: "Школа",
  KINDERGARTEN: "Детский сад",
  ADDITIONAL_EDUCATION: "Дополнительное образование",
  METHODICAL_SERVICE: "Методическая служба",
  OTHER: "Другая",
};

export const SCOPE = {
  ORGANIZATION: "Для одной организации",
  DISTRICT: "Для района",
};

/** A traffic light: a coloured dot and its word (never colour alone). */
export function healthBadge(health) {
  const key = (health || "UNKNOWN").toUpperCase();
  return h("span", { class: `badge health-${key.toLowerCase()}` }, h("span", { class: "dot", "aria-hidden": "true" }), HEALTH[key] || key);
}

export function statusBadge(status) {
  return h("span", { class: `badge status-${status.toLowerCase()}` }, STATUS[status] || status);
}

// ---- forms ----

let fieldCounter = 0;

/**
 * A labelled form field with a hint and a place for its error: `{ wrap, input, setError }`.
 * `control` is an element (input, select, textarea) or a function making one with the id.
 */
export function field(label, control, { hint, name } = {}) {
  const id = `f${++fieldCounter}`;
  const input = typeof control === "function" ? control(id) : control;
  input.id = id;
  if (name) input.name = name;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const errorEl = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const describe = () => {
    const ids = [hintEl && hintEl.id, !errorEl.hidden && errorEl.id].filter(Boolean);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  };
  describe();
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), hintEl, input, errorEl);
  const setError = (message) => {
    errorEl.textContent = message || "";
    errorEl.hidden = !message;
    wrap.classList.toggle("has-error", Boolean(message));
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    describe();
  };
  return { wrap, input, setError };
}

/** A `<select>` of `[value, label]` pairs. */
export function select(options, selected, attrs = {}) {
  return h(
    "select",
    attrs,
    options.map(([value, label]) => h("option", { value, selected: String(value) === String(selected ?? "") }, label)),
  );
}

/**
 * Shows an API error: next to its field when `fields[error.field]` exists (and focuses it),
 * otherwise in `box`. Returns true when it went to a field.
 */
export function showError(error, box, fields = {}) {
  Object.values(fields).forEach((f) => f.setError(null));
  clear(box);
  const target = error.field && fields[error.field];
  if (target) {
    target.setError(error.message);
    target.input.focus();
    return true;
  }
  box.append(alertBox("error", error.message));
  box.focus();
  return false;
}

// ---- tables ----

/**
 * A table that turns into labelled cards on a phone: `columns` are `[title, cell(row)]`.
 */
export function table(caption, columns, rows, { empty = "Нет записей.", className = "" } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: `data ${className}` },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map(([title]) => h("th", { scope: "col" }, title)))),
      h(
        "tbody",
        {},
        rows.map((row) => h("tr", {}, columns.map(([title, cell]) => h("td", { "data-label": title }, cell(row))))),
      ),
    ),
  );
}

/**
 * A list read page by page from a connection. `load(page)` gets `{ first, after }` or
 * `{ last, before }` and resolves to the connection (`nodes`, `pageInfo`, `totalCount`);
 * `draw(nodes)` renders a page. «Предыдущие» and «Следующие» move between pages; the line
 * between them says how many there are in all. Returns the element and `show()`, which loads
 * the first page.
 */
export function paged(load, draw, size, what) {
  const box = h("div", { class: "paged" });
  const show = async (page) => {
    let c;
    try {
      c = await load(page);
    } catch (e) {
      box.replaceChildren(alertBox("error", e.message));
      return;
    }
    const move = (next) => () => show(next);
    const nav = h(
      "nav",
      { class: "pager toolbar", "aria-label": `Страницы списка: ${what}` },
      h("button", { type: "button", class: "button secondary", disabled: !c.pageInfo.hasPreviousPage, onclick: move({ last: size, before: c.pageInfo.startCursor }) }, "← Предыдущие"),
      h("span", { class: "small muted pager-count" }, `${what}: ${c.totalCount}`),
      h("button", { type: "button", class: "button secondary", disabled: !c.pageInfo.hasNextPage, onclick: move({ first: size, after: c.pageInfo.endCursor }) }, "Следующие →"),
    );
    box.replaceChildren(draw(c.nodes), c.pageInfo.hasPreviousPage || c.pageInfo.hasNextPage ? nav : "");
  };
  return { box, show: () => show({ first: size }) };
}

/** «2.1 Доля …» for the seeds' numeric codes; just the title for word keys (`events`). */
export function indicatorLabel(key, title) {
  return /^[\d.]+$/.test(key) ? `${key} ${title}` : title;
}

/**
 * Whether organization `orgId` reports indicator `ind` in project `p`: an indicator given to
 * some parts («базовая школа») is asked only of the participants that take one of them.
 */
export function asks(p, ind, orgId) {
  if (!ind.parts || !ind.parts.length) return true;
  const mine = (p.participantParts || []).find((x) => x.organization.id === orgId);
  return !mine || ind.parts.includes(mine.part);
}

/** A link handled by the page's router. */
export function link(href, ...children) {
  return h("a", { href }, ...children);
}
