import type { ComponentType } from 'react';
import type { AttentionProbe } from '../../src/core/attention.js';
import type { CommandContext } from '../../src/core/context.js';
import type { SessionStore } from '../../src/store/session.js';
import type { LegendLine } from '../components/HelpOverlay.js';

/** What every pane component receives from the shell. See README.md in this folder. */
export interface PaneProps {
  ctx: CommandContext;
  store: SessionStore;
  /** this pane's id: the key of its slice and bindings in the store */
  paneId: string;
  /** false while another pane (or an overlay) covers it: pause work that only matters on screen */
  active: boolean;
  /** the body area, in cells; render no more than this */
  width: number;
  height: number;
}

/** One line of a pane's `?` legend (see HelpOverlay). */
export type LegendEntry = LegendLine;

export interface PaneDefinition {
  /** stable id: used by `opsdeck --pane <id>`, the palette and the store */
  id: string;
  /** tab title */
  title: string;
  /** `/` filters this pane's list (the pane reads its slice's `filter`) */
  filterable?: boolean;
  component: ComponentType<PaneProps>;
  /** what the pane's colours and symbols mean, shown under its keys in `?` */
  legend?: readonly LegendEntry[];
  /**
   * What the tab bar marks while the pane is not on screen (never shown yet,
   * or hidden): the shell runs it at startup and every refresh interval of
   * the pane (src/store/refresh.ts) and sets the pane's attention from it.
   * On screen, the pane sets its own mark from what it shows.
   */
  attention?: AttentionProbe;
}
