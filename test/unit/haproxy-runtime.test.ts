import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { haproxyConfigSchema } from '../../src/haproxy/config.js';
import { parseShowProc, reloadHaproxy } from '../../src/haproxy/reload.js';
import { parseServersState, parseShowStat } from '../../src/haproxy/runtime.js';
import { socketCommand } from '../../src/haproxy/socket.js';

// Verbatim from Debian's haproxy 2.6.12 master CLI, after one failed reload.
const SHOW_PROC = `#<PID>          <type>          <reloads>       <uptime>        <version>
11924           master          5 [failed: 1]   0d00h01m11s     2.6.12-1+deb12u4
# workers
15713           worker          1               0d00h00m10s     2.6.12-1+deb12u4
# old workers
12826           worker          2               0d00h00m30s     2.6.12-1+deb12u4
# programs

`;

const SERVERS_STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 www_farm 1 i-00000000000000001 127.0.0.1 2 0 1 1 12 6 3 4 6 0 0 0 - 41001 - 0 0 - - 0
3 www_farm 2 i-00000000000000002 127.0.0.1 2 8 1 1 3 6 3 4 6 0 0 0 - 41002 - 0 0 - - 0
3 www_farm 3 i-00000000000000003 127.0.0.1 0 1 1 1 3 6 3 4 6 0 0 0 - 41003 - 0 0 - - 0
`;

describe('runtime API parsers', () => {
  it('show proc: master reloads, failed count, current workers only', () => {
    expect(parseShowProc(SHOW_PROC)).toEqual({ masterPid: 11924, reloads: 5, failed: 1, workers: [15713] });
    expect(parseShowProc('Unknown command.\n')).toBeUndefined();
  });

  it('show servers state: admin bits to ready / drain / maint, port', () => {
    expect(parseServersState(SERVERS_STATE).map((s) => `${s.name} ${s.admin} ${s.address}:${s.port}`)).toEqual([
      'i-00000000000000001 ready 127.0.0.1:41001',
      'i-00000000000000002 drain 127.0.0.1:41002',
      'i-00000000000000003 maint 127.0.0.1:41003',
    ]);
  });

  it('show stat: status, check and current sessions per backend/server, skipping FRONTEND/BACKEND rows', () => {
    const csv = '# pxname,svname,qcur,scur,status,check_status\nwww,FRONTEND,,9,OPEN,\nwww_farm,i-1,0,0,UP,L4OK\nwww_farm,i-2,0,3,DRAIN,L4OK\nwww_farm,BACKEND,0,3,UP,\n';
    expect([...parseShowStat(csv)]).toEqual([
      ['www_farm/i-1', { status: 'UP', check: 'L4OK', sessions: 0 }],
      ['www_farm/i-2', { status: 'DRAIN', check: 'L4OK', sessions: 3 }],
    ]);
  });

  it('never sends a line that could chain a second command', async () => {
    await expect(socketCommand('/nonexistent.sock', 'set server a/b state drain; shutdown sessions')).rejects.toThrow(/multi-command/);
    await expect(socketCommand('/nonexistent.sock', 'show stat')).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('ENOENT') });
  });
});

describe('master CLI reload', () => {
  it('waits for a master CLI that is briefly away (re-executing after another reload) instead of failing the reload', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-master-cli-'));
    const sock = path.join(dir, 'master.sock');
    let reloaded = false;
    // A stand-in master CLI answering in 2.6's format: before the reload one worker, after it a new one.
    const server = net.createServer((c) => {
      c.once('data', (d) => {
        const cmd = d.toString().trim();
        if (cmd === 'reload') reloaded = true;
        c.end(cmd === 'show proc' ? (reloaded ? SHOW_PROC.replace('5 [failed: 1]', '6 [failed: 1]').replace('15713', '15800') : SHOW_PROC) : '');
      });
    });
    const appears = setTimeout(() => server.listen(sock), 400);
    try {
      const cfg = haproxyConfigSchema.parse({ reload: { method: 'master-cli', masterSocket: sock } });
      await expect(reloadHaproxy(cfg, { deadlineMs: 3000 })).resolves.toEqual({ ok: true, method: 'master-cli', message: 'new worker 15800 serving' });
    } finally {
      clearTimeout(appears);
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('poolStateCounts: the pool line counts servers by state', () => {
  it('admin state first, then health, worst first', async () => {
    const { poolStateCounts } = await import('../../src/haproxy/pool.js');
    const srv = (name: string, admin: 'ready' | 'drain' | 'maint', status: string, check = 'L4OK') => [name, { backend: 'www_farm', name, address: '127.0.0.1', port: 80, admin, status, check }] as const;
    const live = new Map([srv('a', 'ready', 'UP'), srv('b', 'ready', 'UP'), srv('c', 'ready', 'DOWN 1/2', 'L4CON'), srv('d', 'maint', 'MAINT'), srv('e', 'drain', 'UP')]);
    expect(poolStateCounts(live)).toBe('1 DOWN · 1 MAINT · 1 DRAIN · 2 UP');
    expect(poolStateCounts(new Map([srv('a', 'ready', 'no runtime API', 'simulated'), srv('b', 'drain', 'no runtime API', 'simulated')]))).toBe('sim 1 DRAIN · 1 READY');
  });
});
