// Tests for the Common Lisp TextMate grammar (syntaxes/commonlisp.tmLanguage.json)
// and language-configuration.json, using the same engine VS Code uses.
//
// Baselines: every test/fixtures/grammar/*.lisp is tokenized and compared with
// <name>.lisp.tokens.txt. Run with UPDATE_BASELINES=1 to rewrite them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const SCOPE_NAME = 'source.commonlisp.clysm';

// The compiled file lives in out/test/unit, the source in test/unit: walk up
// instead of assuming a fixed depth.
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
}

const ROOT = findRepoRoot(__dirname);
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'commonlisp.tmLanguage.json');
const LANGUAGE_CONFIG_PATH = path.join(ROOT, 'language-configuration.json');
const FIXTURE_DIR = path.join(ROOT, 'test', 'fixtures', 'grammar');
const WASM_PATH = path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm');
const UPDATE = process.env['UPDATE_BASELINES'] === '1';

interface Token {
  line: number; // 1-based
  start: number; // 0-based, inclusive
  end: number; // 0-based, exclusive
  text: string;
  scopes: string[]; // root scope removed
}

interface Tokenized {
  tokens: Token[];
  finalDepth: number;
}

let onigLibPromise: Promise<vsctm.IOnigLib> | undefined;
let grammarPromise: Promise<vsctm.IGrammar> | undefined;

// loadWASM may run only once per process, so the library is shared.
function loadOnigLib(): Promise<vsctm.IOnigLib> {
  onigLibPromise ??= (async () => {
    const wasm = fs.readFileSync(WASM_PATH);
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    };
  })();
  return onigLibPromise;
}

// The .json file name makes vscode-textmate parse the file as JSON (not
// plist), as VS Code does; a syntax error fails the load. Each configuration
// needs its own registry because a registry caches the grammar by scope name.
async function loadGrammarWith(configuration: vsctm.IGrammarConfiguration): Promise<vsctm.IGrammar> {
  const registry = new vsctm.Registry({
    onigLib: loadOnigLib(),
    loadGrammar: async (scopeName) =>
      scopeName === SCOPE_NAME ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
  });
  const grammar = await registry.loadGrammarWithConfiguration(SCOPE_NAME, 1, configuration);
  if (!grammar) throw new Error(`grammar ${SCOPE_NAME} did not load`);
  return grammar;
}

function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= loadGrammarWith({});
  return grammarPromise;
}

async function tokenize(text: string): Promise<Tokenized> {
  const grammar = await loadGrammar();
  const tokens: Token[] = [];
  let state = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((lineText, index) => {
    const result = grammar.tokenizeLine(lineText, state);
    assert.equal(result.stoppedEarly, false);
    state = result.ruleStack;
    for (const t of result.tokens) {
      // vscode-textmate appends "\n"; the last token may cover it.
      const end = Math.min(t.endIndex, lineText.length);
      if (t.startIndex >= end) continue;
      tokens.push({
        line: index + 1,
        start: t.startIndex,
        end,
        text: lineText.slice(t.startIndex, end),
        scopes: t.scopes.slice(1),
      });
    }
  });
  return { tokens, finalDepth: state.depth };
}

function render(name: string, tokens: Token[]): string {
  const lines = [
    `# ${name}: line:start-end "text" scopes (1-based line, 0-based half-open columns, root scope omitted)`,
  ];
  for (const t of tokens) {
    // Unscoped whitespace carries no information.
    if (t.scopes.length === 0 && t.text.trim() === '') continue;
    lines.push(`${t.line}:${t.start}-${t.end} ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}

// The nth token whose text is exactly `text`.
function tokenFor(tokens: Token[], text: string, nth = 0): Token {
  const found = tokens.filter((t) => t.text === text);
  const token = found[nth];
  assert.ok(token, `no token #${nth} with text ${JSON.stringify(text)} in:\n${render('input', tokens)}`);
  return token;
}

function hasScope(token: Token, prefix: string): boolean {
  return token.scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));
}

function assertScope(token: Token, prefix: string): void {
  assert.ok(hasScope(token, prefix), `${JSON.stringify(token.text)} lacks ${prefix}: ${token.scopes.join(' ')}`);
}

function assertNoScope(token: Token, prefix: string): void {
  assert.ok(!hasScope(token, prefix), `${JSON.stringify(token.text)} has ${prefix}: ${token.scopes.join(' ')}`);
}

