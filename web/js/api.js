// The GraphQL client: requests over HTTP, subscriptions over a websocket, file downloads.
// The bearer token lives in localStorage so that a sign-in survives a reload.

const TOKEN_KEY = "po.token";

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

/** An error the API returned: `code` is `extensions.code`, `field` is `extensions.field`. */
export class ApiError extends Error {
  constructor(message, code, field) {
    super(message);
    this.code = code || "INTERNAL";
    this.field = field || null;
  }
}

const listeners = new Set();

/** Called with every `UNAUTHENTICATED` error, so the app can show the sign-in page. */
export function onUnauthenticated(listener) {
  listeners.add(listener);
}

/** Runs a query or mutation; resolves to `data`, rejects with an {@link ApiError}. */
export async function gql(query, variables = {}) {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("Нет связи с сервером. Проверьте подключение и повторите.", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Сервер ответил ошибкой (${response.status}). Повторите позже.`, "INTERNAL");
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const ext = first.extensions || {};
    const error = new ApiError(first.message, ext.code, ext.field);
    if (error.code === "UNAUTHENTICATED" && t) listeners.forEach((l) => l(error));
    throw error;
  }
  return body.data;
}

/**
 * Every item of a paged list (a connection): runs `query` with `$after` set to each page's
 * `pageInfo.endCursor` until the last page. `path` names the connection in `data` (for
 * example "organizations"); the query selects `nodes { … } pageInfo { hasNextPage endCursor }`
 * on it. For pickers that must offer all of a district's organizations, never for lists a
 * person reads page by page.
 */
export async function gqlAll(query, variables, path) {
  const items = [];
  let after = null;
  for (let page = 0; page < 100; page += 1) {
    const connection = (await gql(query, { ...variables, after }))[path];
    items.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return items;
}

/**
 * Subscribes over `/graphql/ws` (graphql-transport-ws). `onEvent(data)` gets each result;
 * `variablesFor()` is asked for the variables on every (re)connect, so a reconnect can resume
 * after the last event received. Returns a function that stops it.
 */
export function subscribe(query, variablesFor, onEvent, onStatus = () => {}) {
  let socket = null;
  let stopped = false;
  let attempt = 0;
  let timer = null;
  const open = () => {
    if (stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/graphql/ws`, "graphql-transport-ws");
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token()}` } }));
    });
    socket.addEventListener("message", (message) => {
      let m;
      try {
        m = JSON.parse(message.data);
      } catch {
        return;
      }
      if (m.type === "connection_ack") {
        attempt = 0;
        onStatus("connected");
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables: variablesFor() } }));
      } else if (m.type === "next" && m.payload && m.payload.data) {
        onEvent(m.payload.data);
      } else if (m.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (m.type === "error") {
        onStatus("error");
      }
    });
    socket.addEventListener("close", () => {
      if (stopped) return;
      onStatus("reconnecting");
      attempt += 1;
      timer = setTimeout(open, Math.min(30000, 1000 * 2 ** Math.min(attempt, 5)));
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (socket && socket.readyState <= 1) socket.close(1000);
  };
}

/**
 * Downloads `/export/...` with the bearer token (a plain link cannot send it): fetch, then a
 * Blob behind a temporary object URL.
 */
export async function download(path, fileName) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!response.ok) {
    let message = `Не удалось выгрузить файл (${response.status}).`;
    try {
      const body = await response.json();
      if (body.errors && body.errors[0]) message = body.errors[0].message;
    } catch {
      // not JSON: keep the generic message
    }
    throw new ApiError(message, "EXPORT");
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Sends a file as the body of `POST path` with the bearer token; resolves to the JSON answer,
 * rejects with an {@link ApiError} carrying the API's message.
 */
export async function upload(path, file) {
  let response;
  try {
    response = await fetch(path, { method: "POST", headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/octet-stream" }, body: file });
  } catch {
    throw new ApiError("Нет связи с сервером. Проверьте подключение и повторите.", "NETWORK");
  }
  if (response.status === 413) throw new ApiError("Файл слишком большой: разделите его на несколько (до 1 МБ каждый).", "VALIDATION");
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Сервер ответил ошибкой (${response.status}). Повторите позже.`, "INTERNAL");
  }
  if (!response.ok || body.errors) {
    const error = body.errors && body.errors[0];
    const e = new ApiError(error ? error.message : `Ошибка ${response.status}.`, error && error.extensions && error.extensions.code);
    if (e.code === "UNAUTHENTICATED") listeners.forEach((l) => l(e));
    throw e;
  }
  return body;
}
