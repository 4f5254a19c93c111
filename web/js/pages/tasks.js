// «Мои задачи»: the stages waiting for the user's role (each branch under way that is theirs,
// with the stage's tasks — measures with their own dates — not yet done), the reports due and
// not yet given (directors), and the report form. A value the API refuses is shown next to its field and
// nothing typed is lost.

import { gql, gqlAll } from "../api.js";
import {
  h, append, clear, table, indicatorLabel, asks, link, fmtDate, fmtDateTime, fmtNumber, daysLeftText, field, select, showError, alertBox, announce, parseDate,
} from "../dom.js";
import { periodsBetween, projectToday, periodTitle, PERIODICITY, PERIOD_EXAMPLE } from "../periods.js";

const TASKS = `{ myTasks { project { id title workflow { title } participants { name } }
  stages { key title currentDue daysLeft overdue checklist { key title due daysLeft overdue done documentRequired responsible { id fullName } } } } }`;

const FIELDS = `id title startDate
    workflow { title indicators { key title unit type period startsAtStage parts } }
    participants { id name }
    participantParts { organization { id } part }
    stages { key position isCurrent currentDue daysLeft enteredAt }
    indicatorProgress { indicator organization { id } periods { period value } }`;

const PROJECTS = `query($after: String) { projects(filter: { status: ACTIVE }, first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { ${FIELDS} } } }`;

const ONE_PROJECT = `query($id: ID!) { project(id: $id) { ${FIELDS} } }`;

const REPORTS = `query($f: ReportFilterInput, $after: String) { indicatorReports(filter: $f, first: 500, after: $after) { nodes { id period value comment reportedBy reportedAt revision organization { name } } pageInfo { hasNextPage endCursor } } }`;

const REPORT = `mutation($i: ReportIndicatorInput!) { reportIndicator(input: $i) { id period value revision indicator } }`;

export async function render(view, { user, query }) {
  const isDirector = user.role === "DIRECTOR";
  // A director's projects are few; anyone else coming from a project page reports for that
  // project (an administrator may see thousands).
  const load = () => (isDirector || !query.get("project") ? loadProjects() : gql(ONE_PROJECT, { id: query.get("project") }).then((d) => [d.project]));
  const [tasks, projects] = await Promise.all([gql(TASKS), load()]);
  const orgId = user.organization ? user.organization.id : null;
  const form = reportForm(projects, user, query);
  const due = h("section", { class: "panel", "aria-labelledby": "due-h" });
  const drawDue = (list) => {
    if (!isDirector) {
      // The district's missing reports, by school, are on the dashboard.
      append(clear(due), [
        h("h2", { id: "due-h" }, "Отчёты к сдаче"),
        h("p", {}, "Несданные отчёты организаций района — на ", link("/dashboard#missing", "сводке"), "."),
      ]);
      return;
    }
    const items = dueReports(list, isDirector ? orgId : null);
    const late = items.filter((x) => x.ended);
    const current = items.filter((x) => !x.ended);
    append(clear(due), [
      h("h2", { id: "due-h" }, `Отчёты к сдаче: ${late.length}`),
      h("p", { class: "hint" }, "Периоды, которые уже закончились, а значение не сдано."),
      dueTable(late, form, "Все отчёты за прошедшие периоды сданы."),
      current.length
        ? h("details", { class: "more-rows" }, h("summary", {}, `Текущие периоды — можно сдать заранее (${current.length})`), dueTable(current, form, ""))
        : null,
    ]);
  };
  form.onReported = async () => {
    if (isDirector) drawDue(await loadProjects());
  };
  drawDue(projects);
  append(view, [
    h("h1", {}, "Мои задачи"),
    user.organization ? h("p", { class: "lead" }, user.organization.name) : null,
    h(
      "section",
      { class: "panel", "aria-labelledby": "stages-h" },
      h("h2", { id: "stages-h" }, "Этапы, которые ждут вас"),
      table(
        null,
        [
          ["Проект", (t) => link(`/projects/${t.project.id}`, t.project.title)],
          ["Этап", (t) => [t.stage.title, measures(t.stage, user)]],
          ["Срок", (t) => (t.stage.currentDue ? fmtDate(t.stage.currentDue) : "—")],
          ["Осталось", (t) => h("span", { class: t.stage.overdue ? "text-red" : "" }, daysLeftText(t.stage.daysLeft))],
        ],
        // One row per stage under way that is yours: parallel branches each get theirs.
        tasks.myTasks.flatMap((t) => t.stages.map((stage) => ({ project: t.project, stage }))),
        { empty: "Сейчас этапов, которые ждут вас, нет.", className: "my-stages" },
      ),
    ),
    due,
    form.section,
  ]);
  if (location.hash === "#report") setTimeout(() => form.focusFirst(), 0);
}