// Compares line by line so a failure shows the first differing tokens rather
// than a truncated diff of the whole file.
function assertSameBaseline(fixture: string, actual: string, expected: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  const window = (lines: string[]): string => lines.slice(Math.max(0, i - 2), i + 5).join('\n');
  assert.equal(
    window(a),
    window(e),
    `${fixture} differs from its baseline at baseline line ${i + 1}; if intended, run scripts/update-grammar-baselines.mjs`,
  );
  assert.equal(actual, expected);
}

interface GrammarContribution {
  language: string;
  scopeName: string;
  path: string;
  balancedBracketScopes?: string[];
  unbalancedBracketScopes?: string[];
}

function grammarContribution(): GrammarContribution | undefined {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { grammars: GrammarContribution[] };
  };
  return pkg.contributes.grammars.find((g) => g.language === 'commonlisp');
}

interface RawGrammar {
  scopeName: string;
  repository: Record<string, unknown>;
}

function readRawGrammar(): RawGrammar {
  return JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as RawGrammar;
}

// Every string value stored under one of `keys`, anywhere in `value`.
function collectStrings(value: unknown, keys: string[]): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (keys.includes(key) && typeof child === 'string') out.push(child);
        walk(child);
      }
    }
  };
  walk(value);
  return out;
}

const fixtures = fs
  .readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.lisp'))
  .sort();

describe('commonlisp grammar baselines', () => {
  it('has fixtures', () => {
    assert.ok(fixtures.length >= 3, `expected fixtures in ${FIXTURE_DIR}`);
  });

  for (const fixture of fixtures) {
    it(fixture, async () => {
      const source = fs.readFileSync(path.join(FIXTURE_DIR, fixture), 'utf8');
      const { tokens, finalDepth } = await tokenize(source);
      const actual = render(fixture, tokens);
      const baselinePath = path.join(FIXTURE_DIR, `${fixture}.tokens.txt`);
      if (UPDATE) {
        fs.writeFileSync(baselinePath, actual);
      } else {
        assert.ok(fs.existsSync(baselinePath), `missing ${baselinePath}; run with UPDATE_BASELINES=1`);
        // A CRLF checkout must not fail the comparison.
        const expected = fs.readFileSync(baselinePath, 'utf8').replace(/\r\n/g, '\n');
        assertSameBaseline(fixture, actual, expected);
      }
      // Fixtures are valid, balanced Lisp: nothing may be flagged and every
      // list, string and comment must be closed again at the end.
      const invalid = tokens.filter((t) => hasScope(t, 'invalid'));
      assert.deepEqual(invalid, [], `${fixture} has invalid tokens`);
      assert.equal(finalDepth, 1, `${fixture} leaves an unclosed rule at the end`);
    });
  }

  it('has no baseline without a fixture', () => {
    const stale = fs
      .readdirSync(FIXTURE_DIR)
      .filter((f) => f.endsWith('.tokens.txt'))
      .filter((f) => !fixtures.includes(f.slice(0, -'.tokens.txt'.length)));
    assert.deepEqual(stale, []);
  });
});

