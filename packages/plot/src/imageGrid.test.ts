import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { imageGrid, toPng, toSvg } from "./node.js";
import { expectSvg, pngInfo } from "./testing.js";

/** Counts pixels of a PNG that are close to the given RGB colour. */
async function countPixels(png: Buffer, [r, g, b]: [number, number, number]): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i]! - r) < 8 && Math.abs(data[i + 1]! - g) < 8 && Math.abs(data[i + 2]! - b) < 8) n++;
  }
  return n;
}

describe("imageGrid", () => {
  it("keeps the pixels of a pure red image", async () => {
    const red = new Uint8Array(8 * 8 * 3);
    for (let i = 0; i < red.length; i += 3) red[i] = 255;
    const chart = await imageGrid({
      title: "Red",
      images: [{ data: red, width: 8, height: 8, channels: 3 }],
      scale: 10,
    });
    const png = await toPng(chart);
    // 8 px x scale 10 x density 2 = a 160 x 160 red square.
    const reds = await countPixels(png, [255, 0, 0]);
    expect(reds).toBeGreaterThan(150 * 150);
    expect(reds).toBeLessThan(170 * 170);
  });

  it("draws grayscale images and captions, coloured when asked", async () => {
    const images = [0, 1, 2, 3, 4].map((k) => ({
      data: Array.from({ length: 28 * 28 }, (_, i) => ((i + k) % 28) / 27),
      width: 28,
      height: 28,
      channels: 1 as const,
      caption: `pred: ${k}\ntrue: ${k === 3 ? 4 : k}`,
      captionColor: k === 3 ? "red" : undefined,
    }));
    const chart = await imageGrid({ title: "Digits", images, columns: 3, range: [0, 1] });
    const svg = await toSvg(chart);
    expectSvg(svg);
    expect(svg).toContain("Digits");
    expect(svg.match(/<image /g)).toHaveLength(5);
    for (const text of ["pred: 0", "true: 2", "pred: 3", "true: 4"]) expect(svg).toContain(text);
    expect(svg).toMatch(/fill="red"[^>]*>\s*<tspan[^>]*>pred: 3/);
    const png = await toPng(chart);
    const { width, height } = await pngInfo(png);
    // 3 columns of 112 px (28 x default scale 4), 2 rows, at 2x.
    expect(width).toBeGreaterThan(2 * 3 * 112);
    expect(height).toBeGreaterThan(2 * 2 * 112);
    expect(await countPixels(png, [255, 0, 0])).toBeGreaterThan(20); // the red caption
  });

  it("places images of different sizes in one grid", async () => {
    const chart = await imageGrid({
      images: [
        { data: new Uint8Array(4 * 4), width: 4, height: 4, channels: 1, caption: "small" },
        { data: new Uint8Array(8 * 6 * 4).fill(255), width: 8, height: 6, channels: 4, caption: "rgba" },
      ],
    });
    const svg = await toSvg(chart);
    expect(svg.match(/<image /g)).toHaveLength(2);
    expect(svg).toContain("rgba");
  });
});
