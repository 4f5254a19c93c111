// The project list with the API's filters (kept in the address, so a reload or a shared
// link shows the same list) and "show more" paging. «Мои проекты» (`?mine=1`) lists the
// projects the signed-in person is responsible for, as a whole or for a stage. A stage is
// chosen within its workflow: the same key means different stages in different workflows, so
// the stage list is grouped by workflow and choosing a stage chooses its workflow too. The
// order («Порядок»: newest, lagging first, nearest due date, by title) is kept in the address
// too; «Показать ещё» goes on in the same order.

import { gql, gqlAll } from "../api.js";
import { h, table, link, fmtDate, daysLeftText, healthBadge, statusBadge, select, HEALTH, STATUS, alertBox } from "../dom.js";

const LIST = `query($f: ProjectFilterInput, $order: ProjectOrder, $after: String) {
  projects(filter: $f, order: $order, first: 25, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id title status workflow { title } district { name } participants { name } responsible { fullName }
      currentStages { title currentDue daysLeft overdue } health { health } }
  }
}`;

const OPTIONS = `{ workflows { key title stages { key title } } districts { id name } }`;
// Organizations of one district only: all of a region's would be thousands of options.
const ORGS = `query($d: ID, $after: String) { organizations(districtId: $d, first: 500, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }`;

const FILTERS = ["search", "districtId", "workflow", "stage", "status", "health", "overdue", "organizationId"];

export async function render(view, { query, user, navigate }) {
  const options = await gql(OPTIONS);
  const district = query.get("districtId") || (options.districts.length === 1 ? options.districts[0].id : null);
  options.organizations = district && user.role !== "DIRECTOR" ? await gqlAll(ORGS, { d: district }, "organizations") : [];
  const filter = {};
  for (const key of FILTERS) {
    const v = query.get(key);
    if (v) filter[key] = key === "overdue" ? v === "true" : v;
  }
  const mine = query.get("mine") === "1";
  const order = ORDERS.some(([v]) => v === query.get("order")) ? query.get("order") : "";
  const form = filterForm(options, filter, user, navigate, mine, order);
  const results = h("div", { id: "project-results" });
  view.append(
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, mine ? "Мои проекты" : "Проекты"),
      user.role === "COORDINATOR" || user.role === "ADMIN" ? h("a", { class: "button", href: "/launch" }, "Запустить проект") : null,
    ),
    mine ? h("p", { class: "lead" }, "Проекты, за которые отвечаете вы: целиком или за этап, который ещё не пройден.") : null,
    form,
    results,
  );
  await load(results, mine ? { ...filter, responsibleId: user.id } : filter, order || null, null);
}

/** The orders of the list (the API's `ProjectOrder`); "" is its default, newest first. */
const ORDERS = [
  ["", "Сначала новые"],
  ["LATENESS", "Сначала отстающие"],
  ["DUE", "По ближайшему сроку"],
  ["TITLE", "По названию"],
];

async function load(results, filter, order, after) {
  const data = await gql(LIST, { f: filter, order, after });
  const page = data.projects;
  if (!after) {
    results.replaceChildren(h("p", { class: "count", role: "status" }, `Найдено проектов: ${page.totalCount}`));
  }
  const rows = table(
    null,
    [
      ["Проект", (p) => link(`/projects/${p.id}`, p.title)],
      ["Процесс", (p) => (p.workflow ? p.workflow.title : "—")],
      ["Участники", (p) => participantsText(p.participants)],
      ["Ответственный", (p) => (p.responsible ? p.responsible.fullName : h("span", { class: "muted" }, "не назначен"))],
      // Parallel branches: every stage under way, and the most urgent of their dates.
      ["Текущий этап", (p) => (p.currentStages.length ? p.currentStages.map((st) => st.title).join("; ") : "—")],
      [
        "Срок",
        (p) => {
          const st = nearest(p.currentStages);
          return st
            ? [fmtDate(st.currentDue), p.status === "ACTIVE" ? h("div", { class: st.overdue ? "small text-red" : "small muted" }, daysLeftText(st.daysLeft)) : null]
            : "—";
        },
      ],
      ["Состояние", (p) => [statusBadge(p.status), " ", p.status === "ACTIVE" ? healthBadge(p.health ? p.health.health : "UNKNOWN") : null]],
    ],
    page.nodes,
    { empty: after ? "" : "Проектов по этим условиям нет.", className: "projects-table" },
  );
  results.querySelector(".more")?.remove();
  results.append(rows);
  if (page.pageInfo.hasNextPage) {
    const more = h(
      "button",
      {
        type: "button",
        class: "button secondary more",
        onclick: async () => {
          more.disabled = true;
          try {
            await load(results, filter, order, page.pageInfo.endCursor);
          } catch (e) {
            results.append(alertBox("error", e.message));
          }
        },
      },
      "Показать ещё",
    );
    results.append(more);
  }
}

