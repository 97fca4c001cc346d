/**
 * The webcam's world for one command or pane: its folders, bucket, table and
 * camera, from the context. On the sandbox everything is simulated and kept
 * in the sandbox directory (the config's folders, bucket, database and camera
 * command are never touched); otherwise the config says where each is.
 */
import path from 'node:path';
import type { ObjectStorePort } from '../cloud/ports.js';
import { resolveConfigSecret } from '../config/secrets.js';
import type { CommandContext } from '../core/context.js';
import { OpsError } from '../core/errors.js';
import { sshTargetFromHost } from '../remote/target.js';
import { cameraHostReader, type CameraHostReader } from './camera-host.js';
import { commandCamera, type Camera } from './capture.js';
import { localSink, s3Sink, sftpSink, type SinkOpener } from './delivery.js';
import type { WebcamConfig } from './config.js';
import { folderSource, s3Source, type FrameSource } from './incoming.js';
import { webcamPaths, type WebcamPaths } from './paths.js';
import { fileImageTable, type ImageTable } from './table.js';

/** The sandbox world's bucket (src/cloud/sandbox: SANDBOX_BUCKET), named here so the TUI does not load the world for it. */
export const SANDBOX_WEBCAM_BUCKET = 'opsdeck-sandbox';

export interface WebcamSite {
  config: WebcamConfig;
  paths: WebcamPaths;
  sandbox: boolean;
  /** Throws a usage error naming the key when no bucket is configured. */
  bucket(): string;
  objects(): Promise<ObjectStorePort>;
  /** A fresh handle each call (close it): a long-lived pane must see rows other runs added. */
  openTable(): Promise<ImageTable>;
  camera(): Promise<Camera>;
  /** Where captures go (webcam.delivery): the local incoming folder, SFTP to the ingest server, or an S3 incoming prefix. */
  deliverer(): SinkOpener;
  /** Where ingest takes frames (webcam.source): the incoming folder, or an S3 incoming prefix. */
  source(): Promise<FrameSource>;
  /** The camera host's queue and capture record over SFTP (webcam.cameraHost); undefined when none is configured, and on the sandbox. */
  cameraHost: CameraHostReader | undefined;
}

export function webcamSite(ctx: Pick<CommandContext, 'config' | 'configPath' | 'options' | 'stateDir' | 'sandboxDir' | 'cloud'>): WebcamSite {
  const config = ctx.config.webcam;
  const sandbox = ctx.options.sandbox;
  const paths = sandbox
    ? webcamPaths({}, path.join(ctx.sandboxDir ?? ctx.stateDir, 'webcam'))
    : webcamPaths(config, path.join(ctx.stateDir, 'webcam'));
  const sftpHost = (): ReturnType<typeof sshTargetFromHost> => {
    const name = config.delivery.host ?? '';
    const h = ctx.config.hosts[name];
    if (!h) throw new OpsError('USAGE', `webcam.delivery.host names ${name || 'nothing'}, which is not under hosts:`, { hint: 'add the ingest server under hosts: (host, user, identityFile, knownHosts) and name it in webcam.delivery.host' });
    return sshTargetFromHost(h);
  };
  return {
    config,
    paths,
    sandbox,
    bucket() {
      if (sandbox) return SANDBOX_WEBCAM_BUCKET;
      if (!config.bucket) throw new OpsError('USAGE', 'webcam.bucket is not set: ingest has nowhere to store the sizes', { hint: 'set webcam.bucket in opsdeck.yaml (and webcam.prefix if not webcam/)' });
      return config.bucket;
    },
    objects: async () => (await ctx.cloud()).objects,
    async openTable() {
      if (sandbox) return fileImageTable(path.join(paths.spool, 'images.jsonl'));
      const name = config.database.target;
      const target = name === undefined ? undefined : ctx.config.mysql[name];
      if (!name || !target) {
        throw new OpsError('USAGE', name ? `webcam.database.target names ${name}, which is not under mysql:` : 'webcam.database.target is not set: ingest has nowhere to record images', {
          hint: 'add the server under mysql: (host, user, password: ${env:...}) and name it in webcam.database.target',
        });
      }
      const { connectMysql } = await import('../mysql/connection.js');
      const { mysqlImageTable } = await import('./table-mysql.js');
      const password = target.password === undefined ? undefined : resolveConfigSecret(ctx.configPath, `mysql.${name}.password`, target.password);
      // an opener, not a connection: after a dropped link the table connects again
      const connect = () => connectMysql({ host: target.host, port: target.port, user: target.user, ...(password === undefined ? {} : { password }) });
      return mysqlImageTable(connect, config.database.name, config.database.table, config.database.timelapseTable);
    },
    deliverer() {
      const d = config.delivery;
      if (sandbox || d.method === 'local') return localSink(paths.incoming);
      if (d.method === 's3') {
        const bucket = d.bucket ?? config.bucket;
        if (!bucket) throw new OpsError('USAGE', 'webcam.delivery.method is s3 but neither webcam.delivery.bucket nor webcam.bucket is set', { hint: 'set webcam.delivery.bucket (and webcam.delivery.prefix, default webcam-incoming/)' });
        return s3Sink({ objects: async () => (await ctx.cloud()).objects, bucket, prefix: d.prefix, timeoutMs: d.timeoutSeconds * 1000 });
      }
      return sftpSink({ target: sftpHost(), remoteDir: d.remoteDir ?? '', timeoutMs: d.timeoutSeconds * 1000 });
    },
    async source() {
      const src = config.source;
      if (sandbox || src.method === 'folder') return folderSource(paths);
      const bucket = src.bucket ?? config.bucket;
      if (!bucket) throw new OpsError('USAGE', 'webcam.source.method is s3 but neither webcam.source.bucket nor webcam.bucket is set', { hint: 'set webcam.source.bucket (and webcam.source.prefix, default webcam-incoming/)' });
      return s3Source({ objects: (await ctx.cloud()).objects, bucket, prefix: src.prefix, timeoutMs: src.timeoutSeconds * 1000 });
    },
    cameraHost: sandbox ? undefined : cameraHostReader(config, ctx.config.hosts),
    async camera() {
      if (sandbox) return (await import('./sandbox-camera.js')).sandboxCamera(config);
      return commandCamera(config.capture.command);
    },
  };
}
