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
      switch (j % 4) {
        case 0:
          out.push(`  (let ((x${j} (ast-child ast ${j})) (c #\\( ) (d #\\;))`);
          break;
        case 1:
          out.push(`    (when (eql c #\\Space) (emit env \`(:i32.const ,x${j} ,@(list depth #x${(j * 31).toString(16)}))))`);
          break;
        case 2:
          out.push(`    #+sbcl (setf (gethash 'k${j} (env-table env)) #'compile-thing-${i})`);
          break;
        default:
          out.push(`    (format nil "~A: \\"quoted\\" ~D" 'clysm::sym ${j}))`);
      }
    }
    out.push(`  (values ast env))`);
    out.push('');
  }
  return out.join('\n');
}
