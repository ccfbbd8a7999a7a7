"""The page's stylesheet and its script (figures from JSON, the sortable paged table)."""

CSS = """
:root { --fg: #222; --muted: #666; --line: #e3e3e3; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0; background: #fafafa; }
header { background: #1f2a38; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header .sub { color: #c9d3de; font-size: 13px; margin-top: 2px; }
nav { background: #fff; border-bottom: 1px solid var(--line);
      padding: 6px 24px; font-size: 13px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; white-space: nowrap; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 40px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 16px 0;
          padding: 12px 18px; }
section h2 { font-size: 16px; margin: 4px 0 10px; }
.note { color: var(--muted); font-size: 12.5px; margin: 6px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
        gap: 12px 28px; }
table.kv, table.data { border-collapse: collapse; font-size: 13px; }
table.kv td { padding: 2px 10px 2px 0; vertical-align: top; }
table.kv td:first-child { color: var(--muted); white-space: nowrap; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 3px 8px;
                               text-align: left; }
table.data th { background: #f3f5f8; white-space: nowrap; }
.tablewrap th { position: sticky; top: 0; cursor: pointer; user-select: none; }
table.data th.sorted-asc::after { content: " \\25B2"; }
table.data th.sorted-desc::after { content: " \\25BC"; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-Completed { color: #2f5d8a; } .status-Failed { color: #c0392b; }
.status-Stopped { color: #c46a14; } .status-InProgress { color: #3d7a36; }
.counters { display: flex; gap: 10px; flex-wrap: wrap; margin: 6px 0 10px; }
.counter { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 96px; }
.counter b { display: block; font-size: 20px; }
.counter span { color: var(--muted); font-size: 12px; }
.tablewrap { max-height: 560px; overflow: auto; border: 1px solid var(--line); }
.pager { margin: 8px 0; display: flex; gap: 8px; align-items: center; font-size: 13px; }
.pager input { padding: 3px 6px; width: 240px; }
code { background: #f3f5f8; padding: 0 3px; border-radius: 3px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin: 20px 0; }
"""

JS = """
(function () {
  "use strict";
  var figs = JSON.parse(document.getElementById("amtune-figures").textContent);
  var config = {responsive: true, displaylogo: false};
  var timings = window.amtuneTimings = {};  // milliseconds per figure (read by the benchmark)
  Object.keys(figs).forEach(function (id) {
    var f = figs[id], t0 = performance.now();
    Plotly.newPlot(id, f.data, f.layout, config);
    timings[id] = performance.now() - t0;
  });

  var t = JSON.parse(document.getElementById("amtune-table").textContent);
  var pageSize = 100, page = 0, sortCol = 0, sortDir = 1, filter = "";
  var rows = t.rows.slice();
  var view = rows;
  var table = document.getElementById("jobs-table");
  var info = document.getElementById("jobs-info");
  function cmp(a, b) {
    var x = a[sortCol], y = b[sortCol];
    if (x === null || x === undefined) return (y === null || y === undefined) ? 0 : 1;
    if (y === null || y === undefined) return -1;
    if (t.numeric[sortCol]) return sortDir * (x - y);
    return sortDir * String(x).localeCompare(String(y));
  }
  function refilter() {
    var q = filter.toLowerCase();
    view = q ? rows.filter(function (r) {
      return r.some(function (v) { return v !== null && String(v).toLowerCase().indexOf(q) >= 0; });
    }) : rows;
  }
  function render() {
    var head = "<thead><tr>" + t.columns.map(function (c, i) {
      var cls = i === sortCol ? (sortDir > 0 ? "sorted-asc" : "sorted-desc") : "";
      return '<th data-col="' + i + '" class="' + cls + '">' + esc(c) + "</th>";
    }).join("") + "</tr></thead>";
    var pages = Math.max(1, Math.ceil(view.length / pageSize));
    page = Math.min(page, pages - 1);
    var body = view.slice(page * pageSize, (page + 1) * pageSize).map(function (r) {
      return "<tr>" + r.map(function (v, i) {
        var cls = t.numeric[i] ? "num" : "";
        if (t.columns[i] === "TrainingJobStatus") cls += " status-" + v;
        var s = v === null ? "" :
          (typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(6) : v);
        return '<td class="' + cls + '">' + esc(String(s)) + "</td>";
      }).join("") + "</tr>";
    }).join("");
    table.innerHTML = head + "<tbody>" + body + "</tbody>";
    info.textContent = view.length + " of " + rows.length + " training jobs; page " + (page + 1) +
      " of " + pages;
  }
  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;");
  }
  table.addEventListener("click", function (e) {
    var th = e.target.closest("th");
    if (!th) return;
    var c = +th.dataset.col;
    sortDir = c === sortCol ? -sortDir : 1;
    sortCol = c;
    rows.sort(cmp);
    refilter();
    page = 0;
    render();
  });
  document.getElementById("jobs-prev").onclick = function () {
    page = Math.max(0, page - 1); render();
  };
  document.getElementById("jobs-next").onclick = function () { page += 1; render(); };
  document.getElementById("jobs-filter").oninput = function (e) {
    filter = e.target.value; page = 0; refilter(); render();
  };
  var t1 = performance.now();
  render();
  timings["jobs-table"] = performance.now() - t1;
  document.body.setAttribute("data-rendered", "yes");
})();
"""
