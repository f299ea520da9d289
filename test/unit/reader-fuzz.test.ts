// Deterministic fuzzing of the top-level reader: random text, mutated Lisp and generated valid
// Lisp (whose forms are known). The reader must never throw and must keep its structural
// promises on every input; on valid input it must find exactly the generated forms.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adversarialLispInputs } from '../support/adversarialLisp.js';
import { LineIndex, innerOperators, isNumberToken, readTopLevelForms, symbolName } from '../../server/src/reader/index.js';
import type { TopLevelForm } from '../../server/src/types.js';
import { prng } from '../support/prng';


class Random {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Characters weighted towards the ones that matter to a Lisp reader. */
const NASTY = ['(', ')', '(', ')', '"', '\\', '|', ';', '#', "'", '`', ',', '@', ' ', '\n', '\r\n', '\r', '\t', '.', ':', '+', '-', '=', '*', '<'];
const PLAIN = ['a', 'b', 'x', 'defun', 'sbcl', '1', '2', 'é', 'λ', '😀', '\ud800', '\udc00', '\ufeff', '\u0000', 'p', 'c', 'A'];

function randomText(random: Random): string {
  const length = random.int(400);
  let text = '';
  for (let i = 0; i < length; i++) text += random.chance(0.6) ? random.pick(NASTY) : random.pick(PLAIN);
  return text;
}

function mutate(random: Random, source: string): string {
  let text = source;
  const count = 1 + random.int(8);
  for (let i = 0; i < count; i++) {
    const at = random.int(text.length + 1);
    switch (random.int(6)) {
      case 0: // delete a character
        text = text.slice(0, at) + text.slice(at + 1);
        break;
      case 1: // insert a character
        text = text.slice(0, at) + random.pick(random.chance(0.7) ? NASTY : PLAIN) + text.slice(at);
        break;
      case 2: {
        // duplicate a span
        const span = text.slice(at, at + random.int(40));
        text = text.slice(0, at) + span + text.slice(at);
        break;
      }
      case 3: // delete a span
        text = text.slice(0, at) + text.slice(at + random.int(30));
        break;
      case 4: // start a new form in column 0
        text = text.slice(0, at) + '\n(' + text.slice(at);
        break;
      default: // insert a reader macro
        text = text.slice(0, at) + random.pick(MACRO_INSERTS) + text.slice(at);
    }
  }
  return text;
}

/** Reader macros inserted by the mutator, including the shapes of issue 10 items 20-22. */
const MACRO_INSERTS = [
  '#|', '|#', '#\\', '#+sbcl ', '#-(or) ', '#:', '#(', ',@', '#.', '#1=', '"', ')',
  '#"', '#)', '# ', '#;', '#\ud800', '#\\\ud800', '\\\ud800',
  '#+cl-user::sbcl ', '#+(version>= 8 1) ', '#+(not a b) ', '#+"x" ', '#-(and sbcl #+x y) ', '#+(nil) ', '#-sbcl #+(bad) ',
];

/** Text that reads as exactly one read-error item (what SBCL signals an error for), with nothing glued after it. */
const BROKEN_PIECES = ['#"', '#)', '#;', '#`', '#\ud800', '#+(version>= 8 1)', '#+(not a b)', '#-(not)', '#+"x"', '#+1', '#-(nil)', '#+(or sbcl . x)', '#-sbcl #+(bad)'];

interface Generated {
  text: string;
  /** Expected operator of a list form (undefined for atoms and lists without a symbol head). */
  operator: string | undefined;
  isCons: boolean;
}

/** Feature prefixes that keep the datum after them (on SBCL's features), and ones that drop it. */
const KEEPING_FEATURES = ['#+sbcl ', '#+:sbcl ', '#+keyword::sbcl ', '#-cl-user::sbcl ', '#+(and sbcl #+x y) ', '#+(or #-sbcl x sbcl) ', '#-(not sbcl) ', '#+(cl:and) '];
const DROPPING_FEATURES = ['#-sbcl ', '#+cl-user::sbcl ', '#+#:sbcl ', '#+(and sbcl #-x y) ', '#+() ', '#+(or #+sbcl x) '];

/** Generates valid Lisp data, so that the expected top-level forms are known. */
class LispGenerator {
  constructor(private readonly random: Random) {}

  topLevel(): Generated {
    const r = this.random;
    const choice = r.int(10);
    if (choice < 6) {
      const head = r.pick(['defun', 'let', 'cl:mapcar', 'pkg::thing', '|Odd Head|', 'in-package', 'defmacro', 'λ-form']);
      const operator = symbolName(head, 0, head.length);
      return { text: `(${head}${this.elements(3, false)})`, operator, isCons: true };
    }
    if (choice === 6) return { text: `${r.pick(KEEPING_FEATURES)}(kept${this.elements(2, false)})`, operator: 'KEPT', isCons: true };
    if (choice === 7) return { text: `'${this.datum(2, false)}`, operator: 'QUOTE', isCons: true };
    if (choice === 8) return { text: `\`(tmpl${this.elements(2, true)})`, operator: 'QUASIQUOTE', isCons: true };
    const atom = this.atom(false);
    return atom.startsWith("#'") ? { text: atom, operator: 'FUNCTION', isCons: true } : { text: atom, operator: undefined, isCons: false };
  }

