// Launching a project from a workflow for chosen organizations and a start date. A workflow
// for one organization launches one project per chosen school; a district workflow one
// project with all of them.

import { gql } from "../api.js";
import { h, field, select, showError, alertBox, announce, isoDate, SCOPE, KIND } from "../dom.js";

const OPTIONS = `{ workflows { key version title description scope stages { key title dueRule } } districts { id name } }`;
const ORGS = `query($d: ID) { organizations(districtId: $d) { id name kind } }`;
const LAUNCH = `mutation($i: LaunchProjectInput!) { launchProject(input: $i) { id title } }`;

export async function render(view, { user, navigate, query }) {
  const options = await gql(OPTIONS);
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const f = {
    workflowKey: field("Процесс", select(options.workflows.map((w) => [w.key, `${w.title} — ${SCOPE[w.scope].toLowerCase()}`]), query.get("workflow")), { name: "workflow" }),
    districtId: field("Район", select(options.districts.map((d) => [d.id, d.name]), user.district ? user.district.id : ""), { name: "district" }),
    startDate: field("Дата начала", h("input", { type: "date", value: isoDate(new Date()), required: true }), { name: "startDate", hint: "От неё рассчитываются сроки этапов (с учётом производственного календаря)." }),
    title: field("Название (необязательно)", h("input", { type: "text", maxlength: 300 }), { name: "title", hint: "По умолчанию — название процесса и организации." }),
  };
  const about = h("div", { class: "workflow-about" });
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
  // The API names the participants `participants` in its errors (the input is `participantIds`).
  const fields = { ...f, participantIds: participants, participants };
  const workflow = () => options.workflows.find((w) => w.key === f.workflowKey.input.value);

  const drawAbout = () => {
    const w = workflow();
    about.replaceChildren(
      w
        ? h(
            "div",
            { class: "card subtle" },
            w.description ? h("p", {}, w.description) : null,
            h("p", { class: "small" }, `${SCOPE[w.scope]}. Этапы: `, w.stages.map((st) => st.title).join(" → ")),
          )
        : "",
    );
  };
  const drawOrgs = async () => {
    const data = await gql(ORGS, { d: f.districtId.input.value || null });
    const checked = new Set([...orgBox.querySelectorAll("input:checked")].map((i) => i.value));
    orgBox.querySelector(".org-list")?.remove();
    orgBox.append(
      h(
        "ul",
        { class: "org-list plain" },
        data.organizations.map((o) =>
          h(
            "li",
            { "data-name": o.name.toLowerCase() },
            h("input", { type: "checkbox", id: `org-${o.id}`, value: o.id, name: "participant", checked: checked.has(o.id) }),
            h("label", { for: `org-${o.id}` }, o.name, h("span", { class: "small muted" }, ` · ${KIND[o.kind]}`)),
          ),
        ),
      ),
    );
    if (!data.organizations.length) orgBox.append(h("p", { class: "org-list empty" }, "В районе нет организаций."));
  };
  orgFilter.addEventListener("input", () => {
    const q = orgFilter.value.trim().toLowerCase();
    orgBox.querySelectorAll("li[data-name]").forEach((li) => {
      li.hidden = Boolean(q) && !li.dataset.name.includes(q);
    });
  });
  orgBox.append(h("label", { for: "org-filter", class: "visually-hidden" }, "Найти организацию"), orgFilter, orgError);
  f.workflowKey.input.addEventListener("change", drawAbout);
  f.districtId.input.addEventListener("change", drawOrgs);

  const submit = h("button", { type: "submit", class: "button" }, "Запустить");
  const form = h(
    "form",
    {
      class: "card launch-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(fields).forEach((x) => x.setError(null));
        errors.replaceChildren();
        const ids = [...orgBox.querySelectorAll("input[name=participant]:checked")].map((i) => i.value);
        if (!ids.length) {
          participants.setError("Отметьте хотя бы одну организацию.");
          participants.input.focus();
          return;
        }
        const w = workflow();
        const batches = w.scope === "ORGANIZATION" ? ids.map((id) => [id]) : [ids];
        submit.disabled = true;
        const launched = [];
        try {
          for (const participantIds of batches) {
            const data = await gql(LAUNCH, {
              i: {
                workflowKey: w.key,
                districtId: f.districtId.input.value,
                participantIds,
                startDate: f.startDate.input.value || null,
                title: f.title.input.value.trim() || null,
              },
            });
            launched.push(data.launchProject);
          }
        } catch (e) {
          showError(e, errors, fields);
          if (launched.length) errors.prepend(alertBox("info", `Запущено проектов: ${launched.length}; следующий не запущен.`));
          submit.disabled = false;
          return;
        }
        announce(launched.length === 1 ? `Проект «${launched[0].title}» запущен.` : `Запущено проектов: ${launched.length}.`);
        navigate(launched.length === 1 ? `/projects/${launched[0].id}` : `/projects?workflow=${encodeURIComponent(w.key)}&status=ACTIVE`);
      },
    },
    errors,
    f.workflowKey.wrap,
    about,
    options.districts.length > 1 ? f.districtId.wrap : null,
    orgBox,
    h("div", { class: "grid-2 tight" }, f.startDate.wrap, f.title.wrap),
    h("div", { class: "actions" }, submit),
  );
  view.append(h("h1", {}, "Запуск проекта"), h("p", { class: "lead" }, "Сроки всех этапов рассчитаются при запуске; их можно будет перенести с указанием причины."), form);
  drawAbout();
  await drawOrgs();
}
