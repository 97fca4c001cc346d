/**
 * One `ingest` in its own process, for the crash test to kill -9: the same
 * plan + apply the batch command runs, against s3rver and MariaDB, from the
 * incoming folder or (with `incomingPrefix`) an S3 incoming prefix. Prints
 * "ready" when it starts ingesting, "done <summary>" when it finishes.
 */
import { systemClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { folderSource, s3Source } from '../../src/webcam/incoming.js';
import { applyIngest, describeIngest, planIngest } from '../../src/webcam/ingest.js';
import { webcamPaths } from '../../src/webcam/paths.js';
import { mysqlTable, s3Store } from './webcam-rig.js';

export interface ChildArgs {
  endpoint: string;
  db: { host: '127.0.0.1'; port: number; user: string; password: string };
  database: string;
  spool: string;
  bucket: string;
  /** ingest from s3://bucket/<incomingPrefix> instead of the spool's incoming folder */
  incomingPrefix?: string;
}
const { endpoint, db, database, spool, bucket, incomingPrefix } = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const config = { ...defaultConfig().webcam, sizes: [640, 160], bucket };
const paths = webcamPaths({}, spool);
const objects = await s3Store({ endpoint });
const { table } = await mysqlTable({ ...db, stop: async () => {} }, database);
const source = incomingPrefix === undefined ? folderSource(paths) : s3Source({ objects, bucket, prefix: incomingPrefix, timeoutMs: 30_000 });
const plan = await planIngest(paths, config, new Date(), source);
process.stdout.write('ready\n');
const r = await applyIngest(plan, { config, paths, source, objects, bucket, table, clock: systemClock });
await table.close();
process.stdout.write(`done ${describeIngest(r)}\n`);
