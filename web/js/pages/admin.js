// Administration: districts, organizations, users, workflow versions, the notification
// outbox. Coordinators see the parts the API lets them change (organizations and users of
// their district).

import { gql, gqlAll, upload, download } from "../api.js";
import { h, table, field, select, showError, alertBox, announce, fmtDateTime, fmtShortDateTime, paged, ROLE, KIND, SCOPE } from "../dom.js";

const TABS = [
  ["districts", "Районы", ["ADMIN"]],
  ["organizations", "Организации", ["ADMIN", "COORDINATOR"]],
  ["users", "Пользователи", ["ADMIN", "COORDINATOR"]],
  ["import", "Импорт из Excel", ["ADMIN", "COORDINATOR"]],
  ["workflows", "Процессы", ["ADMIN", "COORDINATOR"]],
  ["notifications", "Напоминания", ["ADMIN"]],
];

export async function render(view, { params, user, navigate, query }) {
  const tabs = TABS.filter(([, , roles]) => roles.includes(user.role));
  if (!tabs.length) {
    view.append(h("h1", {}, "Администрирование"), alertBox("error", "Этот раздел доступен администратору и координатору."));
    return;
  }
  const current = tabs.find(([key]) => key === params[0]) || tabs[0];
  view.append(
    h("h1", {}, user.role === "ADMIN" ? "Администрирование" : "Справочники"),
    h("nav", { class: "tabs", "aria-label": "Разделы" }, h("ul", {}, tabs.map(([key, label]) => h("li", {}, h("a", { href: `/admin/${key}`, "aria-current": key === current[0] ? "page" : null }, label))))),
  );
  const section = h("section", { class: "tab-body" });
  view.append(section);
  const reload = () => navigate(location.pathname + location.search, { replace: true });
  await PAGES[current[0]](section, { user, reload, query, navigate });
}

const MIGRATION = `query($k: String!) { migrationPreview(workflowKey: $k) { totalCount target { key version title }
  projects { fromVersion movable refusal changes project { id title rowVersion district { name } } } } }`;
const MIGRATE = `mutation($i: MigrateProjectInput!) { migrateProject(input: $i) { id rowVersion workflow { version } } }`;

/**
 * «Перенос на новую версию»: the running projects of a workflow on older versions, each with
 * what the move changes (or why it cannot move, from the API); the chosen ones are moved one
 * by one, each with the version of the project that was shown, and each says how it went.
 */
