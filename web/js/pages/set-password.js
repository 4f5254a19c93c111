// The page a letter's link opens (an invitation or a reset): the token is in the fragment
// (`/set-password#po_link_…`), which never reaches a server; the page takes it out of the
// address bar at once, says whom the link is for, and sets the password the person chooses.
// The API judges the password (long enough, hard to guess) and says what to change; a used or
// stale link gets a message with the way to a new one.

import { gql } from "../api.js";
import { signedIn } from "../app.js";
import { h, field, showError, alertBox, fmtDateTime } from "../dom.js";

const LINK = "query($t: String!) { passwordLink(token: $t) { fullName email invitation expiresAt } }";
const SET = "mutation($i: SetPasswordWithLinkInput!) { setPasswordWithLink(input: $i) { token } }";

// The token survives re-renders of this page (the fragment is gone from the address bar).
let remembered = "";

export async function render(view) {
  document.getElementById("nav").replaceChildren();
  document.getElementById("session").replaceChildren();
  view.classList.add("login-page");
  if (location.hash.length > 1) {
    remembered = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, "", "/set-password");
  }
  const token = remembered;
  const again = h("p", {}, h("a", { href: "/forgot-password" }, "Получить новую ссылку"), " · ", h("a", { href: "/login" }, "Вход"));
  if (!token) {
    view.append(h("h1", {}, "Пароль по ссылке"), alertBox("error", "Ссылка открыта не полностью: скопируйте её из письма целиком, вместе с частью после знака «#»."), again);
    return;
  }
  let link;
  try {
    link = (await gql(LINK, { t: token })).passwordLink;
  } catch (e) {
    view.append(h("h1", {}, "Пароль по ссылке"), alertBox("error", e.message), again);
    return;
  }
  const fresh = field("Пароль", h("input", { type: "password", required: true, autocomplete: "new-password" }), {
    name: "password",
    hint: "Не короче 8 знаков. Надёжнее всего — фраза из трёх-четырёх несвязанных слов.",
  });
  const repeat = field("Пароль ещё раз", h("input", { type: "password", required: true, autocomplete: "new-password" }), { name: "repeat" });
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const button = h("button", { type: "submit", class: "button" }, link.invitation ? "Задать пароль и войти" : "Сменить пароль и войти");
  const form = h(
    "form",
    {
      class: "card set-password-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        fresh.setError(null);
        repeat.setError(null);
        errors.replaceChildren();
        if (!fresh.input.value) return fresh.setError("Придумайте пароль.") || fresh.input.focus();
        if (fresh.input.value !== repeat.input.value) return repeat.setError("Пароли не совпадают: введите пароль ещё раз.") || repeat.input.focus();
        button.disabled = true;
        try {
          const r = (await gql(SET, { i: { token, password: fresh.input.value } })).setPasswordWithLink;
          remembered = "";
          await signedIn(r.token, null);
        } catch (e) {
          showError(e, errors, { password: fresh, repeat });
          button.disabled = false;
        }
      },
    },
    errors,
    // The login the browser's password manager stores with the new password.
    h("input", { type: "email", name: "username", autocomplete: "username", value: link.email, hidden: true, readonly: true, "aria-label": "Адрес почты", tabindex: "-1" }),
    fresh.wrap,
    repeat.wrap,
    h("div", { class: "actions" }, button),
  );
  view.append(
    h("h1", {}, link.invitation ? "Добро пожаловать в проектный офис" : "Новый пароль"),
    h(
      "p",
      { class: "lead" },
      `${link.fullName}, ${link.invitation ? "придумайте пароль" : "задайте новый пароль"} для входа с адресом ${link.email}. Ссылка действует до ${fmtDateTime(link.expiresAt)}.`,
    ),
    form,
  );
  setTimeout(() => fresh.input.focus(), 0);
}
