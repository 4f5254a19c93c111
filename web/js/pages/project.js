// The project page: stage timeline (baseline and current due dates; the branches a fork opens
// side by side), the checklist of each stage under way, the actions the caller may take now
// (move a branch with a comment, reschedule with a reason, name who is responsible for the
// project or a stage), indicators with plan, fact and
// traffic light, history — kept live by the `projectEvents` subscription when someone else
// changes the project.

import { gql, subscribe } from "../api.js";
import {
  h, append, clear, table, indicatorLabel, fmtDate, fmtDateTime, fmtNumber, fmtPercent, daysLeftText, healthBadge, statusBadge,
  field, select, showError, alertBox, announce, ROLE, SCOPE, HEALTH, parseDate,
} from "../dom.js";
import { planFact, slippage } from "../charts.js";
import { projectToday } from "../periods.js";
import { exportButtons } from "./export.js";

export const PROJECT_FIELDS = `id title status rowVersion startDate overdue closedAt createdAt viewerCanCancel viewerCanReschedule viewerCanAssign
  responsible { id fullName }
  workflow { key version title scope indicators { key title unit type period startsAtStage parts } transitions { fromStage toStages } }
  district { id name timeZone }
  participants { id name }
  participantParts { organization { id name } part title }
  health { health overdue dueSoon overdueTasks indicators }
  stages { key title position owners responsible { id fullName } baselineDue currentDue dueFixed provisional enteredAt completedAt isCurrent isJoin waitingFor overdue daysLeft
    checklist { key title done markedAt due daysLeft overdue documentRequired comment isTask responsible { id fullName } } }
  currentStage { key title position }
  currentStages { key title }
  availableTransitions { fromStage toStage toStages title commentRequired allowed blockers }
  history { id at kind actorName summary comment }
  indicatorProgress { indicator title unit organization { id name } target latestValue fact achievement health
    periods { period target value cumulative achievement } }`;

const QUERY = `query($id: ID!) { project(id: $id) { ${PROJECT_FIELDS} } }`;
const TRANSITION = `mutation($i: TransitionProjectInput!) { transitionProject(input: $i) { ${PROJECT_FIELDS} } }`;
const TICK = `mutation($i: CompleteChecklistItemInput!) { completeChecklistItem(input: $i) { ${PROJECT_FIELDS} } }`;
const RESCHEDULE = `mutation($i: RescheduleStageInput!) { rescheduleStage(input: $i) { ${PROJECT_FIELDS} } }`;
const CANCEL = `mutation($i: CancelProjectInput!) { cancelProject(input: $i) { ${PROJECT_FIELDS} } }`;
const ASSIGN = `mutation($i: AssignResponsibleInput!) { assignResponsible(input: $i) { ${PROJECT_FIELDS} } }`;
const CANDIDATES = `query($id: ID!, $stage: String, $task: String) { project(id: $id) { responsibleCandidates(stage: $stage, task: $task) { id fullName } } }`;
const EVENTS = `subscription($d: ID, $after: ID) { projectEvents(districtId: $d, after: $after) { project { rowVersion } entry { id projectId summary actorName } } }`;

