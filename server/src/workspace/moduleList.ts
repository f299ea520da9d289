// Which files are Clysm's modules, and in which order: form ids are "{module}:{form}" with the
// module numbered 1-based in this order. Pure: file contents come in through injected functions.

import { type Datum, datumName, listElements, prefixedDatum, readDatumAt, readTopLevelForms } from '../reader';

/** Clysm's list B: the module list that `generate-stage1` reads, and so the one form ids follow. */
export const STAGE1_READER_FILE = 'src/clysm/stage1/reader.lisp';
/** Clysm's list A (the validation / bootstrap order: list B without the trailing `lib/*` modules). */
export const COMPILER_ORDER_FILE = 'src/clysm/validation/compiler-order.lisp';

export type ModuleListSource = 'setting' | 'stage1/reader.lisp' | 'compiler-order.lisp' | 'all .lisp files';

export interface ResolvedModuleList {
  modules: string[];
  source: ModuleListSource;
}

export interface ModuleListInputs {
  /** The `clysm.modules` setting; null, undefined or an empty list means "not set". */
  override?: string[] | null;
  /** Text of a workspace-relative file, or undefined when it does not exist. */
  readFile(relativePath: string): string | undefined;
  /** Every `.lisp` file of the workspace, workspace-relative. */
  listLispFiles(): string[];
}

/** List B: the strings of `(defparameter *module-paths* '(...))` in Clysm's `src/clysm/stage1/reader.lisp`. */
export function parseModulePaths(lispText: string): string[] | undefined {
  return parseStringListVariable(lispText, '*MODULE-PATHS*');
}

/** List A: the strings of `(defparameter *compilation-order* '(...))` in `src/clysm/validation/compiler-order.lisp`. */
export function parseCompilationOrder(lispText: string): string[] | undefined {
  return parseStringListVariable(lispText, '*COMPILATION-ORDER*');
}

/**
 * The strings of the list a top-level `defparameter` / `defvar` / `defconstant` gives to
 * `variableName` (upper case, e.g. `*MODULE-PATHS*`), whether written `'("a" "b")` or
 * `(list "a" "b")`, normalised to workspace-relative paths. Undefined when there is no such
 * variable or its list has no strings.
 */
export function parseStringListVariable(lispText: string, variableName: string): string[] | undefined {
  for (const form of readTopLevelForms(lispText)) {
    if (form.kind !== 'list' || form.name !== variableName) continue;
    if (form.operator !== 'DEFPARAMETER' && form.operator !== 'DEFVAR' && form.operator !== 'DEFCONSTANT') continue;
    const definition = readDatumAt(lispText, form.start, form.end);
    const elements = definition === undefined ? undefined : listElements(lispText, definition);
    const value = elements?.[2];
    const strings = value === undefined ? undefined : stringsOfListValue(lispText, value);
    if (strings !== undefined && strings.length > 0) return strings.map(normaliseModulePath);
  }
  return undefined;
}

/** Strings of `'(...)` or `(list ...)`. */
function stringsOfListValue(text: string, value: Datum): string[] | undefined {
  let list: Datum | undefined = value;
  if (value.kind === 'quote') list = prefixedDatum(text, value);
  const elements = list === undefined ? undefined : listElements(text, list);
  if (elements === undefined) return undefined;
  if (value.kind === 'list' && (elements.length === 0 || datumName(text, elements[0]) !== 'LIST')) return undefined;
  return elements.filter((element) => element.kind === 'string').map((element) => datumName(text, element) ?? '');
}

/** `/` separators, no leading `./`, no doubled slashes: the form module paths are compared in. */
export function normaliseModulePath(path: string): string {
  let normalised = path.trim().replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  while (normalised.startsWith('./')) normalised = normalised.slice(2);
  return normalised;
}

/**
 * The module list, by precedence: the `clysm.modules` setting; Clysm's list B from
 * `src/clysm/stage1/reader.lisp`; list A from `src/clysm/validation/compiler-order.lisp`;
 * otherwise every `.lisp` file sorted by path. Lists are kept exactly as written (duplicates
 * included), because Clysm numbers modules by position in its list.
 */
export function resolveModuleList(inputs: ModuleListInputs): ResolvedModuleList {
  const override = inputs.override?.map(normaliseModulePath).filter((path) => path !== '');
  if (override !== undefined && override.length > 0) return { modules: override, source: 'setting' };

  const listB = parseFileList(inputs, STAGE1_READER_FILE, parseModulePaths);
  if (listB !== undefined) return { modules: listB, source: 'stage1/reader.lisp' };

  const listA = parseFileList(inputs, COMPILER_ORDER_FILE, parseCompilationOrder);
  if (listA !== undefined) return { modules: listA, source: 'compiler-order.lisp' };

  const all = [...new Set(inputs.listLispFiles().map(normaliseModulePath))].sort(byCodeUnits);
  return { modules: all, source: 'all .lisp files' };
}

/** 1-based position of a workspace-relative path in the module list, or undefined. */
export function moduleIndexOf(modules: readonly string[], relativePath: string): number | undefined {
  const index = modules.indexOf(normaliseModulePath(relativePath));
  return index < 0 ? undefined : index + 1;
}

function parseFileList(
  inputs: ModuleListInputs,
  file: string,
  parse: (text: string) => string[] | undefined,
): string[] | undefined {
  const text = inputs.readFile(file);
  return text === undefined ? undefined : parse(text);
}

/** Plain code-unit order, so the fallback list is the same on every machine and locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
