// The portal's evaluation chart (Apache ECharts, vendored).  Progressive
// enhancement: the factor table beside it says the same without script.
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("factor-chart");
    if (!node || !window.echarts) { return; }
    var data = JSON.parse(node.getAttribute("data-chart"));
    var labels = [node.getAttribute("data-label-base")];
    var values = [data.base];
    data.factors.forEach(function (f) { labels.push(f.label); values.push(f.impact); });
    labels.push(node.getAttribute("data-label-score"));
    values.push(data.score);
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: labels, inverse: true },
      series: [{
        type: "bar",
        data: values.map(function (v, i) {
          var last = i === 0 || i === values.length - 1;
          return { value: v, itemStyle: { color: last ? "#1f5fa8" : (v < 0 ? "#b3261e" : "#2e7d32") } };
        }),
        label: { show: true, position: "right" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
})();
