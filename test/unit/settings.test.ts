// The one settings module (server/src/protocol/settings.ts): package.json agrees with it, the
// client's reading rule, and which changes need a restart and which apply live.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  applyLiveSettings,
  defaultServerSettings,
  defaultStage1Settings,
  readServerSettings,
  readStage1Settings,
  restartSettings,
  restrictedSettings,
  settingSpecs,
  settingsNeedingRestart,
  type SettingReader,
  type SettingSpec,
} from '../../server/src/protocol/settings';
import { parseCheckArgs } from '../../bin/src/args';
import { parseStage1Args } from '../../bin/src/stage1Args';
import { repoRoot } from '../support/repo';

interface ManifestProperty {
  type: string | string[];
  default: unknown;
  enum?: string[];
  scope?: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, ManifestProperty> } };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
};
const properties = manifest.contributes.configuration.properties;
const specs = settingSpecs as Record<string, SettingSpec>;

describe('package.json and the settings module', () => {
  it('declare the same clysm.* settings', () => {
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(specs).sort());
  });

  for (const [key, property] of Object.entries(properties)) {
    it(`${key}: same default, type and enum`, () => {
      const spec = specs[key];
      assert.ok(spec, `${key} is missing from server/src/protocol/settings.ts`);
      assert.deepEqual(property.default, spec.default);
      assert.equal(Array.isArray(property.type) ? property.type.join('|') : property.type, spec.schemaType);
      assert.deepEqual(property.enum, spec.enum === undefined ? undefined : [...spec.enum]);
    });
  }
});

// Issue 10 item 1: every setting naming a path the extension reads, runs or writes is kept
// from untrusted workspaces, and the one that lets output leave the workspace is user-only.
describe('settings a workspace may not set', () => {
  it('restrictedConfigurations lists exactly the settings marked restricted (every path-valued one)', () => {
    assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), [...restrictedSettings].sort());
    for (const [key, spec] of Object.entries(specs)) {
      const pathLike = /(path|dir|name|report|modules)$/i.test(key);
      if (pathLike) assert.ok(spec.restricted, `${key} names a path but is not restricted`);
    }
  });

  it('a setting with a scope in the settings module has that scope in package.json', () => {
    for (const [key, spec] of Object.entries(specs)) {
      if (spec.scope) assert.equal(properties[key].scope, spec.scope, key);
    }
    assert.equal(specs['clysm.stage1.allowOutputOutsideWorkspace'].scope, 'machine');
  });
});

