import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LineIndex,
  findFormAt,
  inPackageTarget,
  innerOperators,
  packageAt,
  readTopLevelForms,
} from '../../server/src/reader/index.js';
import type { TopLevelForm } from '../../server/src/types.js';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

const FIXTURE = path.join(findRepoRoot(__dirname), 'test', 'fixtures', 'reader', 'nasty.lisp');

/** Every structural promise of readTopLevelForms, checked against the text. */
function assertWellFormed(text: string, forms: TopLevelForm[]): void {
  const lines = new LineIndex(text);
  let previousEnd = 0;
  forms.forEach((form, i) => {
    assert.equal(form.index, i, 'indices are 0..n-1');
    assert.ok(form.start >= previousEnd, `form ${i} starts after the previous one ends`);
    assert.ok(form.start < form.end && form.end <= text.length, `form ${i} is non-empty and in bounds`);
    assert.equal(form.text, text.slice(form.start, form.end));
    assert.deepEqual(form.range, { start: lines.positionAt(form.start), end: lines.positionAt(form.end) });
    assert.equal(lines.offsetAt(form.range.start), form.start);
    assert.equal(lines.offsetAt(form.range.end), form.end);
    assert.equal(form.kind === 'read-error', form.error !== undefined, 'read errors, and only they, carry an error');
    previousEnd = form.end;
  });
}

function read(text: string): TopLevelForm[] {
  const forms = readTopLevelForms(text);
  assertWellFormed(text, forms);
  return forms;
}

/** [kind, operator, text] of each form: compact expectations. */
function shape(text: string): Array<[string, string | undefined, string]> {
  return read(text).map((form) => [form.kind, form.operator, form.text]);
}

/** [kind, text, error] of each item: for the read-error expectations. */
function items(text: string): Array<[string, string, string | undefined]> {
  return read(text).map((form) => [form.kind, form.text, form.error]);
}

