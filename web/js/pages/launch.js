// Launching a project from a workflow for chosen organizations and a start date. A workflow
// for one organization launches one project per chosen school; a district workflow one
// project with all of them.
//
// Nothing is launched before the coordinator has seen the plan: «Рассчитать план» asks the
// API for `launchPreview` (the same checks and dates as the launch, nothing saved) and shows
// every stage's date, the dates counted over a provisional calendar and the warnings; only
// then «Запустить» is offered. Any change to the form takes the confirmation back. The form
// asks for every date the workflow leaves to the launch (the day of «Единый методический
// день»), offers the year of an annual date (the opening of «Точка роста» by 1 September: the
// nearest one the plan fits, or a later one) and asks for the indicator targets the
// definition leaves open, and who answers for the project (a coordinator of the district; the
// one launching, unless another is chosen).

import { gql, gqlAll } from "../api.js";
import { h, append, field, select, showError, alertBox, announce, isoDate, fmtDate, indicatorLabel, table, SCOPE, KIND } from "../dom.js";

const OPTIONS = `{ workflows { key version title description scope parts { key title }
  stages { key title dueRule dueAtLaunch annualDay { month day } terminal }
  indicators { key title unit type targetPerPeriod targetOverall } }
  districts { id name region { code name } } }`;
const ORGS = `query($d: ID, $after: String) { organizations(districtId: $d, first: 500, after: $after) { nodes { id name kind } pageInfo { hasNextPage endCursor } } }`;
const PEOPLE = `query($d: ID!) { launchResponsibleCandidates(districtId: $d) { id fullName } }`;
const STAGE_PEOPLE = `query($d: ID!, $w: String!, $s: String!, $p: [ID!]!) { launchResponsibleCandidates(districtId: $d, workflow: $w, stage: $s, participantIds: $p) { id fullName } }`;
const PREVIEW = `query($i: LaunchProjectInput!) { launchPreview(input: $i) {
  title startDate provisional warnings responsible { fullName } stages { key title due fixed provisional dueRule responsible { fullName } } } }`;
const LAUNCH = `mutation($i: LaunchProjectInput!) { launchProject(input: $i) { id title } }`;
const ACTIVE = `query($f: ProjectFilterInput, $after: String) { projects(filter: $f, first: 100, after: $after) {
  nodes { id title startDate participants { id name } } pageInfo { hasNextPage endCursor } } }`;

/** «1 сентября»: a day of the year without the year. */
const dayMonth = ({ month, day }) => new Intl.DateTimeFormat("ru-RU", { day: "numeric", month: "long" }).format(new Date(2000, month - 1, day));

const TYPE_HINT = {
  PERCENT: "процент, от 0 до 100",
  INTEGER: "целое число",
  DECIMAL: "число",
  BOOLEAN: "1 — да, 0 — нет",
};

