/**
 * The image work of an ingest, with sharp: prove a file is a whole JPEG and
 * make the configured sizes from one decoded pipeline. sharp is loaded on
 * first use, so the TUI and the other batch commands never pay for it.
 */
import { createHash } from 'node:crypto';
import type { Sharp } from 'sharp';
import type { WebcamConfig } from './config.js';

export type SharpFactory = typeof import('sharp').default;

let sharpModule: Promise<SharpFactory> | undefined;
export async function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

/** Why a file is not an image to ingest: it goes to rejected/ with this text beside it. */
export class RejectedImage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RejectedImage';
  }
}

export interface MadeSize {
  /** "full" or "<width>w" */
  label: string;
  width: number;
  height: number;
  body: Buffer;
  /** base64 MD5: S3 checks it on upload (Content-MD5) */
  md5: string;
}

export interface MadeImage {
  width: number;
  height: number;
  exif: Buffer | undefined;
  sizes: MadeSize[];
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** base64 MD5, as Content-MD5 wants it */
export const md5Base64 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

export type SizeOptions = Pick<WebcamConfig, 'sizes' | 'full' | 'quality' | 'keepExif'>;

/** The labels an image gets, largest first: full, then each configured width once. */
export function sizeLabels(o: Pick<WebcamConfig, 'sizes' | 'full'>): { label: string; width: number | undefined }[] {
  const widths = [...new Set(o.sizes)].sort((a, b) => b - a);
  return [...(o.full ? [{ label: 'full', width: undefined }] : []), ...widths.map((w) => ({ label: `${w}w`, width: w }))];
}

/**
 * Decodes `body` once and encodes every size from clones of that pipeline,
 * auto-oriented, metadata stripped unless `keepExif`. Throws RejectedImage for
 * a file that is not a JPEG or does not decode to its end (truncated, corrupt).
 */
export async function makeSizes(body: Buffer, o: SizeOptions): Promise<MadeImage> {
  if (body.length < 4 || body[0] !== 0xff || body[1] !== 0xd8 || body[2] !== 0xff) {
    throw new RejectedImage('not a JPEG: the file does not start with a JPEG marker');
  }
  const sharp = await loadSharp();
  let meta: Awaited<ReturnType<Sharp['metadata']>>;
  try {
    meta = await sharp(body).metadata();
  } catch (e) {
    throw new RejectedImage(`not a readable JPEG: ${(e as Error).message}`);
  }
  if (meta.format !== 'jpeg') throw new RejectedImage(`not a JPEG: sharp reads it as ${meta.format ?? 'unknown'}`);
  // failOn 'warning': libvips only warns about a premature end of data, which is exactly a half-uploaded file.
  const base = sharp(body, { failOn: 'warning' }).rotate();
  try {
    const sizes = await Promise.all(
      sizeLabels(o).map(async ({ label, width }) => {
        let p = base.clone();
        if (width !== undefined) p = p.resize({ width, withoutEnlargement: true });
        if (o.keepExif) p = p.keepExif();
        const { data, info } = await p.jpeg({ quality: o.quality, mozjpeg: false }).toBuffer({ resolveWithObject: true });
        return { label, width: info.width, height: info.height, body: data, md5: md5Base64(data) };
      }),
    );
    const oriented = (meta.orientation ?? 1) >= 5;
    return {
      width: (oriented ? meta.height : meta.width) ?? 0,
      height: (oriented ? meta.width : meta.height) ?? 0,
      exif: meta.exif,
      sizes,
    };
  } catch (e) {
    throw new RejectedImage(`not a whole JPEG: ${(e as Error).message}`);
  }
}
