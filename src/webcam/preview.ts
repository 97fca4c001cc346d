/**
 * The latest image in a terminal: half-block cells (▀ with the upper pixel
 * as foreground, the lower as background), which every colour terminal
 * draws. The grid has the size asked for, whatever the image's shape (it is
 * cropped to fill), so a frame never grows past its box.
 */
import { loadSharp } from './images.js';

export interface Cell {
  fg: string;
  bg: string;
}

const hex = (d: Buffer, i: number): string => `#${[d[i], d[i + 1], d[i + 2]].map((c) => (c ?? 0).toString(16).padStart(2, '0')).join('')}`;

export async function halfBlockCells(jpeg: Buffer, cols: number, rows: number): Promise<Cell[][]> {
  if (cols < 1 || rows < 1) return [];
  const sharp = await loadSharp();
  const { data } = await sharp(jpeg).resize({ width: cols, height: rows * 2, fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out: Cell[][] = [];
  for (let r = 0; r < rows; r++) {
    const line: Cell[] = [];
    for (let c = 0; c < cols; c++) line.push({ fg: hex(data, (2 * r * cols + c) * 3), bg: hex(data, ((2 * r + 1) * cols + c) * 3) });
    out.push(line);
  }
  return out;
}
