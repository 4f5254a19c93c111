// «Забыли пароль?»: the address goes to the API, which sends a link when the address belongs to
// an account. The page says the same thing for any address — whether someone is registered is
// nobody's business here.

import { gql } from "../api.js";
import { h, field, showError, alertBox, announce } from "../dom.js";

const REQUEST = "mutation($e: String!) { requestPasswordReset(email: $e) }";

export function render(view, { query }) {
  document.getElementById("nav").replaceChildren();
  document.getElementById("session").replaceChildren();
  const email = field("Адрес электронной почты", h("input", { type: "email", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false", value: query.get("email") || "" }), { name: "email" });
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const notice = h("div", { id: "forgot-notice", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "button" }, "Прислать ссылку");
  const form = h(
    "form",
    {
      class: "card forgot-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        email.setError(null);
        errors.replaceChildren();
        if (!email.input.value.trim()) return email.setError("Введите адрес почты, с которым вы входите.") || email.input.focus();
        submit.disabled = true;
        try {
          await gql(REQUEST, { e: email.input.value.trim() });
          const text = `Если адрес ${email.input.value.trim()} зарегистрирован, на него придёт письмо со ссылкой. По ней вы зададите новый пароль; ссылка действует один раз, до срока, указанного в письме. Письма нет несколько минут — проверьте папку «Спам».`;
          notice.replaceChildren(alertBox("success", text));
          announce(text);
          notice.focus();
        } catch (e) {
          showError(e, errors, { email });
        } finally {
          submit.disabled = false;
        }
      },
    },
    errors,
    email.wrap,
    h("div", { class: "actions" }, submit, h("a", { href: "/login" }, "Вернуться ко входу")),
  );
  view.classList.add("login-page");
  view.append(
    h("h1", {}, "Восстановление пароля"),
    h("p", { class: "lead" }, "Укажите адрес, с которым входите в проектный офис: мы пришлём на него ссылку, чтобы задать новый пароль."),
    notice,
    form,
  );
  setTimeout(() => email.input.focus(), 0);
}