export async function render(view, { params, user }) {
  const id = params[0];
  // `pending` counts this page's own changes in flight: their events are not news.
  // `assign`: who may be named, by stage key ("" for the project), loaded when first asked, and
  // the person picked in «Ответственные» but not yet saved (a redraw must not lose it).
  const state = { project: (await gql(QUERY, { id })).project, lastEntry: null, pending: 0, assign: { lists: new Map(), picked: null } };
  state.lastEntry = maxEntry(state.project);
  const notice = h("div", { id: "project-notice", tabindex: "-1" });
  const body = h("div", { id: "project-body" });
  const live = h("p", { class: "live-status small muted", id: "live-status" }, "Обновления: подключение…");

  const draw = () => {
    // Keep whatever the user is typing across a redraw (a live update must not eat it).
    const typed = new Map();
    body.querySelectorAll("input[name], textarea[name], select[name]").forEach((el) => typed.set(el.name, el.type === "checkbox" ? null : el.value));
    const focusedName = document.activeElement && body.contains(document.activeElement) ? document.activeElement.name : null;
    append(clear(body), sections(state, user, { reload, apply, notice, mutate, assign: state.assign }));
    body.querySelectorAll("input[name], textarea[name], select[name]").forEach((el) => {
      const v = typed.get(el.name);
      if (v === undefined || v === null || el.type === "hidden") return;
      if (el.tagName === "SELECT" && ![...el.options].some((o) => o.value === v)) return;
      el.value = v;
    });
    if (focusedName) body.querySelector(`[name="${CSS.escape(focusedName)}"]`)?.focus();
    view.querySelector("h1").textContent = state.project.title;
  };
  const apply = (project) => {
    state.project = project;
    state.lastEntry = Math.max(state.lastEntry || 0, maxEntry(project) || 0);
    draw();
  };
  const reload = async () => apply((await gql(QUERY, { id })).project);
  const mutate = async (query, variables) => {
    state.pending += 1;
    try {
      return await gql(query, variables);
    } finally {
      state.pending -= 1;
    }
  };

  view.append(h("h1", {}, state.project.title), live, notice, body);
  draw();

  const stop = subscribe(
    EVENTS,
    () => ({ d: state.project.district ? state.project.district.id : null, after: state.lastEntry ? String(state.lastEntry) : null }),
    async (data) => {
      const entry = data.projectEvents.entry;
      state.lastEntry = Math.max(state.lastEntry || 0, Number(entry.id));
      if (entry.projectId !== state.project.id || state.pending > 0) return;
      // The page already shows this version (the event of a change made here): redrawing
      // would only swap the controls under the user's hands.
      if (data.projectEvents.project.rowVersion <= state.project.rowVersion) return;
      const before = state.project.rowVersion;
      try {
        await reload();
      } catch (e) {
        notice.replaceChildren(alertBox("error", e.message));
        return;
      }
      if (state.project.rowVersion !== before) {
        const text = `Проект обновлён: ${entry.summary} (${entry.actorName}).`;
        notice.replaceChildren(alertBox("info", text));
        announce(text);
      }
    },
    (status) => {
      live.textContent =
        status === "connected" ? "Обновления приходят сами: страница меняется, когда проект двигают другие." : status === "reconnecting" ? "Обновления: связь прервалась, переподключаемся…" : "Обновления недоступны.";
      live.dataset.status = status;
    },
  );
  return stop;
}

function maxEntry(project) {
  return project.history.reduce((m, e) => Math.max(m, Number(e.id)), 0) || null;
}

function sections(state, user, actions) {
  const p = state.project;
  const tz = p.district ? p.district.timeZone : undefined;
  return [
    summary(p, tz),
    h("div", { class: "grid-2 project-grid" }, timeline(p), h("div", {}, checklists(p, user, actions), actionsPanel(p, user, actions))),
    indicators(p, user),
    historyPanel(p, tz),
  ];
}

function summary(p, tz) {
  return h(
    "section",
    { class: "panel project-summary", "aria-label": "Сведения о проекте" },
    h(
      "div",
      { class: "badges" },
      statusBadge(p.status),
      " ",
      p.status === "ACTIVE" && p.health ? healthBadge(p.health.health) : null,
      p.health && p.health.overdue && (!p.health.overdueTasks || p.stages.some((st) => st.isCurrent && st.overdue)) ? h("span", { class: "badge health-red" }, "Этап просрочен") : null,
      p.health && p.health.overdueTasks ? h("span", { class: "badge health-red", id: "overdue-tasks" }, `Просрочено задач: ${p.health.overdueTasks}`) : null,
      p.health && p.health.dueSoon ? h("span", { class: "badge health-amber" }, "Срок скоро") : null,
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Процесс"),
      h("dd", {}, p.workflow ? `${p.workflow.title} (версия ${p.workflow.version}, ${SCOPE[p.workflow.scope].toLowerCase()})` : "—"),
      h("dt", {}, "Район"),
      h("dd", {}, p.district ? p.district.name : "—"),
      h("dt", {}, "Участники"),
      h("dd", { id: "project-participants" }, participantsByPart(p) || "—"),
      h("dt", {}, "Начало"),
      h("dd", {}, fmtDate(p.startDate)),
      h("dt", {}, "Ответственный за проект"),
      h("dd", { id: "project-responsible" }, p.responsible ? p.responsible.fullName : h("span", { class: "muted" }, "не назначен")),
      h("dt", {}, p.status === "ACTIVE" && p.currentStages.length > 1 ? "Идут параллельно" : "Текущий этап"),
      h("dd", { id: "current-stage-title" }, p.status === "ACTIVE" && p.currentStages.length > 1 ? p.currentStages.map((st) => st.title).join(" · ") : p.currentStage ? p.currentStage.title : "—"),
      p.closedAt ? [h("dt", {}, "Закрыт"), h("dd", {}, fmtDateTime(p.closedAt, tz))] : null,
    ),
    exportButtons("/export/indicator-reports", `?projectId=${p.id}`, `otchety-proekt-${p.id}`),
  );
}

