/* Draws the scorecard's charts from the JSON the page embeds (no inline script, no CDN). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent || "[]");
  var colours = ["#ff7a59", "#00a1e0", "#2f9e44", "#7048e8", "#e67700"];
  var lang = document.documentElement.lang || "en";
  charts.forEach(function (spec, index) {
    var canvas = document.getElementById("chart-" + index);
    if (!canvas) { return; }
    var suffix = spec.unit === "percent" ? " %" : "";
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels.map(function (iso) {
          var day = new Date(iso + "T12:00:00");
          return isNaN(day) ? iso : day.toLocaleDateString(lang, { day: "numeric", month: "short" });
        }),
        datasets: spec.datasets.map(function (set, i) {
          var colour = colours[i % colours.length];
          return { label: set.label, data: set.data, borderColor: colour,
                   backgroundColor: colour, spanGaps: true, tension: 0.2 };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0, callback: function (v) {
          return v.toLocaleString(lang) + suffix; } } } }
      }
    });
  });
})();
