import React from 'react';
import { Box, Text } from 'ink';
import type { ConfirmRequest } from '../../src/store/session.js';
import { cellWidth, wrapWords } from '../format.js';

export interface ConfirmDialogProps {
  request: ConfirmRequest;
  focus: 'cancel' | 'confirm';
  /** what the user typed so far (typed confirmations) */
  input: string;
  /** why Confirm did nothing, e.g. a wrong typed number */
  refusal?: string | undefined;
  /** first body line shown (j/k, PgUp/PgDn, g/G scroll a body taller than the dialog) */
  offset?: number;
  /** the room the dialog may take; it takes less when its content is smaller */
  width: number;
  height: number;
}

/** Border and padding, left and right. */
const FRAME_X = 4;
/** Narrower than this a dialog reads as a glitch; wider than its content it hides the pane for nothing. */
const MIN_WIDTH = 36;

/** A body line wrapped at `width`, its indent kept on every part so a grouped plan still reads as groups. */
function wrapKeepingIndent(line: string, width: number): string[] {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  if (line.trim() === '') return [''];
  // a line that fits is kept exactly: a diff's spacing is part of what is confirmed
  if (cellWidth(line) <= width) return [line];
  const room = Math.max(8, width - indent.length);
  return wrapWords(line, room).map((part) => `${indent}${part}`);
}

/** Sizes and the wrapped body: the dialog and the store's scroll clamp both use it, so they agree. */
export function confirmLayout(p: Pick<ConfirmDialogProps, 'request' | 'refusal' | 'width' | 'height'>): { width: number; height: number; title: string[]; body: string[]; room: number; maxOffset: number } {
  const { request } = p;
  const buttons = cellWidth(request.cancelLabel ?? 'Cancel') + cellWidth(request.confirmLabel ?? 'Confirm') + 12;
  const typedLine = request.typed !== undefined ? `Type ${request.typed} to confirm: ${request.typed} ` : '';
  const natural = Math.max(cellWidth(request.title), buttons, cellWidth(typedLine), cellWidth(p.refusal ?? ''), ...request.body.map(cellWidth)) + FRAME_X;
  const width = Math.max(1, Math.min(p.width, Math.max(MIN_WIDTH, natural)));
  const inner = Math.max(1, width - FRAME_X);
  const body = request.body.flatMap((l) => wrapKeepingIndent(l, inner));
  const refusalLines = p.refusal ? wrapWords(p.refusal, inner).length : 0;
  // the title wraps too: "Apply HAProxy change to <path>?" must name the whole file it changes
  const title = wrapWords(request.title, inner);
  // Border (2), title, blank line, buttons, the typed prompt, the refusal: the rest is for body lines.
  const chrome = 2 + title.length + 2 + (request.typed !== undefined ? 1 : 0) + refusalLines;
  const fits = body.length <= Math.max(0, p.height - chrome);
  // a body that scrolls gives a row to the "lines a-b of n" line
  const room = fits ? body.length : Math.max(1, p.height - chrome - 1);
  const height = Math.min(p.height, chrome + room + (fits ? 0 : 1));
  return { width, height, title, body, room, maxOffset: Math.max(0, body.length - room) };
}

/**
 * The one confirmation: title, body lines (the plan summary), Cancel and
 * Confirm with focus starting on Cancel. A typed confirmation keeps Confirm
 * disabled until the exact string is entered. The dialog is as big as its
 * content; long lines wrap, and a body taller than the screen scrolls, so
 * every group of a plan can be read before confirming. Keys live in
 * src/store/dispatch.ts, their hints in the shell's footer.
 */
export function ConfirmDialog({ request, focus, input, refusal, offset = 0, width: roomWidth, height: roomHeight }: ConfirmDialogProps): React.ReactElement {
  const colour = request.destructive ? 'red' : 'yellow';
  const typedOk = request.typed === undefined || input === request.typed;
  const { width, height, title, body, room, maxOffset } = confirmLayout({ request, refusal, width: roomWidth, height: roomHeight });
  const from = Math.max(0, Math.min(offset, maxOffset));
  const button = (label: string, which: 'cancel' | 'confirm', enabled: boolean): React.ReactElement => (
    <Text inverse={focus === which} dimColor={!enabled} bold={focus === which}>
      {focus === which ? '›' : ' '}[ {label} ]
    </Text>
  );
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={colour} width={width} height={height} paddingX={1} overflowY="hidden">
      {title.map((t, i) => (
        <Text key={`t${i}`} bold color={colour} wrap="truncate">
          {t}
        </Text>
      ))}
      {body.slice(from, from + room).map((l, i) => (
        <Text key={i} wrap="truncate">
          {l === '' ? ' ' : l}
        </Text>
      ))}
      {maxOffset > 0 ? (
        <Text dimColor wrap="truncate">
          {`lines ${from + 1}-${Math.min(body.length, from + room)} of ${body.length}  ↑↓ PgUp/PgDn${request.typed === undefined || /^\d+$/.test(request.typed) ? ' j/k g/G' : ''} scroll`}
        </Text>
      ) : null}
      <Text> </Text>
      {request.typed !== undefined ? (
        <Text wrap="truncate">
          Type <Text bold>{request.typed}</Text> to confirm: <Text color={typedOk ? 'green' : undefined}>{input}</Text>
          <Text inverse> </Text>
        </Text>
      ) : null}
      {refusal ? <Text color="red">{refusal}</Text> : null}
      <Box gap={2}>
        {button(request.cancelLabel ?? 'Cancel', 'cancel', true)}
        {button(request.confirmLabel ?? 'Confirm', 'confirm', typedOk)}
      </Box>
    </Box>
  );
}
