import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { shellQuote } from '../../src/core/shell.js';
import type { MysqlConnection } from '../../src/mysql/connection.js';
import type { MariaDbInstance } from '../services/mariadb.js';

const run = promisify(execFile);

/**
 * A rig MariaDB that a runbook can stop and start over SSH, as systemctl
 * would: the stop returns once mariadbd has exited, the start launches it
 * detached with exactly the command line the rig started it with (read back
 * from /proc), so datadir, port and server id stay the same.
 */
export interface ColdServer {
  inst: MariaDbInstance;
  /** `hosts.NAME.mysqld` for the inventory */
  mysqld: { stop: string; start: string };
  running(): boolean;
  /** end whatever mariadbd runs on this datadir (the rig's or one a runbook started), then the rig's cleanup */
  stop(): Promise<void>;
}

export function coldServer(inst: MariaDbInstance): ColdServer {
  const dir = path.dirname(inst.dataDir);
  const pidFile = path.join(dir, 'mariadbd.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  const p = shellQuote(pidFile);
  // a zombie (a parent that does not reap) still passes kill -0: the state letter says it is gone
  const gone = 'while kill -0 "$pid" 2>/dev/null && [ "$(cut -d" " -f3 /proc/$pid/stat 2>/dev/null)" != Z ]; do sleep 0.1; done';
  const stop = `[ -f ${p} ] || exit 0; pid=$(cat ${p}); kill "$pid" 2>/dev/null || exit 0; ${gone}`;
  const start = `if [ -f ${p} ] && kill -0 "$(cat ${p})" 2>/dev/null; then exit 0; fi; setsid ${args.map(shellQuote).join(' ')} </dev/null >>${shellQuote(path.join(dir, 'restarts.log'))} 2>&1 &`;
  const livePid = (): number | undefined => {
    if (!existsSync(pidFile)) return undefined;
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(n, 0);
      return n;
    } catch {
      return undefined;
    }
  };
  return {
    inst,
    mysqld: { stop, start },
    running: () => livePid() !== undefined,
    async stop() {
      if (livePid() !== undefined) await run('sh', ['-c', stop], { timeout: 30_000 });
      await inst.stop();
    },
  };
}

/**
 * The data a resync must carry whole: shop.orders (InnoDB, `orders` rows of
 * `md5s` MD5s each: a few MB) and wiki.pages (MyISAM, 3,000 rows), so both
 * engines' files are on the copy.
 */
export async function fillShopAndWiki(c: MysqlConnection, orders: number, md5s: number): Promise<void> {
  await c.query('CREATE DATABASE shop');
  await c.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40), note TEXT) ENGINE=InnoDB');
  await c.query(`INSERT INTO shop.orders SELECT seq, CONCAT('item ', seq), REPEAT(MD5(seq), ${md5s}) FROM shop.seq_1_to_${orders}`);
  await c.query('CREATE DATABASE wiki');
  await c.query('CREATE TABLE wiki.pages (title VARCHAR(80), body TEXT) ENGINE=MyISAM');
  await c.query("INSERT INTO wiki.pages SELECT CONCAT('page ', seq), REPEAT('text ', 50) FROM wiki.seq_1_to_3000");
}
