import { performance } from 'node:perf_hooks';
import { compareData } from '../../src/database/checksum.js';
import { replicationStatus } from '../../src/mysql/replication.js';
import { startReplicaPair } from '../integration/mysql-pair.js';

/** `db checksum` of a 1,000,000-row InnoDB table on a real source and replica: wall time and the longest statement it ran on the source. */
export async function measureChecksum(rows = 1_000_000): Promise<{ ms: number; longestSourceMs: number; chunks: number; rowsPerSecond: number }> {
  const pair = await startReplicaPair([701, 702]);
  try {
    await pair.src.query('CREATE DATABASE bench');
    await pair.src.query('CREATE TABLE bench.orders (id INT PRIMARY KEY, item VARCHAR(40), qty INT) ENGINE=InnoDB');
    // MariaDB's sequence engine: a million rows in one statement
    await pair.src.query(`INSERT INTO bench.orders SELECT seq, CONCAT('item ', seq), seq % 17 FROM bench.seq_1_to_${rows}`);
    for (let i = 0; i < 1200; i++) {
      const s = await replicationStatus(pair.rep);
      const [r] = await pair.rep.query('SELECT COUNT(*) AS n FROM bench.orders').catch(() => [[{ n: 0 }]]);
      if (s?.secondsBehind === 0 && Number((r as { n: string }[])[0]?.n) === rows) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    const t0 = performance.now();
    const report = await compareData(pair.src, pair.rep);
    const ms = performance.now() - t0;
    if (report.mismatches.length > 0) throw new Error(`the bench tables differ: ${JSON.stringify(report.mismatches[0])}`);
    return { ms, longestSourceMs: report.longestSourceMs, chunks: report.chunks, rowsPerSecond: rows / (ms / 1000) };
  } finally {
    await pair.stop();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const r = await measureChecksum(Number(process.env.BENCH_CHECKSUM_ROWS ?? 1_000_000));
  console.log(`checksum: ${(r.ms / 1000).toFixed(1)} s, ${r.chunks} chunks, longest source statement ${r.longestSourceMs} ms, ${Math.round(r.rowsPerSecond)} rows/s`);
  process.exit(0);
}
