// The one home of the `clysm.*` settings: their types, defaults and whether a change needs a
// new server. package.json's contributes.configuration must agree with this table (a unit test
// checks it); the client, the server and the CLI take their defaults from here.

export const backendModes = ['auto', 'stage0', 'sbcl'] as const;
export type BackendMode = (typeof backendModes)[number];
export const stage0Engines = ['embedded', 'wasmtime'] as const;
export type Stage0EngineName = (typeof stage0Engines)[number];
export const diagnosticsRunModes = ['onType', 'onSave'] as const;
export type DiagnosticsRunMode = (typeof diagnosticsRunModes)[number];
export const traceLevels = ['off', 'messages', 'verbose'] as const;
export const problemsScopes = ['workspace', 'openFiles'] as const;
export type ProblemsScope = (typeof problemsScopes)[number];

/** The `clysm` settings the server needs; the client sends them as initializationOptions. */
export interface ServerSettings {
  backend: BackendMode;
  stage0Path: string;
  stage0TimeoutMs: number;
  modules: string[] | null;
  diagnosticsDelayMs: number;
  sbclPath: string;
  sbclDynamicSpaceSizeMb: number;
  sbclExtraArgs: string[];
  /** Folder for saved SBCL cores (the extension's global storage); none in the CLI. */
  coreCacheDir?: string;
  /** Absolute path of a report JSON to compare each run with (`clysm.baselineReport`); the previous run when absent. */
  baselineReport?: string;
  /** Folder for the persistent result cache (the extension's workspace storage); none in the CLI. */
  storageDir?: string;
  /** `clysm.stage0.engine`: `embedded` (V8 in the server, the default) or `wasmtime`. */
  stage0Engine?: Stage0EngineName;
  /** `clysm.wasmtime.path`: the wasmtime executable for the wasmtime engine (default `wasmtime`). */
  wasmtimePath?: string;
  /** `clysm.stage0.maxMemoryMb`: memory limit of the Stage 0 worker process (Wasm memory included). */
  stage0MaxMemoryMb?: number;
  /** `clysm.stage0.loadTimeoutMs`: limit for loading Stage 0 (instantiation, start function, `_initialize`). */
  stage0LoadTimeoutMs?: number;
  /** `clysm.diagnostics.scope`: every module's failures in Problems (`workspace`), or only open files'. */
  problemsScope: ProblemsScope;
}

/** The `clysm.stage1.*` settings; the client reads them when a command runs. */
export interface Stage1Settings {
  /** Output folder, relative to the workspace or absolute (`dist`). */
  outputDir: string;
  /** Stage 1 file name (`clysm-stage1.wasm`). */
  outputName: string;
  /** Report file name (`stage1-report.json`). */
  reportName: string;
  /** Whole-run limit in ms (default 600000). */
  timeoutMs: number;
  /** wasm-tools executable (`wasm-tools`); empty: never use it. */
  wasmToolsPath: string;
  /** Whether the output folder may really be outside the workspace (a user setting only: scope `machine`). */
  allowOutputOutsideWorkspace: boolean;
  /** What one generation may write through write-bytes: total MiB and number of files. */
  maxOutputMb: number;
  maxOutputFiles: number;
}

/** When a change takes effect: `restart` needs a new server (it offers "Restart now"); `live` applies at once. */
export type SettingApplies = 'restart' | 'live';

/** The JSON-schema type package.json declares. */
export type SettingSchemaType = 'string' | 'number' | 'boolean' | 'array' | 'array|null';

export interface SettingSpec {
  schemaType: SettingSchemaType;
  default: string | number | boolean | string[] | null;
  enum?: readonly string[];
  applies: SettingApplies;
  /** The ServerSettings field it feeds, when the server uses it. */
  serverField?: keyof ServerSettings;
  /** The Stage1Settings field it feeds (read by the client when a Stage 1 command runs). */
  stage1Field?: keyof Stage1Settings;
  /**
   * A path (or arguments) the extension reads, runs or writes: package.json lists it in
   * restrictedConfigurations, so an untrusted workspace cannot set it.
   */
  restricted?: true;
  /** VS Code's scope, when not the default `window`: `machine` keeps it out of workspace settings. */
  scope?: 'machine';
}

/**
 * Every `clysm.*` setting. `restart` only where the running server cannot take the change:
 * the backend and its process (SBCL, the Stage 0 binary and engine, the per-form limit given
 * to the engine worker), and what the session reads once when it starts (module list, baseline).
 */
