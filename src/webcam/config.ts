import { z } from 'zod';
import { knownTimeZone } from '../snapshots/calendar.js';

/** gphoto2 `--set-config NAME=VALUE` pairs: names and values reach argv only, never a shell. */
const cameraSettings = z.record(z.string().regex(/^[A-Za-z0-9_./-]+$/, 'a camera setting name: letters, digits, _ . / -'), z.string());

/** The gphoto2 call of the seed, without its --hook-script: opsdeck delivers the file itself. */
export const DEFAULT_CAPTURE_COMMAND = ['gphoto2', '--capture-image-and-download', '--force-overwrite', '--filename', '{output}', '{settings}'];

const captureSchema = z
  .object({
    /**
     * argv, no shell. `{output}` is the file the camera must write (a JPEG);
     * `{settings}` expands to one `--set-config NAME=VALUE` pair per setting in force.
     */
    command: z
      .array(z.string())
      .min(1)
      .refine((a) => a.some((x) => x.includes('{output}')), 'the capture command must write to {output}')
      .default(DEFAULT_CAPTURE_COMMAND),
    /** The camera process is killed (its whole process group) after this. */
    timeoutSeconds: z.number().positive().max(3600).default(60),
    /** Settings for every capture. */
    settings: cameraSettings.default({}),
    /** Settings that replace or add to `settings` in the first and last `lowLightMinutes` of daylight. */
    lowLightSettings: cameraSettings.default({ iso: '800' }),
    /** This many failed captures in a row show as a camera fault. */
    faultAfter: z.number().int().min(1).default(3),
  })
  .strict();

const databaseSchema = z
  .object({
    /** A name under `mysql:` (host, user, password reference). Unset: ingest cannot record rows. */
    target: z.string().optional(),
    name: z.string().regex(/^[A-Za-z0-9_]+$/, 'a database name: letters, digits and _').default('webcam'),
    table: z.string().regex(/^[A-Za-z0-9_]+$/, 'a table name: letters, digits and _').default('webcam_images'),
    /** One row per built timelapse (period, frames, object key), beside the image table. */
    timelapseTable: z.string().regex(/^[A-Za-z0-9_]+$/, 'a table name: letters, digits and _').default('webcam_timelapses'),
  })
  .strict();

/** A key prefix ending in /, never the whole bucket: ingest deletes what it takes from it. */
const incomingPrefix = z
  .string()
  .regex(/^[^/].*\/$/, 'an S3 prefix such as incoming/ (ending in /, not starting with /)')
  .default('webcam-incoming/');

const deliverySchema = z
  .object({
    /** local: into incoming on this host (capture and ingest on one machine, or a shared mount); sftp: to the ingest server; s3: to an incoming prefix */
    method: z.enum(['local', 'sftp', 's3']).default('local'),
    /** sftp: a name under `hosts:` (host, user, identityFile, knownHosts): the host key is checked, keys only */
    host: z.string().optional(),
    /** sftp: the ingest server's incoming folder */
    remoteDir: z.string().optional(),
    /** s3: the bucket (default webcam.bucket); the ingest server reads it with source.method s3 */
    bucket: z.string().optional(),
    /** s3: the incoming prefix; a PUT is atomic, so ingest never sees part of a frame */
    prefix: incomingPrefix,
    /** per frame: sftp upload and rename, or one s3 PUT attempt */
    timeoutSeconds: z.number().positive().max(3600).default(120),
  })
  .strict()
  .refine((d) => d.method !== 'sftp' || (d.host !== undefined && d.remoteDir !== undefined), 'delivery.method sftp needs delivery.host (a name under hosts:) and delivery.remoteDir');

/** Where ingest takes frames from: the incoming folder, or complete objects under an S3 prefix. */
const sourceSchema = z
  .object({
    method: z.enum(['folder', 's3']).default('folder'),
    /** s3: the bucket (default webcam.bucket) */
    bucket: z.string().optional(),
    /** s3: frames are the objects directly under it; refused ones go under `<prefix>rejected/` */
    prefix: incomingPrefix,
    /** s3: per call (list, get, delete) */
    timeoutSeconds: z.number().positive().max(3600).default(120),
  })
  .strict();

const timelapseSchema = z
  .object({
    /** The ffmpeg program (Debian package `ffmpeg`); a path or a name on PATH. */
    ffmpeg: z.string().min(1).default('ffmpeg'),
    /** Frames per second of the video: one captured frame each. */
    fps: z.number().int().min(1).max(120).default(24),
    /** Video width in pixels (never wider than the frames; made even, as yuv420p needs). */
    width: z.number().int().min(16).max(7680).default(1280),
    /** x264 constant rate factor: lower is better and bigger. */
    crf: z.number().int().min(0).max(51).default(23),
    /** ffmpeg is killed after this. */
    timeoutSeconds: z.number().positive().max(86_400).default(1800),
  })
  .strict();

