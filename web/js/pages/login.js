// Sign-in: email and password; the token goes to localStorage (see api.js).

import { gql } from "../api.js";
import { signedIn } from "../app.js";
import { h, append, field, showError, alertBox } from "../dom.js";

const LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

export function render(view, { query }) {
  document.getElementById("nav").replaceChildren();
  document.getElementById("session").replaceChildren();
  const email = field("Адрес электронной почты", h("input", { type: "email", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" }), { name: "email" });
  const password = field("Пароль", h("input", { type: "password", autocomplete: "current-password", required: true }), { name: "password" });
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "button" }, "Войти");
  const form = h(
    "form",
    {
      class: "card login-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        email.setError(null);
        password.setError(null);
        if (!email.input.value.trim()) return email.setError("Введите адрес почты.") || email.input.focus();
        if (!password.input.value) return password.setError("Введите пароль.") || password.input.focus();
        submit.disabled = true;
        submit.textContent = "Входим…";
        try {
          const data = await gql(LOGIN, { e: email.input.value.trim(), p: password.input.value });
          await signedIn(data.login.token, query.get("next"));
        } catch (e) {
          showError(e, errors, { email, password });
          submit.disabled = false;
          submit.textContent = "Войти";
        }
      },
    },
    errors,
    email.wrap,
    password.wrap,
    h("div", { class: "actions" }, submit, h("a", { href: "/forgot-password", id: "forgot-link" }, "Забыли пароль?")),
  );
  view.classList.add("login-page");
  append(view, [
    h("h1", {}, "Вход в проектный офис"),
    h("p", { class: "lead" }, "Проекты района, сроки этапов и отчёты по показателям."),
    query.get("expired") ? alertBox("info", "Время входа истекло или вы вышли на другом устройстве. Войдите снова.") : null,
    form,
  ]);
  setTimeout(() => email.input.focus(), 0);
}
