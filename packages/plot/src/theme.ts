import type { VegaLiteSpec } from "./types.js";

export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Same as Vega's tableau10, listed so backgrounds can reuse the point colours. */
export const CATEGORY_COLORS = [
  "#4c78a8",
  "#f58518",
  "#e45756",
  "#72b7b2",
  "#54a24b",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
];

// DejaVu Sans is what librsvg (inside sharp) finds on most Linux boxes; sans-serif is the fallback.
const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** Readable defaults for every chart: larger text than Vega's, white background, padding. */
export const CONFIG: VegaLiteSpec = {
  font: FONT,
  background: "white",
  padding: 12,
  title: { fontSize: 16, fontWeight: "bold", anchor: "middle", offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 13, titlePadding: 8, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 12, titleFontSize: 13, symbolSize: 120 },
  header: { labelFontSize: 12, titleFontSize: 13 },
  view: { stroke: "#bbb" },
};

export const DEFAULT_WIDTH = 600;
export const DEFAULT_HEIGHT = 400;

/** Wraps a chart body with schema, title and the shared config (`rest.config` is merged over it). */
export function topLevel(title: string | undefined, rest: VegaLiteSpec): VegaLiteSpec {
  const { config, ...body } = rest;
  return {
    $schema: SCHEMA,
    ...(title ? { title } : {}),
    config: { ...CONFIG, ...(config as VegaLiteSpec | undefined) },
    ...body,
  };
}

/** Mixes a #rrggbb colour with white; `strength` 1 keeps the colour, 0 gives white. */
export function tint(hex: string, strength: number): string {
  const channel = (k: number) => {
    const c = parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
    return Math.round(255 - (255 - c) * strength)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(1)}${channel(2)}`;
}
