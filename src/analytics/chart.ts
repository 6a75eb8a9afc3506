import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { DayPoint } from '../core/analytics.js';

/**
 * The chart of a period: alerts opened per day (bars) and mean time to claim in minutes (line),
 * rendered without a browser: Vega-Lite → Vega → SVG (`View.toSVG()`, no canvas) → PNG (resvg).
 *
 * Texts on the chart are ASCII (dates, numbers, English axis titles): resvg draws text with the
 * fonts it finds, and a server may have no CJK font. System fonts are loaded, DejaVu Sans (most
 * Linux images) is preferred, and DUTYBOT_CHART_FONT may name a font file to use instead.
 */
export interface ChartInput {
  title: string;
  points: ReadonlyArray<Pick<DayPoint, 'day' | 'opened' | 'mttaSeconds'>>;
}

export function chartSpec(input: ChartInput): TopLevelSpec {
  const values = input.points.map((p) => ({
    day: p.day.slice(5),
    alerts: p.opened,
    mtta: p.mttaSeconds === null ? null : Math.round((p.mttaSeconds / 60) * 10) / 10,
  }));
  const x = { field: 'day', type: 'ordinal' as const, title: null, axis: { labelAngle: values.length > 10 ? -45 : 0 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: input.title,
    width: Math.max(300, values.length * 40),
    height: 200,
    background: 'white',
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: { x, y: { field: 'alerts', type: 'quantitative', title: 'alerts / day', axis: { tickMinStep: 1 } } },
      },
      {
        mark: { type: 'line', color: '#e45756', point: true },
        transform: [{ filter: 'datum.mtta !== null' }],
        encoding: { x, y: { field: 'mtta', type: 'quantitative', title: 'MTTA (min)' } },
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: { font: 'DejaVu Sans, Noto Sans, Arial, sans-serif' },
  } as TopLevelSpec;
}

export async function renderSvg(input: ChartInput): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(input)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function renderPng(input: ChartInput): Promise<Buffer> {
  const svg = await renderSvg(input);
  const fontFile = process.env.DUTYBOT_CHART_FONT;
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: {
      loadSystemFonts: true,
      ...(fontFile ? { fontFiles: [fontFile] } : {}),
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return Buffer.from(resvg.render().asPng());
}
