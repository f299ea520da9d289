;;;; emit.lisp --- turns instructions into Wasm bytes.
;;;;
;;;; Demo source for the Clysm extension's example workspace (checked by the
;;;; fixture Stage 0, a test double; not Clysm).

(in-package #:clysm/compiler/emit)

(defconstant +end-opcode+ 11)

(defparameter *opcodes*
  '((unreachable . 0) (nop . 1) (block . 2) (loop . 3) (call . 16))
  "Instruction names and their opcodes.")

(defparameter *section-ids*
  '((type . 1) (import . 2) (function . 3) (export . 7) (code . 10)))

(defvar *opcode-table* (make-hash-table :test 'eq))

(loop for (name . code) in *opcodes*
      do (setf (gethash name *opcode-table*) code))

(defun opcode (name)
  (or (gethash name *opcode-table*)
      (error "Unknown instruction: ~A" name)))

(defun emit-header ()
  (list 0 97 115 109 1 0 0 0))

(defun emit-section (id body)
  (let ((size (clysm/backend/leb128:encode-unsigned-leb128 (length body))))
    (cons id (append size body))))

(defun emit-instruction (name)
  (list (opcode name)))

(defun emit-call (function-index)
  (cons (opcode 'call)
        (clysm/backend/leb128:encode-unsigned-leb128 function-index)))

(defun emit-i32-const (value)
  (cons 65 (clysm/backend/leb128:encode-signed-leb128 value)))

(defun instruction-count (code)
  (if (null code)
      0
      (1+ (instruction-count (cdr code)))))

(defun emit-end ()
  +end-opcode+)
