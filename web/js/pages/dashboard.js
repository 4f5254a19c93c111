// The coordinator's district dashboard: projects by health, workflow and stage; overdue
// stages; missing reports by school; schools grouped by achievement; exports.

import { gql } from "../api.js";
import { h, table, link, fmtDate, days, healthBadge, fmtPercent, select, HEALTH } from "../dom.js";
import { healthBar, meter } from "../charts.js";
import { exportButtons } from "./export.js";
import { periodTitle } from "../periods.js";

const QUERY = `query($d: ID) { dashboard(districtId: $d) {
  byWorkflow { key title count }
  byStage { workflowKey workflowTitle stageKey stageTitle count }
  byHealth { key title count }
  overdue { projectId projectTitle stageKey stageTitle taskTitle due daysOverdue responsible { fullName } }
  missingReports { organizationId organizationName projectId projectTitle indicator indicatorTitle period deadline daysLate }
  organizations { organizationId name achievement health indicators }
} districts { id name } }`;

export async function render(view, { query, user, navigate }) {
  const chosen = query.get("district") || (user.district ? user.district.id : "");
  const data = await gql(QUERY, { d: chosen || null });
  const d = data.dashboard;
  const districts = data.districts;
  const districtName = chosen ? (districts.find((x) => x.id === chosen) || {}).name : districts.length === 1 ? districts[0].name : "Все районы";

  const picker =
    districts.length > 1
      ? h(
          "form",
          { class: "inline-form", role: "search", onsubmit: (e) => e.preventDefault() },
          h("label", { for: "district-pick" }, "Район"),
          select([["", "Все районы"], ...districts.map((x) => [x.id, x.name])], chosen, {
            id: "district-pick",
            onchange: (e) => navigate(e.target.value ? `/dashboard?district=${e.target.value}` : "/dashboard"),
          }),
        )
      : null;

  const counts = Object.fromEntries(d.byHealth.map((x) => [x.key.toUpperCase(), x.count]));
  const total = d.byHealth.reduce((a, x) => a + x.count, 0);
  const exportQuery = chosen ? `?districtId=${encodeURIComponent(chosen)}` : "";

  view.append(
    h("div", { class: "page-head" }, h("h1", {}, "Сводка: ", districtName || "район"), picker, exportButtons("/export/dashboard", exportQuery, "svodka")),
    h(
      "section",
      { class: "cards", "aria-label": "Состояние проектов" },
      ["RED", "AMBER", "GREEN", "UNKNOWN"].map((k) =>
        h(
          "a",
          { class: `stat stat-${k.toLowerCase()}`, href: `/projects?status=ACTIVE&health=${k}${chosen ? `&districtId=${chosen}` : ""}` },
          h("span", { class: "stat-value" }, counts[k] || 0),
          h("span", { class: "stat-label" }, HEALTH[k]),
        ),
      ),
      h("a", { class: "stat stat-overdue", href: `/projects?status=ACTIVE&overdue=true${chosen ? `&districtId=${chosen}` : ""}` }, h("span", { class: "stat-value" }, d.overdue.length), h("span", { class: "stat-label" }, "Просрочено этапов")),
    ),
    h("section", { class: "panel" }, h("h2", {}, `Активные проекты: ${total}`), healthBar(counts, "Проекты по состоянию"), byWorkflow(d)),
    overdue(d.overdue),
    missing(d.missingReports),
    standings(d.organizations),
  );
}

function byWorkflow(d) {
  if (!d.byWorkflow.length) return h("p", { class: "empty" }, "Активных проектов нет.");
  return h(
    "div",
    { class: "workflows" },
    d.byWorkflow.map((w) => {
      const stages = d.byStage.filter((st) => st.workflowKey === w.key);
      const max = Math.max(1, ...stages.map((st) => st.count));
      return h(
        "details",
        { class: "workflow-stages", open: true },
        h("summary", {}, h("strong", {}, w.title), ` — ${w.count}`),
        h(
          "ul",
          { class: "bars" },
          stages.map((st) =>
            h(
              "li",
              {},
              h("a", { href: `/projects?status=ACTIVE&workflow=${encodeURIComponent(w.key)}&stage=${encodeURIComponent(st.stageKey)}` }, st.stageTitle),
              meter((st.count / max) * 100, "brand"),
              h("span", { class: "bar-count" }, st.count),
            ),
          ),
        ),
      );
    }),
  );
}