export async function render(view, { user, navigate, query }) {
  const options = await gql(OPTIONS);
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const f = {
    workflowKey: field("Процесс", select(options.workflows.map((w) => [w.key, `${w.title} — ${SCOPE[w.scope].toLowerCase()}`]), query.get("workflow")), { name: "workflow" }),
    districtId: field("Район", select(options.districts.map((d) => [d.id, d.name]), user.district ? user.district.id : ""), { name: "district" }),
    startDate: field("Дата начала", h("input", { type: "date", value: isoDate(new Date()), required: true }), { name: "startDate", hint: "От неё рассчитываются сроки этапов по производственному календарю района." }),
    title: field("Название (необязательно)", h("input", { type: "text", maxlength: 300 }), { name: "title", hint: "По умолчанию — название процесса и организации." }),
    responsibleId: field("Ответственный за проект", h("select", {}), {
      name: "responsible",
      hint: "Координатор района, который ведёт проект: ему приходят напоминания о просрочках. Ответственных за отдельные этапы можно назначить на странице проекта.",
    }),
  };
  const about = h("div", { class: "workflow-about" });
  const datesBox = h("div", { class: "launch-dates" });
  const targetsBox = h("div", { class: "launch-targets" });
  const planBox = h("section", { class: "launch-plan", "aria-live": "polite" });
  const orgBox = h("fieldset", { class: "orgs", id: "participants", "aria-describedby": "participants-error" }, h("legend", {}, "Организации-участники"));
  const orgError = h("p", { class: "field-error", id: "participants-error", hidden: true });
  const orgFilter = h("input", { type: "search", id: "org-filter", placeholder: "Найти по названию" });
  const participants = {
    // An error about the participants takes the focus to the first checkbox.
    input: { focus: () => orgBox.querySelector("input[name=participant]")?.focus() },
    setError: (m) => {
      orgError.textContent = m || "";
      orgError.hidden = !m;
      orgBox.classList.toggle("has-error", Boolean(m));
    },
  };
  // Fields per workflow: dates given at launch (`dueDates.<stage>`) and open targets
  // (`indicatorTargets.<indicator>`), named as the API names them in `extensions.field`.
  let dateFields = {};
  // «Ответственные за этапы»: a choice per stage, by `stageResponsibles.<key>`.
  let stageFields = {};
  let targetFields = {};
  // Annual dates: optional, «the nearest that fits» unless a later year is chosen.
  let annualFields = [];
  const fields = () => ({ ...f, participantIds: participants, participantParts: participants, ...dateFields, ...targetFields, ...stageFields });
  const workflow = () => options.workflows.find((w) => w.key === f.workflowKey.input.value);
  const district = () => options.districts.find((d) => d.id === f.districtId.input.value);

  const drawAbout = () => {
    const w = workflow();
    const d = district();
    about.replaceChildren(
      w
        ? h(
            "div",
            { class: "card subtle" },
            w.description ? h("p", {}, w.description) : null,
            h("p", { class: "small" }, `${SCOPE[w.scope]}. Этапы: `, w.stages.map((st) => st.title).join(" → ")),
            d && !d.region ? h("p", { class: "small" }, "У района не указан регион: сроки считаются по федеральному календарю, без региональных праздников.") : null,
          )
        : "",
    );
  };
  const drawWorkflowFields = () => {
    const w = workflow();
    dateFields = {};
    targetFields = {};
    annualFields = [];
    const atLaunch = w ? w.stages.filter((st) => st.dueAtLaunch) : [];
    for (const st of atLaunch) {
      dateFields[`dueDates.${st.key}`] = field(st.title, h("input", { type: "date", required: true }), {
        name: `due-${st.key}`,
        hint: "Эту дату назначаете вы; сроки подготовки отсчитываются от неё.",
      });
    }
    for (const st of w ? w.stages.filter((x) => x.annualDay) : []) {
      const x = field(`${st.title}: когда`, h("select", {}), {
        name: `due-${st.key}`,
        hint: `Обычно — ближайшее ${dayMonth(st.annualDay)}, к которому успевают все этапы подготовки. Выберите год, если срок назначен позже.`,
      });
      x.optional = true;
      dateFields[`dueDates.${st.key}`] = x;
      annualFields.push([st.annualDay, x.input]);
    }
    fillAnnual();
    datesBox.replaceChildren(
      Object.keys(dateFields).length ? h("fieldset", { class: "plain-fieldset" }, h("legend", {}, atLaunch.length ? "Даты, которые назначаете вы" : "Сроки"), Object.values(dateFields).map((x) => x.wrap)) : "",
    );
    const open = w ? w.indicators.filter((i) => i.targetPerPeriod == null && i.targetOverall == null) : [];
    for (const ind of open) {
      targetFields[`indicatorTargets.${ind.key}`] = field(
        `${indicatorLabel(ind.key, ind.title)}${ind.unit ? `, ${ind.unit}` : ""}`,
        h("input", { type: "number", step: "any", min: 0, inputmode: "decimal" }),
        { name: `target-${ind.key}`, hint: `Цель (${TYPE_HINT[ind.type] || "число"}); без цели показатель останется без оценки.` },
      );
    }
    targetsBox.replaceChildren(
      open.length
        ? h(
            "fieldset",
            { class: "plain-fieldset" },
            h("legend", {}, "Цели показателей"),
            h("p", { class: "hint" }, "Процесс оставляет эти цели району или региону. Одна цель — для всех участников проекта."),
            Object.values(targetFields).map((x) => x.wrap),
          )
        : "",
    );
  };
  // The district's coordinators; the one launching is chosen unless they pick another.
  const drawPeople = async () => {
    const d = f.districtId.input.value;
    const kept = f.responsibleId.input.value;
    const people = d ? (await gql(PEOPLE, { d })).launchResponsibleCandidates : [];
    const chosen = kept || (people.some((x) => x.id === user.id) ? user.id : "");
    // Without a choice the API names the one launching, so «не назначать» is offered only to
    // those it cannot name (an administrator).
    const self = people.some((x) => x.id === user.id);
    f.responsibleId.input.replaceChildren(
      ...(self ? [] : [h("option", { value: "" }, "не назначать")]),
      ...people.map((x) => h("option", { value: x.id, selected: x.id === chosen }, x.id === user.id ? `${x.fullName} (вы)` : x.fullName)),
    );
    if (!people.some((x) => x.id === chosen)) f.responsibleId.input.value = "";
  };
  const drawOrgs = async () => {
    const organizations = await gqlAll(ORGS, { d: f.districtId.input.value || null }, "organizations");
    const checked = new Set([...orgBox.querySelectorAll("input:checked")].map((i) => i.value));
    orgBox.querySelector(".org-list")?.remove();
    orgBox.append(
      h(
        "ul",
        { class: "org-list plain" },
        organizations.map((o) =>
          h(
            "li",
            { "data-name": o.name.toLowerCase() },
            h("input", { type: "checkbox", id: `org-${o.id}`, value: o.id, name: "participant", checked: checked.has(o.id) }),
            h("label", { for: `org-${o.id}` }, o.name, h("span", { class: "small muted" }, ` · ${KIND[o.kind]}`)),
            h("span", { class: "part-choice", "data-org": o.id, "data-name": o.name }),
          ),
        ),
      ),
    );
    if (!organizations.length) orgBox.append(h("p", { class: "org-list empty" }, "В районе нет организаций."));
    drawParts();
  };
  // The part each organization would take, for a workflow that has parts («базовая школа»):
  // a choice beside each organization, kept across redraws, the workflow's first by default.
  const drawParts = () => {
    const parts = (workflow() || {}).parts || [];
    orgBox.querySelectorAll(".part-choice").forEach((box) => {
      const kept = box.querySelector("select")?.value;
      box.replaceChildren(
        parts.length
          ? select(parts.map((p) => [p.key, p.title]), parts.some((p) => p.key === kept) ? kept : parts[0].key, {
              name: "part",
              id: `part-${box.dataset.org}`,
              "aria-label": `Роль: ${box.dataset.name}`,
            })
          : "",
      );
    });
  };
  orgFilter.addEventListener("input", () => {
    const q = orgFilter.value.trim().toLowerCase();
    orgBox.querySelectorAll("li[data-name]").forEach((li) => {
      li.hidden = Boolean(q) && !li.dataset.name.includes(q);
    });
  });
  orgBox.append(h("label", { for: "org-filter", class: "visually-hidden" }, "Найти организацию"), orgFilter, orgError);

  // The choices of an annual date: the nearest that fits, or that day of one of the next years
  // on or after the start.
  const fillAnnual = () => {
    const start = f.startDate.input.value || isoDate(new Date());
    const year = Number(start.slice(0, 4));
    for (const [md, sel] of annualFields) {
      const kept = sel.value;
      const pad = (n) => String(n).padStart(2, "0");
      const days = [0, 1, 2, 3, 4].map((k) => `${year + k}-${pad(md.month)}-${pad(md.day)}`).filter((d) => d >= start);
      sel.replaceChildren(
        h("option", { value: "" }, `Ближайшее ${dayMonth(md)}, к которому успевает план`),
        ...days.map((d) => h("option", { value: d, selected: d === kept }, fmtDate(d))),
      );
    }
  };
  f.startDate.input.addEventListener("change", fillAnnual);

  const chosen = () => [...orgBox.querySelectorAll("input[name=participant]:checked")].map((i) => i.value);
  // «Ответственные за этапы (необязательно)»: folded; the people offered are the API's for
  // each stage (the district's coordinators, or the chosen organizations' directors), read
  // when it is opened and again when the organizations change.
  const stagesBox = h("div", { class: "stage-responsible-list" });
  const stagesFold = h("details", { class: "launch-stage-responsibles" }, h("summary", {}, "Ответственные за этапы (необязательно)"), stagesBox);
  const drawStageResponsibles = async () => {
    const w = workflow();
    const kept = Object.fromEntries(Object.entries(stageFields).map(([k, x]) => [k, x.input.value]));
    stageFields = {};
    if (!w || !stagesFold.open) return stagesBox.replaceChildren();
    const ids = chosen();
    // A school's workflow launched for several schools makes one project each: a director is
    // one school's, so people for stages are chosen per project, on its page.
    if (w.scope === "ORGANIZATION" && ids.length > 1) {
      return stagesBox.replaceChildren(h("p", { class: "hint", id: "stage-responsibles-many" }, `Будет запущено проектов: ${ids.length}, по одному на организацию. Ответственных за этапы назначьте на странице каждого проекта.`));
    }
    const lists = await Promise.all(
      w.stages.filter((st) => !st.terminal).map(async (st) => [st, (await gql(STAGE_PEOPLE, { d: f.districtId.input.value, w: w.key, s: st.key, p: ids })).launchResponsibleCandidates]),
    );
    if (workflow() !== w) return;
    for (const [st, people] of lists) {
      const name = `stageResponsibles.${st.key}`;
      const sel = select([["", "не назначен — все, кому этап поручен по роли"], ...people.map((x) => [x.id, x.fullName])], kept[name] || "", { name: `stage-responsible-${st.key}` });
      stageFields[name] = field(`Этап «${st.title}»`, sel, { name: `stage-responsible-${st.key}` });
    }
    stagesBox.replaceChildren(
      h("p", { class: "hint" }, "Руководителей школ можно выбрать, когда отмечены организации. Назначить или сменить ответственных можно и потом, на странице проекта."),
      ...Object.values(stageFields).map((x) => x.wrap),
    );
  };
  stagesFold.addEventListener("toggle", () => drawStageResponsibles().catch((e) => showError(e, errors)));
  orgBox.addEventListener("change", (e) => {
    if (e.target.name === "participant" && stagesFold.open) drawStageResponsibles().catch((err) => showError(err, errors));
  });
  // Reads the form into the API's input (for one batch of participants), or reports what to fix.
  const collect = (participantIds) => {
    const dueDates = [];
    for (const [name, x] of Object.entries(dateFields)) {
      const value = x.input.value;
      if (!value && x.optional) continue;
      if (!value) {
        x.setError("Укажите дату.");
        x.input.focus();
        return null;
      }
      dueDates.push({ stage: name.slice("dueDates.".length), date: value });
    }
    const indicatorTargets = [];
    for (const [name, x] of Object.entries(targetFields)) {
      const text = x.input.value.trim().replace(",", ".");
      if (!text) continue;
      const target = Number(text);
      if (!Number.isFinite(target)) {
        x.setError("Введите число, например 75 или 12,5.");
        x.input.focus();
        return null;
      }
      indicatorTargets.push({ indicator: name.slice("indicatorTargets.".length), target });
    }
    return {
      workflowKey: workflow().key,
      districtId: f.districtId.input.value,
      participantIds,
      startDate: f.startDate.input.value || null,
      title: f.title.input.value.trim() || null,
      dueDates,
      indicatorTargets,
      responsibleId: f.responsibleId.input.value || null,
      participantParts: participantIds
        .map((id) => ({ organizationId: id, part: orgBox.querySelector(`#part-${id}`)?.value }))
        .filter((p) => p.part),
      stageResponsibles: Object.entries(stageFields)
        .filter(([, x]) => x.input.value)
        .map(([name, x]) => ({ stage: name.slice("stageResponsibles.".length), responsibleId: x.input.value })),
    };
  };

  const previewButton = h("button", { type: "submit", class: "button" }, "Рассчитать план");
  const launchButton = h("button", { type: "button", class: "button", id: "launch-confirm", hidden: true }, "Запустить");
  let previewed = null;
  const invalidate = () => {
    if (!previewed) return;
    previewed = null;
    launchButton.hidden = true;
    planBox.replaceChildren(alertBox("info", "Данные изменились: рассчитайте план заново перед запуском."));
  };

  const drawPlan = (preview, batches, running) => {
    const rows = preview.stages.filter((st) => st.due || !st.dueRule);
    planBox.replaceChildren();
    // The same workflow already runs for some of the chosen organizations: launching again is
    // usually a mistake (a double click, a colleague was first), so it takes a confirmation.
    const again = running.length
      ? h("input", {
          type: "checkbox",
          id: "launch-again",
          // Not a change of the launch data: it must not reach the form's invalidate.
          oninput: (e) => e.stopPropagation(),
          onchange: (e) => {
            e.stopPropagation();
            launchButton.disabled = !e.target.checked;
          },
        })
      : null;
    append(planBox, [
      h("h2", { id: "plan-heading", tabindex: "-1" }, "План проекта"),
      running.length
        ? h(
            "div",
            { class: "alert alert-warning", role: "alert", id: "already-running" },
            h("p", { class: "strong" }, running.length === 1 ? "Этот процесс уже идёт у выбранной организации:" : "Этот процесс уже идёт у выбранных организаций:"),
            h("ul", {}, running.map((r) => h("li", {}, h("a", { href: `/projects/${r.id}` }, r.title), ` — ${r.participants.map((o) => o.name).join(", ")}, начат ${fmtDate(r.startDate)}`))),
            h("p", {}, again, " ", h("label", { for: "launch-again" }, "Всё равно запустить ещё один проект")),
          )
        : null,
      batches.length > 1 ? h("p", {}, `Будет запущено проектов: ${batches.length}, по одному на организацию; сроки у всех одинаковые.`) : h("p", {}, `«${preview.title}», начало — ${fmtDate(preview.startDate)}`),
      h("p", { id: "plan-responsible" }, preview.responsible ? `Ответственный за проект: ${preview.responsible.fullName}.` : "Ответственный за проект не назначен: напоминания о просрочках получат все координаторы района."),
      preview.warnings.length
        ? h("div", { class: "alert alert-info", role: "note" }, h("p", { class: "strong" }, "Перед запуском обратите внимание:"), h("ul", {}, preview.warnings.map((w) => h("li", {}, w))))
        : null,
      table(
        "Сроки этапов",
        [
          ["Этап", (st) => st.title],
          [
            "Срок",
            (st) =>
              st.due
                ? h("span", {}, fmtDate(st.due), st.provisional ? h("span", { class: "badge provisional", title: "Рассчитан по предварительному календарю и может сдвинуться" }, "по предварительному календарю") : null)
                : "—",
          ],
          ["Как считается", (st) => (st.fixed ? "назначен вами" : st.dueRule || "без срока")],
          ["Ответственный", (st) => (st.responsible ? st.responsible.fullName : h("span", { class: "muted" }, "по роли"))],
        ],
        rows,
        { className: "plan-table" },
      ),
      h("p", { class: "hint" }, "Ничего ещё не сохранено. Проверьте сроки и нажмите «Запустить»."),
    ]);
    launchButton.hidden = false;
    launchButton.disabled = running.length > 0;
    planBox.querySelector("h2").focus();
  };

  const batchesOf = (ids) => (workflow().scope === "ORGANIZATION" ? ids.map((id) => [id]) : [ids]);
  const form = h(
    "form",
    {
      class: "card launch-form",
      novalidate: true,
      oninput: invalidate,
      onchange: invalidate,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(fields()).forEach((x) => x.setError(null));
        errors.replaceChildren();
        const ids = chosen();
        if (!ids.length) {
          participants.setError("Отметьте хотя бы одну организацию.");
          participants.input.focus();
          return;
        }
        const batches = batchesOf(ids);
        const input = collect(batches[0]);
        if (!input) return;
        previewButton.disabled = true;
        try {
          const data = await gql(PREVIEW, { i: input });
          const active = await gqlAll(ACTIVE, { f: { workflow: input.workflowKey, districtId: input.districtId, status: "ACTIVE" } }, "projects");
          const running = active.filter((p) => p.participants.some((o) => ids.includes(o.id)));
          previewed = { batches };
          drawPlan(data.launchPreview, batches, running);
        } catch (e) {
          planBox.replaceChildren();
          showError(e, errors, fields());
        } finally {
          previewButton.disabled = false;
        }
      },
    },
    errors,
    f.workflowKey.wrap,
    about,
    options.districts.length > 1 ? f.districtId.wrap : null,
    orgBox,
    h("div", { class: "grid-2 tight" }, f.startDate.wrap, f.title.wrap),
    f.responsibleId.wrap,
    stagesFold,
    datesBox,
    targetsBox,
    h("div", { class: "actions" }, previewButton),
    planBox,
    h("div", { class: "actions" }, launchButton),
  );

  launchButton.addEventListener("click", async () => {
    if (!previewed) return;
    launchButton.disabled = true;
    const launched = [];
    try {
      for (const participantIds of previewed.batches) {
        const input = collect(participantIds);
        if (!input) return;
        const data = await gql(LAUNCH, { i: input });
        launched.push(data.launchProject);
      }
    } catch (e) {
      showError(e, errors, fields());
      if (launched.length) errors.prepend(alertBox("info", `Запущено проектов: ${launched.length}; следующий не запущен.`));
      return;
    } finally {
      launchButton.disabled = false;
    }
    announce(launched.length === 1 ? `Проект «${launched[0].title}» запущен.` : `Запущено проектов: ${launched.length}.`);
    navigate(launched.length === 1 ? `/projects/${launched[0].id}` : `/projects?workflow=${encodeURIComponent(workflow().key)}&status=ACTIVE`);
  });

  f.workflowKey.input.addEventListener("change", () => {
    drawAbout();
    drawWorkflowFields();
    drawParts();
    drawStageResponsibles().catch((e) => showError(e, errors));
  });
  f.districtId.input.addEventListener("change", () => {
    drawAbout();
    drawOrgs();
    f.responsibleId.input.value = "";
    drawPeople();
  });
  view.append(
    h("h1", {}, "Запуск проекта"),
    h("p", { class: "lead" }, "Сначала рассчитайте план: сроки всех этапов будут видны до запуска. Потом их можно будет перенести с указанием причины."),
    form,
  );
  drawAbout();
  drawWorkflowFields();
  await Promise.all([drawOrgs(), drawPeople()]);
}
