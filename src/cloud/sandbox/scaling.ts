import type { ListOptions, ScalingPort } from '../ports.js';
import { CloudError } from '../ports.js';
import { configure } from './asg.js';
import type { SandboxFleet } from './fleet.js';

type Delay = (signal?: AbortSignal) => Promise<void>;
type Listed = <T>(o: ListOptions | undefined, get: () => T[]) => Promise<T[]>;

/** The ScalingPort of the sandbox: every call pays the world's latency, then acts on the simulated group. */
export function sandboxScaling(fleet: SandboxFleet, delay: Delay, listed: Listed): ScalingPort {
  const write = async (fn: () => void): Promise<void> => {
    await delay();
    fn();
  };
  return {
    describeGroups: (names, o) => listed(o, () => fleet.describeGroups(names)),
    describeActivities: (name, o) => listed(o, () => fleet.describeActivities(name, o?.maxItems ?? 100)),
    describePolicies: (name, o) => listed(o, () => fleet.describePolicies(name)),
    describeScheduledActions: (name, o) => listed(o, () => fleet.describeScheduledActions(name)),
    async describeLifecycleHooks(name, o) {
      await delay(o?.signal);
      return fleet.describeLifecycleHooks(name);
    },
    async describeWarmPool(name, o) {
      await delay(o?.signal);
      // the sandbox group has none; asking about a group that is not there fails as it does on AWS
      fleet.describeLifecycleHooks(name);
      return undefined;
    },
    setDesiredCapacity: (name, desired) => write(() => fleet.setDesiredCapacity(name, desired)),
    updateGroupSize: (name, size) => write(() => fleet.updateGroupSize(name, size)),
    putScheduledAction: (a) => write(() => fleet.configure(a.groupName, configure.putScheduledAction(a))),
    deleteScheduledAction: (group, name) => write(() => fleet.configure(group, configure.deleteScheduledAction(name))),
    putTargetTrackingPolicy: (p) => write(() => fleet.configure(p.groupName, configure.putTargetTrackingPolicy(p))),
    deletePolicy: (group, name) => write(() => fleet.configure(group, configure.deletePolicy(name))),
    suspendProcesses: (group, processes) => write(() => fleet.configure(group, configure.processes(processes, true))),
    resumeProcesses: (group, processes) => write(() => fleet.configure(group, configure.processes(processes, false))),
    setInstanceProtection: (group, ids, on) => write(() => fleet.setInstanceProtection(group, ids, on)),
    terminateInstance: (id, decrement) => write(() => fleet.terminateInstance(id, decrement)),
    deleteWarmPool: (group) =>
      write(() => {
        fleet.describeLifecycleHooks(group);
        throw new CloudError('ValidationError', `No warm pool found for Auto Scaling group ${group}.`, { status: 400 });
      }),
    deleteGroup: (group, o) => write(() => fleet.deleteGroup(group, o?.force ?? false)),
    deleteLaunchTemplate: (name) => write(() => fleet.deleteLaunchTemplate(name)),
    deleteLaunchConfiguration: (name) =>
      write(() => {
        throw new CloudError('ValidationError', `Launch configuration name not found - ${name}`, { status: 400 });
      }),
  };
}
