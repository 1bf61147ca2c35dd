// Geometry of the throughput sparkline: sample values to SVG polyline points. Pure, so the
// renderer only copies strings into attributes.

import { HISTORY_LENGTH, type ThroughputSample } from './history';

export interface ChartView {
  readonly width: number;
  readonly height: number;
  /** SVG polyline `points` for bytes sent and received per second. */
  readonly sent: string;
  readonly received: string;
  /** The highest value shown, in bytes per second (0 when idle). */
  readonly peak: number;
  readonly samples: number;
}

export const CHART_WIDTH = 300;
export const CHART_HEIGHT = 64;
/** Keeps a line at the very top or bottom fully visible (its stroke is 2 units wide). */
const INSET = 2;

/**
 * Points for each series. The newest sample sits at the right edge and each older one a slot to the
 * left, so the chart scrolls as samples arrive and a short history occupies the right-hand side.
 * Both series share one scale (the larger peak) so their heights compare.
 */
export function buildChart(history: readonly ThroughputSample[], slots = HISTORY_LENGTH): ChartView | null {
  const samples = history.slice(-slots);
  if (samples.length === 0) return null;
  const peak = Math.max(0, ...samples.map((s) => Math.max(s.sentPerSec, s.receivedPerSec)));
  // The top of the chart: the peak, or 1 B/s when idle so the lines lie flat at the bottom.
  const top = Math.max(1, peak);
  const step = CHART_WIDTH / Math.max(1, slots - 1);
  const y = (v: number) => round(CHART_HEIGHT - INSET - (Math.max(0, v) / top) * (CHART_HEIGHT - 2 * INSET));
  const line = (pick: (s: ThroughputSample) => number): string => {
    const pts = samples.map((s, i) => `${round(CHART_WIDTH - (samples.length - 1 - i) * step)},${y(pick(s))}`);
    // A single sample still draws: a short flat segment ending at the right edge.
    if (pts.length === 1) pts.unshift(`${round(CHART_WIDTH - step)},${y(pick(samples[0]!))}`);
    return pts.join(' ');
  };
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    sent: line((s) => s.sentPerSec),
    received: line((s) => s.receivedPerSec),
    peak,
    samples: samples.length,
  };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