/** The stage's tasks with their own dates not yet done, nearest first, and who is named. */
function measures(stage, user) {
  const open = stage.checklist.filter((i) => i.due && !i.done).sort((a, b) => (a.due < b.due ? -1 : 1));
  if (!open.length) return null;
  return h(
    "ul",
    { class: "small stage-measures" },
    open.map((i) =>
      h(
        "li",
        { "data-item": i.key },
        `${i.title} — до ${fmtDate(i.due)}, `,
        h("span", { class: i.overdue ? "text-red" : "" }, daysLeftText(i.daysLeft)),
        i.documentRequired ? h("span", { class: "badge document-badge" }, "нужен документ") : null,
        i.responsible ? h("span", { class: "muted" }, i.responsible.id === user.id ? " — поручено вам" : ` — ответственный: ${i.responsible.fullName}`) : null,
      ),
    ),
  );
}

async function loadProjects() {
  const nodes = [];
  let after = null;
  for (let i = 0; i < 10; i++) {
    const page = (await gql(PROJECTS, { after })).projects;
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return nodes;
}

/** Indicators whose reporting has started and whose latest periods have no value yet. */
function dueReports(projects, onlyOrg) {
  const out = [];
  for (const p of projects) {
    if (!p.workflow) continue;
    const today = projectToday(p);
    const orgs = p.participants.filter((o) => !onlyOrg || o.id === onlyOrg);
    for (const ind of p.workflow.indicators) {
      const start = p.stages.find((st) => st.key === ind.startsAtStage);
      if (!start || !start.enteredAt) continue;
      const from = new Date(start.enteredAt);
      for (const org of orgs.filter((o) => asks(p, ind, o.id))) {
        const reported = new Set(
          p.indicatorProgress.filter((r) => r.indicator === ind.key && r.organization && r.organization.id === org.id).flatMap((r) => r.periods.map((x) => x.period)),
        );
        const periods = periodsBetween(from, today, ind.period).filter((x) => !reported.has(x.period));
        for (const x of periods.slice(0, 3)) out.push({ project: p, indicator: ind, org, period: x.period, ended: x.ended });
      }
    }
  }
  return out.sort((a, b) => Number(b.ended) - Number(a.ended));
}

function dueTable(items, form, empty) {
  return table(
    null,
    [
      ["Проект", (r) => link(`/projects/${r.project.id}`, r.project.title)],
      ["Показатель", (r) => indicatorLabel(r.indicator.key, r.indicator.title)],
      ["Организация", (r) => r.org.name],
      ["Период", (r) => periodTitle(r.period)],
      ["Состояние", (r) => (r.ended ? h("span", { class: "badge health-red" }, "Не сдан") : h("span", { class: "badge health-unknown" }, r.period === "once" ? "Однократно" : "Период идёт"))],
      ["", (r) => h("button", { type: "button", class: "button small secondary", onclick: () => form.prefill(r.project.id, r.org.id, r.indicator.key, r.period) }, "Заполнить")],
    ],
    items,
    { empty },
  );
}

/** The report form; `prefill(...)` fills it from a row of the due list. */
function reportForm(projects, user, query) {
  const isDirector = user.role === "DIRECTOR";
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const result = h("div", { class: "form-result" });
  const f = {
    projectId: field("Проект", select(projects.map((p) => [p.id, p.title]), query.get("project") || (projects[0] && projects[0].id)), { name: "projectId" }),
    organizationId: field("Организация", h("select"), { name: "organizationId" }),
    indicator: field("Показатель", h("select"), { name: "indicator" }),
    period: field("Период", (id) => h("input", { type: "text", list: `${id}-list`, autocomplete: "off", spellcheck: "false" }), { name: "period", hint: "Формат периода — как в подсказке ниже." }),
    value: field("Значение", h("input", { type: "text", inputmode: "decimal", autocomplete: "off" }), { name: "value", hint: "Число; дробную часть можно писать через запятую." }),
    comment: field("Комментарий", h("textarea", { rows: 3, maxlength: 2000 }), { name: "comment" }),
  };
  const periodList = h("datalist", { id: `${f.period.input.id}-list` });
  f.period.wrap.append(periodList);
  const unit = h("span", { class: "unit", id: "value-unit" });
  f.value.wrap.querySelector("label").append(" ", unit);
  const reports = h("div", { class: "reports", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button" }, "Сдать отчёт");

  const project = () => projects.find((p) => p.id === f.projectId.input.value);
  const indicator = () => {
    const p = project();
    return p && p.workflow ? p.workflow.indicators.find((i) => i.key === f.indicator.input.value) : null;
  };
  const fillOptions = (el, options, keep) => {
    const previous = keep ?? el.value;
    el.replaceChildren(...options.map(([v, l]) => h("option", { value: v }, l)));
    if (options.some(([v]) => v === previous)) el.value = previous;
  };
  const onProject = (org, ind) => {
    const p = project();
    const orgs = p ? p.participants.filter((o) => !isDirector || (user.organization && o.id === user.organization.id)) : [];
    fillOptions(f.organizationId.input, orgs.map((o) => [o.id, o.name]), org);
    // Only what the chosen organization reports: a school attending a methodical day is not
    // asked for the open lessons its hosts give.
    const asked = p && p.workflow ? p.workflow.indicators.filter((i) => asks(p, i, f.organizationId.input.value)) : [];
    fillOptions(f.indicator.input, asked.map((i) => [i.key, indicatorLabel(i.key, i.title)]), ind);
    onIndicator();
  };
  const onIndicator = () => {
    const ind = indicator();
    const p = project();
    unit.textContent = ind ? `(${ind.unit})` : "";
    const hint = f.period.wrap.querySelector(".hint");
    if (hint) hint.textContent = ind ? `Отчёт ${PERIODICITY[ind.period]}; период записывается так: ${PERIOD_EXAMPLE[ind.period]}.` : "";
    const VALUE_HINT = {
      BOOLEAN: "1 — да, 0 — нет.",
      PERCENT: "Процент от 0 до 100; дробную часть можно писать через запятую.",
      INTEGER: "Целое число, не меньше 0.",
      DECIMAL: "Число; дробную часть можно писать через запятую.",
    };
    f.value.wrap.querySelector(".hint").textContent = (ind && VALUE_HINT[ind.type]) || VALUE_HINT.DECIMAL;
    const list = ind && p ? periodsBetween(parseDate(p.startDate), projectToday(p), ind.period) : [];
    periodList.replaceChildren(...list.map((x) => h("option", { value: x.period, label: periodTitle(x.period) })));
    if (!f.period.input.value && list.length) {
      const ended = list.find((x) => x.ended);
      f.period.input.value = (ended || list[0]).period;
    }
    showReports();
  };
  const showReports = async () => {
    const p = project();
    const ind = indicator();
    if (!p || !ind) return reports.replaceChildren();
    try {
      const sent = await gqlAll(REPORTS, { f: { projectId: p.id, indicator: ind.key, organizationId: f.organizationId.input.value || null } }, "indicatorReports");
      reports.replaceChildren(
        h("h3", {}, "Сданные значения"),
        table(
          null,
          [
            ["Период", (r) => periodTitle(r.period)],
            ["Значение", (r) => h("span", { class: "report-value" }, `${fmtNumber(r.value)} ${ind.unit}`)],
            ["Редакция", (r) => (r.revision > 1 ? `исправление № ${r.revision - 1}` : "первая")],
            ["Кто и когда", (r) => `${r.reportedBy || "—"}, ${fmtDateTime(r.reportedAt)}`],
            ["Комментарий", (r) => r.comment || ""],
          ],
          sent.sort((a, b) => (a.period < b.period ? 1 : -1)),
          { empty: "По этому показателю значений ещё нет." },
        ),
      );
    } catch (e) {
      reports.replaceChildren(alertBox("error", e.message));
    }
  };
  f.projectId.input.addEventListener("change", () => onProject());
  f.organizationId.input.addEventListener("change", () => onProject(f.organizationId.input.value, f.indicator.input.value));
  f.indicator.input.addEventListener("change", () => {
    f.period.input.value = "";
    onIndicator();
  });

  const form = h(
    "form",
    {
      class: "card report-form",
      id: "report-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(f).forEach((x) => x.setError(null));
        result.replaceChildren();
        errors.replaceChildren();
        const raw = f.value.input.value.trim().replace(/\s/g, "").replace(",", ".");
        const value = Number(raw);
        if (!raw || !Number.isFinite(value)) {
          f.value.setError("Введите число, например 85 или 12,5.");
          f.value.input.focus();
          return;
        }
        if (!f.period.input.value.trim()) {
          f.period.setError("Укажите период.");
          f.period.input.focus();
          return;
        }
        submit.disabled = true;
        try {
          const data = await gql(REPORT, {
            i: {
              projectId: f.projectId.input.value,
              organizationId: f.organizationId.input.value,
              indicator: f.indicator.input.value,
              period: f.period.input.value.trim(),
              value,
              comment: f.comment.input.value.trim() || null,
            },
          });
          const r = data.reportIndicator;
          const ind = indicator();
          const text = `Значение принято: ${fmtNumber(r.value)} ${ind ? ind.unit : ""} за ${periodTitle(r.period)}${r.revision > 1 ? ` (исправление, редакция ${r.revision})` : ""}.`;
          result.replaceChildren(alertBox("success", text));
          announce(text);
          f.value.input.value = "";
          f.comment.input.value = "";
          await showReports();
          if (api.onReported) await api.onReported();
        } catch (e) {
          showError(e, errors, f);
        } finally {
          submit.disabled = false;
        }
      },
    },
    errors,
    f.projectId.wrap,
    f.organizationId.wrap,
    f.indicator.wrap,
    h("div", { class: "grid-2 tight" }, f.period.wrap, f.value.wrap),
    f.comment.wrap,
    h("div", { class: "actions" }, submit),
    result,
  );
  const section = h("section", { class: "panel", id: "report", "aria-labelledby": "report-h" }, h("h2", { id: "report-h" }, "Сдать отчёт по показателю"), projects.length ? [form, reports] : h("p", { class: "empty" }, "Нет идущих проектов, по которым вы сдаёте отчёты."));
  onProject(query.get("organization"), query.get("indicator"));
  const api = {
    section,
    onReported: null,
    focusFirst: () => (f.period.input.value ? f.value.input : f.period.input).focus(),
    prefill: (projectId, orgId, indicatorKey, period) => {
      f.projectId.input.value = projectId;
      onProject(orgId, indicatorKey);
      f.period.input.value = period;
      result.replaceChildren();
      section.scrollIntoView({ block: "start" });
      f.value.input.focus();
    },
  };
  return api;
}
