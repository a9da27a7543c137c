// Renders every [data-figure] element from the figures its page's chart script defined.
// No network, no eval: the figures are plain data in a local file (the Content-Security-Policy allows
// scripts from this site only).
(function () {
  'use strict';
  function render() {
    var figures = window.SENTINEL_FIGURES || {};
    var nodes = document.querySelectorAll('[data-figure]');
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var fig = figures[el.getAttribute('data-figure')];
      if (!fig || typeof Plotly === 'undefined') {
        el.setAttribute('data-rendered', 'missing');
        continue;
      }
      var config = Object.assign({ responsive: true, displaylogo: false, displayModeBar: false }, fig.config || {});
      (function (node) {
        Plotly.newPlot(node, fig.data, fig.layout, config).then(function () {
          node.setAttribute('data-rendered', '1');
        });
      })(el);
    }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', render);
  } else {
    render();
  }
})();

// Sort, filter and search for tables marked up by the site (progressive enhancement: without this script every
// row is shown in the site's own order). No inline script, no network, no eval; only attributes the site wrote:
//   <table data-sortable>            click (or Enter on) a header to sort by it; aria-sort says how
//   <th data-sort="num|text">        numbers sort by a cell's data-value (else its text)
//   <div class="filters" data-table="ID"> holding <input data-filter="search"> and <select data-filter="NAME">:
//     a row stays when its data-search holds the typed text and, for each select, its data-NAME holds the value
//     (space-separated lists: data-versions="0.9.0 0.10.0"); a status line counts the rows shown.
(function () {
  'use strict';
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return numeric ? -Infinity : ''; }
    var raw = cell.getAttribute('data-value');
    if (raw === null) { raw = cell.textContent || ''; }
    if (numeric) {
      var n = parseFloat(String(raw).replace(/[,%×]/g, ''));
      return isNaN(n) ? -Infinity : n;
    }
    return String(raw).trim().toLowerCase();
  }

  function sortBy(table, th, index) {
    var numeric = th.getAttribute('data-sort') === 'num';
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    var headers = table.querySelectorAll('thead th');
    for (var i = 0; i < headers.length; i++) { headers[i].removeAttribute('aria-sort'); }
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.setAttribute('data-order', r.getAttribute('data-order') || String(i)); });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      var c = x < y ? -1 : x > y ? 1 : 0;
      if (c === 0) { c = Number(a.getAttribute('data-order')) - Number(b.getAttribute('data-order')); return c; }
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function enableSorting(table) {
    var headers = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(headers, function (th, index) {
      if (!th.hasAttribute('data-sort')) { return; }
      th.setAttribute('tabindex', '0');
      th.classList.add('sortable');
      th.addEventListener('click', function () { sortBy(table, th, index); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th, index); }
      });
    });
  }

  function enableFilters(bar) {
    var table = document.getElementById(bar.getAttribute('data-table'));
    if (!table) { return; }
    var controls = bar.querySelectorAll('[data-filter]');
    var status = bar.querySelector('.filter-status');
    function apply() {
      var rows = table.tBodies[0].rows, shown = 0, total = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        if (!row.hasAttribute('data-search')) { continue; }
        total++;
        var keep = true;
        for (var j = 0; j < controls.length && keep; j++) {
          var c = controls[j], name = c.getAttribute('data-filter'), value = (c.value || '').trim().toLowerCase();
          if (!value) { continue; }
          if (name === 'search') {
            keep = (row.getAttribute('data-search') || '').indexOf(value) >= 0;
          } else {
            keep = (' ' + (row.getAttribute('data-' + name) || '').toLowerCase() + ' ').indexOf(' ' + value + ' ') >= 0;
          }
        }
        row.hidden = !keep;
        if (keep) { shown++; }
      }
      if (status) { status.textContent = 'showing ' + shown + ' of ' + total; }
    }
    Array.prototype.forEach.call(controls, function (c) {
      c.addEventListener('input', apply);
      c.addEventListener('change', apply);
    });
    bar.hidden = false;
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('table[data-sortable]'), enableSorting);
    Array.prototype.forEach.call(document.querySelectorAll('.filters[data-table]'), enableFilters);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
