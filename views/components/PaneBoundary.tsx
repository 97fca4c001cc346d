import React from 'react';
import { Box, Text } from 'ink';
import type { SessionStore } from '../../src/store/session.js';
import { ErrorPanel } from './ErrorPanel.js';

interface Props {
  title: string;
  paneId: string;
  store: SessionStore;
  width: number;
  children: React.ReactNode;
}

/**
 * A bug in one pane must not take the console down with it (an incident is
 * the worst time to lose the other panes): the pane shows what broke, the
 * shell keeps working, and `r` mounts the pane afresh.
 */
export class PaneBoundary extends React.Component<Props, { error: unknown; hasError: boolean }> {
  override state = { error: undefined as unknown, hasError: false };

  static getDerivedStateFromError(error: unknown): { error: unknown; hasError: boolean } {
    return { error, hasError: true };
  }

  // A pane that fails on its very first render lands here in componentDidMount, later ones in componentDidUpdate.
  override componentDidMount(): void {
    if (this.state.hasError) this.offerRetry();
  }

  override componentDidUpdate(_: Props, prev: { hasError: boolean }): void {
    if (this.state.hasError && !prev.hasError) this.offerRetry();
  }

  private offerRetry(): void {
    this.props.store.getState().setBindings(this.props.paneId, [
      { keys: ['r'], label: 'retry', title: `Retry the ${this.props.title} pane`, run: () => this.retry() },
    ]);
  }

  retry(): void {
    this.props.store.getState().setBindings(this.props.paneId, []);
    this.setState({ error: undefined, hasError: false });
  }

  override render(): React.ReactNode {
    if (!this.state.hasError) return this.props.children;
    return (
      <Box flexDirection="column" width={this.props.width}>
        <ErrorPanel title={`The ${this.props.title} pane failed`} error={this.state.error} width={this.props.width} />
        <Text dimColor wrap="truncate">
          Other panes still work (1-9, Tab). Please report this with OPSDECK_DEBUG=1 output.
        </Text>
      </Box>
    );
  }
}
