import { loadSharp } from "./png.js";
import { topLevel } from "./theme.js";
import type { Chart, CommonOptions } from "./types.js";
import { checkSize, fail } from "./validate.js";

export interface GridImage {
  /** Pixels row by row, channels interleaved (H x W x C), values in `range` (default 0..255). */
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  /** Shown under the image; "\n" starts a new line. */
  caption?: string;
  /** CSS colour of the caption, e.g. "red" for a wrong prediction. Default black. */
  captionColor?: string;
}

export interface ImageGridOptions extends Omit<CommonOptions, "width" | "height"> {
  images: readonly GridImage[];
  /** Images per row. Default: min(count, 8). */
  columns?: number;
  /** Screen pixels per image pixel. Default: the smallest integer making images at least 96 px wide. */
  scale?: number;
  /** Value range of the pixel data, mapped to black..white. Default [0, 255]; use [0, 1] for floats. */
  range?: readonly [number, number];
}

const GAP = 14;
const LINE_HEIGHT = 15;
const CHAR_WIDTH = 0.62 * 12;

/** A grid of raw-pixel images with captions. Async because the pixels are encoded to PNG (by sharp). */
export async function imageGrid(options: ImageGridOptions): Promise<Chart> {
  const fn = "imageGrid";
  const images = options.images;
  if (!images || images.length === 0) fail(fn, "images must not be empty");
  images.forEach((img, k) => checkImage(fn, img, k));
  const columns = Math.min(images.length, Math.round(checkSize(fn, "columns", options.columns, 8)));
  const maxW = Math.max(...images.map((i) => i.width));
  const maxH = Math.max(...images.map((i) => i.height));
  const scale = checkSize(fn, "scale", options.scale, Math.max(1, Math.ceil(96 / maxW)));
  const [lo, hi] = options.range ?? [0, 255];
  if (!(hi > lo)) fail(fn, `range must be [min, max] with max > min, got [${lo}, ${hi}]`);

  const captions = images.map((img) => (img.caption ?? "").split("\n"));
  const captionLines = Math.max(...captions.map((c) => (c.length === 1 && c[0] === "" ? 0 : c.length)));
  // Wide enough for the longest caption line too (~0.62 em per character in DejaVu Sans at 12 px).
  const longest = Math.max(...captions.flat().map((line) => line.length));
  const imageH = Math.ceil(maxH * scale);
  const cellW = Math.max(Math.ceil(maxW * scale), Math.ceil(longest * CHAR_WIDTH));
  const cellH = imageH + (captionLines > 0 ? 6 + captionLines * LINE_HEIGHT : 0);
  const rowsCount = Math.ceil(images.length / columns);

  const sharp = await loadSharp();
  const rows = await Promise.all(
    images.map(async (img, k) => {
      // Upscale with nearest neighbour (2x extra for the 144-dpi PNG) so pixels stay crisp, not blurred.
      const w = Math.round(img.width * scale);
      const h = Math.round(img.height * scale);
      const png = await sharp(toBytes(img.data, lo, hi), {
        raw: { width: img.width, height: img.height, channels: img.channels },
      })
        .resize(w * 2, h * 2, { kernel: "nearest" })
        .png()
        .toBuffer();
      const col = k % columns;
      const row = Math.floor(k / columns);
      return {
        url: `data:image/png;base64,${png.toString("base64")}`,
        w,
        h,
        // Images are centred in their cell; captions line up under the tallest image of the grid.
        x: col * (cellW + GAP) + (cellW - w) / 2,
        y: row * (cellH + GAP) + (imageH - h) / 2,
        cx: col * (cellW + GAP) + cellW / 2,
        ty: row * (cellH + GAP) + imageH + 6,
        caption: captions[k],
        color: img.captionColor ?? "black",
      };
    }),
  );

  const sizes = [...new Set(rows.map((r) => `${r.w}x${r.h}`))].map((key) => key.split("x").map(Number));
  const pixel = (field: string) => ({ field, type: "quantitative", scale: null });
  const spec = topLevel(options.title, {
    width: columns * cellW + (columns - 1) * GAP,
    height: rowsCount * cellH + (rowsCount - 1) * GAP,
    data: { values: rows },
    config: { view: { stroke: null } },
    layer: [
      // Image size is a mark property in Vega-Lite, not an encoding: one layer per distinct size.
      ...sizes.map(([w, h]) => ({
        transform: [{ filter: `datum.w === ${w} && datum.h === ${h}` }],
        mark: {
          type: "image",
          align: "left",
          baseline: "top",
          width: w,
          height: h,
          aspect: false,
          smooth: false,
          aria: false,
        },
        encoding: { x: pixel("x"), y: pixel("y"), url: { field: "url" } },
      })),
      {
        mark: { type: "text", align: "center", baseline: "top", fontSize: 12, lineHeight: LINE_HEIGHT },
        encoding: {
          x: pixel("cx"),
          y: pixel("ty"),
          text: { field: "caption" },
          color: { field: "color", type: "nominal", scale: null },
        },
      },
    ],
  });
  return { kind: "imageGrid", spec };
}

function checkImage(fn: string, img: GridImage, k: number): void {
  const what = `images[${k}]`;
  if (img == null || img.data == null) fail(fn, `${what}.data is missing`);
  for (const dim of ["width", "height"] as const) {
    if (!Number.isInteger(img[dim]) || img[dim] <= 0)
      fail(fn, `${what}.${dim} must be a positive integer, got ${img[dim]}`);
  }
  if (![1, 3, 4].includes(img.channels)) fail(fn, `${what}.channels must be 1, 3 or 4, got ${img.channels}`);
  const expected = img.width * img.height * img.channels;
  if (img.data.length !== expected) {
    fail(
      fn,
      `${what}.data has length ${img.data.length} but width x height x channels = ${img.width} x ${img.height} x ${img.channels} = ${expected}`,
    );
  }
}

/** Maps [lo, hi] to 0..255 bytes (clamped); Uint8 data in the default range is used as is. */
function toBytes(data: ArrayLike<number>, lo: number, hi: number): Buffer {
  if (data instanceof Uint8Array && lo === 0 && hi === 255)
    return Buffer.from(data.buffer, data.byteOffset, data.length);
  const out = Buffer.alloc(data.length);
  const k = 255 / (hi - lo);
  for (let i = 0; i < data.length; i++) out[i] = Math.max(0, Math.min(255, Math.round((data[i]! - lo) * k)));
  return out;
}
