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
