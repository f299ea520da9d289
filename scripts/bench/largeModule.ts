// A deterministic, compiler-source-like Lisp module of a given size, for the reader benchmark.

/** Returns text with at least `lines` lines and exactly `forms` top-level forms. */
export function generateLargeModule(lines: number, forms: number): string {
  const out: string[] = [';;;; generated benchmark module', '(in-package #:clysm/bench)', ''];
  const bodyLines = Math.max(3, Math.ceil((lines - 3) / (forms - 1)) - 3);
  for (let i = 1; i < forms; i++) {
    out.push(`;;; form ${i}: a compile-* function with strings, characters and quasiquote`);
    out.push(`(defun compile-thing-${i} (ast env &key (depth 0))`);
    out.push(`  "Compile thing ${i}; docstrings may hold ( parens ) and ; semicolons."`);
    for (let j = 0; j < bodyLines; j++) {
      // Four lines per step, balanced as a group, about 40 characters per line like
      // Clysm's func-section.lisp (542 KB over 13,605 lines).
      switch (j % 4) {
        case 0:
          out.push(`  (let ((c #\\( ) (d #\\;))`);
          break;
        case 1:
          out.push(`    (emit env \`(:i32.const ,c ,@d))`);
          break;
        case 2:
          out.push(`    #+sbcl (push #x${(j * 31).toString(16)} acc)`);
          break;
        default:
          out.push(`    (format nil "~A \\"q\\"" 'clysm::s))`);
      }
    }
    // Close the `let`s a partial last group left open, so every form stays balanced.
    const open = Math.ceil(bodyLines / 4) - Math.floor(bodyLines / 4);
    out.push(`  (values ast env))${')'.repeat(open)}`);
    out.push('');
  }
  return out.join('\n');
}
