;;;; stage1-generate.lisp — runs Clysm's own Stage 1 generator for the VS Code extension.
;;;;
;;;; Shipped with the extension (not part of Clysm). Started in a separate SBCL process as
;;;;   sbcl --noinform --dynamic-space-size N --disable-ldb --end-runtime-options
;;;;        --disable-debugger --no-userinit --no-sysinit
;;;;        --eval (load ".../stage1-generate.lisp") --eval "(clysm-stage1-driver:main)"
;;;;        --end-toplevel-options --workspace DIR --system clysm --output FILE --report FILE
;;;;        [--defun-errors FILE]
;;;; It does what Clysm's build/stage1-complete.lisp does: load the workspace's `clysm` system
;;;; and call CLYSM/STAGE1:GENERATE-STAGE1 with the output and report paths. It changes nothing
;;;; in Clysm: it only observes the generator (SB-INT:ENCAPSULATE on a few of its functions) to
;;;; stream progress and the per-form results, which Clysm's report does not contain.
;;;;
;;;; Messages go to fd 3, one JSON object per line; fd 1 and 2 are logs.

;; The JSON both drivers speak, loaded from this file's own folder (dist/lisp/ or server/lisp/).
(load (make-pathname :name "json" :type "lisp" :defaults *load-truename*))

