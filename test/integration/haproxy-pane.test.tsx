import React from 'react';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { socketCommand } from '../../src/haproxy/socket.js';
import { App, createSessionFor } from '../../views/App.js';
import { fleetPane } from '../../views/panes/fleet.js';
import { startBackend, startHaproxyRig, type Backend, type HaproxyRig } from '../services/haproxy.js';
import { FakeAws, fakeCloud, iid } from '../unit/fleet-fixtures.js';
import { KEY, press, track, selectedRow, testContext, type, waitFor } from '../views/helpers.js';

/** The Fleet pane against a real haproxy: `a` reloads it, `d` drains through the runtime API. */
let rig: HaproxyRig;
let backends: Backend[];
const aws = new FakeAws();

beforeAll(async () => {
  backends = await Promise.all(['app-a', 'app-b', 'app-c'].map(startBackend));
  rig = await startHaproxyRig();
  aws.instances = backends.map((b, n) => ({ id: iid(n + 1), privateIp: '127.0.0.1', tags: { role: 'web', Name: b.name, 'opsdeck:port': String(b.port) } }));
  // The sync lock lives under $XDG_STATE_HOME: a private one keeps parallel test files from sharing it.
  process.env.XDG_STATE_HOME = path.join(rig.dir, 'state');
});
afterAll(async () => {
  aws.restore();
  await rig?.stop();
  await Promise.all((backends ?? []).map((b) => b.stop()));
});

/** The Fleet pane, discovering by tag, syncing the rig's haproxy. */
function mountPane() {
  const base = defaultConfig();
  const ctx = testContext({
    cloud: fakeCloud(),
    options: { sandbox: false },
    config: { fleet: { ...base.fleet, discovery: { tags: { role: 'web' } }, portTag: 'opsdeck:port' }, haproxy: rig.config },
  });
  const store = createSessionFor(ctx, { size: { columns: 120, rows: 36 }, panes: [fleetPane] });
  return track(render(<App ctx={ctx} store={store} panes={[fleetPane]} />), store);
}

describe('Fleet pane on a real haproxy', () => {
  it('applies the pool after confirmation, then drains the selected server: visible in show servers state', async () => {
    const app = mountPane();
    try {
      await waitFor(() => app.lastFrame()?.includes('+3 added'), 'the plan', app.lastFrame, 10_000);
      await press(app, 'a');
      await press(app, KEY.tab);
      await press(app, KEY.enter);
      await waitFor(() => app.lastFrame()?.includes('in sync (3 servers: 3 UP)'), 'the pool in sync', app.lastFrame, 15_000);
      expect(await readFile(rig.configPath, 'utf8')).toContain(`server ${iid(2)} 127.0.0.1:${backends[1]!.port}`);
      expect(new Set([await rig.request(), await rig.request(), await rig.request()])).toEqual(new Set(['app-a', 'app-b', 'app-c']));

      await press(app, '/');
      await type(app, 'app-b');
      await press(app, KEY.enter);
      expect(selectedRow(app.lastFrame())).toContain(iid(2));
      const f = await press(app, 'd');
      expect(f).toContain(`Set ${iid(2)} to drain`);
      await press(app, KEY.tab);
      await press(app, KEY.enter);
      await waitFor(() => /app-b\s.*DRAIN/.test(app.lastFrame() ?? ''), 'DRAIN in the row', app.lastFrame, 15_000);
      const state = await socketCommand(rig.adminSocket, 'show servers state www_farm');
      const line = state.split('\n').find((l) => l.includes(` ${iid(2)} `)) ?? '';
      expect(Number(line.split(' ')[6]) & 0x08).toBe(0x08);
    } finally {
      app.unmount();
    }
  }, 60_000);

  it('applies exactly the confirmed plan: discovery changing while the dialog is open is not re-planned into it', async () => {
    const all = aws.instances;
    aws.instances = all.slice(0, 2);
    const app = mountPane();
    try {
      await waitFor(() => app.lastFrame()?.includes('-1 removed'), 'the plan removing app-c', app.lastFrame, 10_000);
      expect(await press(app, 'a')).toContain(`-    server ${iid(3)}`);
      // The instance comes back before the person confirms: what they confirmed (remove it) is what happens.
      aws.instances = all;
      await press(app, KEY.tab);
      await press(app, KEY.enter);
      await waitFor(() => /applied \+0 added \/ -1 removed/.test(app.lastFrame() ?? ''), 'the applied summary', app.lastFrame, 15_000);
      expect(await readFile(rig.configPath, 'utf8')).not.toContain(`server ${iid(3)} `);
      // The next plan (after the reload's refresh) proposes it again, for a new confirmation.
      await waitFor(() => app.lastFrame()?.includes('+1 added'), 'the next plan', app.lastFrame, 10_000);
      // the servers as they are now stay counted while a change is pending
      await waitFor(() => /pool www_farm: now 2 UP · \+1 added/.test(app.lastFrame() ?? ''), 'the live counts beside the pending join', app.lastFrame, 10_000);
    } finally {
      app.unmount();
    }
  }, 60_000);
});