function overdue(items) {
  return h(
    "section",
    { class: "panel", id: "overdue" },
    h("h2", {}, `Просроченные этапы и задачи: ${items.length}`),
    overdueTable(items.slice(0, SHOWN)),
    items.length > SHOWN ? h("details", { class: "more-rows" }, h("summary", {}, `Показать остальные (${items.length - SHOWN})`), overdueTable(items.slice(SHOWN))) : null,
  );
}

/** How many rows a dashboard list shows before «show the rest». */
const SHOWN = 10;

function overdueTable(items) {
  return table(
    null,
    [
      ["Проект", (r) => link(`/projects/${r.projectId}`, r.projectTitle)],
      ["Этап", (r) => (r.taskTitle ? h("span", {}, r.stageTitle, h("br"), h("span", { class: "muted" }, `Задача: ${r.taskTitle}`)) : r.stageTitle)],
      ["Ответственный", (r) => (r.responsible ? r.responsible.fullName : h("span", { class: "muted" }, "по роли"))],
      ["Срок", (r) => fmtDate(r.due)],
      ["Просрочка", (r) => h("strong", { class: "text-red" }, days(r.daysOverdue))],
    ],
    items,
    { empty: "Просроченных этапов и задач нет.", className: "overdue-table" },
  );
}

function missing(items) {
  const bySchool = new Map();
  for (const m of items) {
    if (!bySchool.has(m.organizationId)) bySchool.set(m.organizationId, { name: m.organizationName, items: [] });
    bySchool.get(m.organizationId).items.push(m);
  }
  const schools = [...bySchool.values()].sort((a, b) => b.items.length - a.items.length);
  return h(
    "section",
    { class: "panel", id: "missing" },
    h("h2", {}, `Не сданы отчёты: ${items.length}`),
    schools.length
      ? h(
          "ul",
          { class: "plain school-list" },
          schools.map((school) =>
            h(
              "li",
              {},
              h(
                "details",
                {},
                h("summary", {}, h("strong", {}, school.name), ` — ${school.items.length}`),
                h(
                  "ul",
                  { class: "plain small" },
                  school.items.map((m) =>
                    h("li", {}, link(`/projects/${m.projectId}`, m.projectTitle), `: ${m.indicatorTitle}, ${periodTitle(m.period)} — срок ${fmtDate(m.deadline)}, `, h("span", { class: "text-red" }, `${days(m.daysLate)} после срока`)),
                  ),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "empty" }, "Все отчёты сданы."),
  );
}

function standings(orgs) {
  const groups = ["GREEN", "AMBER", "RED", "UNKNOWN"].map((k) => [k, orgs.filter((o) => o.health === k)]).filter(([, list]) => list.length);
  return h(
    "section",
    { class: "panel", id: "standings" },
    h("h2", {}, "Сравнение организаций по достижению показателей"),
    groups.length
      ? h(
          "div",
          { class: "standings" },
          groups.map(([k, list]) =>
            h(
              "div",
              { class: "standing-group" },
              h("h3", {}, healthBadge(k), ` ${list.length}`),
              standingList(list.slice(0, SHOWN)),
              list.length > SHOWN ? h("details", { class: "more-rows" }, h("summary", {}, `Ещё ${list.length - SHOWN}`), standingList(list.slice(SHOWN))) : null,
            ),
          ),
        )
      : h("p", { class: "empty" }, "Данных по показателям ещё нет."),
    h("p", { class: "hint" }, "Группы: в норме — от 80 %, под угрозой — 50–79 %, отставание — ниже 50 % (среднее достижение по сданным показателям)."),
  );
}

function standingList(list) {
  return h(
    "ul",
    { class: "plain" },
    list.map((o) =>
      h(
        "li",
        { class: "standing" },
        h("span", { class: "standing-name" }, o.name),
        meter(o.achievement, o.health),
        h("span", { class: "standing-value" }, fmtPercent(o.achievement)),
      ),
    ),
  );
}
