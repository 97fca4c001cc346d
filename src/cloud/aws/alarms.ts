import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { AlarmState, AlarmsPort } from '../ports.js';
import { allPages, call } from './common.js';

/** DescribeAlarms takes at most 100 names a request. */
const NAMES_PER_CALL = 100;

/** AlarmsPort over CloudWatch: the policies' alarms in one request (per hundred names), all pages. */
export function createCloudWatchAlarms(client: CloudWatchClient): AlarmsPort {
  return {
    async describeAlarms(names, opts = {}) {
      const unique = [...new Set(names)];
      const out: AlarmState[] = [];
      for (let i = 0; i < unique.length; i += NAMES_PER_CALL) {
        const chunk = unique.slice(i, i + NAMES_PER_CALL);
        out.push(
          ...(await allPages<AlarmState>(async (token) => {
            const res = await call('DescribeAlarms', () =>
              client.send(new DescribeAlarmsCommand({ AlarmNames: chunk, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100, NextToken: token }), { abortSignal: opts.signal }),
            );
            const items = [...(res.MetricAlarms ?? []), ...(res.CompositeAlarms ?? [])].map((a) => ({
              name: a.AlarmName ?? '',
              state: a.StateValue ?? 'unknown',
              reason: a.StateReason,
              updatedAt: a.StateUpdatedTimestamp,
            }));
            return { items, next: res.NextToken };
          }, opts)),
        );
      }
      return out;
    },
  };
}
