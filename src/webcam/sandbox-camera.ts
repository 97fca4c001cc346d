/**
 * The sandbox's camera: a frame made with sharp whose sky follows the sun's
 * altitude at the configured place, a ground line, the sun where it stands,
 * and the local time drawn in, with EXIF DateTimeOriginal and its offset, so
 * it goes through the real ingest like a camera's JPEG.
 */
import { promises as fsp } from 'node:fs';
import { getPosition } from 'suncalc';
import { ZoneCalendar } from '../snapshots/calendar.js';
import type { Camera } from './capture.js';
import type { WebcamConfig } from './config.js';
import { loadSharp } from './images.js';
import { localDate, localTime } from './time.js';

const clamp = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x));
const hex = (r: number, g: number, b: number): string => `#${[r, g, b].map((c) => Math.round(clamp(c, 0, 255)).toString(16).padStart(2, '0')).join('')}`;

/** Night blue to day blue through a warm horizon near the threshold. */
export function skyColour(altitude: number): { top: string; bottom: string } {
  const day = clamp((altitude + 6) / 30, 0, 1);
  const dusk = clamp(1 - Math.abs(altitude - 2) / 8, 0, 1);
  return {
    top: hex(10 + 60 * day, 15 + 120 * day, 40 + 190 * day),
    bottom: hex(20 + 140 * day + 120 * dusk, 25 + 160 * day + 50 * dusk, 50 + 200 * day - 20 * dusk),
  };
}

function exifWhen(at: Date, timeZone: string): { DateTimeOriginal: string; OffsetTimeOriginal: string } {
  const offMin = Math.round((new ZoneCalendar(timeZone).wall(at.getTime()) - at.getTime()) / 60_000);
  const sign = offMin < 0 ? '-' : '+';
  const a = Math.abs(offMin);
  const offset = `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  return { DateTimeOriginal: `${localDate(at, timeZone).replace(/-/g, ':')} ${localTime(at, timeZone)}:00`, OffsetTimeOriginal: offset };
}

export async function syntheticFrame(at: Date, place: Pick<WebcamConfig, 'latitude' | 'longitude' | 'timeZone'>, size = { width: 640, height: 480 }): Promise<Buffer> {
  const sharp = await loadSharp();
  const { width: w, height: h } = size;
  const pos = getPosition(at, place.latitude, place.longitude);
  const sky = skyColour(pos.altitude);
  const horizon = Math.round(h * 0.7);
  const sunX = Math.round(((pos.azimuth % 360) / 360) * w);
  const sunY = Math.round(horizon - (pos.altitude / 90) * horizon);
  const label = `${localDate(at, place.timeZone)} ${localTime(at, place.timeZone)}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky.top}"/><stop offset="1" stop-color="${sky.bottom}"/></linearGradient></defs>
    <rect width="${w}" height="${horizon}" fill="url(#s)"/>
    ${pos.altitude > -2 ? `<circle cx="${sunX}" cy="${sunY}" r="${Math.round(h / 16)}" fill="#ffe9a0"/>` : ''}
    <path d="M0 ${horizon} L${w * 0.2} ${horizon - h * 0.12} L${w * 0.45} ${horizon - h * 0.04} L${w * 0.7} ${horizon - h * 0.16} L${w} ${horizon - h * 0.05} L${w} ${h} L0 ${h} Z" fill="${hex(30, 60 + 40 * clamp((pos.altitude + 6) / 30, 0, 1), 35)}"/>
    <rect x="8" y="${h - 40}" width="${Math.round(w * 0.45)}" height="30" fill="#000000" fill-opacity="0.5"/>
    <text x="16" y="${h - 18}" font-family="DejaVu Sans Mono, monospace" font-size="${Math.round(h / 24)}" fill="#ffffff">${label}</text>
  </svg>`;
  return sharp(Buffer.from(svg))
    .withExif({ IFD0: { Make: 'opsdeck', Model: 'sandbox camera' }, IFD2: exifWhen(at, place.timeZone) })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export function sandboxCamera(place: Pick<WebcamConfig, 'latitude' | 'longitude' | 'timeZone'>): Camera {
  return async (req) => {
    await fsp.writeFile(req.output, await syntheticFrame(req.at, place));
  };
}
