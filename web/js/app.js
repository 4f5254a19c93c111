// The application shell: session, navigation by role, and a small history-API router.
// Every page is a module exporting `render(view, ctx)`; it may return a cleanup function.

import { gql, setToken, token, onUnauthenticated } from "./api.js";
import { h, clear, announce, ROLE, alertBox } from "./dom.js";

const ME = "{ me { id email fullName role district { id name timeZone } organization { id name district { id name timeZone } } } }";

const routes = [
  [/^\/$/, null, "home"],
  [/^\/login$/, () => import("./pages/login.js"), "Вход"],
  [/^\/forgot-password$/, () => import("./pages/forgot.js"), "Восстановление пароля"],
  [/^\/set-password$/, () => import("./pages/set-password.js"), "Пароль по ссылке"],
  [/^\/dashboard$/, () => import("./pages/dashboard.js"), "Сводка района"],
  [/^\/projects$/, () => import("./pages/projects.js"), "Проекты"],
  [/^\/projects\/(\d+)$/, () => import("./pages/project.js"), "Проект"],
  [/^\/launch$/, () => import("./pages/launch.js"), "Запуск проекта"],
  [/^\/tasks$/, () => import("./pages/tasks.js"), "Мои задачи"],
  [/^\/calendar$/, () => import("./pages/calendar.js"), "Производственный календарь"],
  [/^\/substitutes$/, () => import("./pages/substitutes.js"), "Замещение"],
  [/^\/password$/, () => import("./pages/password.js"), "Смена пароля"],
  [/^\/admin\/users\/(\d+)$/, () => import("./pages/user.js"), "Пользователь"],
  [/^\/admin(?:\/(\w+))?$/, () => import("./pages/admin.js"), "Администрирование"],
];

export const session = { user: null };

// Pages for people who are not signed in: signing in, asking for a link, using one.
const PUBLIC = new Set(["/login", "/forgot-password", "/set-password"]);

let cleanup = null;
let renderSeq = 0;

/** Goes to `path` (adds a history entry unless `replace`). */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

function homeFor(user) {
  return user.role === "DIRECTOR" ? "/tasks" : "/dashboard";
}

function navItems(user) {
  const items = [];
  if (user.role !== "DIRECTOR") items.push(["/dashboard", "Сводка"]);
  if (user.role === "DIRECTOR" || user.role === "COORDINATOR") items.push(["/tasks", "Мои задачи"]);
  // The projects one answers for, as a whole or for a stage.
  if (user.role === "DIRECTOR" || user.role === "COORDINATOR") items.push(["/projects?mine=1", "Мои проекты"]);
  items.push(["/projects", "Проекты"]);
  if (user.role === "COORDINATOR" || user.role === "ADMIN") items.push(["/launch", "Запуск проекта"]);
  if (user.role !== "DIRECTOR") items.push(["/calendar", "Календарь"]);
  if (user.role === "DIRECTOR" || user.role === "COORDINATOR") items.push(["/substitutes", "Замещение"]);
  if (user.role === "ADMIN") items.push(["/admin", "Администрирование"]);
  if (user.role === "COORDINATOR") items.push(["/admin", "Справочники"]);
  return items;
}

function drawChrome() {
  const nav = clear(document.getElementById("nav"));
  const box = clear(document.getElementById("session"));
  const user = session.user;
  if (!user) return;
  const path = location.pathname;
  nav.append(
    h(
      "ul",
      {},
      navItems(user).map(([href, label]) => {
        const here = path + location.search;
        const current = href.includes("?") ? here === href : (path === href && !(href === "/projects" && here === "/projects?mine=1")) || (href !== "/" && path.startsWith(`${href}/`));
        return h("li", {}, h("a", { href, "aria-current": current ? "page" : null }, label));
      }),
    ),
  );
  const where = user.organization ? user.organization.name : user.district ? user.district.name : "";
  box.append(
    h(
      "span",
      { class: "who" },
      h("span", { class: "who-name" }, user.fullName),
      h("span", { class: "who-role" }, [ROLE[user.role], where].filter(Boolean).join(" · ")),
    ),
    h("a", { class: "button secondary", id: "change-password", href: "/password" }, "Сменить пароль"),
    h("button", { type: "button", class: "button secondary", id: "logout", onclick: logout }, "Выйти"),
  );
}

async function logout() {
  try {
    await gql("mutation { logout }");
  } catch {
    // the token may already be gone; signing out locally is what matters
  }
  setToken(null);
  session.user = null;
  announce("Вы вышли из системы.");
  navigate("/login");
}

/** Loads the signed-in user (null when there is no valid token). */
async function loadUser() {
  if (!token()) return null;
  try {
    return (await gql(ME)).me;
  } catch (e) {
    if (e.code === "UNAUTHENTICATED") {
      setToken(null);
      return null;
    }
    throw e;
  }
}

/** After a sign-in: remember the token and go where the user was heading. */
export async function signedIn(newToken, next) {
  setToken(newToken);
  session.user = await loadUser();
  navigate(next && next !== "/login" ? next : homeFor(session.user), { replace: true });
}

async function render() {
  const seq = ++renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // a page's cleanup must not stop the next page
    }
    cleanup = null;
  }
  const main = document.getElementById("main");
  const path = location.pathname;
  if (!session.user && !PUBLIC.has(path)) {
    try {
      session.user = await loadUser();
    } catch (e) {
      clear(main).append(alertBox("error", e.message));
      return;
    }
    if (!session.user) {
      const next = path + location.search;
      history.replaceState(null, "", next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`);
      return render();
    }
  }
  if (session.user && (path === "/" || path === "/login")) {
    history.replaceState(null, "", homeFor(session.user));
    return render();
  }
  drawChrome();
  const route = routes.find(([pattern]) => pattern.test(path));
  if (!route || !route[1]) {
    clear(main).append(h("h1", { tabindex: "-1" }, "Страница не найдена"), h("p", {}, h("a", { href: "/" }, "На главную")));
    return;
  }
  const [pattern, load, title] = route;
  const params = path.match(pattern).slice(1);
  const view = h("div", { class: "page" });
  clear(main).append(h("p", { class: "loading" }, "Загрузка…"));
  let module;
  try {
    module = await load();
  } catch {
    clear(main).append(alertBox("error", "Не удалось загрузить страницу. Обновите её."));
    return;
  }
  if (seq !== renderSeq) return;
  document.title = `${title} — Проектный офис`;
  const ctx = { params, query: new URLSearchParams(location.search), user: session.user, navigate };
  try {
    const result = await module.render(view, ctx);
    if (seq !== renderSeq) {
      if (typeof result === "function") result();
      return;
    }
    cleanup = typeof result === "function" ? result : null;
  } catch (e) {
    if (seq !== renderSeq) return;
    clear(view).append(h("h1", { tabindex: "-1" }, title), alertBox("error", e.message || "Ошибка."));
  }
  clear(main).append(view);
  const heading = view.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    if (document.activeElement === document.body || document.activeElement === main || !main.contains(document.activeElement)) {
      heading.focus({ preventScroll: true });
    }
    document.title = `${heading.textContent} — Проектный офис`;
  }
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) target.scrollIntoView();
  else window.scrollTo(0, 0);
}

// Links inside the app go through the router; modifier clicks and downloads do not.
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download")) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/graphql") || url.pathname.startsWith("/export")) return;
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener("popstate", render);

onUnauthenticated(() => {
  setToken(null);
  session.user = null;
  const next = location.pathname + location.search;
  history.replaceState(null, "", `/login?next=${encodeURIComponent(next)}&expired=1`);
  render();
});

render();
