// A district's production calendar for a year: the federal holidays and transfers, the
// region's own days off, the days people entered citing an act; a provisional year says why.
// Administrators (for the country, a region or a district) and a district's coordinator (for
// it) enter a day off or a working day here; the open due dates it moves are recomputed by
// the API and written to the projects' history.

import { gql } from "../api.js";
import { h, append, field, select, showError, alertBox, announce, fmtDate, table } from "../dom.js";

const DISTRICTS = `{ districts { id name region { code name } } regions { code name } }`;
const CALENDAR = `query($d: ID!, $y: Int!) { districtCalendar(districtId: $d, year: $y) {
  year provisional provisionalReasons federalSource workingDays
  district { id name } region { code name law weekendTransfer }
  days { date working title source origin }
  entries { id scope regionCode districtId date working title citation } } }`;
const ADD = `mutation($i: AddCalendarDayInput!) { addCalendarDay(input: $i) { id date title citation } }`;
const REMOVE = `mutation($id: ID!) { removeCalendarDay(id: $id) { id date title } }`;

const ORIGIN = {
  FEDERAL: "федеральный календарь",
  REGION: "регион",
  COUNTRY_OVERRIDE: "внесено для всей страны",
  REGION_OVERRIDE: "внесено для региона",
  DISTRICT_OVERRIDE: "внесено для района",
};
const SCOPE_NAME = { COUNTRY: "вся страна", REGION: "регион", DISTRICT: "район" };
const WEEKDAYS = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];