/** «Базовая школа: A, B; Школа-участник: C» where the workflow has parts, else the names. */
function participantsByPart(p) {
  if (!p.participantParts || !p.participantParts.length) return p.participants.map((o) => o.name).join(", ");
  const groups = new Map();
  for (const x of p.participantParts) {
    if (!groups.has(x.title)) groups.set(x.title, []);
    groups.get(x.title).push(x.organization.name);
  }
  return [...groups].map(([title, names]) => `${title}: ${names.join(", ")}`).join("; ");
}

/** Days between two dates (`YYYY-MM-DD` or JS dates). */
function daysBetween(a, b) {
  const d = (x) => (typeof x === "string" ? parseDate(x.slice(0, 10)) : x);
  return Math.round((d(b) - d(a)) / 86400000);
}

/** Each finished stage, and the current one once past its baseline, against the baseline. */
function slippageItems(p) {
  const today = projectToday(p);
  const items = [];
  for (const st of p.stages) {
    if (!st.baselineDue) continue;
    if (st.completedAt) items.push({ title: st.title, days: daysBetween(st.baselineDue, st.completedAt) });
    else if (st.isCurrent && p.status === "ACTIVE" && daysBetween(st.baselineDue, today) > 0) items.push({ title: st.title, days: daysBetween(st.baselineDue, today) });
  }
  return items;
}

/** The groups of stages a fork opens together, by the key of each member. */
function parallelGroups(p) {
  const groups = new Map();
  for (const t of (p.workflow && p.workflow.transitions) || []) {
    if (t.toStages.length < 2) continue;
    for (const key of t.toStages) if (!groups.has(key)) groups.set(key, t.toStages);
  }
  return groups;
}

function timeline(p) {
  const slips = slippageItems(p);
  const groups = parallelGroups(p);
  const items = [];
  const placed = new Set();
  for (const st of p.stages) {
    if (placed.has(st.key)) continue;
    const group = groups.get(st.key);
    if (!group) {
      items.push(stageItem(st));
      continue;
    }
    // The branches of a fork side by side, in one row of the timeline.
    const members = p.stages.filter((x) => group.includes(x.key));
    members.forEach((x) => placed.add(x.key));
    const anyCurrent = members.some((x) => x.isCurrent);
    const allDone = members.every((x) => x.completedAt);
    items.push(
      h(
        "li",
        { class: `stage stage-branches stage-${allDone ? "done" : anyCurrent ? "current" : "future"}` },
        h("span", { class: "stage-marker", "aria-hidden": "true" }),
        h(
          "div",
          { class: "stage-body" },
          h("div", { class: "small muted branches-label" }, `Параллельно, ${members.length} ${members.length < 5 ? "ветви" : "ветвей"}:`),
          h("ol", { class: "branches", "aria-label": "Параллельные ветви" }, members.map((x) => stageItem(x, "branch"))),
        ),
      ),
    );
  }
  return h(
    "section",
    { class: "panel", "aria-labelledby": "timeline-h" },
    h("h2", { id: "timeline-h" }, "Этапы и сроки"),
    h("ol", { class: "timeline" }, items),
    slips.length > 2 ? slippage(slips) : null,
  );
}

