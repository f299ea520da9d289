// The shape of a compiler message: the message with what changes from form to form taken
// out, so that one cause groups as one. Unlike Clysm's pattern ids (normalizeMessage), digits
// that carry meaning stay: `i32`, `i31.get_s`, `F64-TO-I32`, "requires exactly 2 arguments".
import { EMPTY_PATTERN } from './patterns.js';
import { flattenMessage, summarizeMessage } from './summary.js';

/**
 * V8's validation report: "WebAssembly.Module(): Compiling function #4:"name" failed: <what> @+123".
 * The function index and the byte offset say where in this form's module, not what is wrong.
 */
const V8_PREFIX = /^.*?Compiling function #\d+(?::?\s*"[^"]*")?\s+failed:\s*/;
const V8_OFFSET = /\s*@\+\d+/g;
/** A number on its own (a local, global or type index), not the digits of `i32` or `f64.add`. */
const STANDALONE_NUMBER = /(?<![\w.$-])\d+(?![\w.])/g;

/** `#:LOOP-START-18167` → `#:LOOP-START-…`, `G4711` → `G…`: gensym counters change on every run. */
const UNINTERNED_COUNTER = /#:([^\s()'"`,;]*?)\d+(?![^\s()'"`,;])/g;
const G_COUNTER = /(?<![^\s()'"`,;])G\d+(?![^\s()'"`,;])/g;

/** SBCL's TYPE-ERROR report, flattened: the datum is what varies. */
const TYPE_ERROR = /^(.*?\bThe value )(.+?)( is not of type .*)$/;

/** What kind of datum a type error was about, without the datum itself. */
function datumShape(datum: string): string {
  if (/^:\$.+-RT$/i.test(datum)) return ':$…-RT'; // a runtime function's index that is still a keyword
  if (datum.startsWith('(')) return '(…)';
  if (datum.startsWith('"')) return '"…"';
  if (/^[+-]?\d+(?:\.\d+)?$/.test(datum)) return '<number>';
  return datum;
}

/** True for V8's (or any WebAssembly engine's) "Compiling function #N failed" validation report. */
export function isV8ValidationMessage(message: string | undefined): boolean {
  return V8_PREFIX.test(flattenMessage(message));
}

/**
 * Grouping text for a message: flattened to one line, structure dumps cut to their type,
 * gensym counters elided; for V8 reports the function index, offsets and indexes dropped;
 * for SBCL type errors the datum replaced by its kind. At most 200 characters.
 */
export function messageShape(message: string | undefined): string {
  let text = flattenMessage(message);
  if (text === '') return EMPTY_PATTERN;
  if (V8_PREFIX.test(text)) {
    text = text.replace(V8_PREFIX, '').replace(V8_OFFSET, '').replace(STANDALONE_NUMBER, 'N');
  }
  text = text.replace(UNINTERNED_COUNTER, '#:$1…').replace(G_COUNTER, 'G…');
  const typeError = TYPE_ERROR.exec(text);
  if (typeError) text = typeError[1] + datumShape(typeError[2]) + typeError[3];
  return summarizeMessage(text);
}