function migrationPanel(workflows) {
  const keys = [...new Map(workflows.map((w) => [w.key, w])).values()].filter((w) => workflows.filter((x) => x.key === w.key).length > 1);
  const box = h("section", { class: "panel migration", "aria-labelledby": "migration-h" });
  box.append(h("h2", { id: "migration-h" }, "Перенос идущих проектов на новую версию"));
  if (!keys.length) {
    box.append(h("p", { class: "empty" }, "У всех процессов одна версия: переносить нечего."));
    return box;
  }
  const which = field("Процесс", select(keys.map((w) => [w.key, w.title]), keys[0].key), { name: "migration-workflow" });
  const result = h("div", { class: "migration-result", "aria-live": "polite" });
  const show = async () => {
    result.replaceChildren(h("p", { class: "muted" }, "Загружаем…"));
    let data;
    try {
      data = (await gql(MIGRATION, { k: which.input.value })).migrationPreview;
    } catch (e) {
      result.replaceChildren(alertBox("error", e.message));
      return;
    }
    const target = data.target;
    if (!data.projects.length) {
      result.replaceChildren(h("p", { class: "empty" }, `Все идущие проекты уже на версии ${target.version}.`));
      return;
    }
    const rows = data.projects.map((m) => {
      const id = `migrate-${m.project.id}`;
      const status = h("p", { class: "small migration-status", id: `${id}-status` });
      const box = h("input", { type: "checkbox", id, name: "migrate", value: m.project.id, checked: m.movable, disabled: !m.movable });
      return {
        m,
        box,
        status,
        el: h(
          "li",
          { class: `migration-item${m.movable ? "" : " refused"}`, "data-project": m.project.id },
          h("div", { class: "migration-head" }, box, " ", h("label", { for: id }, h("a", { href: `/projects/${m.project.id}` }, m.project.title)), h("span", { class: "small muted" }, ` · ${m.project.district ? m.project.district.name : ""} · версия ${m.fromVersion} → ${target.version}`)),
          m.movable ? h("ul", { class: "small changes" }, m.changes.map((c) => h("li", {}, c))) : h("p", { class: "small text-red refusal" }, m.refusal),
          status,
        ),
      };
    });
    const button = h("button", { type: "button", class: "button", id: "migrate-chosen" }, "Перенести отмеченные");
    button.addEventListener("click", async () => {
      const chosen = rows.filter((r) => r.box.checked && !r.box.disabled);
      if (!chosen.length) {
        announce("Отметьте проекты, которые переносить.");
        return;
      }
      button.disabled = true;
      let moved = 0;
      for (const r of chosen) {
        try {
          await gql(MIGRATE, { i: { projectId: r.m.project.id, toVersion: target.version, expectedVersion: r.m.project.rowVersion } });
          moved += 1;
          r.box.checked = false;
          r.box.disabled = true;
          r.status.replaceChildren(h("span", { class: "text-green" }, `Перенесён на версию ${target.version}.`));
        } catch (e) {
          r.status.replaceChildren(h("span", { class: "text-red" }, `Не перенесён: ${e.message}`));
        }
      }
      const failed = chosen.length - moved;
      const text = failed ? `Перенесено проектов: ${moved}; не перенесено: ${failed} — причины под каждым.` : `Перенесено проектов: ${moved}.`;
      summary.replaceChildren(alertBox(failed ? "error" : "success", text));
      announce(text);
      button.disabled = false;
    });
    const summary = h("div", { id: "migration-summary" });
    result.replaceChildren(
      h("p", {}, `На версиях старше ${target.version} идут проектов: ${data.totalCount}${data.totalCount > data.projects.length ? ` (показаны первые ${data.projects.length})` : ""}. Этапы сопоставляются по ключу; базовые сроки и отметки сохраняются, открытые сроки пересчитываются по новым правилам.`),
      h("ul", { class: "plain migration-list" }, rows.map((r) => r.el)),
      summary,
      h("div", { class: "actions" }, button),
    );
  };
  which.input.addEventListener("change", show);
  box.append(which.wrap, h("div", { class: "actions" }, h("button", { type: "button", class: "button secondary", id: "migration-show", onclick: show }, "Показать идущие проекты")), result);
  return box;
}