function stageItem(st, extra = "") {
  const state = st.completedAt ? "done" : st.isCurrent ? "current" : "future";
  const moved = st.baselineDue && st.currentDue && st.baselineDue !== st.currentDue;
  return h(
    "li",
    { class: `stage stage-${state}${st.overdue ? " stage-overdue" : ""}${extra ? ` ${extra}` : ""}`, "aria-current": st.isCurrent ? "step" : null, "data-stage": st.key },
    h("span", { class: "stage-marker", "aria-hidden": "true" }),
    h(
      "div",
      { class: "stage-body" },
      h("div", { class: "stage-title" }, st.title, h("span", { class: "visually-hidden" }, state === "done" ? " — завершён" : state === "current" ? " — идёт сейчас" : " — впереди")),
      h(
        "div",
        { class: "stage-dates small" },
        st.currentDue
          ? h(
              "span",
              {},
              "Срок: ",
              h("strong", {}, fmtDate(st.currentDue)),
              st.provisional ? h("span", { class: "badge provisional", title: "Рассчитан по предварительному календарю: может сдвинуться, когда календарь станет официальным" }, "по предварительному календарю") : null,
            )
          : h("span", { class: "muted" }, "Без срока"),
        moved ? h("span", { class: "moved" }, ` (базовый — ${fmtDate(st.baselineDue)})`) : st.baselineDue ? h("span", { class: "muted" }, " · базовый срок тот же") : null,
      ),
      st.waitingFor.length ? h("div", { class: "small waiting-for" }, `Откроется, когда завершатся: ${st.waitingFor.map((t) => `«${t}»`).join(", ")}`) : null,
      h(
        "div",
        { class: "small muted" },
        [
          st.completedAt ? `Завершён ${fmtDate(st.completedAt.slice(0, 10))}` : st.isCurrent && st.daysLeft !== null ? h("span", { class: st.overdue ? "text-red" : "" }, daysLeftText(st.daysLeft)) : null,
          st.responsible
            ? h("span", { class: "stage-responsible" }, `ответственный: ${st.responsible.fullName}`)
            : st.owners.length
              ? `отвечает: ${st.owners.map((r) => ROLE[r].toLowerCase()).join(", ")}`
              : null,
        ]
          .filter(Boolean)
          .flatMap((part, i) => (i ? [" · ", part] : [part])),
      ),
    ),
  );
}

/** The checklist of each stage under way: one, or one a branch. */
function checklists(p, user, actions) {
  const open = p.stages.filter((x) => x.isCurrent);
  if (!open.length || p.status !== "ACTIVE") return h("section", { class: "panel" }, h("h2", {}, "Текущий этап"), h("p", {}, p.status === "COMPLETED" ? "Проект завершён." : "Проект не идёт."));
  return open.map((st) => checklist(p, st, user, actions));
}

function checklist(p, st, user, { apply, mutate }) {
  const readOnly = user.role === "OBSERVER";
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  return h(
    "section",
    { class: "panel", "aria-labelledby": `checklist-h-${st.key}`, "data-stage": st.key },
    h("h2", { id: `checklist-h-${st.key}` }, `Чек-лист этапа «${st.title}»`),
    errors,
    st.checklist.length
      ? h(
          "ul",
          { class: "checklist" },
          st.checklist.map((item) => {
            const id = `check-${st.key}-${item.key}`;
            const send = async (box, done, comment) => {
              box.disabled = true;
              try {
                const data = await mutate(TICK, { i: { projectId: p.id, stage: st.key, item: item.key, done, comment } });
                apply(data.completeChecklistItem);
                announce(done ? `Отмечено: ${item.title}` : `Отметка снята: ${item.title}`);
                document.getElementById(id)?.focus();
              } catch (err) {
                box.checked = !done;
                box.disabled = false;
                showError(err, errors, documentField ? { comment: documentField } : {});
              }
            };
            // «Нужен документ»: the tick waits for where the document is.
            const documentField = item.documentRequired && !item.done
              ? field("Где документ: номер и дата акта или ссылка", h("input", { type: "text", maxlength: 2000 }), { name: `document-${st.key}-${item.key}` })
              : null;
            const documentForm = documentField
              ? h(
                  "form",
                  {
                    class: "document-note",
                    hidden: true,
                    novalidate: true,
                    onsubmit: async (e) => {
                      e.preventDefault();
                      const text = documentField.input.value.trim();
                      if (!text) return documentField.setError("Напишите, где документ: без этого пункт не отмечается.") || documentField.input.focus();
                      const box = document.getElementById(id);
                      box.checked = true;
                      await send(box, true, text);
                    },
                  },
                  documentField.wrap,
                  h("div", { class: "actions" }, h("button", { type: "submit", class: "button small" }, "Отметить"), " ", h("button", { type: "button", class: "button small secondary", onclick: () => { documentForm.hidden = true; document.getElementById(id).checked = false; } }, "Отмена")),
                )
              : null;
            const taskLine = item.due
              ? h(
                  "span",
                  { class: `small task-due${item.overdue ? " text-red" : ""}` },
                  ` — срок ${fmtDate(item.due)}`,
                  item.daysLeft !== null && item.daysLeft !== undefined ? `, ${daysLeftText(item.daysLeft)}` : "",
                )
              : null;
            return h(
              "li",
              { "data-item": item.key },
              h("input", {
                type: "checkbox",
                id,
                checked: item.done,
                disabled: readOnly,
                onchange: async (e) => {
                  const box = e.target;
                  if (box.checked && documentForm) {
                    documentForm.hidden = false;
                    documentField.input.focus();
                    return;
                  }
                  await send(box, box.checked, null);
                },
              }),
              h("label", { for: id }, item.title),
              item.documentRequired ? h("span", { class: "badge document-badge", title: "Отметка — с указанием, где документ" }, "нужен документ") : null,
              taskLine,
              item.responsible ? h("span", { class: "small task-responsible" }, ` — ответственный: ${item.responsible.fullName}`) : null,
              item.done && item.markedAt ? h("span", { class: "small muted" }, ` — ${fmtDate(item.markedAt.slice(0, 10))}`) : null,
              item.done && item.comment ? h("div", { class: "small muted mark-comment" }, item.comment) : null,
              documentForm,
            );
          }),
        )
      : h("p", { class: "empty" }, "У этапа нет чек-листа."),
  );
}