describe('defaults everywhere come from the settings module', () => {
  it('the server defaults and the Stage 1 defaults are the specs\' defaults', () => {
    assert.equal(defaultServerSettings.diagnosticsDelayMs, properties['clysm.diagnostics.delayMs'].default);
    assert.equal(defaultServerSettings.stage0Path, properties['clysm.stage0Path'].default);
    assert.equal(defaultStage1Settings.timeoutMs, properties['clysm.stage1.timeoutMs'].default);
    assert.equal(defaultStage1Settings.wasmToolsPath, properties['clysm.stage1.wasmToolsPath'].default);
  });

  it('the CLI starts from the same defaults', () => {
    const check = parseCheckArgs([], '/ws');
    assert.deepEqual(
      [check.backend, check.sbclPath, check.stage0, check.timeoutMs, check.engine, check.wasmtimePath],
      [defaultServerSettings.backend, defaultServerSettings.sbclPath, defaultServerSettings.stage0Path, defaultServerSettings.stage0TimeoutMs, defaultServerSettings.stage0Engine, defaultServerSettings.wasmtimePath],
    );
    const stage1 = parseStage1Args([], '/ws');
    assert.deepEqual([stage1.out, stage1.timeoutMs, stage1.wasmTools], [defaultStage1Settings.outputDir, defaultStage1Settings.timeoutMs, defaultStage1Settings.wasmToolsPath]);
  });

  it('reading an empty configuration gives the defaults; set values are read under their keys', () => {
    const empty: SettingReader = (_key, fallback) => fallback;
    assert.deepEqual(readServerSettings(empty), defaultServerSettings);
    assert.deepEqual(readStage1Settings(empty), defaultStage1Settings);
    const seen: string[] = [];
    const configured: SettingReader = <T>(key: string, fallback: T): T => {
      seen.push(key);
      return (key === 'diagnostics.delayMs' ? 25 : key === 'sbcl.extraArgs' ? ['--noinform'] : fallback) as T;
    };
    const read = readServerSettings(configured);
    assert.equal(read.diagnosticsDelayMs, 25);
    assert.deepEqual(read.sbclExtraArgs, ['--noinform']);
    // Keys are relative to the `clysm` section, as vscode.workspace.getConfiguration('clysm') wants them.
    assert.ok(seen.every((k) => !k.startsWith('clysm.') && `clysm.${k}` in specs), seen.join(', '));
  });

  it('each setting feeds the server or Stage 1 field its spec names', () => {
    // A reader that answers every key with a marker naming the key.
    const marked: SettingReader = <T>(key: string): T => `value of ${key}` as T;
    const server = readServerSettings(marked) as unknown as Record<string, unknown>;
    const stage1 = readStage1Settings(marked) as unknown as Record<string, unknown>;
    for (const [key, spec] of Object.entries(specs)) {
      if (spec.serverField) assert.equal(server[spec.serverField], `value of ${key.slice('clysm.'.length)}`, key);
      if (spec.stage1Field) assert.equal(stage1[spec.stage1Field], `value of ${key.slice('clysm.'.length)}`, key);
    }
    const named = Object.values(specs).flatMap((s) => [s.serverField, s.stage1Field]).filter((f) => f !== undefined).sort();
    assert.deepEqual(named, [...Object.keys(server), ...Object.keys(stage1)].sort());
  });

  it('a default array is a fresh copy each time', () => {
    const a = readServerSettings((_k, f) => f);
    a.sbclExtraArgs.push('--x');
    assert.deepEqual(readServerSettings((_k, f) => f).sbclExtraArgs, []);
  });
});

describe('live settings and the restart list', () => {
  const affecting = (...keys: string[]) => (key: string): boolean => keys.some((k) => k === key || k.startsWith(`${key}.`) || key.startsWith(`${k}.`));

  it('the debounce, the run mode, the trace and the Stage 1 settings apply live', () => {
    for (const key of ['clysm.diagnostics.delayMs', 'clysm.diagnostics.run', 'clysm.trace.server', 'clysm.stage1.outputDir', 'clysm.stage1.timeoutMs']) {
      assert.deepEqual(settingsNeedingRestart(affecting(key)), [], key);
    }
  });

  it('the backend, its processes and what the session reads at start need a restart', () => {
    assert.deepEqual([...restartSettings].sort(), [
      'clysm.backend',
      'clysm.baselineReport',
      'clysm.modules',
      'clysm.sbcl.dynamicSpaceSize',
      'clysm.sbcl.extraArgs',
      'clysm.sbcl.path',
      'clysm.stage0.engine',
      'clysm.stage0.loadTimeoutMs',
      'clysm.stage0.maxMemoryMb',
      'clysm.stage0.timeoutMs',
      'clysm.stage0Path',
      'clysm.wasmtime.path',
    ]);
    assert.deepEqual(settingsNeedingRestart(affecting('clysm.sbcl.path', 'clysm.diagnostics.delayMs')), ['clysm.sbcl.path']);
  });

  it('a running server takes the live fields only', () => {
    const incoming = { ...defaultServerSettings, diagnosticsDelayMs: 0, backend: 'sbcl' as const, sbclPath: '/other/sbcl' };
    const next = applyLiveSettings({ ...defaultServerSettings, diagnosticsDelayMs: 900 }, incoming);
    assert.equal(next.diagnosticsDelayMs, 0);
    assert.equal(next.backend, defaultServerSettings.backend);
    assert.equal(next.sbclPath, defaultServerSettings.sbclPath);
  });

  it('values of the wrong type from the wire are ignored', () => {
    const current = { ...defaultServerSettings, diagnosticsDelayMs: 900 };
    for (const bad of ['10', -1, Number.NaN, null, undefined]) {
      assert.equal(applyLiveSettings(current, { diagnosticsDelayMs: bad }).diagnosticsDelayMs, 900, String(bad));
    }
  });
});