export const settingSpecs = {
  'clysm.backend': { schemaType: 'string', enum: backendModes, default: 'auto', applies: 'restart', serverField: 'backend' },
  'clysm.sbcl.path': { schemaType: 'string', default: 'sbcl', applies: 'restart', serverField: 'sbclPath', restricted: true },
  'clysm.sbcl.dynamicSpaceSize': { schemaType: 'number', default: 4096, applies: 'restart', serverField: 'sbclDynamicSpaceSizeMb' },
  'clysm.sbcl.extraArgs': { schemaType: 'array', default: [], applies: 'restart', serverField: 'sbclExtraArgs', restricted: true },
  'clysm.stage0Path': { schemaType: 'string', default: 'dist/clysm-stage0.wasm', applies: 'restart', serverField: 'stage0Path', restricted: true },
  'clysm.stage0.timeoutMs': { schemaType: 'number', default: 5000, applies: 'restart', serverField: 'stage0TimeoutMs' },
  'clysm.stage0.loadTimeoutMs': { schemaType: 'number', default: 30_000, applies: 'restart', serverField: 'stage0LoadTimeoutMs' },
  'clysm.stage0.maxMemoryMb': { schemaType: 'number', default: 4096, applies: 'restart', serverField: 'stage0MaxMemoryMb' },
  'clysm.stage0.engine': { schemaType: 'string', enum: stage0Engines, default: 'embedded', applies: 'restart', serverField: 'stage0Engine' },
  'clysm.wasmtime.path': { schemaType: 'string', default: 'wasmtime', applies: 'restart', serverField: 'wasmtimePath', restricted: true },
  'clysm.modules': { schemaType: 'array|null', default: null, applies: 'restart', serverField: 'modules', restricted: true },
  // The client resolves it against the workspace folder into ServerSettings.baselineReport.
  'clysm.baselineReport': { schemaType: 'string', default: '', applies: 'restart', restricted: true },
  'clysm.diagnostics.delayMs': { schemaType: 'number', default: 300, applies: 'live', serverField: 'diagnosticsDelayMs' },
  'clysm.diagnostics.scope': { schemaType: 'string', enum: problemsScopes, default: 'workspace', applies: 'live', serverField: 'problemsScope' },
  // Read by the client's pull filter on every pull.
  'clysm.diagnostics.run': { schemaType: 'string', enum: diagnosticsRunModes, default: 'onType', applies: 'live' },
  // Read by the client's Show Wasm CodeLens provider whenever it provides lenses.
  'clysm.codeLens.showWasm': { schemaType: 'boolean', default: true, applies: 'live' },
  // The language client follows trace changes itself.
  'clysm.trace.server': { schemaType: 'string', enum: traceLevels, default: 'off', applies: 'live' },
  // Read when a Stage 1 command runs.
  'clysm.stage1.outputDir': { schemaType: 'string', default: 'dist', applies: 'live', stage1Field: 'outputDir', restricted: true },
  'clysm.stage1.outputName': { schemaType: 'string', default: 'clysm-stage1.wasm', applies: 'live', stage1Field: 'outputName', restricted: true },
  'clysm.stage1.reportName': { schemaType: 'string', default: 'stage1-report.json', applies: 'live', stage1Field: 'reportName', restricted: true },
  'clysm.stage1.timeoutMs': { schemaType: 'number', default: 600_000, applies: 'live', stage1Field: 'timeoutMs' },
  // Caps on what a run writes through write-bytes (generation: per compile_all run).
  'clysm.stage1.maxOutputMb': { schemaType: 'number', default: 64, applies: 'live', stage1Field: 'maxOutputMb' },
  'clysm.stage1.maxOutputFiles': { schemaType: 'number', default: 1000, applies: 'live', stage1Field: 'maxOutputFiles' },
  // Only the user may let generation write outside the workspace: `machine` scope ignores workspace settings.
  'clysm.stage1.allowOutputOutsideWorkspace': { schemaType: 'boolean', default: false, applies: 'live', stage1Field: 'allowOutputOutsideWorkspace', scope: 'machine' },
  'clysm.stage1.wasmToolsPath': { schemaType: 'string', default: 'wasm-tools', applies: 'live', stage1Field: 'wasmToolsPath', restricted: true },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof settingSpecs;

const specEntries = Object.entries(settingSpecs) as [SettingKey, SettingSpec][];

/** The settings an untrusted workspace may not set (package.json's restrictedConfigurations). */
export const restrictedSettings: readonly SettingKey[] = specEntries.filter(([, s]) => s.restricted).map(([k]) => k);

/** The keys whose change needs a new server: the short list the client checks on every change. */
export const restartSettings: readonly SettingKey[] = specEntries.filter(([, s]) => s.applies === 'restart').map(([k]) => k);

/** The value type of a setting: its enum, else what its schema type says. */
type ValueOf<S> = S extends { enum: readonly (infer E)[] } ? E
  : S extends { schemaType: 'number' } ? number
  : S extends { schemaType: 'boolean' } ? boolean
  : S extends { schemaType: 'array' } ? string[]
  : S extends { schemaType: 'array|null' } ? string[] | null
  : string;
export type SettingValue<K extends SettingKey> = ValueOf<(typeof settingSpecs)[K]>;

export function defaultOf<K extends SettingKey>(key: K): SettingValue<K> {
  const value: unknown = settingSpecs[key].default;
  // A fresh array each time: callers may change it.
  return (Array.isArray(value) ? [...(value as string[])] : value) as SettingValue<K>;
}

/** Reads one setting by its key under `clysm.` (`sbcl.path`), with the default when unset. */
export type SettingReader = <T>(key: string, fallback: T) => T;

function read<K extends SettingKey>(get: SettingReader, key: K): SettingValue<K> {
  return get(key.slice('clysm.'.length), defaultOf(key));
}

/** The server's settings from the user's configuration, before the client adds its own paths. */
export function readServerSettings(get: SettingReader): ServerSettings {
  return {
    backend: read(get, 'clysm.backend'),
    stage0Path: read(get, 'clysm.stage0Path'),
    stage0TimeoutMs: read(get, 'clysm.stage0.timeoutMs'),
    modules: read(get, 'clysm.modules'),
    diagnosticsDelayMs: read(get, 'clysm.diagnostics.delayMs'),
    sbclPath: read(get, 'clysm.sbcl.path'),
    sbclDynamicSpaceSizeMb: read(get, 'clysm.sbcl.dynamicSpaceSize'),
    sbclExtraArgs: read(get, 'clysm.sbcl.extraArgs'),
    stage0Engine: read(get, 'clysm.stage0.engine'),
    wasmtimePath: read(get, 'clysm.wasmtime.path'),
    stage0MaxMemoryMb: read(get, 'clysm.stage0.maxMemoryMb'),
    stage0LoadTimeoutMs: read(get, 'clysm.stage0.loadTimeoutMs'),
    problemsScope: read(get, 'clysm.diagnostics.scope'),
  };
}

export function readStage1Settings(get: SettingReader): Stage1Settings {
  return {
    outputDir: read(get, 'clysm.stage1.outputDir'),
    outputName: read(get, 'clysm.stage1.outputName'),
    reportName: read(get, 'clysm.stage1.reportName'),
    timeoutMs: read(get, 'clysm.stage1.timeoutMs'),
    wasmToolsPath: read(get, 'clysm.stage1.wasmToolsPath'),
    allowOutputOutsideWorkspace: read(get, 'clysm.stage1.allowOutputOutsideWorkspace'),
    maxOutputMb: read(get, 'clysm.stage1.maxOutputMb'),
    maxOutputFiles: read(get, 'clysm.stage1.maxOutputFiles'),
  };
}

const unset: SettingReader = (_key, fallback) => fallback;

/** What the CLI and a server started without options use. */
export const defaultServerSettings: ServerSettings = readServerSettings(unset);

export const defaultStage1Settings: Stage1Settings = readStage1Settings(unset);

/** The changed settings that need a new server (none: the change applies live); `affects` is VS Code's affectsConfiguration. */
export function settingsNeedingRestart(affects: (key: string) => boolean): SettingKey[] {
  return restartSettings.filter((key) => affects(key));
}

/** Whether a value has the type package.json declares for the setting (enum included). */
export function fitsSetting(spec: SettingSpec, value: unknown): boolean {
  if (spec.enum) return typeof value === 'string' && spec.enum.includes(value);
  const isStrings = Array.isArray(value) && value.every((v) => typeof v === 'string');
  switch (spec.schemaType) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value) && value >= 0;
    case 'boolean': return typeof value === 'boolean';
    case 'array': return isStrings;
    case 'array|null': return value === null || isStrings;
  }
}

/** The server fields a running server takes over from new settings (the `live` ones), with their specs. */
const liveServerSpecs = specEntries.filter(([, s]) => s.applies === 'live' && s.serverField !== undefined).map(([, s]) => s);

/**
 * `current` with the live fields of `incoming` (from the wire: values of the wrong type are
 * ignored); the restart-only fields keep their running values.
 */
export function applyLiveSettings(current: ServerSettings, incoming: Partial<Record<keyof ServerSettings, unknown>>): ServerSettings {
  const next: Record<string, unknown> = { ...current };
  for (const spec of liveServerSpecs) {
    const field = spec.serverField as keyof ServerSettings;
    if (fitsSetting(spec, incoming[field])) next[field] = incoming[field];
  }
  return next as unknown as ServerSettings;
}