function iso(y, m, d) {
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function month(year, m, byDate) {
  const first = new Date(Date.UTC(year, m - 1, 1));
  const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const offset = (first.getUTCDay() + 6) % 7;
  const cells = [];
  for (let i = 0; i < offset; i++) cells.push(h("td", {}));
  for (let d = 1; d <= days; d++) {
    const date = iso(year, m, d);
    const weekday = (offset + d - 1) % 7;
    const special = byDate.get(date);
    const classes = [];
    if (special) {
      classes.push(special.working ? "day-working-weekend" : "day-off");
      if (special.origin === "REGION" || special.origin === "REGION_OVERRIDE") classes.push("day-region");
      if (special.origin.endsWith("_OVERRIDE")) classes.push("day-entered");
    } else if (weekday >= 5) {
      classes.push("day-weekend");
    }
    cells.push(h("td", { class: classes.join(" ") || null, title: special ? `${special.title}${special.source ? ` — ${special.source}` : ""}` : null }, String(d)));
  }
  const rows = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(h("tr", {}, cells.slice(i, i + 7)));
  const name = first.toLocaleString("ru-RU", { month: "long", timeZone: "UTC" });
  // The grid is for the eye; the list of days below says the same to a screen reader.
  return h("div", { class: "month", "aria-hidden": "true" }, h("h3", {}, name), h("table", {}, h("thead", {}, h("tr", {}, WEEKDAYS.map((w) => h("th", {}, w)))), h("tbody", {}, rows)));
}

export async function render(view, { user, query, navigate }) {
  const options = await gql(DISTRICTS);
  if (!options.districts.length) {
    view.append(h("h1", {}, "Производственный календарь"), alertBox("info", "Районов ещё нет."));
    return;
  }
  const districtId = query.get("district") || (user.district ? user.district.id : options.districts[0].id);
  const year = Number(query.get("year")) || new Date().getFullYear();
  const go = (d, y) => navigate(`/calendar?district=${encodeURIComponent(d)}&year=${y}`);
  const data = (await gql(CALENDAR, { d: districtId, y: year })).districtCalendar;
  const canManageDistrict = user.role === "ADMIN" || (user.role === "COORDINATOR" && user.district && user.district.id === data.district.id);

  const districtSelect = select(options.districts.map((d) => [d.id, d.name]), data.district.id, { id: "calendar-district" });
  districtSelect.addEventListener("change", () => go(districtSelect.value, year));
  const toolbar = h(
    "div",
    { class: "toolbar inline-form" },
    options.districts.length > 1 ? [h("label", { for: "calendar-district" }, "Район "), districtSelect, " "] : null,
    h("button", { type: "button", class: "button secondary", onclick: () => go(data.district.id, year - 1) }, `← ${year - 1}`),
    h("strong", { class: "year-now" }, ` ${year} `),
    h("button", { type: "button", class: "button secondary", onclick: () => go(data.district.id, year + 1) }, `${year + 1} →`),
  );

  const byDate = new Map(data.days.map((d) => [d.date, d]));
  const regionLine = data.region
    ? h("p", {}, `Регион: ${data.region.name}. `, data.region.law ? `Региональные нерабочие дни: ${data.region.law}${data.region.weekendTransfer ? " (выпавший на выходной переносится на следующий рабочий день)" : " (выпавший на выходной не переносится)"}.` : "Своих нерабочих дней у региона нет.")
    : h("p", {}, "Регион района не указан: действует федеральный календарь без региональных праздников.", user.role === "ADMIN" ? [" ", h("a", { href: "/admin/districts" }, "Указать регион")] : null);

  const status = h("div", { "aria-live": "polite", tabindex: "-1" });
  const entries = table(
    "Внесённые дни",
    [
      ["Дата", (e) => fmtDate(e.date)],
      ["День", (e) => (e.working ? "рабочий" : "нерабочий")],
      ["Что", (e) => e.title],
      ["Акт", (e) => e.citation],
      ["Для кого", (e) => SCOPE_NAME[e.scope]],
      [
        "",
        (e) =>
          (e.scope === "DISTRICT" ? canManageDistrict : user.role === "ADMIN")
            ? h(
                "button",
                {
                  type: "button",
                  class: "button secondary small",
                  onclick: async () => {
                    if (!confirm(`Удалить «${e.title}» (${fmtDate(e.date)})? Сроки проектов будут пересчитаны.`)) return;
                    try {
                      await gql(REMOVE, { id: e.id });
                      announce(`Запись «${e.title}» удалена, сроки пересчитаны.`);
                      go(data.district.id, year);
                    } catch (err) {
                      status.replaceChildren(alertBox("error", err.message));
                      status.focus();
                    }
                  },
                },
                "Удалить",
              )
            : "",
      ],
    ],
    data.entries,
    { empty: "Внесённых дней в этом году нет." },
  );

  append(view, [
    h("h1", {}, `Производственный календарь: ${data.district.name}, ${year}`),
    toolbar,
    regionLine,
    data.provisional
      ? alertBox("info", h("strong", {}, "Предварительный календарь. "), data.provisionalReasons.join(" "), " Сроки, рассчитанные по нему, помечены «по предварительному календарю» и пересчитаются, когда данные станут официальными.")
      : data.federalSource
        ? h("p", { class: "small" }, `Федеральные переносы: ${data.federalSource}.`)
        : null,
    h("p", {}, `Рабочих дней в году: ${data.workingDays}.`),
    h("div", { class: "legend", "aria-hidden": "true" }, h("span", { class: "l-off" }, "нерабочий день"), h("span", { class: "l-working" }, "рабочая суббота или воскресенье"), h("span", { class: "l-region" }, "день региона")),
    h("div", { class: "year-grid" }, Array.from({ length: 12 }, (_, i) => month(year, i + 1, byDate))),
    table(
      "Праздники, переносы и особые дни",
      [
        ["Дата", (d) => fmtDate(d.date)],
        ["День", (d) => (d.working ? "рабочий" : "нерабочий")],
        ["Что", (d) => d.title],
        ["Откуда", (d) => [ORIGIN[d.origin], d.source ? `: ${d.source}` : ""].join("")],
      ],
      data.days,
      { empty: "Особых дней нет." },
    ),
    h("h2", {}, "Внесённые дни"),
    status,
    entries,
  ]);

  if (!canManageDistrict) return;
  const scopes = [["DISTRICT", `Район «${data.district.name}»`]];
  if (user.role === "ADMIN" && data.region) scopes.push(["REGION", `Регион «${data.region.name}» (все его районы)`]);
  if (user.role === "ADMIN") scopes.push(["COUNTRY", "Вся страна (например, постановление о переносе выходных на новый год)"]);
  const inputs = {
    scope: field("Для кого", select(scopes, "DISTRICT"), { name: "scope" }),
    date: field("Дата", h("input", { type: "date", required: true, min: `${year - 1}-01-01` }), { name: "date" }),
    working: field("День", select([["false", "нерабочий (выходной, праздник)"], ["true", "рабочий (например, суббота по переносу)"]], "false"), { name: "working" }),
    title: field("Что за день", h("input", { type: "text", required: true, maxlength: 500 }), { name: "title", hint: "Например, «День города» или «Перенос выходного дня с 02.01»." }),
    actTitle: field("Вид акта", h("input", { type: "text", maxlength: 500 }), { name: "actTitle", hint: "Например, «Постановление администрации района» или «Указ Раиса Республики Татарстан»." }),
    actNumber: field("Номер акта", h("input", { type: "text", required: true, maxlength: 100 }), { name: "actNumber" }),
    actDate: field("Дата акта", h("input", { type: "date", required: true }), { name: "actDate" }),
  };
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const button = h("button", { type: "submit", class: "button" }, "Внести день");
  const form = h(
    "form",
    {
      class: "card create-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(inputs).forEach((x) => x.setError(null));
        errors.replaceChildren();
        for (const key of ["date", "title", "actNumber", "actDate"]) {
          if (!inputs[key].input.value.trim()) {
            inputs[key].setError("Заполните это поле.");
            inputs[key].input.focus();
            return;
          }
        }
        const scope = inputs.scope.input.value;
        button.disabled = true;
        try {
          const r = await gql(ADD, {
            i: {
              scope,
              districtId: scope === "DISTRICT" ? data.district.id : null,
              regionCode: scope === "REGION" && data.region ? data.region.code : null,
              date: inputs.date.input.value,
              working: inputs.working.input.value === "true",
              title: inputs.title.input.value.trim(),
              actTitle: inputs.actTitle.input.value.trim() || null,
              actNumber: inputs.actNumber.input.value.trim(),
              actDate: inputs.actDate.input.value,
            },
          });
          announce(`День ${fmtDate(r.addCalendarDay.date)} внесён (${r.addCalendarDay.citation}); сроки проектов пересчитаны.`);
          const y = Number(r.addCalendarDay.date.slice(0, 4));
          go(data.district.id, y);
        } catch (e) {
          showError(e, errors, inputs);
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", {}, "Внести день со ссылкой на акт"),
    h("p", { class: "hint" }, "Открытые сроки проектов, которых касается день, пересчитаются; базовые сроки не меняются, изменение запишется в историю проектов."),
    errors,
    Object.values(inputs).map((x) => x.wrap),
    h("div", { class: "actions" }, button),
  );
  view.append(form);
}
