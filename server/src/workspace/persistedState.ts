// The persisted state of a workspace: the last analysis of every module (its forms, results and
// cache keys) and the previous run's outcomes for regressions. Reopening a workspace shows it
// at once; its cache keys then let the revalidation skip every unchanged form. Pure: JSON in
// and out, with a shape check, because the file may be corrupt or from another version.
import type { PersistedBaseline } from '../report/baseline';
import type { AnalyzedForm, FormResult, FormStatus, Range, TopLevelForm } from '../types';
import type { ModuleAnalysis } from './analyzeModule';
import { formId } from './analyzeModule';
import type { ResultCache } from './resultCache';

export const PERSISTED_STATE_FORMAT = 'clysm-result-cache';
/** Bump whenever the meaning of keys or results changes: older files are then ignored. */
export const PERSISTED_STATE_VERSION = 1;

export interface PersistedForm {
  /** Cache key; absent for read errors (never cached). */
  key?: string;
  /** The form without its text: the text is in the file, and the key already hashes it. */
  form: Omit<TopLevelForm, 'text'>;
  result: FormResult;
  category?: string;
  blameOperator?: string;
  blameRange?: Range;
  recommendation?: string;
}

export interface PersistedModule {
  file: string;
  textHash: string;
  directiveDigest: string;
  forms: PersistedForm[];
}

export interface PersistedState {
  format: typeof PERSISTED_STATE_FORMAT;
  version: number;
  /** Workspace folder the state belongs to. */
  root: string;
  savedAt: string;
  backend: { kind: string; identity: string };
  moduleListSource: string;
  modules: string[];
  lastRun?: string;
  lastRunMs?: number;
  analyses: PersistedModule[];
  /** The baseline regressions were computed against when this was saved. */
  previousRun?: PersistedBaseline;
}

export interface StateInput {
  root: string;
  now: Date;
  backend: { kind: string; identity: string };
  moduleListSource: string;
  modules: string[];
  analyses: PersistedModule[];
  lastRun?: string;
  lastRunMs?: number;
  previousRun?: PersistedBaseline;
}

export function makePersistedState(input: StateInput): PersistedState {
  const { now, ...rest } = input;
  return { format: PERSISTED_STATE_FORMAT, version: PERSISTED_STATE_VERSION, savedAt: now.toISOString(), ...rest };
}

/** Puts every stored result back into the cache, under its stored key. */
export function seedCache(cache: ResultCache, state: PersistedState): void {
  for (const stored of state.analyses) {
    for (const f of stored.forms) if (f.key !== undefined) cache.set(f.key, f.result);
  }
}

export function persistModule(analysis: ModuleAnalysis): PersistedModule {
  return {
    file: analysis.file,
    textHash: analysis.textHash,
    directiveDigest: analysis.directiveDigest,
    forms: analysis.forms.map((f, i) => {
      const { text: _text, ...form } = f.form;
      const { wasm: _wasm, ...result } = f.result;
      const persisted: PersistedForm = { form, result };
      const key = analysis.keys[i];
      if (key !== undefined) persisted.key = key;
      if (f.category !== undefined) persisted.category = f.category;
      if (f.blameOperator !== undefined) persisted.blameOperator = f.blameOperator;
      if (f.blameRange !== undefined) persisted.blameRange = f.blameRange;
      if (f.recommendation !== undefined) persisted.recommendation = f.recommendation;
      return persisted;
    }),
  };
}

/** A stored module as an analysis at its current place in the module list (form text is not stored). */
export function restoreModule(p: PersistedModule, moduleIndex: number): ModuleAnalysis {
  const forms: AnalyzedForm[] = p.forms.map((f) => ({
    file: p.file,
    id: formId(moduleIndex, f.form.index),
    moduleIndex,
    form: { ...f.form, text: '' },
    result: f.result,
    category: f.category,
    blameOperator: f.blameOperator,
    blameRange: f.blameRange,
    recommendation: f.recommendation,
  }));
  return { file: p.file, moduleIndex, forms, keys: p.forms.map((f) => f.key), compiledNow: 0, textHash: p.textHash, directiveDigest: p.directiveDigest };
}

const statuses: ReadonlySet<FormStatus> = new Set(['compiled', 'failed', 'skipped', 'timeout', 'no-output', 'read-error', 'crashed']);

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isString = (x: unknown): x is string => typeof x === 'string';
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function isPosition(x: unknown): boolean {
  return isObject(x) && isNumber(x.line) && isNumber(x.character);
}

function isRange(x: unknown): boolean {
  return isObject(x) && isPosition(x.start) && isPosition(x.end);
}

function isPersistedForm(x: unknown): boolean {
  if (!isObject(x) || !isObject(x.form) || !isObject(x.result)) return false;
  const { form, result } = x;
  return (
    (x.key === undefined || isString(x.key)) &&
    isNumber(form.index) &&
    isString(form.kind) &&
    isRange(form.range) &&
    isNumber(form.start) &&
    isNumber(form.end) &&
    isString(form.package) &&
    statuses.has(result.status as FormStatus) &&
    (x.blameRange === undefined || isRange(x.blameRange))
  );
}

function isPersistedModule(x: unknown): boolean {
  return isObject(x) && isString(x.file) && isString(x.textHash) && isString(x.directiveDigest) && Array.isArray(x.forms) && x.forms.every(isPersistedForm);
}

function isPersistedBaseline(x: unknown): boolean {
  return (
    isObject(x) &&
    isString(x.source) &&
    isNumber(x.defunFailures) &&
    Array.isArray(x.statuses) &&
    x.statuses.every((e) => Array.isArray(e) && e.length === 2 && isString(e[0]) && isString(e[1]))
  );
}

export type ParsedState = { state: PersistedState } | { problem: string };

/** Parses and checks a stored state; a problem (corrupt, other version, other folder) means "start cold". */
export function parsePersistedState(text: string, root: string): ParsedState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(json) || json.format !== PERSISTED_STATE_FORMAT) return { problem: `not a ${PERSISTED_STATE_FORMAT} file` };
  if (json.version !== PERSISTED_STATE_VERSION) return { problem: `version ${String(json.version)}, this server reads version ${PERSISTED_STATE_VERSION}` };
  if (json.root !== root) return { problem: `it belongs to ${String(json.root)}` };
  const shapeOk =
    isString(json.savedAt) &&
    isObject(json.backend) &&
    isString(json.backend.kind) &&
    isString(json.backend.identity) &&
    isString(json.moduleListSource) &&
    Array.isArray(json.modules) &&
    json.modules.every(isString) &&
    (json.lastRun === undefined || isString(json.lastRun)) &&
    (json.lastRunMs === undefined || isNumber(json.lastRunMs)) &&
    Array.isArray(json.analyses) &&
    json.analyses.every(isPersistedModule) &&
    (json.previousRun === undefined || isPersistedBaseline(json.previousRun));
  if (!shapeOk) return { problem: 'its content does not have the expected shape' };
  return { state: json as unknown as PersistedState };
}