function filterForm(options, filter, user, navigate, mine, order) {
  const controls = {};
  const add = (key, label, opts) => {
    const id = `filter-${key}`;
    controls[key] = select([["", "Все"], ...opts], filter[key] === undefined ? "" : String(filter[key]), { id, name: key });
    return h("div", { class: "field" }, h("label", { for: id }, label), controls[key]);
  };
  // «workflow|stage»: a stage of one workflow, grouped under its title.
  const stageId = "filter-stage";
  controls.stage = h(
    "select",
    { id: stageId, name: "stage" },
    h("option", { value: "" }, "Все"),
    options.workflows
      .filter((w) => !filter.workflow || w.key === filter.workflow)
      .map((w) =>
        h(
          "optgroup",
          { label: w.title },
          w.stages.map((st) => h("option", { value: `${w.key}|${st.key}`, selected: filter.workflow === w.key && filter.stage === st.key }, st.title)),
        ),
      ),
  );
  const orgs = options.organizations;
  const mineBox = h("input", { type: "checkbox", id: "filter-mine", name: "mine", checked: mine });
  // Words of the title, in any case: the API folds «Ё» and capitals.
  controls.search = h("input", { type: "search", id: "filter-search", name: "search", value: filter.search || "", maxlength: 200, placeholder: "например, Чесменская" });
  const fields = [
    h("div", { class: "field field-search" }, h("label", { for: "filter-search" }, "Название содержит"), controls.search),
    options.districts.length > 1 ? add("districtId", "Район", options.districts.map((d) => [d.id, d.name])) : null,
    add("workflow", "Процесс", options.workflows.map((w) => [w.key, w.title])),
    h("div", { class: "field" }, h("label", { for: stageId }, "Этап"), controls.stage),
    add("status", "Статус", Object.entries(STATUS)),
    add("health", "Светофор", Object.entries(HEALTH)),
    add("overdue", "Просрочка", [["true", "Только просроченные"], ["false", "Без просрочки"]]),
    orgs.length ? add("organizationId", "Организация", orgs.map((o) => [o.id, o.name])) : null,
    h("div", { class: "field" }, h("label", { for: "filter-order" }, "Порядок"), (controls.order = select(ORDERS, order, { id: "filter-order", name: "order" }))),
    user.role === "COORDINATOR" || user.role === "DIRECTOR" || user.role === "ADMIN"
      ? h("div", { class: "field field-check" }, mineBox, " ", h("label", { for: "filter-mine" }, "Только мои проекты"))
      : null,
  ];
  const apply = (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, control] of Object.entries(controls)) if (control.value.trim()) params.set(key, control.value.trim());
    const stage = controls.stage.value;
    params.delete("stage");
    if (stage) {
      const [workflow, key] = stage.split("|");
      // A stage chosen with another workflow than the one it belongs to: the workflow wins.
      if (!controls.workflow.value || controls.workflow.value === workflow) {
        params.set("workflow", workflow);
        params.set("stage", key);
      }
    }
    if (mineBox.checked) params.set("mine", "1");
    navigate(`/projects${params.toString() ? `?${params}` : ""}`);
  };
  return h(
    "form",
    { class: "filters card", role: "search", "aria-label": "Фильтры проектов", onsubmit: apply },
    h("div", { class: "filter-grid" }, fields),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, "Показать"), h("a", { class: "button secondary", href: "/projects" }, "Сбросить")),
  );
}

/** «МБОУ «СОШ № 1», МБОУ «СОШ № 2» и ещё 12» — the full list is on the project page. */
function participantsText(list) {
  const names = list.map((o) => o.name);
  if (names.length <= 2) return names.join(", ");
  return `${names.slice(0, 2).join(", ")} и ещё ${names.length - 2}`;
}

/** The stage under way with the earliest due date, if any has one. */
function nearest(stages) {
  return stages.filter((st) => st.currentDue).sort((a, b) => (a.currentDue < b.currentDue ? -1 : 1))[0] || null;
}
