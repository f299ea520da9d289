// Root causes: the fixes to make in the compiler, ranked by the forms each would unlock.
// A cause is a raising site (the origin's function) with one condition type and one
// message shape. A failure that names a missing function the workspace defines in a form
// that fails itself waits on that form's cause, and counts towards it.
import type { AnalyzedForm, FormResult } from '../types.js';
import { categoryOf, compilableCount, messageOf } from './aggregate.js';
import { extractNamedOperator, extractNamedVariable, symbolName } from './names.js';
import type { NameDefinition, RootCause, Summary } from './model.js';
import { messageShape } from './messageShape.js';
import { impactPct, round2 } from './priority.js';
import { summarizeMessage } from './summary.js';

/** Operators whose second element names a function or macro. */
const FUNCTION_DEFINERS = new Set(['DEFUN', 'DEFMACRO', 'DEFGENERIC', 'DEFINE-COMPILER-MACRO', 'DEFMETHOD']);
const VARIABLE_DEFINERS = new Set(['DEFVAR', 'DEFPARAMETER', 'DEFCONSTANT', 'DEFINE-SYMBOL-MACRO']);

/** FNV-1a, 32 bits: a short id that stays the same while the key does. */
function hashId(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `rc-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * Shapes by result: a result never changes once analysed, and hovers and views ask for the
 * causes of the whole workspace again and again.
 */
const shapes = new WeakMap<FormResult, string>();

function shapeOf(form: AnalyzedForm): string {
  let shape = shapes.get(form.result);
  if (shape === undefined) {
    shape = messageShape(messageOf(form));
    shapes.set(form.result, shape);
  }
  return shape;
}

/** The grouping key of a failing form: site, condition type, shape. */
export function rootCauseKey(form: AnalyzedForm): string {
  const r = form.result;
  return [r.origin?.function ?? '', r.condition ?? r.errorType ?? '', shapeOf(form)].join('\u0000');
}

interface Definitions {
  functions: Map<string, AnalyzedForm[]>;
  variables: Map<string, AnalyzedForm[]>;
}

function addDefinition(map: Map<string, AnalyzedForm[]>, name: string | undefined, form: AnalyzedForm): void {
  if (name === undefined) return;
  const list = map.get(name);
  if (list) list.push(form);
  else map.set(name, [form]);
}

/** Every name the workspace defines at top level, with its defining forms. */
function collectDefinitions(forms: readonly AnalyzedForm[]): Definitions {
  const defs: Definitions = { functions: new Map(), variables: new Map() };
  for (const f of forms) {
    const op = f.form.operator;
    const name = f.form.name === undefined ? undefined : symbolName(f.form.name);
    if (op === undefined || name === undefined) continue;
    if (FUNCTION_DEFINERS.has(op)) addDefinition(defs.functions, name, f);
    else if (VARIABLE_DEFINERS.has(op)) addDefinition(defs.variables, name, f);
    else if (op === 'DEFSTRUCT') {
      // The constructor and predicate a DEFSTRUCT defines by default.
      addDefinition(defs.functions, `MAKE-${name}`, f);
      addDefinition(defs.functions, `${name}-P`, f);
    }
  }
  return defs;
}

/** The name a missing-function or missing-variable failure is about, and where the workspace defines it. */
export function missingNameDefinition(form: AnalyzedForm, defs: Definitions): NameDefinition | undefined {
  const category = categoryOf(form)?.category;
  const message = messageOf(form);
  const name =
    category === 'missing-function' ? extractNamedOperator(message) : category === 'missing-variable' ? extractNamedVariable(message) : undefined;
  if (name === undefined) return undefined;
  const definers = (category === 'missing-function' ? defs.functions : defs.variables).get(name);
  if (definers === undefined) return undefined;
  // Defined when any definition compiles; otherwise the first failing one is where to look.
  const compiled = definers.find((d) => d.result.status === 'compiled' || d.result.status === 'skipped');
  const chosen = compiled ?? definers[0];
  return { name, file: chosen.file, line: chosen.form.range.start.line + 1, formId: chosen.id, compiled: compiled !== undefined };
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const [v, n] of counts) if (n > (counts.get(best) ?? 0)) best = v;
  return best;
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** What the blocking cause is, in a few words: its category and the name or shape it is about. */
function causeInWords(cause: RootCause): string {
  const named = cause.category === 'missing-function' ? extractNamedOperator(cause.message) : cause.category === 'missing-variable' ? extractNamedVariable(cause.message) : undefined;
  const subject = named ?? summarizeMessage(cause.message, 80);
  return `${cause.category} ${subject}`;
}

interface Draft {
  cause: RootCause;
}

/**
 * Root causes of every form that failed, ranked by forms unlocked (transitively), then by
 * their own count, then by message. `summary` gives the coverage base.
 */
export function buildRootCauses(forms: readonly AnalyzedForm[], summary: Summary): RootCause[] {
  const defs = collectDefinitions(forms);
  const drafts = new Map<string, Draft>();
  const categories = new Map<string, string[]>();
  const causeOfForm = new Map<string, RootCause>();
  for (const form of forms) {
    const cat = categoryOf(form);
    if (cat === undefined) continue;
    const key = rootCauseKey(form);
    let draft = drafts.get(key);
    if (draft === undefined) {
      const cause: RootCause = {
        id: hashId(key),
        message: shapeOf(form),
        category: cat.category,
        count: 0,
        unlocks: 0,
        impactPct: 0,
        coverageIfFixedPct: 0,
        formIds: [],
        blocks: [],
      };
      if (form.result.condition !== undefined) cause.condition = form.result.condition;
      const definition = missingNameDefinition(form, defs);
      if (definition !== undefined) cause.definition = definition;
      draft = { cause };
      drafts.set(key, draft);
      categories.set(key, []);
    }
    if (draft.cause.origin === undefined && form.result.origin !== undefined) draft.cause.origin = form.result.origin;
    draft.cause.count++;
    draft.cause.formIds.push(form.id);
    categories.get(key)?.push(cat.category);
    causeOfForm.set(form.id, draft.cause);
  }
  const causes = [...drafts.entries()].map(([key, d]) => {
    d.cause.category = mostCommon(categories.get(key) ?? [d.cause.category]);
    return d.cause;
  });

  // A cause whose missing name is defined by a failing form waits on that form's cause.
  const byId = new Map(causes.map((c) => [c.id, c]));
  for (const cause of causes) {
    const def = cause.definition;
    if (def === undefined || def.compiled) continue;
    const blocker = causeOfForm.get(def.formId);
    if (blocker === undefined || blocker === cause) continue;
    cause.waitsOn = { id: blocker.id, explanation: '' };
    blocker.blocks.push(cause.id);
  }

  const unlocked = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  const unlockedBy = (cause: RootCause): Set<string> => {
    const known = unlocked.get(cause.id);
    if (known) return known;
    const set = new Set(cause.formIds);
    if (visiting.has(cause.id)) return set; // a cycle: each waits on the other; count own forms only
    visiting.add(cause.id);
    for (const id of cause.blocks) {
      const waiting = byId.get(id);
      if (waiting) for (const f of unlockedBy(waiting)) set.add(f);
    }
    visiting.delete(cause.id);
    unlocked.set(cause.id, set);
    return set;
  };
  const compilable = compilableCount(summary);
  for (const cause of causes) {
    cause.unlocks = unlockedBy(cause).size;
    // Of the compilable forms, as coverage and the categories' impact (docs/blockers.md).
    cause.impactPct = impactPct(cause.unlocks, compilable);
    cause.coverageIfFixedPct = compilable > 0 ? round2((100 * Math.min(compilable, summary.compiled + cause.unlocks)) / compilable) : 0;
  }
  for (const cause of causes) {
    const def = cause.definition;
    const blocker = cause.waitsOn === undefined ? undefined : byId.get(cause.waitsOn.id);
    if (def === undefined || blocker === undefined || cause.waitsOn === undefined) continue;
    cause.waitsOn.explanation =
      `${def.name} is defined in ${baseName(def.file)}:${def.line} but fails itself (${causeInWords(blocker)}): ` +
      `fix that first; ${cause.unlocks} form${cause.unlocks === 1 ? '' : 's'} wait on it`;
  }
  return causes.sort((a, b) => b.unlocks - a.unlocks || b.count - a.count || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}

/** Each failing form's root cause, by form id. */
export function rootCauseByForm(causes: readonly RootCause[]): Map<string, RootCause> {
  const map = new Map<string, RootCause>();
  for (const c of causes) for (const id of c.formIds) map.set(id, c);
  return map;
}

/**
 * buildRootCauses, remembered for the last set of forms: hovers, code actions and views ask
 * for the whole workspace's causes on every request, while results change only per analysis.
 */
export class RootCauseMemo {
  private forms: readonly AnalyzedForm[] = [];
  private causes: RootCause[] | undefined;
  private byForm = new Map<string, RootCause>();

  private refresh(forms: readonly AnalyzedForm[], summary: () => Summary): void {
    const same = this.causes !== undefined && forms.length === this.forms.length && forms.every((f, i) => f === this.forms[i]);
    if (same) return;
    this.forms = forms;
    this.causes = buildRootCauses(forms, summary());
    this.byForm = rootCauseByForm(this.causes);
  }

  all(forms: readonly AnalyzedForm[], summary: () => Summary): RootCause[] {
    this.refresh(forms, summary);
    return this.causes ?? [];
  }

  ofForm(formId: string, forms: readonly AnalyzedForm[], summary: () => Summary): RootCause | undefined {
    this.refresh(forms, summary);
    return this.byForm.get(formId);
  }
}
