/**
 * The capture time of a frame: EXIF DateTimeOriginal (+ OffsetTimeOriginal
 * when the camera wrote one), else a time in the file name, else the file's
 * mtime, and the last two are flagged: the seed trusted EXIF blindly and
 * aborted on a file without it.
 */
import { wallToInstant } from './time.js';

export type TimeSource = 'exif' | 'exif-local' | 'filename' | 'mtime';

export interface CaptureTime {
  at: Date;
  source: TimeSource;
  /** the EXIF strings as written ("2026:06:15 12:00:00 -07:00"), kept for the record */
  raw: string | undefined;
  /** not from the camera's EXIF: the time may be the upload's, not the capture's */
  flagged: boolean;
}

interface ExifTimes {
  dateTimeOriginal?: string;
  offsetTimeOriginal?: string;
}

const TAG_EXIF_IFD = 0x8769;
const TAG_DATETIME_ORIGINAL = 0x9003;
const TAG_OFFSET_TIME_ORIGINAL = 0x9011;
const ASCII = 2;

/**
 * Reads the two tags from an EXIF block (what sharp's metadata().exif holds:
 * "Exif\0\0" then a TIFF structure). Bounds-checked: a damaged block gives
 * no time, never a throw.
 */
export function readExifTimes(exif: Buffer | undefined): ExifTimes {
  if (!exif) return {};
  const base = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
  const b = exif.subarray(base);
  if (b.length < 8) return {};
  const order = b.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return {};
  const le = order === 'II';
  const u16 = (o: number): number | undefined => (o + 2 <= b.length ? (le ? b.readUInt16LE(o) : b.readUInt16BE(o)) : undefined);
  const u32 = (o: number): number | undefined => (o + 4 <= b.length ? (le ? b.readUInt32LE(o) : b.readUInt32BE(o)) : undefined);
  const entries = (ifd: number | undefined): Map<number, { type: number; count: number; at: number }> => {
    const out = new Map<number, { type: number; count: number; at: number }>();
    const n = ifd === undefined ? undefined : u16(ifd);
    if (ifd === undefined || n === undefined) return out;
    for (let i = 0; i < n && i < 512; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const count = u32(e + 4);
      if (tag === undefined || type === undefined || count === undefined) break;
      // A value of up to 4 bytes sits in the entry itself; a longer one at the offset the entry holds.
      const at = type === ASCII && count > 4 ? (u32(e + 8) ?? b.length) : e + 8;
      out.set(tag, { type, count, at });
    }
    return out;
  };
  const ascii = (e: { type: number; count: number; at: number } | undefined): string | undefined => {
    if (!e || e.type !== ASCII || e.at + e.count > b.length) return undefined;
    return b.toString('latin1', e.at, e.at + e.count).replace(/\0.*$/s, '').trim() || undefined;
  };
  const ifd0 = entries(u32(4));
  const pointer = ifd0.get(TAG_EXIF_IFD);
  const sub = entries(pointer ? u32(pointer.at) : undefined);
  const out: ExifTimes = {};
  const dto = ascii(sub.get(TAG_DATETIME_ORIGINAL));
  const oto = ascii(sub.get(TAG_OFFSET_TIME_ORIGINAL));
  if (dto) out.dateTimeOriginal = dto;
  if (oto) out.offsetTimeOriginal = oto;
  return out;
}

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
/** 20260615-120500, 2026-06-15T12-05-00, 2026_06_15_120500 … the date and time digits in order. */
const NAME_TIME = /(\d{4})[-_]?(\d{2})[-_]?(\d{2})[-_T ]?(\d{2})[-_:]?(\d{2})[-_:]?(\d{2})/;

function wallMs(y: string, mo: string, d: string, h: string, mi: string, s: string): number | undefined {
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(t);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  return Number(y) >= 1990 ? t : undefined;
}

/** Decides the capture time; `timeZone` reads an EXIF time without offset and a time in a file name. */
export function captureTime(exif: Buffer | undefined, fileName: string, mtime: Date, timeZone: string): CaptureTime {
  const { dateTimeOriginal, offsetTimeOriginal } = readExifTimes(exif);
  const m = dateTimeOriginal ? EXIF_DATE.exec(dateTimeOriginal) : null;
  const wall = m ? wallMs(m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!) : undefined;
  if (wall !== undefined) {
    const raw = offsetTimeOriginal ? `${dateTimeOriginal} ${offsetTimeOriginal}` : dateTimeOriginal;
    const o = offsetTimeOriginal ? OFFSET.exec(offsetTimeOriginal) : null;
    if (o) {
      const offMs = (Number(o[2]) * 60 + Number(o[3])) * 60_000 * (o[1] === '-' ? -1 : 1);
      return { at: new Date(wall - offMs), source: 'exif', raw, flagged: false };
    }
    return { at: wallToInstant(wall, timeZone), source: 'exif-local', raw, flagged: false };
  }
  const n = NAME_TIME.exec(fileName);
  const nameWall = n ? wallMs(n[1]!, n[2]!, n[3]!, n[4]!, n[5]!, n[6]!) : undefined;
  if (nameWall !== undefined) return { at: wallToInstant(nameWall, timeZone), source: 'filename', raw: dateTimeOriginal, flagged: true };
  return { at: mtime, source: 'mtime', raw: dateTimeOriginal, flagged: true };
}
