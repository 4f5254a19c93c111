// Reporting periods as the API writes them: `2025-03`, `2025-Q1`, `2025-H1`, `2025`,
// `2024/25` (academic year, September to August), `once`.

const STEP = { MONTH: 1, QUARTER: 3, HALF_YEAR: 6, YEAR: 12, ACADEMIC_YEAR: 12 };

/** The period of `periodicity` containing `date`. */
export function periodOf(date, periodicity) {
  const y = date.getFullYear();
  const m = date.getMonth() + 1;
  switch (periodicity) {
    case "MONTH":
      return `${y}-${String(m).padStart(2, "0")}`;
    case "QUARTER":
      return `${y}-Q${Math.ceil(m / 3)}`;
    case "HALF_YEAR":
      return `${y}-H${m <= 6 ? 1 : 2}`;
    case "YEAR":
      return `${y}`;
    case "ACADEMIC_YEAR": {
      const start = m >= 9 ? y : y - 1;
      return `${start}/${String((start + 1) % 100).padStart(2, "0")}`;
    }
    default:
      return "once";
  }
}

/** The first day of the period containing `date`. */
function startOf(date, periodicity) {
  const y = date.getFullYear();
  const m = date.getMonth();
  switch (periodicity) {
    case "MONTH":
      return new Date(y, m, 1);
    case "QUARTER":
      return new Date(y, m - (m % 3), 1);
    case "HALF_YEAR":
      return new Date(y, m < 6 ? 0 : 6, 1);
    case "YEAR":
      return new Date(y, 0, 1);
    case "ACADEMIC_YEAR":
      return new Date(m >= 8 ? y : y - 1, 8, 1);
    default:
      return new Date(y, m, 1);
  }
}

/**
 * The periods from the one containing `from` up to the one containing `today`, newest first,
 * each `{ period, ended }`.
 */
export function periodsBetween(from, today, periodicity) {
  if (periodicity === "ONCE" || !STEP[periodicity]) return [{ period: "once", ended: false }];
  const out = [];
  let start = startOf(from, periodicity);
  for (let i = 0; i < 240 && start <= today; i++) {
    const next = new Date(start.getFullYear(), start.getMonth() + STEP[periodicity], 1);
    out.push({ period: periodOf(start, periodicity), ended: next <= today });
    start = next;
  }
  return out.reverse();
}

export const PERIODICITY = {
  MONTH: "ежемесячно",
  QUARTER: "ежеквартально",
  HALF_YEAR: "раз в полугодие",
  YEAR: "ежегодно",
  ACADEMIC_YEAR: "раз в учебный год",
  ONCE: "однократно",
};

/** How the period is written, for the hint next to the field. */
export const PERIOD_EXAMPLE = {
  MONTH: "2025-03",
  QUARTER: "2025-Q1",
  HALF_YEAR: "2025-H1",
  YEAR: "2025",
  ACADEMIC_YEAR: "2024/25",
  ONCE: "once",
};

/**
 * "Today" in the project's district as the server sees it: the current stage's due date
 * minus its days left (the server counts them in the district's zone). Falls back to the
 * browser's date.
 */
export function projectToday(project) {
  const st = project.stages && project.stages.find((x) => x.isCurrent);
  if (st && st.currentDue && st.daysLeft !== null && st.daysLeft !== undefined) {
    const [y, m, d] = st.currentDue.split("-").map(Number);
    return new Date(y, m - 1, d - st.daysLeft);
  }
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

const MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"];
const MONTHS_SHORT = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"];
const ROMAN = ["I", "II", "III", "IV"];

/**
 * How a person names a period the API gives as a code: «I квартал 2025 г.», «март 2025 г.»,
 * «2024/25 учебный год»; `short` for chart labels («I кв. 2025»). An unknown code is shown as is.
 * The same names as the engine's `Period::title` (emails, exports).
 */
export function periodTitle(code, short = false) {
  let m;
  if (code === "once") return "однократно";
  if ((m = /^(\d{4})-(\d{2})$/.exec(code))) return short ? `${MONTHS_SHORT[Number(m[2]) - 1]} ${m[1]}` : `${MONTHS[Number(m[2]) - 1]} ${m[1]} г.`;
  if ((m = /^(\d{4})-Q([1-4])$/.exec(code))) return short ? `${ROMAN[m[2] - 1]} кв. ${m[1]}` : `${ROMAN[m[2] - 1]} квартал ${m[1]} г.`;
  if ((m = /^(\d{4})-H([12])$/.exec(code))) return short ? `${ROMAN[m[2] - 1]} пол. ${m[1]}` : `${ROMAN[m[2] - 1]} полугодие ${m[1]} г.`;
  if ((m = /^(\d{4})\/(\d{2})$/.exec(code))) return short ? code : `${code} учебный год`;
  if ((m = /^(\d{4})$/.exec(code))) return short ? code : `${code} год`;
  return code;
}
