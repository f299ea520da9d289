// The status bar's text in each server state, and the times it shows: pure client code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTime, describeTimesIn } from '../../client/src/relativeTime';
import { localTime } from '../../server/src/protocol';
import { statusBarText } from '../../client/src/statusText';
import type { ServerStatus } from '../../server/src/protocol';

const summary = (over: Partial<ServerStatus['summary']> = {}): ServerStatus['summary'] => ({
  total: 0, compiled: 0, failed: 0, skipped: 0, timeout: 0, readErrors: 0, noOutput: 0, crashed: 0, coveragePct: 0, ...over,
});

const status = (over: Partial<ServerStatus> = {}, state: ServerStatus['status']['state'] = 'ready'): ServerStatus => ({
  backend: 'sbcl',
  backendReason: 'setting',
  status: { state, message: state === 'starting' ? 'Starting SBCL and loading clysm' : 'ready', engine: { name: 'SBCL', version: '2.2' } },
  busy: false,
  modulesDone: 0,
  modulesTotal: 3,
  moduleListSource: 'setting',
  summary: summary(),
  regressions: 0,
  baselineSource: 'none (first run)',
  ...over,
});

describe('status bar text', () => {
  it('says the compiler is loading instead of 0.0% · 0/0 while SBCL loads Clysm', () => {
    const shown = statusBarText(status({ busy: true }, 'starting'));
    assert.equal(shown.text, '$(sync~spin) Clysm: loading compiler…');
    assert.equal(shown.loading, true);
    assert.equal(shown.warning, false);
  });

  it('adds the last known coverage while loading when results were restored from the snapshot', () => {
    const restored = status({ summary: summary({ total: 41, compiled: 17, skipped: 0, coveragePct: 41.46 }), restoredResults: { savedAt: '2026-12-03T13:00:00Z', staleModules: 3 } }, 'starting');
    assert.equal(statusBarText(restored).text, '$(sync~spin) Clysm: loading compiler… (last 41.5%)');
  });

  it('says modules are being checked while the first run has no counts yet', () => {
    assert.equal(statusBarText(status({ busy: true })).text, '$(sync~spin) Clysm: checking modules…');
  });

  it('shows coverage and compiled/(total − skipped) once there are results', () => {
    const s = summary({ total: 42, compiled: 17, skipped: 1, coveragePct: 41.46 });
    assert.equal(statusBarText(status({ summary: s })).text, '$(pulse) Clysm 41.5% · 17/41');
    assert.equal(statusBarText(status({ summary: s, busy: true })).text, '$(sync~spin) Clysm 41.5% · 17/41');
  });

  it('warns about a stub Stage 0 or a backend error', () => {
    assert.deepEqual(statusBarText(status({}, 'stub')), { text: '$(warning) Clysm: Stage 0 is a stub', warning: true, loading: false });
    assert.equal(statusBarText(status({}, 'error')).text, '$(warning) Clysm: backend error');
  });
});

describe('times as people read them', () => {
  const now = new Date('2026-12-03T14:05:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it('says how long ago, then the local time', () => {
    const then = ago(2 * 60_000);
    assert.equal(describeTime(then.toISOString(), now), `2 minutes ago (${localTime(then)})`);
    assert.equal(describeTime(ago(3 * 3_600_000).toISOString(), now), `3 hours ago (${localTime(ago(3 * 3_600_000))})`);
    assert.match(localTime(then), /^3 Dec 2026, \d{2}:\d{2}$/);
    assert.equal(describeTime('not a time', now), 'not a time');
  });

  it('rewrites the ISO times inside a server message', () => {
    const text = describeTimesIn(`first run (finished ${ago(2 * 60_000).toISOString()})`, now);
    assert.match(text, /^first run \(finished 2 minutes ago \(3 Dec 2026, \d{2}:\d{2}\)\)$/);
    assert.doesNotMatch(text, /T\d{2}:\d{2}/);
  });
});
