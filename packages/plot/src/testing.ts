import sharp from "sharp";
import { expect } from "vitest";

/** Checks the PNG signature and returns the image size; used by the tests only. */
export async function pngInfo(png: Buffer): Promise<{ width: number; height: number }> {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const meta = await sharp(png).metadata();
  expect(meta.format).toBe("png");
  return { width: meta.width!, height: meta.height! };
}

/** Parse-level SVG check: one root <svg> element with a size, closed at the end. */
export function expectSvg(svg: string): void {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  expect(svg).toMatch(/^<svg[^>]* width="\d+(\.\d+)?" height="\d+(\.\d+)?"/);
  expect(svg.match(/<svg\b/g)).toHaveLength(1);
}