describe('commonlisp grammar rules', () => {
  it('matches the grammar contribution in package.json', () => {
    const contribution = grammarContribution();
    assert.ok(contribution);
    assert.equal(contribution.scopeName, SCOPE_NAME);
    assert.equal(path.resolve(ROOT, contribution.path), GRAMMAR_PATH);
    assert.equal(readRawGrammar().scopeName, SCOPE_NAME);
  });

  it('names every scope with the .commonlisp suffix', () => {
    const names = collectStrings(readRawGrammar().repository, ['name', 'contentName']);
    assert.ok(names.length > 20);
    assert.deepEqual(names.filter((n) => !n.endsWith('.commonlisp')), []);
  });

  // vscode-textmate drops an include it cannot resolve without a word.
  it('resolves every include', () => {
    const raw = readRawGrammar();
    const includes = collectStrings(raw, ['include']);
    const missing = includes.filter((i) => !(i.startsWith('#') && i.slice(1) in raw.repository));
    assert.deepEqual(missing, []);
  });

  // A bad regex only throws once the tokenizer reaches its rule, so compile
  // them all up front.
  it('compiles every regex with Oniguruma', async () => {
    await loadOnigLib();
    const sources = collectStrings(readRawGrammar(), ['match', 'begin', 'end']);
    assert.ok(sources.length > 20);
    for (const source of sources) {
      assert.doesNotThrow(() => new oniguruma.OnigScanner([source]).dispose(), source);
    }
  });

  it('does not open or close a list for #\\( and #\\)', async () => {
    const { tokens, finalDepth } = await tokenize('(list #\\( x)\n(list #\\) y)');
    for (const ch of ['(', ')']) {
      const literal = tokens.find((t) => t.text === ch && hasScope(t, 'constant.character'));
      assert.ok(literal, `#\\${ch} not scoped as a character`);
      assertNoScope(literal, 'punctuation.section.list');
    }
    assert.equal(tokens.filter((t) => hasScope(t, 'punctuation.section.list.begin')).length, 2);
    assert.equal(tokens.filter((t) => hasScope(t, 'punctuation.section.list.end')).length, 2);
    assert.equal(finalDepth, 1);
  });

  it('reads the other character literals', async () => {
    const { tokens, finalDepth } = await tokenize('(f #\\" #\\; #\\\\ #\\| #\\a #\\Newline #\\SPACE #\\Tab)');
    for (const text of ['"', ';', '\\', '|', 'a', 'Newline', 'SPACE', 'Tab']) {
      assertScope(tokenFor(tokens, text), 'constant.character');
    }
    assertScope(tokenFor(tokens, 'Newline'), 'constant.character.named');
    assert.ok(!tokens.some((t) => hasScope(t, 'comment') || hasScope(t, 'string')));
    assertScope(tokenFor(tokens, ')'), 'punctuation.section.list.end');
    assert.equal(finalDepth, 1);
  });

  it('keeps ; and | inside strings out of comments and symbols', async () => {
    const { tokens, finalDepth } = await tokenize('(f "a ; b | (c" "\\"q\\" \\\\") x');
    const body = tokenFor(tokens, 'a ; b | (c');
    assertScope(body, 'string.quoted.double');
    assertNoScope(body, 'comment');
    assertScope(tokenFor(tokens, '\\"'), 'constant.character.escape');
    assertScope(tokenFor(tokens, '\\\\'), 'constant.character.escape');
    assert.deepEqual(tokenFor(tokens, 'x').scopes, []);
    assert.equal(finalDepth, 1);
  });

  it('scopes line comments only outside strings and characters', async () => {
    const { tokens, finalDepth } = await tokenize('(f #\\; "a;b" x) ;; trailing "comment" (');
    assertNoScope(tokenFor(tokens, 'x'), 'comment');
    assertScope(tokenFor(tokens, ';;'), 'punctuation.definition.comment');
    assert.equal(finalDepth, 1);
    assertScope(tokenFor(tokens, ' trailing "comment" ('), 'comment.line.semicolon');
  });

  it('closes nested block comments at the right |#', async () => {
    const oneLine = await tokenize('#| a #| b |# c |# d');
    assertScope(tokenFor(oneLine.tokens, ' c '), 'comment.block');
    assert.deepEqual(tokenFor(oneLine.tokens, 'd').scopes, []);
    assert.equal(oneLine.finalDepth, 1);

    const multiLine = await tokenize('#|\n #| inner\n |# still\n|# (after)');
    assertScope(tokenFor(multiLine.tokens, ' still'), 'comment.block');
    assertNoScope(tokenFor(multiLine.tokens, 'after'), 'comment');
    assert.equal(multiLine.finalDepth, 1);
  });

  it('gives defined names their entity scopes', async () => {
    const cases: [string, string, string][] = [
      ['(defun foo (x) x)', 'foo', 'entity.name.function'],
      ['(defmacro with-foo (&body b) b)', 'with-foo', 'entity.name.function'],
      ['(defun (setf foo) (v x) v)', 'foo', 'entity.name.function'],
      ['(defmethod emit :around ((n node)) n)', 'emit', 'entity.name.function'],
      ['(define-wasm-op i32.add)', 'i32.add', 'entity.name.function'],
      ['(defclass node (base) ())', 'node', 'entity.name.type'],
      ['(defclass node (base) ())', 'base', 'entity.other.inherited-class'],
      ['(defstruct (point (:conc-name p-)) x)', 'point', 'entity.name.type'],
      ['(defstruct point x)', 'point', 'entity.name.type'],
      ['(deftype octet () t)', 'octet', 'entity.name.type'],
      ['(define-condition oops (error) ())', 'oops', 'entity.name.type'],
      ['(defvar *depth* 0)', '*depth*', 'variable.other.special'],
      ['(defparameter *x* 0)', '*x*', 'variable.other.special'],
      ['(defconstant +max+ 1)', '+max+', 'variable.other.constant'],
      ['(defpackage #:clysm (:use #:cl))', 'clysm', 'entity.name.namespace'],
      ['(in-package :clysm)', 'clysm', 'entity.name.namespace'],
    ];
    for (const [source, name, scope] of cases) {
      const { tokens, finalDepth } = await tokenize(source);
      assertScope(tokenFor(tokens, name), scope);
      assert.equal(finalDepth, 1, source);
    }
    // Ordinary words that start with "def" are not defining forms.
    for (const source of ['(default-value x)', '(defined-p x)', '(deferred x)']) {
      const { tokens } = await tokenize(source);
      assertNoScope(tokenFor(tokens, 'x'), 'entity.name');
    }
  });

  it('scopes operators only in operator position', async () => {
    const { tokens } = await tokenize('(if x (let ((y 1)) y) (list if let))');
    assertScope(tokenFor(tokens, 'if', 0), 'keyword.control');
    assertScope(tokenFor(tokens, 'let', 0), 'keyword.other.special-form');
    assert.deepEqual(tokenFor(tokens, 'if', 1).scopes, []);
    assert.deepEqual(tokenFor(tokens, 'let', 1).scopes, []);
  });

  it('splits package-qualified symbols', async () => {
    const { tokens } = await tokenize('(list pkg::sym cl:car sb-ext:*gc-run-time*)');
    assertScope(tokenFor(tokens, 'pkg'), 'entity.name.namespace');
    assertScope(tokenFor(tokens, '::'), 'punctuation.separator.package');
    const sym = tokenFor(tokens, 'sym');
    assertScope(sym, 'meta.symbol');
    assertNoScope(sym, 'entity.name.namespace');
    assertScope(tokenFor(tokens, 'cl'), 'entity.name.namespace');
    assertScope(tokenFor(tokens, '*gc-run-time*'), 'variable.other.special');
  });

  it('scopes numbers and leaves number-like symbols alone', async () => {
    const cases: [string, string][] = [
      ['42', 'constant.numeric.integer'],
      ['-7', 'constant.numeric.integer'],
      ['10.', 'constant.numeric.integer'],
      ['-22/7', 'constant.numeric.ratio'],
      ['3.14', 'constant.numeric.float'],
      ['.5', 'constant.numeric.float'],
      ['6.02e23', 'constant.numeric.float'],
      ['1.0d0', 'constant.numeric.float'],
      ['#x1F', 'constant.numeric.hexadecimal'],
      ['#b101', 'constant.numeric.binary'],
      ['#o17', 'constant.numeric.octal'],
      ['#36rZZ', 'constant.numeric.radix'],
    ];
    const { tokens } = await tokenize(`(list ${cases.map(([n]) => n).join(' ')} 1+ 1- x1 2x foo-t nil-p)`);
    for (const [text, scope] of cases) assertScope(tokenFor(tokens, text), scope);
    for (const text of ['1+', '1-', 'x1', '2x', 'foo-t', 'nil-p']) {
      assert.deepEqual(tokenFor(tokens, text).scopes, [], text);
    }
  });

  it('scopes symbol syntax', async () => {
    const { tokens } = await tokenize(
      "(f :key #:unint |pipe sym| *special* +const+ t nil &optional &rest &key &aux &body &allow-other-keys &whole &environment)",
    );
    assertScope(tokenFor(tokens, 'key'), 'constant.other.symbol.keyword');
    assertScope(tokenFor(tokens, 'unint'), 'constant.other.symbol.uninterned');
    assertScope(tokenFor(tokens, 'pipe sym'), 'constant.other.symbol.escaped');
    assertScope(tokenFor(tokens, '*special*'), 'variable.other.special');
    assertScope(tokenFor(tokens, '+const+'), 'variable.other.constant');
    assertScope(tokenFor(tokens, 't'), 'constant.language');
    assertScope(tokenFor(tokens, 'nil'), 'constant.language');
    for (const kw of ['optional', 'rest', 'key', 'aux', 'body', 'allow-other-keys', 'whole', 'environment']) {
      assertScope(tokenFor(tokens, `&${kw}`), 'keyword.other.lambda-list');
    }
  });

  it('scopes reader macros', async () => {
    const { tokens } = await tokenize("(list 'a `(b ,c ,@d) #'car #'(lambda (x) x))");
    assertScope(tokenFor(tokens, "'"), 'keyword.operator.quote');
    assertScope(tokenFor(tokens, '`'), 'keyword.operator.quasiquote');
    assertScope(tokenFor(tokens, ','), 'keyword.operator.unquote');
    assertScope(tokenFor(tokens, ',@'), 'keyword.operator.unquote.splicing');
    assertScope(tokenFor(tokens, "#'", 0), 'keyword.operator.function');
    assertScope(tokenFor(tokens, 'car'), 'entity.name.function');
    assertScope(tokenFor(tokens, 'lambda'), 'storage.type.function.lambda');
  });

  it('scopes feature expressions', async () => {
    const { tokens, finalDepth } = await tokenize('#+sbcl (a) #-(or ccl (and ecl (not :x))) (b)');
    assertScope(tokenFor(tokens, '#+'), 'keyword.control.directive.conditional');
    assertScope(tokenFor(tokens, 'sbcl'), 'constant.other.feature');
    assertScope(tokenFor(tokens, 'or'), 'keyword.operator.logical.feature');
    assertScope(tokenFor(tokens, 'not'), 'keyword.operator.logical.feature');
    assertScope(tokenFor(tokens, 'ecl'), 'constant.other.feature');
    assertNoScope(tokenFor(tokens, 'b'), 'meta.feature-expression');
    assert.equal(finalDepth, 1);
  });

  // VS Code counts a "(" as a bracket unless its token is a string, comment or
  // matches unbalancedBracketScopes, so #\( needs that package.json setting.
  it('keeps #\\( out of bracket matching when package.json asks for it', async (t) => {
    const contribution = grammarContribution();
    const unbalanced = contribution?.unbalancedBracketScopes;
    if (!unbalanced) {
      t.skip('package.json sets no unbalancedBracketScopes for the commonlisp grammar');
      return;
    }
    // Same defaults VS Code applies to a grammar contribution.
    const grammar = await loadGrammarWith({
      balancedBracketSelectors: contribution.balancedBracketScopes ?? ['*'],
      unbalancedBracketSelectors: unbalanced,
    });
    const line = '(list #\\( #\\) x)';
    const { tokens } = grammar.tokenizeLine2(line, vsctm.INITIAL);
    const balancedAt = (offset: number): boolean => {
      let metadata = 0;
      for (let i = 0; i < tokens.length; i += 2) {
        if ((tokens[i] ?? 0) <= offset) metadata = tokens[i + 1] ?? 0;
      }
      // vscode-textmate's BALANCED_BRACKETS bit in the token metadata.
      return (metadata & 0b100_0000_0000) !== 0;
    };
    assert.equal(balancedAt(line.indexOf('(')), true);
    assert.equal(balancedAt(line.indexOf('#\\(') + 2), false);
    assert.equal(balancedAt(line.indexOf('#\\)') + 2), false);
    assert.equal(balancedAt(line.lastIndexOf(')')), true);
  });

  it('flags a stray closing paren', async () => {
    const { tokens } = await tokenize('(a)) b');
    assertScope(tokenFor(tokens, ')', 1), 'invalid.illegal.stray-paren');
  });
});

