// uPlot and its stylesheet, imported only by the charts (web/src/reports/TimeChart.tsx) and
// only on demand: neither is part of what the inbox loads before it runs.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export { uPlot };
