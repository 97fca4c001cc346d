import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStorePort } from '../../src/cloud/ports.js';
import { fleetConfigSchema } from '../../src/fleet/config.js';
import { discoverFleet, toMembers } from '../../src/fleet/discover.js';
import { checkIpv4, parsePort } from '../../src/fleet/validate.js';
import { FakeAws, fakeCloud, iid } from './fleet-fixtures.js';

const aws = new FakeAws('web-asg');
afterAll(() => aws.restore());
beforeEach(() => {
  aws.instances = [];
  aws.failWith = undefined;
  aws.describeCalls = 0;
});

const cfg = (o: object) => fleetConfigSchema.parse(o);
const pointerStore = (body: string): ObjectStorePort => ({
  getObject: async (bucket, key) => {
    if (bucket !== 'deploy' || key !== 'ami-application') throw new Error('NoSuchKey');
    return Buffer.from(body);
  },
  putObject: async () => {},
  listObjects: async () => [],
  deleteObject: async () => {},
});

describe('discoverFleet', () => {
  it('follows every page (pages count reservations) and keeps only running instances', async () => {
    aws.instances = Array.from({ length: 11 }, (_, n) => ({
      id: iid(n + 1),
      privateIp: `127.0.1.${n + 1}`,
      state: n === 5 ? 'stopped' : 'running',
      tags: { role: 'web' },
    }));
    const r = await discoverFleet(fakeCloud(), cfg({ discovery: { tags: { role: 'web' } } }));
    expect(r.members.map((m) => m.instanceId)).toEqual(aws.instances.filter((i) => i.state === 'running').map((i) => i.id));
    expect(aws.describeCalls).toBe(3); // 10 running / 2 per reservation / 2 reservations per page
    expect(r.members[0]).toEqual({ instanceId: iid(1), address: '127.0.1.1', port: 80 });
  });

  it('reports instances without the chosen address instead of dropping them silently', async () => {
    aws.instances = [
      { id: iid(1), privateIp: '127.0.1.1', tags: { role: 'web' } },
      { id: iid(2), publicIp: '127.1.113.9', tags: { role: 'web' } },
    ];
    const r = await discoverFleet(fakeCloud(), cfg({ discovery: { tags: { role: 'web' } } }));
    expect(r.members.map((m) => m.instanceId)).toEqual([iid(1)]);
    expect(r.problems).toEqual([{ instanceId: iid(2), reason: 'has no private IPv4 address' }]);
    const pub = await discoverFleet(fakeCloud(), cfg({ discovery: { tags: { role: 'web' } }, address: 'public' }));
    expect(pub.members).toEqual([{ instanceId: iid(2), address: '127.1.113.9', port: 80 }]);
    expect(pub.problems[0]?.instanceId).toBe(iid(1));
  });

  it('rejects malicious or malformed values before they can reach a config', async () => {
    aws.instances = [
      { id: iid(1), privateIp: '127.0.1.1', tags: { role: 'web', Name: 'x\n    server evil 127.6.6.6:80' } },
      { id: 'i-1234 evil', privateIp: '127.0.1.2', tags: { role: 'web' } },
      { id: iid(3), privateIp: '127.0.1.300', tags: { role: 'web' } },
      { id: iid(4), privateIp: '127.0.1.4\n    server evil', tags: { role: 'web' } },
      { id: iid(5), privateIp: '127.0.1.5', tags: { role: 'web', port: '80 backup' } },
      { id: iid(6), privateIp: '127.0.1.6', tags: { role: 'web', port: '8081' } },
    ];
    const r = await discoverFleet(fakeCloud(), cfg({ discovery: { tags: { role: 'web' } }, portTag: 'port' }));
    // The Name tag never reaches the config, so instance 1 is fine; the port tag override works for 6.
    expect(r.members).toEqual([
      { instanceId: iid(1), address: '127.0.1.1', port: 80 },
      { instanceId: iid(6), address: '127.0.1.6', port: 8081, portFromTag: true },
    ]);
    expect(r.problems.map((p) => p.reason)).toEqual([
      'instance id "i-1234 evil" is not of the form i-0123abcd',
      'address "127.0.1.300" has an invalid octet "300"',
      'address "127.0.1.4\\n    server evil" is not a dotted-quad IPv4 address',
      'tag port="80 backup" is not a port 1-65535',
    ]);
  });

  it('Auto Scaling mode takes InService members only, and an empty group means no instances', async () => {
    aws.instances = [
      { id: iid(1), privateIp: '127.0.1.1', asg: 'InService' },
      { id: iid(2), privateIp: '127.0.1.2', asg: 'Pending' },
      { id: iid(3), privateIp: '127.0.1.3', asg: 'Terminating' },
      { id: iid(4), privateIp: '127.0.1.4' },
    ];
    const r = await discoverFleet(fakeCloud(), cfg({ discovery: { autoScalingGroup: 'web-asg' } }));
    expect(r.members.map((m) => m.instanceId)).toEqual([iid(1)]);
    aws.instances = [{ id: iid(4), privateIp: '127.0.1.4' }];
    aws.describeCalls = 0;
    const none = await discoverFleet(fakeCloud(), cfg({ discovery: { autoScalingGroup: 'web-asg' } }));
    expect(none.members).toEqual([]);
    // An empty id filter would mean "every instance" to EC2: it must not be sent at all.
    expect(aws.describeCalls).toBe(0);
    await expect(discoverFleet(fakeCloud(), cfg({ discovery: { autoScalingGroup: 'other' } }))).rejects.toMatchObject({ code: 'DISCOVERY_FAILED' });
  });

  it('a group larger than one EC2 filter allows (200 values) is asked for in slices, every member found', async () => {
    aws.instances = Array.from({ length: 450 }, (_, n) => ({ id: iid(n + 1), privateIp: `127.0.${n >> 8}.${n & 255}`, asg: 'InService' as const }));
    const r = await discoverFleet(fakeCloud(), cfg({ discovery: { autoScalingGroup: 'web-asg' } }));
    expect(r.members).toHaveLength(450);
    expect(r.problems).toEqual([]);
  });

  it('AMI pointer mode reads the AMI id from the object and combines with tag filters', async () => {
    aws.instances = [
      { id: iid(1), privateIp: '127.0.1.1', ami: 'ami-0123456789abcdef0', tags: { env: 'prod' } },
      { id: iid(2), privateIp: '127.0.1.2', ami: 'ami-0123456789abcdef0', tags: { env: 'staging' } },
      { id: iid(3), privateIp: '127.0.1.3', ami: 'ami-0fedcba9876543210', tags: { env: 'prod' } },
    ];
    const c = cfg({ discovery: { amiPointer: 's3://deploy/ami-application', tags: { env: 'prod' } } });
    const r = await discoverFleet(fakeCloud(pointerStore('ami-0123456789abcdef0\n')), c);
    expect(r.members.map((m) => m.instanceId)).toEqual([iid(1)]);
    expect(r.source).toBe('ami ami-0123456789abcdef0 (s3://deploy/ami-application) · tags env=prod');
    await expect(discoverFleet(fakeCloud(pointerStore('<html>oops</html>')), c)).rejects.toMatchObject({
      code: 'DISCOVERY_FAILED',
      message: expect.stringMatching(/holds no AMI id/),
    });
  });

  it('fails (never returns an empty fleet) when the API fails, and refuses a config without any mode', async () => {
    aws.failWith = Object.assign(new Error('You are not authorized'), { name: 'UnauthorizedOperation' });
    await expect(discoverFleet(fakeCloud(), cfg({ discovery: { tags: { role: 'web' } } }))).rejects.toMatchObject({
      code: 'DISCOVERY_FAILED',
      message: expect.stringMatching(/not authorized/),
    });
    await expect(discoverFleet(fakeCloud(), cfg({}))).rejects.toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2 });
  });
});

describe('value validation', () => {
  it('accepts only dotted quads with octets up to 255 and ports 1-65535', () => {
    expect(checkIpv4('127.0.0.255').ok).toBe(true);
    for (const bad of ['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', '::1', '1.2.3.4:80']) expect(checkIpv4(bad).ok).toBe(false);
    expect([parsePort('1'), parsePort('65535'), parsePort('0'), parsePort('65536'), parsePort('08'), parsePort('8e3')]).toEqual([1, 65535, undefined, undefined, undefined, undefined]);
  });

  it('toMembers sorts by instance id and drops duplicates', () => {
    const inst = (id: string) => ({ id, name: undefined, state: 'running', availabilityZone: undefined, instanceType: undefined, imageId: undefined, privateIp: '127.0.0.1', publicIp: undefined, launchTime: undefined, tags: {} });
    const r = toMembers([inst(iid(3)), inst(iid(1)), inst(iid(3))], cfg({}));
    expect(r.members.map((m) => m.instanceId)).toEqual([iid(1), iid(3)]);
  });
});
