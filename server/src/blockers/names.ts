// Symbols named by compiler messages. Clysm's conditions print symbols with `~A`, so a
// message carries the bare (upper-case) name, sometimes package-qualified or, for a
// failing call in a list, as a list whose head is the operator.

/** Characters that end a Lisp symbol token (whitespace, parentheses, quotes, comma, semicolon). */
const TOKEN = String.raw`[^\s()'"\x60,;]+`;
/** A symbol, or the head symbol of a printed list such as `(SETF FOO)`. */
const TOKEN_OR_HEAD = String.raw`(?:\(\s*)?(${TOKEN})`;

/**
 * Canonical operator name: upper-case, no package prefix, no `#:`, no trailing
 * punctuation. Returns undefined for anything that is not a plausible symbol name.
 */
export function symbolName(raw: string): string | undefined {
  let s = raw.trim().replace(/[.,;:]+$/, '');
  if (s.startsWith('#:')) s = s.slice(2);
  // `PKG::NAME`, `PKG:NAME` and keywords `:NAME` all keep only NAME.
  const colon = s.lastIndexOf(':');
  if (colon >= 0) s = s.slice(colon + 1);
  s = s.toUpperCase();
  if (s === '' || s.startsWith('#') || /^[+-]?\d+(?:\.\d+)?$/.test(s)) return undefined;
  return s;
}

/**
 * Message shapes that name an operator, most specific first. Each has one capture group.
 * Matching is case-insensitive: Clysm writes "Undefined function: X", SBCL writes
 * "The function X is undefined.".
 */
const OPERATOR_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`undefined[ -]function:?\s+${TOKEN_OR_HEAD}`, 'i'),
  new RegExp(String.raw`\bthe function\s+${TOKEN_OR_HEAD}.*?\bis undefined`, 'i'),
  new RegExp(
    String.raw`\b(?:unsupported|unknown)\s+(?:special\s+)?(?:form|operator|macro|feature|function)\b:?\s+${TOKEN_OR_HEAD}`,
    'i',
  ),
  // Primitive arity errors: "CONS requires exactly 2 arguments".
  new RegExp(String.raw`^(${TOKEN})\s+requires\b.*\barguments?\b`, 'i'),
  // A runtime-library call whose function index is unresolved when the form is compiled
  // alone: "The value :$ENV-ADD-LOCAL-RT is not of type NUMBER" names ENV-ADD-LOCAL.
  new RegExp(String.raw`\bthe value\s+:\$(${TOKEN}?)-RT\s+is not of type`, 'i'),
  // A symbol quoted in the message: `LOOP`, 'LOOP' or "LOOP".
  new RegExp(String.raw`\x60(${TOKEN})\x60`),
  new RegExp(String.raw`'(${TOKEN})'`),
  new RegExp(String.raw`"(${TOKEN})"`),
];

const VARIABLE_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\b(?:unbound|undefined)[ -]variable:?\s+(${TOKEN})`, 'i'),
  new RegExp(String.raw`\bthe variable\s+(${TOKEN})\s+is unbound`, 'i'),
  new RegExp(String.raw`\bspecial variable\s+(${TOKEN})\s+not initialized`, 'i'),
];

function firstMatch(patterns: readonly RegExp[], message: string | undefined): string | undefined {
  if (!message) return undefined;
  for (const re of patterns) {
    const m = re.exec(message);
    const name = m?.[1] === undefined ? undefined : symbolName(m[1]);
    if (name) return name;
  }
  return undefined;
}

/**
 * The operator a message names ("Undefined function: X", "Unsupported form: X",
 * "The function X is undefined.", "X requires exactly 2 arguments", a quoted symbol...),
 * upper-case without package prefix, or undefined when it names none.
 */
export function extractNamedOperator(message: string | undefined): string | undefined {
  return firstMatch(OPERATOR_PATTERNS, message);
}

/** `COMPILE-CALL` of `PKG::COMPILE-CALL` (a host function name): the name people search for. */
export function shortFunctionName(name: string): string {
  return name.replace(/^.*?::?(?=[^:]+$)/, '');
}

/** The variable a message names ("Unbound variable: X", "The variable X is unbound."). */
export function extractNamedVariable(message: string | undefined): string | undefined {
  return firstMatch(VARIABLE_PATTERNS, message);
}
