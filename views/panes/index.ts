import { databasePane } from './database.js';
import { fleetPane } from './fleet.js';
import { runbooksPane } from './runbooks.js';
import { scalingPane } from './scaling.js';
import { snapshotsPane } from './snapshots.js';
import type { PaneDefinition } from './types.js';
import { webcamPane } from './webcam.js';

export type { PaneDefinition, PaneProps } from './types.js';

/**
 * The panes in tab order: the position is the number key (1 Fleet, 2 Snapshots, …).
 * To add a pane, replace its placeholder with your definition (see README.md).
 */
export const panes: readonly PaneDefinition[] = [
  fleetPane,
  snapshotsPane,
  runbooksPane,
  webcamPane,
  scalingPane,
  databasePane,
];