function actionsPanel(p, user, { apply, reload, notice, mutate, assign }) {
  if (p.status !== "ACTIVE" || user.role === "OBSERVER") return null;
  const errors = h("div", { class: "form-errors", tabindex: "-1", id: "action-errors" });
  const onConflict = async (e) => {
    if (e.code !== "CONFLICT") return false;
    await reload();
    const box = document.getElementById("action-errors") || notice;
    box.replaceChildren(alertBox("error", `${e.message} Страница обновлена: проверьте новое состояние и повторите действие.`));
    box.focus();
    return true;
  };

  const branches = p.currentStages.length > 1;
  const title = (key) => (p.stages.find((st) => st.key === key) || { title: key }).title;
  const moves = p.availableTransitions.map((t) => {
    const comment = field(t.commentRequired ? "Комментарий (обязательно)" : "Комментарий", h("textarea", { rows: 2, required: t.commentRequired }), { name: `comment-${t.fromStage}-${t.toStage}` });
    const button = h("button", { type: "submit", class: "button", disabled: !t.allowed }, t.title);
    return h(
      "form",
      {
        class: "transition",
        "data-to": t.toStage,
        "data-from": t.fromStage,
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          comment.setError(null);
          if (t.commentRequired && !comment.input.value.trim()) {
            comment.setError("Напишите комментарий к переходу.");
            comment.input.focus();
            return;
          }
          button.disabled = true;
          try {
            const data = await mutate(TRANSITION, {
              i: { projectId: p.id, fromStage: t.fromStage, toStage: t.toStage, expectedVersion: p.rowVersion, comment: comment.input.value.trim() || null },
            });
            comment.input.value = "";
            apply(data.transitionProject);
            const now = data.transitionProject;
            const text =
              now.status === "ACTIVE" && now.currentStages.length > 1
                ? `Этап «${title(t.fromStage)}» завершён. Сейчас идут параллельно: ${now.currentStages.map((st) => `«${st.title}»`).join(", ")}.`
                : now.status === "ACTIVE" && now.currentStages.every((st) => st.key !== t.toStage) && now.currentStages.length
                  ? `Этап «${title(t.fromStage)}» завершён. Идёт: «${now.currentStages[0].title}».`
                  : `Проект переведён на этап «${now.currentStage ? now.currentStage.title : t.title}».`;
            notice.replaceChildren(alertBox("success", text));
            announce(text);
          } catch (e) {
            button.disabled = false;
            if (!(await onConflict(e))) showError(e, errors, { comment });
          }
        },
      },
      branches ? h("p", { class: "small branch-of" }, `Ветвь «${title(t.fromStage)}»`) : null,
      comment.wrap,
      t.blockers.length ? h("ul", { class: "blockers small" }, t.blockers.map((b) => h("li", {}, b))) : null,
      h("div", { class: "actions" }, button),
    );
  });

  const open = p.stages.filter((st) => !st.completedAt);
  const stageSel = field("Этап", select(open.map((st) => [st.key, st.title]), p.currentStage ? p.currentStage.key : ""), { name: "reschedule-stage" });
  const dueInput = field("Новый срок", h("input", { type: "date", required: true }), { name: "reschedule-due" });
  const reason = field("Причина переноса (обязательно)", h("textarea", { rows: 2, required: true }), { name: "reschedule-reason" });
  const fields = { stage: stageSel, newDue: dueInput, reason };
  const reschedule = h(
    "form",
    {
      class: "reschedule",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(fields).forEach((f) => f.setError(null));
        if (!dueInput.input.value) return dueInput.setError("Выберите дату.") || dueInput.input.focus();
        if (!reason.input.value.trim()) return reason.setError("Укажите причину переноса.") || reason.input.focus();
        try {
          const data = await mutate(RESCHEDULE, {
            i: { projectId: p.id, stage: stageSel.input.value, newDue: dueInput.input.value, reason: reason.input.value.trim(), expectedVersion: p.rowVersion },
          });
          dueInput.input.value = "";
          reason.input.value = "";
          apply(data.rescheduleStage);
          notice.replaceChildren(alertBox("success", "Срок перенесён."));
          announce("Срок перенесён.");
        } catch (e) {
          if (!(await onConflict(e))) showError(e, errors, fields);
        }
      },
    },
    h("h3", {}, "Перенести срок"),
    stageSel.wrap,
    dueInput.wrap,
    reason.wrap,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button secondary" }, "Перенести срок")),
  );
  return h(
    "section",
    { class: "panel", "aria-labelledby": "actions-h" },
    h("h2", { id: "actions-h" }, "Действия"),
    errors,
    moves.length ? moves : h("p", { class: "empty" }, "Сейчас вам нечего делать с этим проектом."),
    p.viewerCanReschedule ? reschedule : null,
    p.viewerCanAssign ? assignForm(p, { apply, notice, mutate, onConflict, errors, assign }) : null,
    p.viewerCanCancel ? cancelForm(p, { apply, notice, mutate, onConflict, errors }) : null,
  );
}

