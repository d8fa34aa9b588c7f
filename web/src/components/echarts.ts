// Apache ECharts, only the parts the pages draw (bar and line charts, the settlement Sankey, the quality radar) with
// the SVG renderer: a chunk of its own, imported only when a page shows a chart.
import * as echarts from "echarts/core";
import { BarChart, LineChart, RadarChart, SankeyChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, RadarComponent, AriaComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, RadarChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent, RadarComponent, AriaComponent, SVGRenderer]);

export { echarts };