/** The camera host seen from the server: its delivery queue and capture record are read over SFTP for the status. */
const cameraHostSchema = z
  .object({
    /** a name under `hosts:` (host key checked, keys only) */
    host: z.string(),
    /** the camera host's capture queue (its spool's queue/ folder), absolute or relative to the login's home */
    queueDir: z.string().min(1),
    /** the camera host's capture record; default capture-state.json beside queueDir (in its spool, where capture writes it) */
    captureState: z.string().min(1).optional(),
    /** the whole read (connect, readdir, the record); past it the host shows as unreachable (timeout) */
    timeoutSeconds: z.number().positive().max(60).default(5),
  })
  .strict();

/** The `webcam:` section: where the camera is, when it captures, how frames are ingested. Owned by the webcam area. */
export const webcamConfigSchema = z
  .object({
    latitude: z.number().min(-90).max(90).default(49.8672),
    longitude: z.number().min(-180).max(180).default(-118.00737),
    /** IANA zone of the camera's place: day boundaries, archive folders, camera clocks without an EXIF offset. */
    timeZone: z.string().refine(knownTimeZone, 'unknown time zone: use an IANA name such as UTC or America/Vancouver').default('America/Vancouver'),
    intervalMinutes: z.number().int().min(1).default(5),
    /** Capture while the sun is above this altitude in degrees (-6: civil twilight). Polar day and night need no special case. */
    sunAltitude: z.number().min(-18).max(10).default(-6),
    /** The first and last minutes of each daylight window use `capture.lowLightSettings`. */
    lowLightMinutes: z.number().int().min(0).max(240).default(15),
    bucket: z.string().optional(),
    prefix: z.string().default('webcam/'),
    /** Widths to make, in pixels (never enlarged). */
    sizes: z.array(z.number().int().positive()).default([1280, 640, 160]),
    /** Also store the full-size image (re-encoded, auto-oriented). */
    full: z.boolean().default(true),
    quality: z.number().int().min(1).max(100).default(90),
    /** Keep the EXIF block in the stored sizes (it may hold the camera's serial number and GPS). */
    keepExif: z.boolean().default(false),
    /** The seed's public-read uploads: opt-in, and every ingest warns about it. */
    publicRead: z.boolean().default(false),
    /** Object names carry the content hash, so a stored size never changes. */
    cacheControl: z.string().default('max-age=31536000, immutable'),
    /** A file in incoming must be unchanged this long before it is taken (still being uploaded). */
    quiescenceSeconds: z.number().int().min(0).default(20),
    /** Holds incoming/, rejected/, archive/ and the capture queue; default $XDG_STATE_HOME/opsdeck/webcam. */
    spoolDir: z.string().optional(),
    incomingDir: z.string().optional(),
    archiveDir: z.string().optional(),
    /** Status is stale (exit 1, red in the pane) when the last capture or ingest is older than this many intervals, in daylight. */
    staleAfterIntervals: z.number().int().min(1).default(3),
    capture: captureSchema.default(captureSchema.parse({})),
    database: databaseSchema.default(databaseSchema.parse({})),
    timelapse: timelapseSchema.default(timelapseSchema.parse({})),
    delivery: deliverySchema.default(deliverySchema.parse({})),
    source: sourceSchema.default(sourceSchema.parse({})),
    /** Unset: only this host's own queue is shown. */
    cameraHost: cameraHostSchema.optional(),
    /** The pane's latest image: auto picks kitty or iTerm2 when the terminal has it, else half-block cells. */
    preview: z.enum(['auto', 'halfblock', 'kitty', 'iterm2', 'off']).default('auto'),
    /** Inside tmux images need its passthrough (tmux 3.3+: set -g allow-passthrough on); without this, tmux gets half blocks. */
    previewTmuxPassthrough: z.boolean().default(false),
  })
  .strict()
  // the sizes must never be listed as incoming frames (nor the reverse)
  .refine((w) => w.source.method !== 's3' || !(w.source.prefix.startsWith(w.prefix) || w.prefix.startsWith(w.source.prefix)), {
    message: 'webcam.source.prefix and webcam.prefix must not contain one another: ingest would take its own sizes as frames',
    path: ['source', 'prefix'],
  });
export type WebcamConfig = z.infer<typeof webcamConfigSchema>;

/** Said before objects go out public-read (webcam.publicRead, the seed's practice, opt-in): a person or cron log must hear it. */
export const publicReadWarning = (what: string): string => `webcam.publicRead is on: ${what} can be read by anyone on the internet`;
