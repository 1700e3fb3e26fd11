/**
 * The report's only style and script, inlined. The script reads the table the server rendered
 * (escaped text) and hides rows; it never writes HTML, so no id can become markup. The page's
 * Content-Security-Policy allows exactly these two blocks (by hash) and no network at all.
 */

export const CSS = `
:root{color-scheme:light;--fg:#1c2833;--muted:#5d6d7e;--line:#d5d8dc;--bg:#fbfcfc;--warn:#b03a2e;--ok:#1e7145}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:0 0 6px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.meta,.note,.empty{color:var(--muted)}
.banner{background:#fdedec;border:1px solid var(--warn);color:var(--warn);padding:8px 12px;border-radius:6px;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:140px}
.card .value{font-size:24px;font-weight:700}.card .label{color:var(--muted)}.card.warn .value{color:var(--warn)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin-top:12px;overflow-x:auto;min-width:0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
tr.over td{color:var(--warn);font-weight:600}
td.up{color:var(--warn);font-weight:600}td.down{color:var(--ok)}
figure{margin:8px 0}
svg.chart{width:100%;max-width:960px;height:auto;background:#fff;border:1px solid var(--line);border-radius:8px}
svg .grid{stroke:#eaeded}svg .axis{stroke:#7b8a8b}svg .tick{font-size:11px;fill:#5d6d7e}
svg .bar:hover{opacity:.75}
.legend{display:flex;flex-wrap:wrap;gap:14px;color:var(--muted);margin-top:4px}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0}
.filters input,.filters select{font:inherit;padding:3px 6px}
.count{color:var(--muted)}
tr[hidden]{display:none}
tr.overdue td{color:var(--warn);font-weight:600}tr.held td{background:#fef9e7}
details.data{margin:4px 0 12px;color:var(--muted)}details.data summary{cursor:pointer}details.data table{margin-top:6px;color:var(--fg)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
.charts figure{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 10px;margin:0;min-width:0}
.charts figcaption{font-weight:600;margin-bottom:4px}.charts svg.chart{border:0}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`;

export const SCRIPT = `
(function () {
  'use strict';
  var table = document.getElementById('targets');
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var controls = Array.prototype.slice.call(document.querySelectorAll('[data-filter]'));
  var counter = document.querySelector('[data-testid="row-count"]');
  var text = rows.map(function (r) { return (r.cells[0].textContent + ' ' + r.cells[3].textContent).toLowerCase(); });
  function fmt(n) { return String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ','); }
  function apply() {
    var want = {};
    controls.forEach(function (c) { want[c.getAttribute('data-filter')] = c.value; });
    var q = (want.text || '').trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r, i) {
      var ok = (!q || text[i].indexOf(q) !== -1) &&
        (!want.type || r.getAttribute('data-type') === want.type) &&
        (!want.op || r.getAttribute('data-op') === want.op) &&
        (!want.policy || r.getAttribute('data-policy') === want.policy) &&
        (!want.status || r.getAttribute('data-status') === want.status);
      r.hidden = !ok;
      if (ok) shown++;
    });
    if (counter) counter.textContent = fmt(shown) + ' of ' + fmt(rows.length) + ' rows';
  }
  controls.forEach(function (c) { c.addEventListener('input', apply); c.addEventListener('change', apply); });
  apply();
})();
`;