/**
 * «Ответственные»: who answers for the project, or for a stage not yet passed. The people
 * offered are the API's (`responsibleCandidates`: the district's coordinators, the directors of
 * the participants, as the stage is given to them); «не назначен» leaves a stage to its roles.
 */
function assignForm(p, { apply, notice, mutate, onConflict, errors, assign }) {
  const candidates = assign.lists;
  const open = p.stages.filter((st) => !st.completedAt);
  // «За что»: the project, a stage not yet passed, or a task of one («stage/task»).
  const targets = [["", "Проект целиком"]];
  for (const st of open) {
    targets.push([st.key, `Этап «${st.title}»`]);
    for (const item of st.checklist.filter((i) => i.isTask && !i.done)) targets.push([`${st.key}/${item.key}`, `— задача «${item.title}»`]);
  }
  const what = field("За что", select(targets, ""), { name: "assign-what" });
  const who = field("Кто", h("select", {}), { name: "assign-who", hint: "Без ответственного за этап напоминания получают все, кому этап поручен по роли; задачу без ответственного — ответственный за этап." });
  const button = h("button", { type: "submit", class: "button secondary" }, "Назначить");
  const parts = (value) => {
    const [stage, task] = value ? value.split("/") : [null, null];
    return { stage: stage || null, task: task || null };
  };
  const current = () => {
    const { stage, task } = parts(what.input.value);
    const st = stage ? p.stages.find((x) => x.key === stage) || { checklist: [] } : null;
    const holder = !st ? p.responsible : task ? (st.checklist.find((i) => i.key === task) || {}).responsible : st.responsible;
    return holder ? holder.id : "";
  };
  // Fills «Кто» for the chosen target: the current holder selected, unless the user chose.
  const fill = async (keep) => {
    const key = what.input.value;
    who.setError(null);
    if (!candidates.has(key)) {
      who.input.replaceChildren(h("option", { value: "" }, "Загружаем список…"));
      try {
        const data = await gql(CANDIDATES, { id: p.id, ...parts(key) });
        candidates.set(key, data.project.responsibleCandidates);
      } catch (e) {
        who.input.replaceChildren();
        showError(e, errors);
        return;
      }
      if (what.input.value !== key) return;
    }
    const people = candidates.get(key);
    const chosen = keep ?? String(current());
    who.input.replaceChildren(
      h("option", { value: "" }, !key ? "не назначен" : parts(key).task ? "не назначен — ответственный за этап или все по роли" : "не назначен — все, кому этап поручен по роли"),
      ...people.map((person) => h("option", { value: person.id, selected: person.id === chosen }, person.fullName)),
    );
    if (!people.some((person) => person.id === chosen)) who.input.value = "";
  };
  what.input.addEventListener("change", () => {
    assign.picked = null;
    fill(null);
  });
  // The page redraws on every change (and on others' changes): after the redraw has restored
  // «За что», fill «Кто» keeping what the user picked.
  queueMicrotask(() => fill(assign.picked));
  who.input.addEventListener("change", () => (assign.picked = who.input.value));
  const form = h(
    "form",
    {
      class: "assign-responsible",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        who.setError(null);
        what.setError(null);
        button.disabled = true;
        const key = what.input.value;
        const name = who.input.selectedOptions[0] ? who.input.selectedOptions[0].textContent : "";
        try {
          const { stage, task } = parts(key);
          const data = await mutate(ASSIGN, { i: { projectId: p.id, stage, task, responsibleId: who.input.value || null, expectedVersion: p.rowVersion } });
          assign.picked = null;
          apply(data.assignResponsible);
          const st = stage ? p.stages.find((x) => x.key === stage) || { title: stage, checklist: [] } : null;
          const item = st && task ? st.checklist.find((i) => i.key === task) || { title: task } : null;
          const target = item ? `за задачу «${item.title}»` : st ? `за этап «${st.title}»` : "за проект";
          const text = who.input.value ? `Ответственный ${target}: ${name}.` : `Ответственный ${target} не назначен.`;
          notice.replaceChildren(alertBox("success", text));
          announce(text);
        } catch (e) {
          button.disabled = false;
          if (!(await onConflict(e))) showError(e, errors, { responsibleId: who, stage: what, task: what });
        }
      },
    },
    h("h3", {}, "Ответственные"),
    what.wrap,
    who.wrap,
    h("div", { class: "actions" }, button),
  );
  return form;
}

