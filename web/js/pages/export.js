// Export buttons: the files need the bearer token, so they are fetched and saved as Blobs.

import { download } from "../api.js";
import { h, announce, alertBox } from "../dom.js";

/** CSV and XLSX buttons for `/export/<base>.{csv,xlsx}<query>`. */
export function exportButtons(base, query, fileStem) {
  const status = h("span", { class: "export-status", role: "status" });
  const button = (ext, label) =>
    h(
      "button",
      {
        type: "button",
        class: "button secondary small",
        onclick: async (event) => {
          const b = event.currentTarget;
          b.disabled = true;
          status.replaceChildren();
          try {
            await download(`${base}.${ext}${query}`, `${fileStem}.${ext}`);
            announce(`Файл ${fileStem}.${ext} выгружен.`);
          } catch (e) {
            status.replaceChildren(alertBox("error", e.message));
          } finally {
            b.disabled = false;
          }
        },
      },
      label,
    );
  return h("div", { class: "export", role: "group", "aria-label": "Выгрузка" }, button("csv", "Выгрузить CSV"), button("xlsx", "Выгрузить Excel"), status);
}
