;;;; ast.lisp --- the compiler's abstract syntax tree.
;;;;
;;;; Demo source for the Clysm extension's example workspace (checked by the
;;;; fixture Stage 0, a test double; not Clysm).

(in-package #:clysm/compiler/ast)

(defstruct ast-node
  source-form)

(defstruct (ast-literal (:include ast-node))
  value)

(defvar *node-counter* 0)

(defun next-node-id ()
  (setq *node-counter* (1+ *node-counter*)))

(defun quoted-form-p (form)
  (and (not (null form))
       (eq (car form) 'quote)))

(defun parse-literal (form)
  (make-ast-literal :value form :source-form form))

(defun literal-node-p (node)
  (and (not (null node))
       (eq (car node) 'literal)))

(defun literal-count (forms)
  (let ((count 0))
    (funcall (lambda (rest)
               (when rest
                 (setq count (1+ count))))
             forms)
    count))