/** «Отменить проект»: folded away, with a required reason, for a project launched by mistake. */
function cancelForm(p, { apply, notice, mutate, onConflict, errors }) {
  const reason = field("Причина отмены (обязательно)", h("textarea", { rows: 2, required: true }), { name: "cancel-reason" });
  const button = h("button", { type: "submit", class: "button danger" }, "Отменить проект");
  const form = h(
    "form",
    {
      class: "cancel-project",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        reason.setError(null);
        if (!reason.input.value.trim()) return reason.setError("Укажите, почему проект отменяется: причина попадёт в историю.") || reason.input.focus();
        button.disabled = true;
        try {
          const data = await mutate(CANCEL, { i: { projectId: p.id, expectedVersion: p.rowVersion, reason: reason.input.value.trim() } });
          apply(data.cancelProject);
          const text = "Проект отменён. Напоминания по нему больше не придут; история сохранена.";
          notice.replaceChildren(alertBox("success", text));
          announce(text);
          notice.focus();
        } catch (e) {
          button.disabled = false;
          if (!(await onConflict(e))) showError(e, errors, { reason });
        }
      },
    },
    h("p", { class: "small muted" }, "Отмена — для проекта, запущенного по ошибке или ставшего ненужным. Вернуть его нельзя: этапы остановятся, напоминания прекратятся, история останется."),
    reason.wrap,
    h("div", { class: "actions" }, button),
  );
  return h("details", { class: "cancel-project-box" }, h("summary", {}, "Отменить проект"), form);
}

const MAX_CHARTS = 12;

/** «85 %», «7 ед.», and «да»/«нет» for yes-no indicators. */
function amount(value, unit) {
  if (unit === "да/нет") return value >= 1 ? "да" : "нет";
  return `${fmtNumber(value)} ${unit}`;
}