describe('readTopLevelForms: layout', () => {
  it('returns nothing for empty, blank and comment-only text', () => {
    for (const text of ['', '   \n\t\r\n', '; just a comment', ';;; a\n;; b\n', '#| block |#', '#| a #| nested |# b |#\n; c\n', '\ufeff', '\ufeff;; bom and comment\n']) {
      assert.deepEqual(read(text), [], JSON.stringify(text));
    }
  });

  it('splits forms with exact offsets and LSP ranges', () => {
    const text = '(a)\n  (b c)\n\n(d\n e)';
    const forms = read(text);
    assert.deepEqual(
      forms.map((f) => [f.start, f.end, f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character]),
      [
        [0, 3, 0, 0, 0, 3],
        [6, 11, 1, 2, 1, 7],
        [13, 19, 3, 0, 4, 3],
      ],
    );
  });

  it('counts every datum, including atoms, in-package and read errors', () => {
    const forms = read('(in-package :x) foo 42 "str" ) (bar)');
    assert.deepEqual(forms.map((f) => f.kind), ['list', 'atom', 'atom', 'atom', 'read-error', 'list']);
    assert.deepEqual(forms.map((f) => f.index), [0, 1, 2, 3, 4, 5]);
  });

  it('skips a byte order mark at the start', () => {
    const forms = read('\ufeff(a)');
    assert.equal(forms.length, 1);
    assert.equal(forms[0].start, 1);
    assert.deepEqual(forms[0].range.start, { line: 0, character: 1 });
  });

  it('handles CRLF and lone CR line breaks', () => {
    const crlf = '; c\r\n(a ; x\r\n b)\r\n(c)\r\n';
    const forms = read(crlf);
    assert.deepEqual(forms.map((f) => f.text), ['(a ; x\r\n b)', '(c)']);
    assert.deepEqual(forms[0].range, { start: { line: 1, character: 0 }, end: { line: 2, character: 3 } });
    assert.deepEqual(forms[1].range.start, { line: 3, character: 0 });
    const cr = '(a)\r(b ; comment ends at CR\r)';
    assert.deepEqual(read(cr).map((f) => [f.text, f.range.start.line]), [['(a)', 0], ['(b ; comment ends at CR\r)', 1]]);
  });

  it('measures in UTF-16 code units around non-ASCII text and surrogate pairs', () => {
    const text = ';; héllo 😀 (\n(a "😀 ) λ" b) (c #\\😀 #\\λ) ; 😀\n(d)';
    const forms = read(text);
    assert.deepEqual(forms.map((f) => f.text), ['(a "😀 ) λ" b)', '(c #\\😀 #\\λ)', '(d)']);
    assert.equal(forms[1].range.start.character, '(a "😀 ) λ" b) '.length);
    assert.equal(forms[1].end - forms[1].start, 12, 'the emoji counts as two code units');
  });

  it('reads the fixture corpus with the expected forms, names and packages', () => {
    const text = fs.readFileSync(FIXTURE, 'utf8');
    const forms = read(text);
    assert.deepEqual(
      forms.map((f) => [f.kind, f.operator ?? null, f.name ?? null, f.package]),
      [
        ['list', 'IN-PACKAGE', null, 'CL-USER'],
        ['list', 'DEFUN', 'STRINGS', 'NASTY/ONE'],
        ['list', 'DEFUN', 'CHARACTERS', 'NASTY/ONE'],
        ['list', 'DEFMACRO', 'WITH-QUOTES', 'NASTY/ONE'],
        ['list', 'DEFPARAMETER', '*NUMBERS*', 'NASTY/ONE'],
        ['list', 'DEFVAR', '*VECTOR*', 'NASTY/ONE'],
        ['list', 'DEFCONSTANT', '+PATHNAME+', 'NASTY/ONE'],
        ['list', 'DEFUN', 'ONLY-ON-SBCL', 'NASTY/ONE'],
        ['list', 'DEFUN', 'ON-SOME', 'NASTY/ONE'],
        ['list', 'DEFUN', '(SETF THING)', 'NASTY/ONE'],
        ['list', 'DEFSTRUCT', 'POINT', 'NASTY/ONE'],
        ['list', 'IN-PACKAGE', null, 'NASTY/ONE'],
        ['list', 'DEFCLASS', 'Mixed Case', 'NASTY/TWO'],
        ['list', 'STRINGS', null, 'NASTY/TWO'],
        ['list', 'DEFUN', 'LABELS-AND-ARRAYS', 'NASTY/TWO'],
        ['list', 'DEFINE-CONDITION', 'OOPS', 'NASTY/TWO'],
        ['list', 'QUOTE', null, 'NASTY/TWO'],
        ['atom', null, null, 'NASTY/TWO'],
        ['list', 'IN-PACKAGE', null, 'NASTY/TWO'],
        ['list', 'DEF-CUSTOM-THING', 'NAME-OF-THING', 'NASTY/THREE'],
      ],
    );
    assert.ok(forms[7].text.startsWith('#+sbcl (defun only-on-sbcl'), '#+sbcl form starts at #+');
  });

  it('gives the same forms for the CRLF version of the corpus', () => {
    const lf = fs.readFileSync(FIXTURE, 'utf8');
    const crlf = lf.replace(/\n/g, '\r\n');
    const a = read(lf);
    const b = read(crlf);
    assert.deepEqual(
      b.map((f) => [f.operator, f.name, f.range.start.line, f.range.end.line, f.text.replace(/\r\n/g, '\n')]),
      a.map((f) => [f.operator, f.name, f.range.start.line, f.range.end.line, f.text]),
    );
  });
});