/** A create form: `inputs` are field() results by API input name; `submit(values)` calls the API. */
function createForm(title, inputs, submit, success) {
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const done = h("div");
  const button = h("button", { type: "submit", class: "button" }, "Создать");
  return h(
    "form",
    {
      class: "card create-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        done.replaceChildren();
        button.disabled = true;
        try {
          const result = await submit();
          const said = success(result);
          const { text, kind } = typeof said === "string" ? { text: said, kind: "success" } : said;
          announce(text);
          Object.values(inputs).forEach((f) => {
            f.setError(null);
            if (f.input.tagName !== "SELECT") f.input.value = "";
          });
          errors.replaceChildren();
          done.replaceChildren(alertBox(kind, text));
          setTimeout(() => done.dispatchEvent(new CustomEvent("created", { bubbles: true })), 0);
        } catch (e) {
          showError(e, errors, inputs);
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", {}, title),
    errors,
    Object.values(inputs).map((f) => f.wrap),
    h("div", { class: "actions" }, button),
    done,
  );
}

/** The state of an account as a badge: off, invited (waiting or the link is stale), without a
 * password, or on. */
export function accountBadge(u) {
  if (!u.active) return h("span", { class: "badge health-red" }, "отключена");
  if (!u.passwordSet && u.invitation && !u.invitation.expired) return h("span", { class: "badge health-amber" }, `приглашён, ссылка до ${fmtShortDateTime(u.invitation.expiresAt)}`);
  if (!u.passwordSet && u.invitation) return h("span", { class: "badge health-red" }, "приглашение устарело");
  if (!u.passwordSet) return h("span", { class: "badge health-amber" }, "пароль не задан");
  return h("span", { class: "badge health-green" }, "включена");
}

const PAGES = {
  async districts(section) {
    const { regions } = await gql("{ regions { code name timeZone } }");
    const regionOptions = [["", "— не указан (федеральный календарь) —"], ...regions.map((r) => [r.code, `${r.code} · ${r.name}`])];
    const list = h("div");
    const setRegion = async (d, code, box) => {
      try {
        const r = await gql("mutation($d: ID!, $c: String) { setDistrictRegion(districtId: $d, regionCode: $c) { name region { name } } }", { d: d.id, c: code || null });
        const text = r.setDistrictRegion.region ? `Район «${r.setDistrictRegion.name}»: регион «${r.setDistrictRegion.region.name}», сроки пересчитаны.` : `У района «${r.setDistrictRegion.name}» снят регион.`;
        announce(text);
        box.replaceChildren(alertBox("success", text));
      } catch (e) {
        box.replaceChildren(alertBox("error", e.message));
      }
    };
    const draw = async () => {
      const data = await gql("{ districts { id name timeZone region { code name } } }");
      const status = h("div", { "aria-live": "polite" });
      list.replaceChildren(
        status,
        table(
          "Районы",
          [
            ["Название", (d) => d.name],
            [
              "Регион",
              (d) => {
                const control = select(regionOptions, d.region ? d.region.code : "", { "aria-label": `Регион района «${d.name}»` });
                control.addEventListener("change", () => setRegion(d, control.value, status));
                return control;
              },
            ],
            ["Часовой пояс", (d) => d.timeZone],
            ["", (d) => h("span", {}, h("a", { href: `/dashboard?district=${d.id}` }, "Сводка"), " · ", h("a", { href: `/calendar?district=${d.id}` }, "Календарь"))],
          ],
          data.districts,
          { empty: "Районов ещё нет." },
        ),
      );
    };
    const inputs = {
      name: field("Название района", h("input", { type: "text", required: true })),
      regionCode: field("Регион", select(regionOptions, ""), { hint: "Его нерабочие дни учитываются в сроках района." }),
      timeZone: field("Часовой пояс (IANA)", h("input", { type: "text", spellcheck: "false" }), { hint: "По умолчанию — пояс столицы региона; например, Europe/Moscow или Asia/Yekaterinburg." }),
    };
    inputs.regionCode.input.addEventListener("change", () => {
      const region = regions.find((r) => r.code === inputs.regionCode.input.value);
      if (region) inputs.timeZone.input.value = region.timeZone;
    });
    const form = createForm(
      "Новый район",
      inputs,
      () =>
        gql("mutation($i: CreateDistrictInput!) { createDistrict(input: $i) { id name } }", {
          i: { name: inputs.name.input.value.trim(), regionCode: inputs.regionCode.input.value || null, timeZone: inputs.timeZone.input.value.trim() || null },
        }),
      (r) => `Район «${r.createDistrict.name}» создан.`,
    );
    form.addEventListener("created", draw);
    section.append(h("div", { class: "grid-2" }, list, form));
    await draw();
  },

  async organizations(section, { user }) {
    const { districts } = await gql("{ districts { id name } }");
    const list = h("div");
    // One district at a time: a region has thousands of organizations.
    const shown = select(districts.map((d) => [d.id, d.name]), user.district ? user.district.id : districts[0] && districts[0].id, { id: "orgs-district" });
    const PAGE = 50;
    const ORGS = "query($d: ID, $first: Int, $after: String, $last: Int, $before: String) { organizations(districtId: $d, first: $first, after: $after, last: $last, before: $before) { nodes { id name kind email district { name } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } totalCount } }";
    const draw = async () => {
      const pages = paged(
        async (page) => (await gql(ORGS, { d: shown.value || null, ...page })).organizations,
        (nodes) => table("Организации", [["Название", (o) => o.name], ["Тип", (o) => KIND[o.kind]], ["Район", (o) => (o.district ? o.district.name : "—")], ["Почта", (o) => o.email || "—"]], nodes, { empty: "Организаций ещё нет." }),
        PAGE,
        "организаций",
      );
      list.replaceChildren(pages.box);
      await pages.show();
    };
    const inputs = {
      districtId: field("Район", select(districts.map((d) => [d.id, d.name]), user.district ? user.district.id : "")),
      name: field("Полное название", h("input", { type: "text", required: true })),
      kind: field("Тип", select(Object.entries(KIND), "SCHOOL")),
      email: field("Электронная почта", h("input", { type: "email" })),
    };
    const form = createForm(
      "Новая организация",
      inputs,
      () => gql("mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id name } }", { i: { districtId: inputs.districtId.input.value, name: inputs.name.input.value.trim(), kind: inputs.kind.input.value, email: inputs.email.input.value.trim() || null } }),
      (r) => `Организация «${r.createOrganization.name}» создана.`,
    );
    form.addEventListener("created", draw);
    shown.addEventListener("change", draw);
    section.append(
      districts.length > 1 ? h("div", { class: "toolbar" }, h("label", { for: "orgs-district" }, "Район"), shown) : "",
      h("div", { class: "grid-2" }, list, form),
    );
    await draw();
  },

  async users(section, { user }) {
    const { districts } = await gql("{ districts { id name } }");
    const roles = user.role === "ADMIN" ? Object.entries(ROLE) : [["DIRECTOR", ROLE.DIRECTOR], ["OBSERVER", ROLE.OBSERVER]];
    const inputs = {
      email: field("Адрес электронной почты (логин)", h("input", { type: "email", required: true, autocomplete: "off" }), { name: "email" }),
      fullName: field("ФИО", h("input", { type: "text", required: true }), { name: "fullName" }),
      role: field("Роль", select(roles, "DIRECTOR"), { name: "role" }),
      districtId: field("Район", select([["", "—"], ...districts.map((d) => [d.id, d.name])], ""), { name: "districtId", hint: "Район координатора или наблюдателя; для руководителя — район его организации." }),
      organizationId: field("Организация (руководителя)", select([["", "— сначала выберите район —"]], ""), { name: "organizationId", hint: "Список — организации выбранного района." }),
    };
    // A director's organization is picked from the chosen district's (a region has thousands).
    const loadOrgs = async () => {
      const d = inputs.districtId.input.value;
      const orgs = d ? await gqlAll("query($d: ID, $after: String) { organizations(districtId: $d, first: 500, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }", { d }, "organizations") : [];
      inputs.organizationId.input.replaceChildren(
        h("option", { value: "" }, d ? "—" : "— сначала выберите район —"),
        ...orgs.map((o) => h("option", { value: o.id }, o.name)),
      );
    };
    inputs.districtId.input.addEventListener("change", loadOrgs);
    if (user.district) {
      inputs.districtId.input.value = user.district.id;
      await loadOrgs();
    }
    const form = createForm(
      "Новый пользователь",
      inputs,
      () =>
        gql("mutation($i: CreateUserInput!) { createUser(input: $i) { user { id fullName email role } invitationExpiresAt invitationProblem } }", {
          i: {
            email: inputs.email.input.value.trim(),
            fullName: inputs.fullName.input.value.trim(),
            role: inputs.role.input.value,
            districtId: inputs.districtId.input.value || null,
            organizationId: inputs.organizationId.input.value || null,
          },
        }),
      ({ createUser: r }) =>
        r.invitationProblem
          ? { kind: "warning", text: `Пользователь «${r.user.fullName}» создан, но приглашение не ушло. ${r.invitationProblem}` }
          : `Пользователь «${r.user.fullName}» (${ROLE[r.user.role].toLowerCase()}) создан. Приглашение отправлено на ${r.user.email}: по ссылке из письма человек сам придумает пароль (ссылка действует до ${fmtDateTime(r.invitationExpiresAt)}).`,
    );
    form.querySelector("h2").after(h("p", { class: "hint" }, "Пароль человеку не назначают: ему придёт письмо со ссылкой, по которой он придумает пароль сам."));
    // The list: search by words of the name or the email, status, last sign-in, and switching
    // an account off (its sessions end at once) or back on.
    const list = h("div", { class: "user-list" });
    const notice = h("div", { id: "users-notice", "aria-live": "polite" });
    const search = h("input", { type: "search", id: "users-search", maxlength: 200, placeholder: "ФИО или почта" });
    const status = select([["", "Все"], ["true", "Включены"], ["false", "Отключены"]], "", { id: "users-status" });
    const PAGE = 50;
    const USERS = "query($f: UserFilterInput, $first: Int, $after: String, $last: Int, $before: String) { users(filter: $f, first: $first, after: $after, last: $last, before: $before) { nodes { id fullName email role active passwordSet invitation { expiresAt expired } lastSignIn district { name } organization { name } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } totalCount } }";
    const SWITCH = "mutation($i: SetUserActiveInput!) { setUserActive(input: $i) { id fullName active } }";
    const draw = async () => {
      const f = { search: search.value.trim() || null, active: status.value === "" ? null : status.value === "true" };
      const pages = paged(
        async (page) => (await gql(USERS, { f, ...page })).users,
        (nodes) =>
          table(
            "Пользователи",
            [
              ["ФИО", (u) => h("a", { href: `/admin/users/${u.id}` }, u.fullName)],
              ["Почта", (u) => u.email],
              ["Роль", (u) => ROLE[u.role]],
              ["Где", (u) => (u.organization ? u.organization.name : u.district ? u.district.name : "все районы")],
              ["Последний вход", (u) => (u.lastSignIn ? fmtDateTime(u.lastSignIn) : h("span", { class: "muted" }, "не входил"))],
              ["Состояние", (u) => accountBadge(u)],
              [
                "",
                (u) =>
                  u.id === user.id
                    ? ""
                    : h(
                        "button",
                        {
                          type: "button",
                          class: "button small secondary",
                          "data-user": u.id,
                          onclick: async (e) => {
                            e.target.disabled = true;
                            try {
                              const r = (await gql(SWITCH, { i: { userId: u.id, active: !u.active } })).setUserActive;
                              const text = r.active ? `Учётная запись «${r.fullName}» включена.` : `Учётная запись «${r.fullName}» отключена: войти больше нельзя, её сеансы завершены.`;
                              notice.replaceChildren(alertBox("success", text));
                              announce(text);
                              await draw();
                            } catch (err) {
                              e.target.disabled = false;
                              notice.replaceChildren(alertBox("error", err.message));
                            }
                          },
                        },
                        u.active ? "Отключить" : "Включить",
                      ),
              ],
            ],
            nodes,
            { empty: "Пользователей по этим условиям нет.", className: "users-table" },
          ),
        PAGE,
        "пользователей",
      );
      list.replaceChildren(pages.box);
      await pages.show();
    };
    const filters = h(
      "form",
      { class: "toolbar users-filters", role: "search", "aria-label": "Поиск пользователей", onsubmit: (e) => (e.preventDefault(), draw()) },
      h("label", { for: "users-search" }, "Найти"),
      search,
      h("label", { for: "users-status" }, "Учётные записи"),
      status,
      h("button", { type: "submit", class: "button secondary" }, "Показать"),
    );
    form.addEventListener("created", draw);
    section.append(
      h("p", { class: "hint" }, "Первого администратора создаёт команда project-office users create-admin."),
      filters,
      notice,
      h("div", { class: "grid-2" }, list, form),
    );
    await draw();
  },

  // A district's organizations and directors from one spreadsheet: check first (every problem
  // with its line and column, nothing written), then import in one go; new directors are
  // invited by letter.
  async import(section, { user }) {
    const { districts } = await gql("{ districts { id name } }");
    const ACTION = { CREATE: "добавится", UPDATE: "изменится", UNCHANGED: "без изменений" };
    const district = field("Район", select(districts.map((d) => [d.id, d.name]), user.district ? user.district.id : districts[0] && districts[0].id), { name: "districtId", hint: "Куда добавить организации. Файл со столбцом «Район» может содержать несколько районов." });
    const file = field("Файл XLSX или CSV", h("input", { type: "file", accept: ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv", required: true }), { name: "file", hint: "Столбцы: «Название организации», «Тип», «ФИО руководителя», «Почта руководителя», «Телефон». CSV — с разделителем «;», как его сохраняет Excel." });
    const notice = h("div", { id: "import-notice", tabindex: "-1" });
    const result = h("div", { class: "import-result" });
    const check = h("button", { type: "submit", class: "button" }, "Проверить файл");
    const apply = h("button", { type: "button", class: "button", id: "import-apply", hidden: true }, "Загрузить");
    const say = (kind, text) => {
      notice.replaceChildren(alertBox(kind, text));
      announce(text);
      notice.focus();
    };
    const path = (applyIt) => {
      const f = file.input.files[0];
      const q = new URLSearchParams({ fileName: f ? f.name : "", districtId: district.input.value });
      if (applyIt) q.set("apply", "true");
      return `/import/organizations?${q}`;
    };
    const counted = (c) => `организаций: новых ${c.organizationsCreated}, изменённых ${c.organizationsUpdated}, без изменений ${c.organizationsUnchanged}; руководителей: новых ${c.directorsCreated}, изменённых ${c.directorsUpdated}`;
    const form = h(
      "form",
      {
        class: "card import-form",
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          file.setError(null);
          apply.hidden = true;
          result.replaceChildren();
          notice.replaceChildren();
          const f = file.input.files[0];
          if (!f) return file.setError("Выберите файл.") || file.input.focus();
          check.disabled = true;
          try {
            const plan = await upload(path(false), f);
            const problems = plan.problems.length
              ? table("Ошибки в файле", [["Строка", (p) => p.line], ["Столбец", (p) => p.column], ["Что исправить", (p) => p.message]], plan.problems, { className: "import-problems" })
              : "";
            const lines = table(
              "Что будет загружено",
              [
                ["Строка", (l) => l.line],
                ["Организация", (l) => l.name],
                ["Тип", (l) => KIND[l.kind]],
                ["Район", (l) => l.district],
                ["Изменение", (l) => ACTION[l.action]],
                ["Руководитель", (l) => (l.director ? `${l.director.fullName}, ${l.director.email} — ${l.director.action === "CREATE" ? "получит приглашение" : ACTION[l.director.action]}` : "—")],
              ],
              plan.lines.slice(0, 200),
              { empty: "Строк без ошибок нет.", className: "import-lines" },
            );
            result.replaceChildren(problems, lines, plan.lines.length > 200 ? h("p", { class: "hint" }, `Показаны первые 200 строк из ${plan.lines.length}.`) : "");
            if (plan.problems.length) {
              say("error", `В файле ошибок: ${plan.problems.length}. Исправьте их и проверьте файл снова — пока есть ошибки, ничего не загружается.`);
            } else {
              apply.hidden = false;
              say("info", `Файл проверен, ошибок нет. Будет: ${counted(plan.counts)}. Нажмите «Загрузить».`);
            }
          } catch (e) {
            say("error", e.message);
          } finally {
            check.disabled = false;
          }
        },
      },
      h("h2", {}, "Импорт организаций и руководителей"),
      h("p", {}, "Загрузите таблицу района: сначала файл проверяется, и ничего не меняется, пока в нём есть ошибки. Повторная загрузка того же файла ничего не изменит; изменённые строки обновятся. Новым руководителям придут письма-приглашения — пароль они придумают сами."),
      h("p", {}, h("button", { type: "button", class: "button secondary", id: "import-template", onclick: () => download("/import/organizations-template.xlsx", "Шаблон организаций.xlsx").catch((e) => say("error", e.message)) }, "Скачать шаблон")),
      user.role === "ADMIN" || districts.length > 1 ? district.wrap : "",
      file.wrap,
      h("div", { class: "actions" }, check, apply),
    );
    apply.addEventListener("click", async () => {
      const f = file.input.files[0];
      if (!f) return;
      apply.disabled = true;
      try {
        const done = await upload(path(true), f);
        apply.hidden = true;
        result.replaceChildren();
        const invited = done.invited ? ` Приглашения отправлены: ${done.invited}.` : "";
        if (done.invitationProblems.length) {
          say("warning", `Файл загружен: ${counted(done.counts)}.${invited} Не отправлены приглашения: ${done.invitationProblems.join("; ")} — отправьте их со страницы пользователя.`);
        } else {
          say("success", `Файл загружен: ${counted(done.counts)}.${invited}`);
        }
      } catch (e) {
        say("error", e.message);
      } finally {
        apply.disabled = false;
      }
    });
    section.append(notice, form, result);
  },

  async workflows(section, { user }) {
    const data = await gql("{ workflows(allVersions: true) { key version title scope registeredAt stages { key } indicators { key } } }");
    section.append(
      table(
        "Версии процессов",
        [
          ["Процесс", (w) => h("strong", {}, w.title)],
          ["Версия", (w) => w.version],
          ["Охват", (w) => SCOPE[w.scope]],
          ["Этапов", (w) => w.stages.length],
          ["Показателей", (w) => w.indicators.length],
          ["Появилась", (w) => fmtDateTime(w.registeredAt)],
          ["", (w) => h("a", { href: `/launch?workflow=${encodeURIComponent(w.key)}` }, "Запустить")],
        ],
        data.workflows,
      ),
      h("p", { class: "hint" }, "Новая версия появляется, когда меняется файл процесса; идущие проекты остаются на своей версии, пока их не перенесут."),
    );
    if (user.role === "ADMIN") section.append(migrationPanel(data.workflows));
  },

  async notifications(section, { query, navigate }) {
    const status = (query.get("status") || "").toUpperCase();
    if (status && !["PENDING", "SENDING", "SENT", "FAILED"].includes(status)) return navigate("/admin/notifications");
    const OUTBOX = "query($s: NotificationStatus, $first: Int, $after: String, $last: Int, $before: String) { notifications(status: $s, first: $first, after: $after, last: $last, before: $before) { nodes { id kind recipientEmail projectId status attempts nextAttemptAt lastError createdAt sentAt reminder { projectTitle stageTitle indicatorTitle period due days } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } totalCount } }";
    const STATUS = { PENDING: "ждёт отправки", SENDING: "отправляется", SENT: "отправлено", FAILED: "не отправлено" };
    const KINDS = { DUE_SOON: "скоро срок", OVERDUE: "просрочено", REPORT_MISSING: "нет отчёта" };
    const filter = select([["", "Все"], ...Object.entries(STATUS)], status, { id: "outbox-status", onchange: (e) => navigate(`/admin/notifications${e.target.value ? `?status=${e.target.value}` : ""}`) });
    const result = h("div");
    const run = (dryRun) => async (event) => {
      event.currentTarget.disabled = true;
      try {
        const r = (await gql("mutation($d: Boolean!) { runReminders(dryRun: $d) { planned queued emailsSent itemsSent retrying failed wouldSend { recipientEmail projectTitle } } }", { d: dryRun })).runReminders;
        const text = dryRun
          ? `Было бы отправлено напоминаний: ${r.wouldSend.length}.`
          : `Запланировано: ${r.planned}, новых в очереди: ${r.queued}, писем отправлено: ${r.emailsSent}, повторят позже: ${r.retrying}, не отправлено: ${r.failed}.`;
        result.replaceChildren(alertBox("success", text));
        announce(text);
      } catch (e) {
        result.replaceChildren(alertBox("error", e.message));
      } finally {
        event.target.disabled = false;
      }
    };
    section.append(
      h(
        "div",
        { class: "toolbar" },
        h("label", { for: "outbox-status" }, "Статус"),
        filter,
        h("button", { type: "button", class: "button secondary", onclick: run(true) }, "Проверить без отправки"),
        h("button", { type: "button", class: "button", onclick: run(false) }, "Отправить напоминания сейчас"),
      ),
      result,
    );
    const pages = paged(
      async (page) => (await gql(OUTBOX, { s: status || null, ...page })).notifications,
      (nodes) => table(
        "Очередь писем",
        [
          ["Кому", (n) => n.recipientEmail],
          ["Вид", (n) => KINDS[n.kind] || n.kind],
          ["О чём", (n) => (n.reminder ? [n.reminder.projectTitle, n.reminder.stageTitle ? `, ${n.reminder.stageTitle}` : "", n.reminder.indicatorTitle ? `, ${n.reminder.indicatorTitle} за ${n.reminder.period}` : ""] : n.projectId ? h("a", { href: `/projects/${n.projectId}` }, `Проект ${n.projectId}`) : "—")],
          ["Статус", (n) => h("span", { class: `badge outbox-${n.status.toLowerCase()}` }, STATUS[n.status] || n.status)],
          ["Попыток", (n) => n.attempts],
          ["Следующая попытка", (n) => (n.status === "PENDING" ? fmtShortDateTime(n.nextAttemptAt) : "—")],
          ["Последняя ошибка", (n) => (n.lastError ? h("span", { class: "text-red small" }, n.lastError) : "—")],
          ["Создано", (n) => fmtShortDateTime(n.createdAt)],
          ["Отправлено", (n) => (n.sentAt ? fmtShortDateTime(n.sentAt) : "—")],
        ],
        nodes,
        { empty: "Писем в очереди нет." },
      ),
      100,
      "писем",
    );
    section.append(pages.box);
    await pages.show();
  },
};
