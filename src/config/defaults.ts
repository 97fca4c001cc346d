import type { Config } from './schema.js';

/**
 * What an absent opsdeck.yaml means, as a plain object. It must equal
 * `configSchema.parse({})` (test/unit/config-defaults.test.ts holds the two
 * together): the copy exists because importing zod to compute it was about 40%
 * of the CPU a cron `opsdeck instances --batch` spent when no config file exists.
 * When an area changes a default in its config section, change it here too.
 */
const DEFAULTS: Config = {
  aws: {},
  fleet: { discovery: {}, address: 'private', port: 80, refreshSeconds: 15 },
  haproxy: {
    configPath: '/etc/haproxy/haproxy.cfg',
    backends: ['www_farm'],
    serverOptions: 'check maxconn 200',
    binary: 'haproxy',
    reload: { method: 'master-cli', masterSocket: '/run/haproxy-master.sock' },
    runtimeSocket: '/run/haproxy/admin.sock',
    keepBackups: 10,
    maxRemoveFraction: 0.5,
  },
  snapshots: {
    timeZone: 'UTC',
    windows: { keepAllHours: 24, dailyDays: 7, weeklyDays: 31, monthlyDays: 365 },
    keep: { tag: ['retain'] },
    planMaxAgeMinutes: 60,
    concurrency: 8,
  },
  scaling: { groups: [], timeZone: 'UTC', activities: 20, shutdownWaitMinutes: 30, drainTimeoutSeconds: 120 },
  hosts: {},
  mysql: {},
  webcam: {
    latitude: 49.8672,
    longitude: -118.00737,
    timeZone: 'America/Vancouver',
    intervalMinutes: 5,
    sunAltitude: -6,
    lowLightMinutes: 15,
    prefix: 'webcam/',
    sizes: [1280, 640, 160],
    full: true,
    quality: 90,
    keepExif: false,
    publicRead: false,
    cacheControl: 'max-age=31536000, immutable',
    quiescenceSeconds: 20,
    staleAfterIntervals: 3,
    capture: {
      command: ['gphoto2', '--capture-image-and-download', '--force-overwrite', '--filename', '{output}', '{settings}'],
      timeoutSeconds: 60,
      settings: {},
      lowLightSettings: { iso: '800' },
      faultAfter: 3,
    },
    database: { name: 'webcam', table: 'webcam_images', timelapseTable: 'webcam_timelapses' },
    timelapse: { ffmpeg: 'ffmpeg', fps: 24, width: 1280, crf: 23, timeoutSeconds: 1800 },
    delivery: { method: 'local', prefix: 'webcam-incoming/', timeoutSeconds: 120 },
    source: { method: 'folder', prefix: 'webcam-incoming/', timeoutSeconds: 120 },
    preview: 'auto',
    previewTmuxPassthrough: false,
  },
};

/** A fresh copy each call: callers may spread and override sections. */
export function defaultConfig(): Config {
  return structuredClone(DEFAULTS);
}