describe('readTopLevelForms: lexical constructs', () => {
  it('ignores parens, semicolons and comment markers inside strings', () => {
    assert.deepEqual(shape('(a "x ) ( ; #| \\" \\\\") (b)'), [
      ['list', 'A', '(a "x ) ( ; #| \\" \\\\")'],
      ['list', 'B', '(b)'],
    ]);
  });

  it('ignores quotes and parens inside comments, and nests block comments', () => {
    assert.deepEqual(shape('(a ; ) " (\n b) #| ( " #| ) |# |# (c)'), [
      ['list', 'A', '(a ; ) " (\n b)'],
      ['list', 'C', '(c)'],
    ]);
  });

  it('reads character literals, including the delimiter characters and names', () => {
    const text = '(x #\\( #\\) #\\" #\\; #\\\\ #\\| #\\# #\\Newline #\\Space #\\a)(y)';
    assert.deepEqual(shape(text).map((s) => s[2]), ['(x #\\( #\\) #\\" #\\; #\\\\ #\\| #\\# #\\Newline #\\Space #\\a)', '(y)']);
    assert.deepEqual(shape('#\\) #\\( #\\Space').map((s) => [s[0], s[2]]), [['atom', '#\\)'], ['atom', '#\\('], ['atom', '#\\Space']]);
  });

  it('reads quote, function, backquote and comma prefixes as part of the datum', () => {
    assert.deepEqual(shape("'x #'car `(a ,b ,@c ,.d) '(1 2)"), [
      ['list', 'QUOTE', "'x"],
      ['list', 'FUNCTION', "#'car"],
      ['list', 'QUASIQUOTE', '`(a ,b ,@c ,.d)'],
      ['list', 'QUOTE', "'(1 2)"],
    ]);
  });

  it('reads sharpsign syntaxes as single atoms', () => {
    const atoms = ['#:foo', '#x1F', '#b101', '#o17', '#36rZZ', '#(1 (2) "3")', '#*101', '#p"/tmp/a b"', '#c(1 2)', '#2A((1 2) (3 4))', '#.(+ 1 2)', '#s(point :x 1)', '#1#'];
    assert.deepEqual(shape(atoms.join(' ')), atoms.map((a) => ['atom', undefined, a]));
  });

  it('reads package-qualified and escaped symbols', () => {
    assert.deepEqual(shape('pkg:sym pkg::sym |sym with (spaces)| a\\ b :key'), [
      ['atom', undefined, 'pkg:sym'],
      ['atom', undefined, 'pkg::sym'],
      ['atom', undefined, '|sym with (spaces)|'],
      ['atom', undefined, 'a\\ b'],
      ['atom', undefined, ':key'],
    ]);
  });

  it('makes #n= transparent', () => {
    assert.deepEqual(shape('#1=(defun f () #1#)'), [['list', 'DEFUN', '#1=(defun f () #1#)']]);
    assert.equal(read('#1=(defun f () #1#)')[0].name, 'F');
  });

  it('treats () as the atom NIL', () => {
    assert.deepEqual(shape('() ( ) (;c\n)'), [
      ['atom', undefined, '()'],
      ['atom', undefined, '( )'],
      ['atom', undefined, '(;c\n)'],
    ]);
  });

  it('accepts dotted lists', () => {
    assert.deepEqual(shape('(a . b) (a b . (c))'), [
      ['list', 'A', '(a . b)'],
      ['list', 'A', '(a b . (c))'],
    ]);
  });
});

describe('readTopLevelForms: #+ and #-', () => {
  it('keeps a true conditional as one datum starting at #+', () => {
    const forms = read('#+sbcl (foo 1)\n(bar)');
    assert.deepEqual(forms.map((f) => [f.text, f.operator]), [['#+sbcl (foo 1)', 'FOO'], ['(bar)', 'BAR']]);
  });

  it('skips a false conditional like SBCL does, so form ids stay equal to Clysm\'s', () => {
    assert.deepEqual(shape('#-sbcl (foo) (bar) #+ccl (baz ( ")" )) (qux)').map((s) => s[2]), ['(bar)', '(qux)']);
    assert.deepEqual(shape('#-sbcl (foo)'), []);
  });

  it('evaluates list feature expressions', () => {
    assert.deepEqual(
      shape('#+(or ccl sbcl) (a) #+(and sbcl (not ccl)) (b) #-(or) (c) #+(and) (d) #+(or) (e) #+(not sbcl) (f) #+(:or :ccl) (g)').map((s) => s[1]),
      ['A', 'B', 'C', 'D'],
    );
  });

  it('uses the given feature set instead of SBCL\'s', () => {
    const forms = readTopLevelForms('#-sbcl (foo) #+ccl (bar) #+sbcl (baz)', { features: new Set(['CCL']) });
    assert.deepEqual(forms.map((f) => f.operator), ['FOO', 'BAR']);
  });

  it('skips false conditionals inside lists and nested conditionals', () => {
    assert.deepEqual(shape('(a #-sbcl b c) #+sbcl #-sbcl x y'), [
      ['list', 'A', '(a #-sbcl b c)'],
      ['atom', undefined, '#+sbcl #-sbcl x y'],
    ]);
  });

  it('does not report errors inside a dropped datum', () => {
    assert.deepEqual(shape('#-sbcl (a ,b #<x>) (c)'), [['list', 'C', '(c)']]);
  });
});

