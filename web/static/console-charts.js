// Draws the dashboard's charts from each element's data-chart JSON (ECharts).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var palette = ["#b3261e", "#0b57a4", "#1e6b34", "#8a4b00", "#5b3f8c", "#00727a"];

  function axisChart(spec, stacked, kind) {
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: spec.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return { name: s.name, type: kind, data: s.data, stack: stacked ? "all" : undefined,
                 smooth: false };
      }),
    };
  }

  function funnelChart(spec) {
    return {
      color: palette,
      tooltip: { trigger: "item" },
      series: [{ type: "funnel", left: "10%", width: "80%", sort: "none",
                 label: { formatter: "{b}: {c}" }, data: spec.steps }],
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = JSON.parse(el.getAttribute("data-chart"));
    var option = spec.kind === "funnel" ? funnelChart(spec)
      : spec.kind === "lines" ? axisChart(spec, false, "line")
      : spec.kind === "stacked" ? axisChart(spec, true, "bar")
      : axisChart(spec, false, "bar");
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
