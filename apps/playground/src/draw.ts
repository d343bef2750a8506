// Canvas drawing for the page: the decision boundary with the points, a loss curve, a grayscale image.
import { MOONS_VIEW } from "./moons-core";

const CLASS_RGB: [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
];

/** P(class 1) on an n×n grid as a blend of the two class colours, with the test points on top. */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  grid: Float32Array,
  n: number,
  points: { x: Float32Array; y: Int32Array },
): void {
  const ctx = canvas.getContext("2d")!;
  const { width: w, height: h } = canvas;
  const img = ctx.createImageData(n, n);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const p = grid[j * n + i]!;
      const o = 4 * ((n - 1 - j) * n + i); // y grows upwards
      for (let c = 0; c < 3; c++)
        img.data[o + c] = 255 - 0.45 * (255 - ((1 - p) * CLASS_RGB[0]![c]! + p * CLASS_RGB[1]![c]!));
      img.data[o + 3] = 255;
    }
  const tile = new OffscreenCanvas(n, n);
  tile.getContext("2d")!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tile, 0, 0, w, h);
  const [x0, x1] = MOONS_VIEW.x;
  const [y0, y1] = MOONS_VIEW.y;
  for (let k = 0; k < points.y.length; k++) {
    const px = ((points.x[2 * k]! - x0) / (x1 - x0)) * w;
    const py = h - ((points.x[2 * k + 1]! - y0) / (y1 - y0)) * h;
    ctx.fillStyle = `rgb(${CLASS_RGB[points.y[k]!]!.join(",")})`;
    ctx.beginPath();
    ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** A loss curve on a log scale, with its last value written in the corner. */
export function drawLoss(canvas: HTMLCanvasElement, losses: number[], label: string): void {
  const ctx = canvas.getContext("2d")!;
  const { width: w, height: h } = canvas;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  if (losses.length === 0) return;
  const logs = losses.map((l) => Math.log10(Math.max(l, 1e-6)));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs, lo + 1e-3);
  ctx.strokeStyle = "#1f77b4";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  logs.forEach((v, i) => {
    const x = 30 + (i / Math.max(1, logs.length - 1)) * (w - 40);
    const y = 10 + ((hi - v) / (hi - lo)) * (h - 40);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.fillStyle = "#222";
  ctx.font = "12px sans-serif";
  ctx.fillText(`${label} ${losses[losses.length - 1]!.toFixed(4)} (log scale)`, 30, h - 10);
}

/** A 28×28 uint8 image onto a small canvas. */
export function drawGray(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, side: number): void {
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(side, side);
  for (let k = 0; k < side * side; k++) {
    const v = 255 - pixels[k]!;
    img.data.set([v, v, v, 255], 4 * k);
  }
  ctx.putImageData(img, 0, 0);
}