(defpackage #:clysm-stage1-driver
  (:use #:common-lisp #:clysm-vscode-json)
  (:export #:main))

(in-package #:clysm-stage1-driver)

(defvar *reply* nil "fd 3: one JSON object per line.")
(defvar *form-modules* #() "Module index of each form handed to CLASSIFY-FORMS, by position.")

(defun send (&rest keys-and-values)
  (write-json (apply #'obj-with-nulls keys-and-values) *reply*)
  (terpri *reply*)
  (finish-output *reply*))

(defun condition-text (condition)
  (handler-case (princ-to-string condition)
    (error () (format nil "~A (its report failed)" (type-of condition)))))

;;; Arguments after --end-toplevel-options.

(defun arg (name &optional default)
  (let ((tail (member name (rest sb-ext:*posix-argv*) :test #'string=)))
    (if (and tail (rest tail)) (second tail) default)))

;;; Clysm's generator, reached by name: nothing of it is known when this file is read.

(defun package-symbol (name package)
  (let ((found (find-package package)))
    (and found (find-symbol name found))))

(defun gen-symbol (name)
  (package-symbol name "CLYSM/STAGE1"))

(defun accessor (name)
  "The function CLYSM/STAGE1::NAME, or NIL when this Clysm does not have it."
  (let ((symbol (gen-symbol name)))
    (and symbol (fboundp symbol) (symbol-function symbol))))

(defun call-accessor (name object)
  (let ((fn (accessor name)))
    (and fn (ignore-errors (funcall fn object)))))

(defun symbol-label (value)
  (cond ((null value) nil)
        ((symbolp value) (symbol-name value))
        ((and (consp value) (symbolp (car value))) (symbol-name (car value)))
        ((stringp value) value)
        (t (princ-to-string value))))

;;; Observers.

(defun report-modules (modules)
  (dolist (module modules)
    (send "type" "module"
          "index" (call-accessor "SOURCE-MODULE-MODULE-INDEX" module)
          "path" (call-accessor "SOURCE-MODULE-RELATIVE-PATH" module)
          "status" (symbol-label (call-accessor "SOURCE-MODULE-STATUS" module))
          "forms" (coerce (loop for form in (call-accessor "SOURCE-MODULE-FORMS" module)
                                collect (obj-with-nulls
                                              "id" (call-accessor "SOURCE-FORM-ID" form)
                                              "operator" (symbol-label (call-accessor "SOURCE-FORM-OPERATOR" form))
                                              "compilable" (if (call-accessor "SOURCE-FORM-COMPILABLE-P" form) t :false)))
                          'vector))))

(defun result-status (success-p)
  (cond ((eq success-p :skipped) "skipped")
        (success-p "compiled")
        (t "failed")))

(defun report-results (results)
  (dolist (result results)
    (let ((success-p (call-accessor "COMPILATION-RESULT-SUCCESS-P" result)))
      (send "type" "result"
            "id" (call-accessor "COMPILATION-RESULT-FORM-ID" result)
            "status" (result-status success-p)
            "message" (and (not success-p) (call-accessor "COMPILATION-RESULT-ERROR-MESSAGE" result))))))

(defun form-module-index (form)
  (let ((module (call-accessor "SOURCE-FORM-MODULE" form)))
    (or (and module (call-accessor "SOURCE-MODULE-MODULE-INDEX" module)) 0)))

(defun observe (name wrapper &optional (package "CLYSM/STAGE1"))
  (let ((symbol (package-symbol name package)))
    (when (and symbol (fboundp symbol))
      (sb-int:encapsulate symbol 'clysm-vscode wrapper))))

(defun install-observers (defun-errors)
  ;; Clysm's generator writes dist/defun-errors.json under its source root whatever the output
  ;; path; keep it with this run's other files instead, so a failed run leaves nothing behind.
  (when defun-errors
    (observe "WRITE-DEFUN-ERRORS-JSON"
             (lambda (fn path &rest args)
               (declare (ignore path))
               (apply fn defun-errors args))
             "CLYSM/STAGE0"))
  (observe "READ-ALL-MODULES"
           (lambda (fn &rest args)
             (send "type" "phase" "phase" "reading")
             (let ((modules (apply fn args)))
               (report-modules modules)
               modules)))
  (observe "CLASSIFY-FORMS"
           (lambda (fn forms &rest args)
             (setf *form-modules* (map 'vector #'form-module-index forms))
             (send "type" "phase" "phase" "compiling" "total" (length forms))
             (let ((values (multiple-value-list (apply fn forms args))))
               (report-results (second values))
               (values-list values))))
  (observe "BUNDLE-AND-COMPILE"
           (lambda (fn &rest args)
             (send "type" "phase" "phase" "bundling")
             (apply fn args)))
  (observe "VALIDATE-STAGE1"
           (lambda (fn &rest args)
             (send "type" "phase" "phase" "validating")
             (apply fn args))))

(defun progress (index total success-p)
  (declare (ignore success-p))         ; always T in Clysm's generator
  (send "type" "progress" "done" index "total" total
        "module" (if (<= 1 index (length *form-modules*)) (aref *form-modules* (1- index)) 0)))

;;; Main.

(defun load-clysm (workspace system-name)
  (require :asdf)
  (push (directory-pathname workspace) (symbol-value (find-symbol "*CENTRAL-REGISTRY*" "ASDF")))
  (let ((asdf (lambda (name &rest args) (apply (symbol-function (find-symbol name "ASDF")) args))))
    (unless (funcall asdf "FIND-SYSTEM" system-name nil)
      (send "type" "failed" "stage" "load"
            "message" (format nil "ASDF cannot find a system named ~S in ~A" system-name workspace))
      (return-from load-clysm nil))
    (handler-case (progn (funcall asdf "LOAD-SYSTEM" system-name) t)
      (error (c)
        (send "type" "failed" "stage" "load"
              "message" (format nil "Loading the ~A system failed: ~A" system-name (condition-text c)))
        nil))))

(defun run ()
  (let ((workspace (arg "--workspace"))
        (system-name (arg "--system" "clysm"))
        (output (arg "--output"))
        (report (arg "--report"))
        (defun-errors (arg "--defun-errors")))
    (send "type" "hello" "lisp" (format nil "~A ~A" (lisp-implementation-type) (lisp-implementation-version)))
    (unless (load-clysm workspace system-name)
      (return-from run 1))
    (let ((generate (gen-symbol "GENERATE-STAGE1")))
      (unless (and generate (fboundp generate))
        (send "type" "failed" "stage" "no-generator"
              "message" (format nil "The ~A system loaded, but it has no CLYSM/STAGE1:GENERATE-STAGE1 (Clysm's Stage 1 generator)"
                                system-name))
        (return-from run 1))
      (send "type" "loaded")
      (install-observers defun-errors)
      (handler-case
          (progn
            (funcall generate :output-path output :report-path report :progress-callback #'progress)
            (send "type" "done")
            0)
        (error (c)
          (send "type" "failed" "stage" "generate"
                "message" (condition-text c) "condition" (symbol-label (type-of c)))
          1)))))

(defun main ()
  (setf *reply* (sb-sys:make-fd-stream 3 :output t :external-format :utf-8 :buffering :full))
  (let ((code (handler-case (run)
                (serious-condition (c)
                  (ignore-errors (send "type" "failed" "stage" "driver" "message" (condition-text c)))
                  1))))
    (ignore-errors (finish-output *reply*))
    (finish-output *standard-output*)
    (sb-ext:exit :code code :abort t)))