  private elements(depth: number, inBackquote: boolean): string {
    let text = '';
    const count = this.random.int(5);
    for (let i = 0; i < count; i++) text += this.separator() + this.datum(depth - 1, inBackquote);
    return text + (this.random.chance(0.2) ? ' ; trailing comment )\n' : '');
  }

  private datum(depth: number, inBackquote: boolean): string {
    const r = this.random;
    if (depth <= 0 || r.chance(0.45)) return this.atom(inBackquote);
    switch (r.int(7)) {
      case 0:
        return `'${this.datum(depth - 1, inBackquote)}`;
      case 1:
        return `\`${this.datum(depth - 1, true)}`;
      case 2:
        return inBackquote ? `${r.pick([',', ',@'])}${this.datum(depth - 1, false)}` : `#'${this.atom(false)}`;
      case 3:
        return `#(${this.elements(depth, inBackquote)})`;
      case 4:
        return `${r.pick(DROPPING_FEATURES)}${this.datum(depth - 1, inBackquote)} ${this.atom(inBackquote)}`;
      default:
        return `(${this.atom(inBackquote)}${this.elements(depth, inBackquote)})`;
    }
  }

  private atom(inBackquote: boolean): string {
    const r = this.random;
    const atoms = [
      'x', 'foo-bar', 'pkg:sym', 'pkg::sym', '|sym (with) "odd" ;chars|', 'a\\ b', ':key', '#:unint', '42', '-3.5e2', '1/2',
      '"str ( ) ; #| \\" \\\\"', '"😀 λ"', '#\\(', '#\\)', '#\\"', '#\\;', '#\\\\', '#\\|', '#\\Newline', '#\\Space', '#\\λ',
      '#x1F', '#b101', '#*1011', '#p"/tmp"', '#c(1 2)', '#2A((1 2) (3 4))', '#.(+ 1 2)', '()', "#'car",
      '#\\\ud800', '|\ud800|', '"\ud800"', 'a\\\ud800b', '#\\\ud83d\ude00',
    ];
    const atom = r.pick(atoms);
    return inBackquote && r.chance(0.2) ? `,${atom}` : atom;
  }

