// Tailwind class sets shared by pages and components.
const btn =
  "inline-flex items-center justify-center gap-1.5 rounded-lg px-3.5 py-2 text-sm font-semibold shadow-sm transition " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-50";

export const ui = {
  btnPrimary: `${btn} bg-indigo-600 text-white hover:bg-indigo-500 focus-visible:outline-indigo-600 dark:bg-indigo-500 dark:hover:bg-indigo-400`,
  btnSecondary:
    `${btn} bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-indigo-600 ` +
    "dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:hover:bg-slate-700",
  btnDanger: `${btn} bg-rose-600 text-white hover:bg-rose-500 focus-visible:outline-rose-600`,
  btnWarn: `${btn} bg-amber-500 text-slate-950 hover:bg-amber-400 focus-visible:outline-amber-600`,
  btnSmall:
    "inline-flex items-center gap-1 rounded-md px-2 py-1 text-xs font-medium text-slate-600 ring-1 ring-inset ring-slate-300 hover:bg-slate-100 " +
    "focus-visible:outline-2 focus-visible:outline-indigo-600 dark:text-slate-300 dark:ring-slate-600 dark:hover:bg-slate-800 disabled:opacity-50",
  card: "rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900",
  input:
    "block w-full rounded-lg border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 " +
    "focus:ring-2 focus:ring-inset focus:ring-indigo-600 dark:bg-slate-950 dark:text-slate-100 dark:ring-slate-700 dark:focus:ring-indigo-400 " +
    "aria-[invalid=true]:ring-rose-500 dark:aria-[invalid=true]:ring-rose-500",
  link: "font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600 dark:text-indigo-300",
  muted: "text-slate-500 dark:text-slate-400",
  h1: "text-2xl font-bold tracking-tight text-slate-900 dark:text-white",
  h2: "text-base font-semibold text-slate-900 dark:text-white",
  /** An error said in place (role="alert"). */
  alert: "rounded-lg bg-rose-50 p-3 text-sm text-rose-900 dark:bg-rose-950/60 dark:text-rose-200",
  /** The heading bar of a card that holds a list. */
  cardHeading: "border-b border-slate-200 px-4 py-3 dark:border-slate-800",
} as const;
