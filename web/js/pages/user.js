// One person's account: change their name, address, role or place; send the invitation again;
// switch the account off or on; and the account's audit trail — who did what, when.

import { gql, gqlAll, download } from "../api.js";
import { h, field, select, showError, alertBox, announce, fmtDateTime, table, ROLE } from "../dom.js";
import { accountBadge } from "./admin.js";

const USER = `query($id: ID!) { user(id: $id) { id email fullName role active passwordSet lastSignIn
  invitation { sentAt expiresAt expired }
  district { id name } organization { id name district { id } }
  accountHistory { at kind actor { fullName } description } } }`;
const UPDATE = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { id fullName } }";
const INVITE = "mutation($id: ID!) { inviteUser(userId: $id) { user { email } expiresAt } }";
const SWITCH = "mutation($i: SetUserActiveInput!) { setUserActive(input: $i) { id fullName active } }";

export async function render(view, { params, user: me, navigate }) {
  const id = params[0];
  const [{ user: u }, { districts }] = await Promise.all([gql(USER, { id }), gql("{ districts { id name } }")]);
  const notice = h("div", { id: "user-notice", tabindex: "-1" });
  const say = (kind, text) => {
    notice.replaceChildren(alertBox(kind, text));
    announce(text);
    notice.focus();
  };
  const reload = () => navigate(location.pathname, { replace: true });
  const where = u.organization ? u.organization.name : u.district ? u.district.name : "все районы";

  // The state and what can be done about it.
  const actions = h("div", { class: "actions" });
  if (u.active && !u.passwordSet) {
    actions.append(
      h(
        "button",
        {
          type: "button",
          class: "button",
          id: "invite-again",
          onclick: async (e) => {
            e.target.disabled = true;
            try {
              const r = (await gql(INVITE, { id })).inviteUser;
              say("success", `Приглашение отправлено на ${r.user.email}; ссылка действует до ${fmtDateTime(r.expiresAt)}. Прежняя ссылка больше не действует.`);
              setTimeout(reload, 1500);
            } catch (err) {
              say("error", err.message);
              e.target.disabled = false;
            }
          },
        },
        u.invitation ? "Отправить приглашение ещё раз" : "Отправить приглашение",
      ),
    );
  }
  if (u.id !== me.id) {
    actions.append(
      h(
        "button",
        {
          type: "button",
          class: "button secondary",
          id: "switch-account",
          onclick: async (e) => {
            e.target.disabled = true;
            try {
              const r = (await gql(SWITCH, { i: { userId: id, active: !u.active } })).setUserActive;
              say("success", r.active ? `Учётная запись «${r.fullName}» включена.` : `Учётная запись «${r.fullName}» отключена: войти больше нельзя, её сеансы завершены.`);
              setTimeout(reload, 1500);
            } catch (err) {
              say("error", err.message);
              e.target.disabled = false;
            }
          },
        },
        u.active ? "Отключить" : "Включить",
      ),
    );
  }
  // Personal data (152-ФЗ): the administrator hands a person their data, or forgets them.
  const personal = me.role === "ADMIN" && u.id !== me.id
    ? (() => {
        const confirm = h(
          "div",
          { class: "alert alert-warning", id: "anonymise-confirm", hidden: true },
          h("p", {}, `Имя «${u.fullName}» и адрес ${u.email} будут заменены везде — в учётной записи, историях проектов, журналах и очереди писем; учётная запись отключится, отчёты останутся за организацией. Отменить это нельзя.`),
          h(
            "button",
            {
              type: "button",
              class: "button danger",
              id: "anonymise-yes",
              onclick: async (e) => {
                e.target.disabled = true;
                try {
                  await gql("mutation($id: ID!) { anonymiseUser(userId: $id) { id } }", { id });
                  say("success", "Персональные данные обезличены.");
                  setTimeout(reload, 1500);
                } catch (err) {
                  say("error", err.message);
                  e.target.disabled = false;
                }
              },
            },
            "Да, обезличить",
          ),
        );
        return h(
          "section",
          { class: "card" },
          h("h2", {}, "Персональные данные"),
          h("p", { class: "hint" }, "По запросу человека (152-ФЗ): выгрузить всё, что о нём хранится, или обезличить его."),
          h(
            "div",
            { class: "actions" },
            h("button", { type: "button", class: "button secondary", id: "personal-export", onclick: () => download(`/export/personal-data.json?userId=${encodeURIComponent(id)}`, `personal-data-${id}.json`).catch((err) => say("error", err.message)) }, "Выгрузить данные"),
            h("button", { type: "button", class: "button secondary", id: "anonymise", onclick: () => (confirm.hidden = false) }, "Обезличить…"),
          ),
          confirm,
        );
      })()
    : "";
  const state = h(
    "section",
    { class: "card" },
    h("h2", {}, "Состояние"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Учётная запись"),
      h("dd", { id: "account-state" }, accountBadge(u)),
      h("dt", {}, "Последний вход"),
      h("dd", {}, u.lastSignIn ? fmtDateTime(u.lastSignIn) : "не входил"),
      u.invitation ? [h("dt", {}, "Приглашение"), h("dd", {}, `отправлено ${fmtDateTime(u.invitation.sentAt)}, ссылка ${u.invitation.expired ? "устарела" : `действует до ${fmtDateTime(u.invitation.expiresAt)}`}`)] : [],
    ),
    actions,
  );

  // Editing: the account as it should be.
  const roles = me.role === "ADMIN" ? Object.entries(ROLE) : [["DIRECTOR", ROLE.DIRECTOR], ["OBSERVER", ROLE.OBSERVER]];
  const districtOf = u.organization ? u.organization.district.id : u.district ? u.district.id : "";
  const inputs = {
    fullName: field("ФИО", h("input", { type: "text", required: true, value: u.fullName }), { name: "fullName" }),
    email: field("Адрес электронной почты (логин)", h("input", { type: "email", required: true, value: u.email, autocomplete: "off" }), { name: "email" }),
    role: field("Роль", select(roles, u.role), { name: "role" }),
    districtId: field("Район", select([["", "—"], ...districts.map((d) => [d.id, d.name])], districtOf), { name: "districtId", hint: "Район координатора или наблюдателя; для руководителя — район его организации." }),
    organizationId: field("Организация (руководителя)", select([["", "—"]], ""), { name: "organizationId", hint: "Список — организации выбранного района." }),
  };
  const loadOrgs = async (selected) => {
    const d = inputs.districtId.input.value;
    const orgs = d ? await gqlAll("query($d: ID, $after: String) { organizations(districtId: $d, first: 500, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }", { d }, "organizations") : [];
    inputs.organizationId.input.replaceChildren(h("option", { value: "" }, "—"), ...orgs.map((o) => h("option", { value: o.id, selected: o.id === selected ? true : null }, o.name)));
  };
  inputs.districtId.input.addEventListener("change", () => loadOrgs(""));
  await loadOrgs(u.organization ? u.organization.id : "");
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const save = h("button", { type: "submit", class: "button" }, "Сохранить");
  const form = h(
    "form",
    {
      class: "card user-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(inputs).forEach((f) => f.setError(null));
        errors.replaceChildren();
        save.disabled = true;
        try {
          const r = (
            await gql(UPDATE, {
              i: {
                userId: id,
                fullName: inputs.fullName.input.value.trim(),
                email: inputs.email.input.value.trim(),
                role: inputs.role.input.value,
                districtId: inputs.districtId.input.value || null,
                organizationId: inputs.organizationId.input.value || null,
              },
            })
          ).updateUser;
          say("success", `Изменения сохранены: ${r.fullName}.`);
          setTimeout(reload, 1500);
        } catch (e) {
          showError(e, errors, inputs);
          save.disabled = false;
        }
      },
    },
    h("h2", {}, "Изменить"),
    h("p", { class: "hint" }, "После смены роли или места работы человек войдёт заново — уже с новыми правами."),
    errors,
    Object.values(inputs).map((f) => f.wrap),
    h("div", { class: "actions" }, save),
  );

  const KINDS = { CREATED: "создание", INVITED: "приглашение", RESET_SENT: "восстановление пароля", PASSWORD_SET: "пароль по ссылке", PASSWORD_CHANGED: "смена пароля", EDITED: "изменение", DEACTIVATED: "отключение", REACTIVATED: "включение", ANONYMISED: "обезличивание" };
  const history = table(
    "Журнал учётной записи",
    [
      ["Когда", (e) => fmtDateTime(e.at)],
      ["Что", (e) => KINDS[e.kind] || ""],
      ["Кто", (e) => (e.actor ? e.actor.fullName : h("span", { class: "muted" }, e.kind === "PASSWORD_SET" || e.kind === "RESET_SENT" ? "сам человек" : "система"))],
      ["Подробности", (e) => e.description],
    ],
    u.accountHistory,
    { empty: "Записей пока нет.", className: "account-history" },
  );

  view.append(
    h("p", { class: "breadcrumbs" }, h("a", { href: "/admin/users" }, "Пользователи")),
    h("h1", {}, u.fullName),
    h("p", { class: "lead" }, `${ROLE[u.role]} · ${where} · ${u.email}`),
    notice,
    h("div", { class: "grid-2" }, h("div", {}, state, personal), form),
    h("section", { class: "account-trail" }, history),
  );
}
