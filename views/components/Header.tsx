import React, { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import type { Clock } from '../../src/core/clock.js';
import type { SessionStore } from '../../src/store/session.js';
import { cellWidth, formatAge } from '../format.js';
import { useSession } from '../hooks.js';

/** "refreshed 12s ago" changes by itself: the header re-renders once a second, nothing else does. */
function useTick(ms: number): void {
  const [, setN] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setN((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
}

/** Context first (where am I, can I break things), then freshness of what is on screen. */
export function Header({ store, clock, width }: { store: SessionStore; clock: Clock; width: number }): React.ReactElement {
  useTick(1000);
  const ctx = useSession(store, (s) => s.context);
  // The pane on screen: another pane's freshness would mislead (a placeholder has loaded nothing).
  const last = useSession(store, (s) => s.refreshedAt[s.activePane]);
  const age = last === undefined ? undefined : formatAge(clock.now().getTime() - last);
  // Where am I and can I break things come first: on a narrow terminal the
  // freshness note gets shorter, then goes, before a badge is cut.
  const endpoint = ctx.endpoint ? ` → ${ctx.endpoint}` : '';
  const context = 9 + cellWidth(`${ctx.profile}@${ctx.region}${endpoint}`) + (ctx.sandbox ? 10 : 0) + (ctx.readOnly ? 12 : 0);
  const room = width - context - 1;
  const ago = [age === undefined ? 'not refreshed yet' : `refreshed ${age} ago`, age === undefined ? 'no data' : `${age} ago`].find((t) => t.length <= room) ?? '';
  return (
    <Box width={width} height={1} overflowY="hidden" justifyContent="space-between">
      <Text wrap="truncate">
        <Text bold color="cyan">
          opsdeck
        </Text>
        {'  '}
        {ctx.profile}
        <Text dimColor>@</Text>
        {ctx.region}
        {endpoint ? <Text color="magenta">{endpoint}</Text> : null}
        {ctx.sandbox ? (
          <Text>
            {' '}
            <Text backgroundColor="yellow" color="black" bold>
              {' SANDBOX '}
            </Text>
          </Text>
        ) : null}
        {ctx.readOnly ? (
          <Text>
            {' '}
            <Text backgroundColor="blue" color="white" bold>
              {' READ-ONLY '}
            </Text>
          </Text>
        ) : null}
      </Text>
      {ago === '' ? null : (
        <Box marginLeft={1} flexShrink={0}>
          <Text dimColor wrap="truncate">
            {ago}
          </Text>
        </Box>
      )}
    </Box>
  );
}

const shorten = (t: string, n: number): string => (t.length <= n ? t : `${t.slice(0, Math.max(1, n - 1))}…`);

/**
 * The tab bar's titles and marks at a width: every number stays on screen;
 * titles shorten with an ellipsis (never a silently cut word), the active
 * pane's last; a mark keeps its count ("!1") before its words.
 */
export function tabLabels(tabs: readonly { title: string; mark: string; active: boolean }[], width: number): { titles: string[]; marks: string[] } {
  // "[n title mark]" or " n title mark " and a space between tabs
  const cells = (titles: readonly string[], marks: readonly string[]): number => tabs.reduce((a, _, i) => a + `${i + 1} ${titles[i]}${marks[i]}`.length + 3, -1);
  const longest = tabs.reduce((n, t) => Math.max(n, t.title.length), 0);
  const fullMarks = tabs.map((t) => t.mark);
  const shortMarks = tabs.map((t) => t.mark.split(' ').slice(0, 2).join(' '));
  // a mark's words go before titles shrink to a letter or two: "2 Sn…" reads, "2 S…" barely
  for (const [marks, shortest] of [[fullMarks, 4], [shortMarks, 2]] as const) {
    for (let n = longest; n >= shortest; n--) {
      const titles = tabs.map((t) => (t.active ? t.title : shorten(t.title, n)));
      if (cells(titles, marks) <= width) return { titles, marks };
    }
  }
  for (let n = longest; n >= 2; n--) {
    const titles = tabs.map((t) => shorten(t.title, n));
    if (cells(titles, shortMarks) <= width || n === 2) return { titles, marks: shortMarks };
  }
  return { titles: tabs.map((t) => t.title), marks: shortMarks };
}

export function Tabs({ store, width }: { store: SessionStore; width: number }): React.ReactElement {
  const panes = useSession(store, (s) => s.panes);
  const active = useSession(store, (s) => s.activePane);
  const attention = useSession(store, (s) => s.attention);
  // A mark for each pane that wants to be seen, so a DOWN server or a running deletion shows from any pane.
  const mark = (id: string): string => {
    const a = attention[id];
    return a ? ` ${a.level === 'running' ? '⟳' : '!'}${a.text}` : '';
  };
  const { titles, marks } = tabLabels(
    panes.map((p) => ({ title: p.title, mark: mark(p.id), active: p.id === active })),
    width,
  );
  return (
    <Box width={width} height={1} overflowY="hidden">
      <Text wrap="truncate">
        {panes.map((p, i) => {
          const label = `${i + 1} ${titles[i] ?? p.title}`;
          const a = attention[p.id];
          const tail = a ? <Text color={a.level === 'bad' ? 'red' : 'yellow'} bold>{marks[i]}</Text> : null;
          return (
            <React.Fragment key={p.id}>
              {i > 0 ? ' ' : ''}
              {p.id === active ? (
                <Text inverse bold>
                  [{label}
                  {tail}]
                </Text>
              ) : (
                <>
                  <Text dimColor> {label}</Text>
                  {tail}
                  <Text> </Text>
                </>
              )}
            </React.Fragment>
          );
        })}
      </Text>
    </Box>
  );
}