describe('commonlisp language configuration', () => {
  interface AutoClosingPair {
    open: string;
    close: string;
    notIn?: string[];
  }
  interface LanguageConfiguration {
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: AutoClosingPair[];
    surroundingPairs: [string, string][];
    wordPattern: string;
  }
  const config = JSON.parse(fs.readFileSync(LANGUAGE_CONFIG_PATH, 'utf8')) as LanguageConfiguration;

  it('declares Lisp comments, brackets and pairs', () => {
    assert.deepEqual(config.comments, { lineComment: ';', blockComment: ['#|', '|#'] });
    assert.deepEqual(config.brackets, [['(', ')']]);
    const opens = config.autoClosingPairs.map((p) => p.open);
    assert.deepEqual([...opens].sort(), ['"', '#|', '(']);
    assert.ok(!opens.includes("'"), "' must never auto-close");
    const quote = config.autoClosingPairs.find((p) => p.open === '"');
    assert.deepEqual([...(quote?.notIn ?? [])].sort(), ['comment', 'string']);
    assert.equal(config.autoClosingPairs.find((p) => p.open === '#|')?.close, ' |#');
    assert.deepEqual(config.surroundingPairs, [['(', ')'], ['"', '"'], ['|', '|']]);
  });

  it('keeps Lisp symbols whole as words', () => {
    const words = "(cl:loop for x in '#:foo do (setf *print-base* (1+ x)) (string= a b) `(,@body) ;c\n &key 1.5d0)"
      .match(new RegExp(config.wordPattern, 'g'));
    assert.deepEqual(words, [
      'cl:loop', 'for', 'x', 'in', '#:foo', 'do', 'setf', '*print-base*', '1+', 'x', 'string=', 'a', 'b',
      '@body', 'c', '&key', '1.5d0',
    ]);
  });
});