describe('readTopLevelForms: names and packages', () => {
  it('extracts the defined name of defining forms', () => {
    const text = [
      '(defun f ())',
      '(defmacro m ())',
      '(defmethod g :around ((x t)))',
      '(defgeneric g (x))',
      '(defvar *v*)',
      '(defparameter *p* 1)',
      '(defconstant +c+ 1)',
      '(defstruct s a)',
      '(defstruct (s2 (:conc-name x-)) a)',
      '(defclass k () ())',
      '(define-condition e (error) ())',
      '(deftype ty () t)',
      '(define-compiler-macro cm (x) x)',
      '(define-symbol-macro sm 1)',
      '(define-setf-expander se (x))',
      '(define-modify-macro mm () +)',
      '(defun (setf acc) (v o) v)',
      '(cl:defun pkg::qualified ())',
      '(defpackage #:my-package)',
      '(defpackage "StringName")',
      '(define-cxr-compiler caddr)',
      '(defun |MixedCase| ())',
    ].join('\n');
    assert.deepEqual(
      read(text).map((f) => f.name),
      ['F', 'M', 'G', 'G', '*V*', '*P*', '+C+', 'S', 'S2', 'K', 'E', 'TY', 'CM', 'SM', 'SE', 'MM', '(SETF ACC)', 'QUALIFIED', 'MY-PACKAGE', 'StringName', 'CADDR', 'MixedCase'],
    );
  });

  it('gives no name to non-defining forms and upper-cases operators without package prefix', () => {
    const forms = read('(let ((x 1)) x) (CL-USER::Foo 1) (#:bar) ("str" 1) (1 2) ((lambda ()))');
    assert.deepEqual(forms.map((f) => [f.operator, f.name]), [
      ['LET', undefined],
      ['FOO', undefined],
      ['BAR', undefined],
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  it('tracks in-package with every kind of designator', () => {
    const text = '(a) (in-package #:foo) (b) (in-package :bar) (c) (in-package "BAZ") (d) (in-package qux) (e) (cl:in-package |lower|) (f)';
    const forms = read(text);
    assert.deepEqual(forms.map((f) => f.package), ['CL-USER', 'CL-USER', 'FOO', 'FOO', 'BAR', 'BAR', 'BAZ', 'BAZ', 'QUX', 'QUX', 'lower']);
  });

  it('does not switch package on an empty or non-name designator', () => {
    const forms = read('(in-package :a) (in-package "") (in-package ||) (in-package #:) (in-package 12) (in-package \'(x)) (b)');
    assert.deepEqual(forms.map((f) => f.package), ['CL-USER', 'A', 'A', 'A', 'A', 'A', 'A']);
  });

  it('does not switch package on a broken in-package form', () => {
    const forms = read('(in-package :a)\n(in-package :b\n(x)');
    assert.deepEqual(forms.map((f) => [f.kind, f.package]), [['list', 'CL-USER'], ['read-error', 'A'], ['list', 'A']]);
  });

  it('reports in-package targets and the package at an offset', () => {
    const text = '(a)\n(in-package :p1)\n(b)\n(in-package "P2")\n';
    const forms = read(text);
    assert.equal(inPackageTarget(text, forms[1]), 'P1');
    assert.equal(inPackageTarget(text, forms[0]), undefined);
    assert.equal(packageAt(text, forms, 0), 'CL-USER');
    assert.equal(packageAt(text, forms, text.indexOf('(b)')), 'P1');
    assert.equal(packageAt(text, forms, text.indexOf('(b)') + 1), 'P1');
    assert.equal(packageAt(text, forms, text.length), 'P2');
  });

  it('finds the form at an offset', () => {
    const text = '(a)  (bb)';
    const forms = read(text);
    assert.equal(findFormAt(forms, 0)?.index, 0);
    assert.equal(findFormAt(forms, 3)?.index, 0, 'just after the closing paren');
    assert.equal(findFormAt(forms, 4), undefined);
    assert.equal(findFormAt(forms, 7)?.index, 1);
    assert.equal(findFormAt([], 0), undefined);
  });
});

describe('readTopLevelForms: read errors and recovery', () => {
  it('cuts a form missing ) at the next ( in column 0 and keeps the forms after it', () => {
    const text = '(defun a ()\n  (let ((x 1))\n(defun b () 2)\n';
    const forms = read(text);
    assert.deepEqual(forms.map((f) => [f.kind, f.error, f.text]), [
      ['read-error', 'unbalanced parenthesis: missing 2 )', '(defun a ()\n  (let ((x 1))'],
      ['list', undefined, '(defun b () 2)'],
    ]);
    assert.deepEqual(forms[1].range.start, { line: 2, character: 0 });
  });

  it('reports a missing ) at the end of the file with the exact message', () => {
    const forms = read('(ok)\n(defun a ()\n  (b)   \n\n');
    assert.deepEqual(forms.map((f) => [f.kind, f.error, f.text]), [
      ['list', undefined, '(ok)'],
      ['read-error', 'unbalanced parenthesis: missing )', '(defun a ()\n  (b)'],
    ]);
  });

  it('does not cut a balanced form that has a ( in column 0 inside', () => {
    const forms = read('(defun a ()\n(b))\n(c)');
    assert.deepEqual(forms.map((f) => f.text), ['(defun a ()\n(b))', '(c)']);
  });

  it('recovers from an unterminated string, cutting at the next column-0 (', () => {
    const text = '(defun a () "doc)\n(defun b () "doc2")\n(defun c () 3)\n';
    const forms = read(text);
    assert.deepEqual(forms.map((f) => [f.kind, f.error, f.operator]), [
      ['read-error', 'unterminated string', undefined],
      ['list', undefined, 'DEFUN'],
      ['list', undefined, 'DEFUN'],
    ]);
    assert.equal(forms[0].text, '(defun a () "doc)');
    assert.equal(forms[2].name, 'C');
  });

  it('reports an unterminated string at the end of the file', () => {
    assert.deepEqual(read('(a) "abc\n  ').map((f) => [f.kind, f.error, f.text]), [
      ['list', undefined, '(a)'],
      ['read-error', 'unterminated string', '"abc'],
    ]);
  });

  it('recovers from an unterminated block comment and |symbol|', () => {
    assert.deepEqual(read('(a) #| open\n(b)').map((f) => [f.kind, f.error ?? f.operator]), [
      ['list', 'A'],
      ['read-error', 'unterminated block comment #|'],
      ['list', 'B'],
    ]);
    assert.deepEqual(read('(a |open)\n(b)').map((f) => [f.kind, f.error ?? f.operator, f.text]), [
      ['read-error', 'unterminated |symbol|', '(a |open)'],
      ['list', 'B', '(b)'],
    ]);
  });

  it('makes every stray ) its own read error', () => {
    assert.deepEqual(read('(a))\n)(b)').map((f) => [f.kind, f.text, f.error]), [
      ['list', '(a)', undefined],
      ['read-error', ')', 'unexpected )'],
      ['read-error', ')', 'unexpected )'],
      ['list', '(b)', undefined],
    ]);
  });

  it('reports recoverable errors inside an otherwise balanced form as that form', () => {
    assert.deepEqual(read("(a ,b) (c . d e) (f #<g>) (h ') (i)").map((f) => [f.kind, f.error]), [
      ['read-error', 'comma not inside a backquote'],
      ['read-error', 'more than one object after . in list'],
      ['read-error', 'unreadable object #<'],
      ['read-error', "missing object after '"],
      ['list', undefined],
    ]);
  });

  it('reports prefixes with nothing after them', () => {
    assert.deepEqual(read("(a) '").map((f) => [f.kind, f.error, f.text]), [
      ['list', undefined, '(a)'],
      ['read-error', "end of file after '", "'"],
    ]);
    assert.deepEqual(read('#+sbcl').map((f) => f.error), ['end of file after #+']);
    assert.deepEqual(read('#').map((f) => f.error), ['end of file after #']);
    assert.deepEqual(read('#\\').map((f) => f.error), ['end of file after #\\']);
  });

  it('keeps valid forms between broken ones', () => {
    const text = '(defun a (\n(defun b () 1)\n(defun c (\n(defun d () 2)\n(e)';
    assert.deepEqual(read(text).map((f) => [f.kind, f.operator ?? f.error, f.range.start.line]), [
      ['read-error', 'unbalanced parenthesis: missing 2 )', 0],
      ['list', 'DEFUN', 1],
      ['read-error', 'unbalanced parenthesis: missing 2 )', 2],
      ['list', 'DEFUN', 3],
      ['list', 'E', 4],
    ]);
  });

  it('reads a run of broken forms as one read error each', () => {
    const text = Array.from({ length: 50 }, (_, i) => `(defun f${i} ()\n  (g ${i})`).join('\n');
    const forms = read(text);
    assert.equal(forms.length, 50);
    assert.ok(forms.every((f) => f.kind === 'read-error' && f.error === 'unbalanced parenthesis: missing )'));
    assert.deepEqual(forms.map((f) => f.range.start.line), Array.from({ length: 50 }, (_, i) => 2 * i));
  });

  it('survives very deep nesting without overflowing the stack', () => {
    const depth = 200_000;
    const balanced = '('.repeat(depth) + ')'.repeat(depth);
    assert.deepEqual(read(balanced).map((f) => [f.kind, f.operator]), [['list', undefined]], '(((...))) reads as one cons with no operator');
    const open = '('.repeat(depth);
    const forms = read(open);
    assert.equal(forms.length, 1);
    assert.equal(forms[0].error, `unbalanced parenthesis: missing ${depth} )`);
    assert.equal(read("'".repeat(depth) + 'x').length, 1);
    assert.equal(read('#+sbcl '.repeat(10_000) + 'x').length, 1);
  });
});

describe('readTopLevelForms: lone surrogates (as SBCL reads them)', () => {
  it('reads #\ followed by a lone high surrogate as one character, leaving the ) after it', () => {
    assert.deepEqual(shape('(a #\\\ud800) (b)'), [
      ['list', 'A', '(a #\\\ud800)'],
      ['list', 'B', '(b)'],
    ]);
    assert.deepEqual(shape('#\\\ud800"x" y').map((s) => s[2]), ['#\\\ud800', '"x"', 'y']);
  });

  it('still reads a surrogate pair after #\ as one character', () => {
    assert.deepEqual(shape('(a #\\\ud83d\ude00) (b)').map((s) => s[2]), ['(a #\\\ud83d\ude00)', '(b)']);
  });

  it('makes # followed by a lone high surrogate an error that does not swallow the )', () => {
    assert.deepEqual(items('(a #\ud800) (b)'), [
      ['read-error', '(a #\ud800)', 'no dispatch macro for #\ud800'],
      ['list', '(b)', undefined],
    ]);
  });

  it('upcases the character after an escaped lone surrogate in a name', () => {
    assert.equal(read('(defun a\\\ud800b ())')[0].name, 'A\ud800B');
  });
});

describe('readTopLevelForms: # followed by a character with no dispatch macro (CLHS 2.4.8)', () => {
  it('consumes the character after #, as SBCL does, so " opens no string and ) closes no list', () => {
    assert.deepEqual(items('(a #") (b "x")'), [
      ['read-error', '(a #")', 'no dispatch macro for #"'],
      ['list', '(b "x")', undefined],
    ]);
    assert.deepEqual(items('(a #) b) c'), [
      ['read-error', '(a #) b)', 'illegal sharp macro character: #\\)'],
      ['atom', 'c', undefined],
    ]);
  });

  it('names whitespace after # by its character name and leaves it out of the item', () => {
    assert.deepEqual(items('# x\n#\n(y)\n(z #\ty)'), [
      ['read-error', '#', 'illegal sharp macro character: #\\Space'],
      ['atom', 'x', undefined],
      ['read-error', '#', 'illegal sharp macro character: #\\Newline'],
      ['list', '(y)', undefined],
      ['read-error', '(z #\ty)', 'illegal sharp macro character: #\\Tab'],
    ]);
  });

  it('reads #; #` #, #_ as errors of two characters, then what follows on its own', () => {
    for (const sub of [';', '`', ',', '_']) {
      const expected = [['read-error', `#${sub}`, `no dispatch macro for #${sub}`], ['atom', 'x', undefined]];
      assert.deepEqual(items(`#${sub}x`), expected, sub);
    }
  });

  it('consumes the character inside dropped code too, without an error there', () => {
    // SBCL reads `#"` under *read-suppress* as well: the " opens no string.
    assert.deepEqual(shape('#-sbcl (f #") (g)'), [['list', 'G', '(g)']]);
  });
});

describe('readTopLevelForms: feature expressions (CLHS 24.1.2.1)', () => {
  it('matches only keywords: a symbol of another package is never a feature', () => {
    assert.deepEqual(shape('#+cl-user::sbcl a #+#:sbcl b #+keyword:sbcl c #+:sbcl d #-cl-user::sbcl e').map((s) => s[2]), [
      '#+keyword:sbcl c',
      '#+:sbcl d',
      '#-cl-user::sbcl e',
    ]);
  });

  it('accepts AND, OR and NOT from the keyword and CL packages', () => {
    assert.deepEqual(shape('#+(cl:and) a #+(:or sbcl) b #+(common-lisp:not ccl) c #+() d #+( ) e').map((s) => s[2]), [
      '#+(cl:and) a',
      '#+(:or sbcl) b',
      '#+(common-lisp:not ccl) c',
    ]);
  });

  it('makes what SBCL rejects a read error that ends after the expression, as in SBCL', () => {
    const cases: Array<[string, string]> = [
      ['#+(version>= 8 1)', 'unknown operator VERSION>= in feature expression (version>= 8 1): only AND, OR and NOT are defined'],
      ['#+(not a b)', 'too many subexpressions in feature expression (not a b): NOT takes one'],
      ['#-(not)', 'too few subexpressions in feature expression (not): NOT takes one'],
      ['#+(nil)', 'unknown operator NIL in feature expression (nil): only AND, OR and NOT are defined'],
      ['#+(foo:and sbcl)', 'unknown operator FOO:AND in feature expression (foo:and sbcl): only AND, OR and NOT are defined'],
      ['#+"sbcl"', 'invalid feature expression: "sbcl" is a string'],
      ['#+1', 'invalid feature expression: 1 is a number, not a feature name'],
      ['#+(or sbcl 2)', 'invalid feature expression: 2 is a number, not a feature name'],
      ['#+(and sbcl . x)', 'invalid feature expression: a dotted list'],
      ['#+#\\a', 'invalid feature expression: #\\a is not a symbol or a list'],
      ['#+#.(cl:if t :sbcl :x)', 'cannot evaluate #.(cl:if t :sbcl :x) in a feature expression: the reader does not evaluate #.'],
    ];
    for (const [prefix, message] of cases) {
      assert.deepEqual(read(`${prefix} (foo) (bar)`).map((f) => [f.kind, f.text, f.error ?? f.operator]), [
        ['read-error', prefix, message],
        ['list', '(foo)', 'FOO'],
        ['list', '(bar)', 'BAR'],
      ], prefix);
    }
  });

  it('reports invalid feature expressions inside dropped code, which SBCL reads too', () => {
    assert.deepEqual(items('#-sbcl #+(bad) a b'), [
      ['read-error', '#-sbcl #+(bad)', 'unknown operator BAD in feature expression (bad): only AND, OR and NOT are defined'],
      ['atom', 'a', undefined],
      ['atom', 'b', undefined],
    ]);
    assert.deepEqual(read('#-sbcl (foo #+(bad) x) (bar)').map((f) => [f.kind, f.text, f.error !== undefined]), [
      ['read-error', '#-sbcl (foo #+(bad) x)', true],
      ['list', '(bar)', false],
    ]);
    assert.deepEqual(items('#+(a ,b) x y'), [
      ['read-error', '#+(a ,b)', 'comma not inside a backquote'],
      ['atom', 'x', undefined],
      ['atom', 'y', undefined],
    ]);
  });

  it('honours #+ and #- inside a feature expression', () => {
    assert.deepEqual(shape('#+(and sbcl #+x y) a #+(and sbcl #-x y) b #+(or #+sbcl x) c #+(or #-sbcl x sbcl) d').map((s) => s[2]), [
      '#+(and sbcl #+x y) a',
      '#+(or #-sbcl x sbcl) d',
    ]);
  });

  it('reports a feature expression nested too deeply instead of overflowing', () => {
    const deep = `#+${'(or '.repeat(40)}sbcl${')'.repeat(40)} x`;
    assert.equal(read(deep)[0].error, 'feature expression nested deeper than 32');
  });
});

describe('innerOperators', () => {
  const inner = (text: string, formIndex = 0): Array<[string, string]> => {
    const forms = read(text);
    return innerOperators(text, forms[formIndex]).map((op) => [op.name, text.slice(op.start, op.end)]);
  };

  it('lists nested heads with their document offsets, not the form\'s own head', () => {
    const text = '(x) (defun f (a) (let ((b (car a))) (cl:mapcar #\'print b)))';
    assert.deepEqual(inner(text, 1), [
      ['A', 'a'],
      ['LET', 'let'],
      ['B', 'b'],
      ['CAR', 'car'],
      ['MAPCAR', 'cl:mapcar'],
    ]);
  });

  it('skips quoted data but includes backquote templates and unquoted code', () => {
    const text = "(defmacro m (x) (list '(data (more)) `(progn (f ,(g x) ',(h x) '(k)) ,@(mapcar #'i x))))";
    assert.deepEqual(inner(text).map((p) => p[0]), ['X', 'LIST', 'PROGN', 'F', 'G', 'H', 'MAPCAR']);
  });

  it('skips feature expressions, dropped conditionals, vectors, numbers and non-symbol heads', () => {
    const text = '(f #+(or sbcl) (kept) #-sbcl (dropped) #((vec)) (1 2) ("s") ((lambda ())) (#:unint))';
    assert.deepEqual(inner(text).map((p) => p[0]), ['KEPT', 'LAMBDA', 'UNINT']);
  });

  it('works for #+ top-level forms and inside #\' lambdas', () => {
    const text = "#+sbcl (defun f () (g)) #'(lambda (x) (h x))";
    assert.deepEqual(inner(text, 0).map((p) => p[0]), ['G']);
    assert.deepEqual(inner(text, 1).map((p) => p[0]), ['LAMBDA', 'X', 'H']);
  });

  it('returns what it can for a broken form', () => {
    const text = '(defun f ()\n  (g (h)\n(next)';
    assert.deepEqual(inner(text, 0).map((p) => p[0]), ['G', 'H']);
  });
});

describe('LineIndex', () => {
  it('maps offsets to positions and back for LF, CRLF and CR', () => {
    const text = 'ab\ncd\r\nef\rg';
    const lines = new LineIndex(text);
    assert.equal(lines.lineCount, 4);
    const expected: Array<[number, number, number]> = [
      [0, 0, 0], [2, 0, 2], [3, 1, 0], [5, 1, 2], [7, 2, 0], [9, 2, 2], [10, 3, 0], [11, 3, 1],
    ];
    for (const [offset, line, character] of expected) {
      assert.deepEqual(lines.positionAt(offset), { line, character }, `offset ${offset}`);
      assert.equal(lines.offsetAt({ line, character }), offset);
    }
  });

  it('clamps like vscode-languageserver-textdocument', () => {
    const lines = new LineIndex('ab\r\ncd');
    assert.deepEqual(lines.positionAt(-5), { line: 0, character: 0 });
    assert.deepEqual(lines.positionAt(99), { line: 1, character: 2 });
    assert.equal(lines.offsetAt({ line: 0, character: 99 }), 2, 'stops before the line break');
    assert.equal(lines.offsetAt({ line: 9, character: 0 }), 6);
    assert.equal(lines.offsetAt({ line: -1, character: 3 }), 0);
  });

  it('counts UTF-16 code units', () => {
    const text = '😀x\n😀';
    const lines = new LineIndex(text);
    assert.deepEqual(lines.positionAt(2), { line: 0, character: 2 });
    assert.deepEqual(lines.positionAt(text.length), { line: 1, character: 2 });
  });

  it('round-trips every offset of a mixed text', () => {
    const text = 'a\r\n\r\nb\n\rc😀\r';
    const lines = new LineIndex(text);
    for (let offset = 0; offset <= text.length; offset++) {
      const position = lines.positionAt(offset);
      const insideCrlf = offset > 0 && text[offset - 1] === '\r' && text[offset] === '\n';
      if (!insideCrlf) assert.equal(lines.offsetAt(position), offset, `offset ${offset}`);
    }
  });
});
