// The dashboard's stylesheet, uploaded beside index.html (the script is built from
// _dashboard/script.ts).

export const STYLE_CSS = `:root {
  color-scheme: light dark;
  --ok: #1a7f37;
  --late: #b35900;
  --missing: #c62828;
  --muted: #6b7280;
  --line: #d0d7de;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; }
.summary { margin: 0 0 1rem; color: var(--muted); }
.summary strong { color: inherit; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
/* Long names wrap inside a column that stays readable (never one letter per line); on a narrow
   screen the tables scroll sideways instead of squeezing their columns. */
td.name { font-weight: 600; min-width: 10rem; overflow-wrap: anywhere; }
td.link { min-width: 8rem; overflow-wrap: anywhere; }
@media (max-width: 48rem) {
  table { display: block; overflow-x: auto; }
}
td.ago, td.last { white-space: nowrap; }
.status { display: inline-block; min-width: 5.5rem; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600; text-align: center; }
tr.pending .status { color: var(--muted); border: 1px solid var(--line); }
tr.healthy .status { color: #fff; background: var(--ok); }
tr.late .status { color: #fff; background: var(--late); }
tr.missing .status, tr.error .status, tr.failed .status { color: #fff; background: var(--missing); }
tr.paused .status { color: #fff; background: #777; }
tr.late td.name, tr.missing td.name, tr.error td.name, tr.failed td.name { color: var(--missing); }
.empty { color: var(--muted); font-style: italic; }
ul.sites { padding-left: 1.2rem; }
ul.sites li { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
footer { margin-top: 2rem; font-size: 0.85rem; color: var(--muted); }
.notice { margin: 0.75rem 0 1rem; padding: 0.6rem 0.8rem; border: 1px solid var(--late); border-radius: 6px; }
.notice code { font-size: 0.9em; }
`;