  separator(): string {
    return this.random.pick([' ', ' ', '\n  ', '\r\n', '\t', ' #| c #| nested |# |# ', ' ; comment\n', '\n#-sbcl (skipped)\n']);
  }
}

/** The structural promises, on any input. */
function assertInvariants(text: string, forms: TopLevelForm[], label: string): void {
  const lines = new LineIndex(text);
  let previousEnd = 0;
  for (let i = 0; i < forms.length; i++) {
    const form = forms[i];
    assert.equal(form.index, i, `${label}: index`);
    assert.ok(form.start >= previousEnd, `${label}: form ${i} overlaps or is out of order`);
    assert.ok(form.start < form.end && form.end <= text.length, `${label}: form ${i} empty or out of bounds`);
    assert.equal(form.text, text.slice(form.start, form.end), `${label}: text`);
    assert.deepEqual(form.range.start, lines.positionAt(form.start), `${label}: range start`);
    assert.deepEqual(form.range.end, lines.positionAt(form.end), `${label}: range end`);
    assert.ok(['list', 'atom', 'read-error'].includes(form.kind), `${label}: kind`);
    assert.equal(form.kind === 'read-error', typeof form.error === 'string' && form.error.length > 0, `${label}: error iff read-error`);
    assert.ok(form.package.length > 0, `${label}: package`);
    let previousOperatorEnd = form.start;
    for (const op of innerOperators(text, form)) {
      assert.ok(op.start >= previousOperatorEnd && op.end > op.start && op.end <= form.end, `${label}: inner operator range`);
      assert.ok(op.name.length > 0 && op.name === symbolName(text, op.start, op.end), `${label}: inner operator name`);
      assert.ok(!isNumberToken(text, op.start, op.end), `${label}: a number is not an operator`);
      previousOperatorEnd = op.end;
    }
    previousEnd = form.end;
  }
}

/** A form that read cleanly reads the same when it is alone. */
function assertFormsStandAlone(forms: TopLevelForm[], label: string): void {
  for (const form of forms) {
    if (form.kind === 'read-error' || form.text.startsWith('\ufeff')) continue;
    const alone = readTopLevelForms(form.text);
    assert.equal(alone.length, 1, `${label}: ${JSON.stringify(form.text)} alone`);
    assert.equal(alone[0].kind, form.kind, `${label}: kind alone`);
    assert.equal(alone[0].operator, form.operator, `${label}: operator alone`);
    assert.equal(alone[0].name, form.name, `${label}: name alone`);
  }
}

/**
 * Reading is memoryless: each item is exactly what a fresh read from its start gives (this
 * checks that the shortcuts taken while recovering from broken forms never change the answer).
 */
function assertItemsReadAfresh(text: string, forms: TopLevelForm[], label: string): void {
  for (const form of forms) {
    if (form.text.startsWith('\ufeff')) continue;
    const [first] = readTopLevelForms(text.slice(form.start));
    assert.ok(first !== undefined, `${label}: nothing read afresh at ${form.start}`);
    assert.deepEqual(
      [first.kind, first.text, first.error, first.operator, first.name],
      [form.kind, form.text, form.error, form.operator, form.name],
      `${label}: item ${form.index} read afresh`,
    );
  }
}

/** Never more than this per small input: a generous bound that only an exponential or quadratic path could break. */
function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const CORPUS = [
  fs.readFileSync(path.join(findRepoRoot(__dirname), 'test', 'fixtures', 'reader', 'nasty.lisp'), 'utf8'),
  '(defun f (x)\n  "doc (with parens)"\n  (let ((y #\\())) `(a ,y ,@(list x))))\n(defvar *v* \'(1 2 . 3))\n',
  '(in-package #:p)\r\n#+sbcl (defun g () #\\) #\\") ; c\r\n(defstruct (s (:conc-name s-)) a)\r\n',
  '#| outer #| inner |# |#\n(a |sym with spaces| pkg::b #x1F #(1 2))\n;; end',
];

describe('reader fuzz', () => {
  it('never throws and keeps its promises on random text', () => {
    const random = new Random(prng(0xc1a5));
    for (let i = 0; i < 3000; i++) {
      const text = randomText(random);
      const label = `random #${i} ${JSON.stringify(text.slice(0, 60))}`;
      const forms = readTopLevelForms(text);
      assertInvariants(text, forms, label);
      if (i % 10 === 0) assertFormsStandAlone(forms, label);
      if (i % 50 === 0) assert.deepEqual(readTopLevelForms(text), forms, `${label}: deterministic`);
      if (i % 5 === 0) assertItemsReadAfresh(text, forms, label);
    }
  });

  it('never throws and keeps its promises on mutated Lisp', () => {
    const random = new Random(prng(0x5eed));
    for (let i = 0; i < 3000; i++) {
      const text = mutate(random, random.pick(CORPUS));
      const label = `mutated #${i}`;
      const forms = readTopLevelForms(text);
      assertInvariants(text, forms, label);
      if (i % 10 === 0) assertFormsStandAlone(forms, label);
      if (i % 3 === 0) assertItemsReadAfresh(text, forms, label);
    }
  });

  it('finds exactly the generated forms in generated valid Lisp', () => {
    const random = new Random(prng(0xbeef));
    const generator = new LispGenerator(random);
    for (let i = 0; i < 1500; i++) {
      const generated = Array.from({ length: random.int(8) }, () => generator.topLevel());
      let text = random.chance(0.1) ? '\ufeff' : '';
      for (const form of generated) text += generator.separator() + form.text;
      text += random.chance(0.5) ? '\n' : '';
      const label = `generated #${i} ${JSON.stringify(text.slice(0, 80))}`;
      const forms = readTopLevelForms(text);
      assertInvariants(text, forms, label);
      assert.deepEqual(
        forms.map((f) => [f.kind, f.operator, f.text]),
        generated.map((g) => [g.isCons ? 'list' : 'atom', g.operator, g.text]),
        label,
      );
    }
  });

  it('ends each broken item where SBCL does and finds the generated forms around it', () => {
    const random = new Random(prng(0xbad5));
    const generator = new LispGenerator(random);
    for (let i = 0; i < 1000; i++) {
      const expected: Array<[string, string]> = [];
      let text = '';
      for (let n = random.int(6); n >= 0; n--) {
        const broken = random.chance(0.5);
        const item = broken ? random.pick(BROKEN_PIECES) : generator.topLevel().text;
        expected.push([broken ? 'read-error' : 'ok', item]);
        text += generator.separator() + item;
      }
      text += generator.separator();
      const label = `broken #${i} ${JSON.stringify(text.slice(0, 80))}`;
      const forms = readTopLevelForms(text);
      assertInvariants(text, forms, label);
      assert.deepEqual(
        forms.map((f) => [f.kind === 'read-error' ? 'read-error' : 'ok', f.text]),
        expected,
        label,
      );
      if (i % 5 === 0) assertItemsReadAfresh(text, forms, label);
    }
  });

  it('keeps its promises on large adversarial inputs (their speed is in npm run bench)', () => {
    for (const [label, text] of Object.entries(adversarialLispInputs(findRepoRoot(__dirname)))) {
      const forms = readTopLevelForms(text);
      assert.ok(forms.length > 0, `${label}: no items`);
      assertInvariants(text, forms.slice(0, 200), label);
    }
  });
});
