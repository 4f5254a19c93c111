// «Замещение»: who stands in for you while you are away. For those days your reminders also go
// to the substitute, marked «Вы замещаете», and yours say who stands in. A coordinator may
// also name a substitute for another coordinator of the district (a director's substitute is
// named by the director, or through the API by the coordinator). The API decides who may stand
// in (`substituteCandidates`: the same role, district and organization) and refuses what does
// not fit (days in the past or taken, more than a year) next to the field to fix.

import { gql } from "../api.js";
import { h, field, select, showError, alertBox, announce, fmtDate, isoDate, table } from "../dom.js";

const CANDIDATES = `query($u: ID) { substituteCandidates(userId: $u) { id fullName } }`;
const LIST = `query($u: ID) { substitutions(userId: $u) { id startsOn endsOn substitute { id fullName } } }`;
const SET = `mutation($i: SetSubstitutionInput!) { setSubstitution(input: $i) { id startsOn endsOn substitute { fullName } } }`;
const CANCEL = `mutation($id: ID!) { cancelSubstitution(id: $id) }`;

export async function render(view, { user }) {
  const notice = h("div", { id: "substitutes-notice", tabindex: "-1" });
  const errors = h("div", { class: "form-errors", tabindex: "-1" });
  const listBox = h("section", { class: "panel", "aria-labelledby": "subs-h" });
  // A coordinator's colleagues, who they may also name a substitute for.
  const colleagues = user.role === "COORDINATOR" ? (await gql(CANDIDATES, { u: null })).substituteCandidates : [];
  const away = field(
    "Кто будет отсутствовать",
    select([[user.id, `Я (${user.fullName})`], ...colleagues.map((c) => [c.id, c.fullName])], user.id),
    { name: "away" },
  );
  const who = field("Кто замещает", h("select", { required: true }), { name: "substitute" });
  const today = isoDate(new Date());
  const starts = field("С", h("input", { type: "date", required: true, min: today }), { name: "startsOn" });
  const ends = field("По (включительно)", h("input", { type: "date", required: true, min: today }), { name: "endsOn" });
  const fields = { substituteId: who, startsOn: starts, endsOn: ends, userId: away };
  const button = h("button", { type: "submit", class: "button" }, "Назначить");

  const awayName = () => away.input.selectedOptions[0]?.textContent || "";
  const load = async () => {
    const u = away.input.value;
    const [list, people] = await Promise.all([gql(LIST, { u }), gql(CANDIDATES, { u })]);
    const kept = who.input.value;
    who.input.replaceChildren(
      h("option", { value: "" }, people.substituteCandidates.length ? "Выберите коллегу" : "Некому замещать: нет коллег той же роли"),
      ...people.substituteCandidates.map((p) => h("option", { value: p.id, selected: p.id === kept }, p.fullName)),
    );
    listBox.replaceChildren(
      h("h2", { id: "subs-h" }, u === user.id ? "Ваши замещения" : `Замещения: ${awayName()}`),
      table(
        null,
        [
          ["Кто замещает", (s) => s.substitute.fullName],
          ["С", (s) => fmtDate(s.startsOn)],
          ["По", (s) => fmtDate(s.endsOn)],
          [
            "",
            (s) =>
              h(
                "button",
                {
                  type: "button",
                  class: "button small secondary",
                  "data-cancel": s.id,
                  onclick: async (e) => {
                    e.target.disabled = true;
                    try {
                      await gql(CANCEL, { id: s.id });
                      const text = `Замещение с ${fmtDate(s.startsOn)} по ${fmtDate(s.endsOn)} отменено.`;
                      notice.replaceChildren(alertBox("success", text));
                      announce(text);
                      await load();
                    } catch (err) {
                      e.target.disabled = false;
                      showError(err, errors);
                    }
                  },
                },
                "Отменить",
              ),
          ],
        ],
        list.substitutions,
        { empty: "Замещений нет: все напоминания приходят только вам.", className: "substitutions-table" },
      ),
    );
  };
  away.input.addEventListener("change", () => {
    who.input.value = "";
    load().catch((e) => showError(e, errors));
  });

  const form = h(
    "form",
    {
      class: "card substitute-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        Object.values(fields).forEach((f) => f.setError(null));
        errors.replaceChildren();
        if (!who.input.value) return who.setError("Выберите, кто будет замещать.") || who.input.focus();
        if (!starts.input.value) return starts.setError("Укажите первый день.") || starts.input.focus();
        if (!ends.input.value) return ends.setError("Укажите последний день.") || ends.input.focus();
        button.disabled = true;
        try {
          const data = await gql(SET, { i: { userId: away.input.value, substituteId: who.input.value, startsOn: starts.input.value, endsOn: ends.input.value } });
          const s = data.setSubstitution;
          const text = `${s.substitute.fullName} замещает с ${fmtDate(s.startsOn)} по ${fmtDate(s.endsOn)}. В эти дни напоминания придут и ему.`;
          notice.replaceChildren(alertBox("success", text));
          announce(text);
          starts.input.value = "";
          ends.input.value = "";
          await load();
        } catch (e) {
          showError(e, errors, fields);
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", {}, "Назначить замещающего"),
    errors,
    colleagues.length ? away.wrap : null,
    who.wrap,
    h("div", { class: "grid-2 tight" }, starts.wrap, ends.wrap),
    h("div", { class: "actions" }, button),
  );

  view.append(
    h("h1", {}, "Замещение"),
    h(
      "p",
      { class: "lead" },
      "На время отпуска, болезни или командировки назначьте, кто вас замещает. В эти дни ваши напоминания будут приходить и ему — с пометкой «Вы замещаете», а вам — с пометкой, кто замещает.",
    ),
    notice,
    listBox,
    form,
  );
  await load();
}