function indicators(p, user) {
  if (!p.indicatorProgress.length) return null;
  const canReport = (r) =>
    user.role !== "OBSERVER" &&
    p.status === "ACTIVE" &&
    (user.role !== "DIRECTOR" || (user.organization && r.organization && user.organization.id === r.organization.id));
  const columns = (withIndicator) => [
    withIndicator ? ["Показатель", (r) => indicatorLabel(r.indicator, r.title)] : null,
    ["Организация", (r) => (r.organization ? r.organization.name : "—")],
    ["План", (r) => (r.target == null ? "—" : amount(r.target, r.unit))],
    ["Факт", (r) => (r.fact == null ? "не сдано" : amount(r.fact, r.unit))],
    ["Достижение", (r) => fmtPercent(r.achievement)],
    ["Светофор", (r) => healthBadge(r.health)],
    [
      "",
      (r) =>
        canReport(r)
          ? h("a", { class: "button small secondary", href: `/tasks?project=${p.id}&indicator=${encodeURIComponent(r.indicator)}&organization=${r.organization ? r.organization.id : ""}#report` }, "Сдать отчёт")
          : "",
    ],
  ].filter(Boolean);
  let body;
  if (p.participants.length <= 1) {
    body = table(null, columns(true), p.indicatorProgress);
  } else {
    // Many participants: one fold per indicator, its summary saying how many reported and
    // how they stand; the director's own organization first.
    const groups = new Map();
    for (const r of p.indicatorProgress) {
      if (!groups.has(r.indicator)) groups.set(r.indicator, []);
      groups.get(r.indicator).push(r);
    }
    const mine = (r) => (user.organization && r.organization && r.organization.id === user.organization.id ? 0 : 1);
    body = h(
      "div",
      { class: "indicator-groups" },
      [...groups.values()].map((rows) => {
        const reported = rows.filter((r) => r.fact != null).length;
        const counts = ["RED", "AMBER", "GREEN"].map((k) => [k, rows.filter((r) => r.health === k).length]).filter(([, n]) => n);
        return h(
          "details",
          { class: "indicator-group" },
          h(
            "summary",
            {},
            h("strong", {}, indicatorLabel(rows[0].indicator, rows[0].title)),
            h("span", { class: "small muted" }, ` — сдали ${reported} из ${rows.length}`),
            counts.map(([k, n]) => [" ", h("span", { class: `badge health-${k.toLowerCase()}` }, `${HEALTH[k]}: ${n}`)]),
          ),
          table(null, columns(false), [...rows].sort((a, b) => mine(a) - mine(b))),
        );
      }),
    );
  }
  return h(
    "section",
    { class: "panel", "aria-labelledby": "indicators-h" },
    h("h2", { id: "indicators-h" }, "Показатели: план и факт"),
    body,
    // A picture only where there is a series to see, and not dozens of them.
    h(
      "div",
      { class: "charts" },
      p.indicatorProgress
        .filter((r) => r.periods.length > 1)
        .slice(0, MAX_CHARTS)
        .map((r) =>
          h(
            "div",
            { class: "chart-card" },
            h("h3", { class: "small" }, indicatorLabel(r.indicator, r.title), r.organization && p.participants.length > 1 ? ` — ${r.organization.name}` : ""),
            planFact(r.periods, { title: r.title, unit: r.unit, cumulative: false }),
          ),
        ),
    ),
  );
}

/** History entries shown before «show all». */
const SHOWN_HISTORY = 12;

function historyPanel(p, tz) {
  const latest = [...p.history].reverse();
  return h(
    "section",
    { class: "panel", "aria-labelledby": "history-h" },
    h("h2", { id: "history-h" }, "История"),
    historyList(latest.slice(0, SHOWN_HISTORY), latest.length),
    latest.length > SHOWN_HISTORY
      ? h("details", { class: "more-rows" }, h("summary", {}, `Показать всю историю (ещё ${latest.length - SHOWN_HISTORY})`), historyList(latest.slice(SHOWN_HISTORY), latest.length - SHOWN_HISTORY))
      : null,
  );

  function historyList(entries, start) {
    return h(
      "ol",
      { class: "history", reversed: true, start },
      entries.map((e) =>
        h(
          "li",
          {},
          h("time", { datetime: e.at, class: "small muted" }, fmtDateTime(e.at, tz)),
          h("div", {}, h("strong", {}, e.actorName), ": ", e.summary),
          e.comment ? h("blockquote", {}, e.comment) : null,
        ),
      ),
    );
  }
}
