/**
 * Convergence reports: solver histories drawn as a grid of log-scale charts (chart.js),
 * as a PNG (headless `@napi-rs/canvas`) or a self-contained offline HTML page.
 */
export type { HistoryEntry, PngOptions, ReportInput, ReportRun } from './types.js';
export { renderPng } from './png.js';
export { renderHtml, DATA_ELEMENT_ID, type EmbeddedReportData } from './html.js';
export { writeReport, reportFormat, REPORT_EXTENSIONS } from './write.js';
export { buildPanels, seriesColor, type PanelData, type SeriesData } from './panels.js';
