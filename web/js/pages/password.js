// «Смена пароля»: the signed-in person changes their own password. The API checks the current
// one and judges the new one (long enough, hard to guess) and says what to change next to the
// field; the other sessions end, this one goes on.

import { gql } from "../api.js";
import { h, field, showError, alertBox, announce } from "../dom.js";

const CHANGE = `mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`;

export async function render(view) {
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const notice = h("div", { id: "password-notice", tabindex: "-1" });
  const current = field("Текущий пароль", h("input", { type: "password", required: true, autocomplete: "current-password" }), { name: "currentPassword" });
  const fresh = field("Новый пароль", h("input", { type: "password", required: true, autocomplete: "new-password" }), {
    name: "newPassword",
    hint: "Не короче 8 знаков. Надёжнее всего — фраза из трёх-четырёх несвязанных слов.",
  });
  const again = field("Новый пароль ещё раз", h("input", { type: "password", required: true, autocomplete: "new-password" }), { name: "repeat" });
  const button = h("button", { type: "submit", class: "button" }, "Сменить пароль");
  const fields = { currentPassword: current, password: fresh, repeat: again };
  const form = h(
    "form",
    {
      class: "card password-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(fields).forEach((x) => x.setError(null));
        errors.replaceChildren();
        notice.replaceChildren();
        if (!current.input.value) return current.setError("Введите текущий пароль.") || current.input.focus();
        if (!fresh.input.value) return fresh.setError("Придумайте новый пароль.") || fresh.input.focus();
        if (fresh.input.value !== again.input.value) return again.setError("Пароли не совпадают: введите новый пароль ещё раз.") || again.input.focus();
        button.disabled = true;
        try {
          await gql(CHANGE, { i: { currentPassword: current.input.value, newPassword: fresh.input.value } });
          Object.values(fields).forEach((x) => (x.input.value = ""));
          const text = "Пароль изменён. На других устройствах нужно будет войти с новым паролем.";
          notice.replaceChildren(alertBox("success", text));
          announce(text);
          notice.focus();
        } catch (e) {
          showError(e, errors, fields);
        } finally {
          button.disabled = false;
        }
      },
    },
    errors,
    current.wrap,
    fresh.wrap,
    again.wrap,
    h("div", { class: "actions" }, button),
  );
  view.append(h("h1", {}, "Смена пароля"), notice, form);
}
