;;;; driver.lisp — the Clysm extension's SBCL backend driver.
;;;;
;;;; Shipped with the VS Code extension (not part of Clysm). Started by the language server as
;;;;   sbcl --noinform --dynamic-space-size N --disable-ldb --end-runtime-options
;;;;        --disable-debugger --no-userinit --no-sysinit
;;;;        --load driver.lisp --eval "(clysm-sbcl-driver:main)"
;;;;        --end-toplevel-options --workspace DIR [--system NAME] [--save-core FILE]
;;;; it loads the workspace's ASDF system (normally Clysm itself) and then compiles one top-level
;;;; form per request with CLYSM:COMPILE-TO-WASM, the way Clysm's own Stage 1 generator does. A
;;;; process started for "Generate Stage 1" runs that generator instead (op generate-stage1).
;;;;
;;;; Channels: requests arrive on stdin, one JSON object per line. Replies go to fd 3, one JSON
;;;; object per line, and never to stdout: SBCL's C runtime writes fatal backtraces to fd 1 and
;;;; fd 2, so those two are only ever treated as logs by the server. The first line on stdin is a
;;;; secret tag that starts every reply line: code run by a form can write to fd 3 too, and the
;;;; server drops every line without the tag.

;; The JSON the driver speaks, loaded from this file's own folder (dist/lisp/ or server/lisp/).
(load (make-pathname :name "json" :type "lisp" :defaults *load-truename*))
;; Definition sources of the compiler's functions, for the origin of a failure.
(require :sb-introspect)

(defpackage #:clysm-sbcl-driver
  (:use #:common-lisp #:clysm-vscode-json)
  (:export #:main))

(in-package #:clysm-sbcl-driver)

(defparameter +protocol-version+ 1)

;;; ------------------------------------------------------------------------------------------
;;; Small utilities
;;; ------------------------------------------------------------------------------------------

(defun now-ms ()
  ;; CLOCK_MONOTONIC: GET-INTERNAL-REAL-TIME moves in 4 ms steps on this SBCL.
  (multiple-value-bind (sec nsec) (sb-unix::clock-gettime 1)
    (+ (* sec 1000.0d0) (/ nsec 1.0d6))))

(defun elapsed-ms (start) (- (now-ms) start))

(defparameter +base64-alphabet+
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

(defun base64-encode (bytes)
  (let ((n (length bytes)))
    (with-output-to-string (out)
      (loop for i from 0 below n by 3
            do (let* ((b0 (aref bytes i))
                      (b1 (if (< (+ i 1) n) (aref bytes (+ i 1)) 0))
                      (b2 (if (< (+ i 2) n) (aref bytes (+ i 2)) 0))
                      (word (logior (ash b0 16) (ash b1 8) b2)))
                 (write-char (char +base64-alphabet+ (ldb (byte 6 18) word)) out)
                 (write-char (char +base64-alphabet+ (ldb (byte 6 12) word)) out)
                 (write-char (if (< (+ i 1) n) (char +base64-alphabet+ (ldb (byte 6 6) word)) #\=) out)
                 (write-char (if (< (+ i 2) n) (char +base64-alphabet+ (ldb (byte 6 0) word)) #\=) out))))))

(defparameter +max-message-chars+ 4000)
(defparameter +max-output-chars+ 20000)

(defun clip (string limit)
  (if (> (length string) limit)
      (format nil "~A… [~D more characters]" (subseq string 0 limit) (- (length string) limit))
      string))

(defun condition-text (condition)
  "The condition's report, as Clysm's generator records it ((format nil \"~A\" c)), but bounded:
compiler errors often print whole AST structures."
  (clip (handler-case
            (let ((*print-length* 20) (*print-level* 6) (*print-readably* nil))
              (format nil "~A" condition))
          (serious-condition ()
            (format nil "#<~S (its report could not be printed)>" (type-of condition))))
        +max-message-chars+))

(defun condition-type-name (condition)
  (let ((type (type-of condition)))
    (if (symbolp type) (symbol-name type) (princ-to-string type))))

;;; ------------------------------------------------------------------------------------------
;;; The reply channel (fd 3) and log lines
;;; ------------------------------------------------------------------------------------------

(defvar *reply* nil "Output stream on fd 3; created at start-up, never saved in a core.")
(defvar *requests* nil "Input stream on fd 0; created at start-up, never saved in a core.")

;; The tag lives in a closure, not in a special variable, so that the code of a form cannot
;; name it. (A form runs in this image and could still dig it out, or call SEND itself: the tag
;; stops forged lines, not a form that sets out to imitate the driver from inside.)
(let ((tag nil))
  (defun open-channels ()
    "Opens fd 3 for replies and fd 0 for requests, and reads the tag the server sends first."
    (setf *reply* (sb-sys:make-fd-stream 3 :output t :external-format :utf-8 :buffering :full)
          *requests* (sb-sys:make-fd-stream 0 :input t :external-format :utf-8 :buffering :full)
          tag (or (ignore-errors (read-line *requests* nil nil)) "")))

  (defun close-channels ()
    "Forgets the streams and the tag before a core is saved; MAIN opens them again on restart."
    (finish-output *reply*)
    (setf *reply* nil *requests* nil tag nil))

  (defun send (message)
    (let ((line (with-output-to-string (s) (write-json message s))))
      (write-string tag *reply*)
      (write-char #\Space *reply*)
      (write-string line *reply*)
      (write-char #\Newline *reply*)
      (finish-output *reply*))))

(defun send-log (source text)
  (send (obj "type" "log" "source" source "text" text)))

(defclass log-line-stream (sb-gray:fundamental-character-output-stream)
  ((source :initarg :source :reader log-source)
   (buffer :initform (make-string-output-stream) :reader log-buffer)
   (column :initform 0 :accessor log-column)
   (lines :initform '() :accessor log-lines))
  (:documentation "Turns text printed while loading into log lines on the reply channel, as it happens."))

(defun emit-log-line (stream line)
  (send-log (log-source stream) line)
  (push line (log-lines stream))
  (setf (log-column stream) 0))

(defmethod sb-gray:stream-write-char ((stream log-line-stream) char)
  (if (char= char #\Newline)
      (emit-log-line stream (get-output-stream-string (log-buffer stream)))
      (progn (write-char char (log-buffer stream))
             (incf (log-column stream))))
  char)

(defmethod sb-gray:stream-line-column ((stream log-line-stream)) (log-column stream))

(defmethod sb-gray:stream-finish-output ((stream log-line-stream))
  (let ((rest (get-output-stream-string (log-buffer stream))))
    (when (plusp (length rest))
      (emit-log-line stream rest)))
  nil)

(defmethod sb-gray:stream-force-output ((stream log-line-stream)) (sb-gray:stream-finish-output stream))

(defun comment-line-p (line)
  (and (plusp (length line)) (char= (char line 0) #\;)))

(defun compiler-complaint (stream)
  "The first `caught ERROR' (else `caught WARNING') block that SBCL's compiler printed while
loading, with its file and form: ASDF's own condition only names the file that failed."
  (let* ((lines (coerce (reverse (log-lines stream)) 'vector))
         (start (or (position-if (lambda (l) (search "caught ERROR:" l)) lines)
                    (position-if (lambda (l) (search "caught WARNING:" l)) lines))))
    (when start
      (let ((context (loop for i from (1- start) downto (max 0 (- start 4))
                           while (comment-line-p (aref lines i))
                           when (or (search "; file:" (aref lines i)) (search "; in:" (aref lines i)))
                             collect (aref lines i)))
            (block (loop for i from start below (length lines)
                         while (comment-line-p (aref lines i))
                         collect (aref lines i))))
        (format nil "~{~A~^~%~}"
                (remove "" (mapcar (lambda (l) (string-trim " " (string-left-trim ";" l)))
                                   (append (reverse context) block))
                        :test #'string=))))))

;;; ------------------------------------------------------------------------------------------
;;; Loading the workspace's system
;;; ------------------------------------------------------------------------------------------

(defvar *loaded* nil "Plist describing the loaded system; kept in a saved core.")

(defun user-args ()
  "Arguments after --end-toplevel-options, as (key . value) pairs."
  (let ((args (rest sb-ext:*posix-argv*)) (pairs '()))
    (loop while args
          do (let ((key (pop args)))
               (push (cons key (if (and args (not (eql 0 (search "--" (first args))))) (pop args) ""))
                     pairs)))
    (nreverse pairs)))

(defun arg (name &optional default)
  (let ((cell (assoc name (user-args) :test #'string=)))
    (if cell (cdr cell) default)))

(defun asdf-call (name &rest args)
  ;; ASDF is loaded at run time, so its symbols can't be named when this file is read.
  (apply (symbol-function (find-symbol name "ASDF")) args))

(defun system-source-files (system)
  "Native namestrings of the system's .asd file and every source file it names."
  (let ((files (list (sb-ext:native-namestring (asdf-call "SYSTEM-SOURCE-FILE" system)))))
    (labels ((walk (component)
               (let ((children (ignore-errors (asdf-call "COMPONENT-CHILDREN" component))))
                 (if children
                     (mapc #'walk children)
                     (let ((path (ignore-errors (asdf-call "COMPONENT-PATHNAME" component))))
                       (when (and path (pathname-name path) (probe-file path))
                         (push (sb-ext:native-namestring path) files)))))))
      (mapc #'walk (asdf-call "COMPONENT-CHILDREN" system)))
    (nreverse files)))

(defun fatal (kind message &rest more)
  (send (apply #'obj "type" "fatal" "kind" kind "message" message more))
  (finish-output *reply*)
  (sb-ext:exit :code 3 :abort t))

;; Defined with the hot-reload section below; declared here so loading this file warns of nothing.
(declaim (ftype function record-all-snapshots))

(defun load-workspace-system (workspace system-name)
  (let ((start (now-ms))
        (root (directory-pathname workspace))
        (log (make-instance 'log-line-stream :source "load")))
    (let ((*standard-output* log) (*error-output* log) (*trace-output* log))
      (handler-case (require :asdf)
        (error (c) (fatal "asdf-missing" (format nil "(require :asdf) failed: ~A" (condition-text c)))))
      ;; The workspace goes first, ahead of anything in the source registry.
      (push root (symbol-value (find-symbol "*CENTRAL-REGISTRY*" "ASDF")))
      (let ((system (handler-case (asdf-call "FIND-SYSTEM" system-name nil)
                      (error (c)
                        (finish-output log)
                        (fatal "load-failed"
                               (format nil "Reading the ~A system definition failed: ~A"
                                       system-name (condition-text c)))))))
        (unless system
          (fatal "system-not-found"
                 (format nil "ASDF cannot find a system named ~S in ~A (no ~A.asd defining it)"
                         system-name (sb-ext:native-namestring root) system-name)))
        ;; Warnings are left alone (ASDF decides what they mean); their text reaches the log.
        (handler-case (asdf-call "LOAD-SYSTEM" system-name)
          (error (c)
            (finish-output log)
            (let ((complaint (compiler-complaint log)))
              (fatal "load-failed"
                     (format nil "Loading the ~A system failed: ~A~@[~%~A~]"
                             system-name (condition-text c) complaint)
                     "condition" (condition-type-name c)))))
        (finish-output log)
        (let ((compile-fn (find-symbol "COMPILE-TO-WASM" "CLYSM")))
          (unless (and compile-fn (fboundp compile-fn))
            (fatal "no-compiler"
                   (format nil "The ~A system loaded, but it defines no CLYSM:COMPILE-TO-WASM function"
                           system-name)))
          (setf *loaded*
                (list :compile-fn compile-fn
                      :system system-name
                      :source-root (sb-ext:native-namestring (asdf-call "SYSTEM-SOURCE-DIRECTORY" system))
                      :source-files (system-source-files system)
                      :asdf-version (asdf-call "ASDF-VERSION")
                      :load-ms (elapsed-ms start)))
          (record-all-snapshots))))))

;;; ------------------------------------------------------------------------------------------
;;; Where the compiler raised it: the innermost frames of the workspace's own system, found by
;;; a HANDLER-BIND while the stack is still there (HANDLER-CASE has unwound it), mapped to the
;;; definitions' source locations with SB-INTROSPECT.
;;; ------------------------------------------------------------------------------------------

(defparameter +origin-context-frames+ 3 "Callers of the origin sent along for context.")
(defparameter +origin-frame-limit+ 400 "Frames walked at most: the signal is near the top of the stack.")

(defvar *system-files* nil "Truenames (native) of the loaded system's source files → T.")
(defvar *line-starts* (make-hash-table :test #'equal) "File → vector of the byte offsets where lines start.")
(defvar *noted-origin* nil "(condition . origin) of the last error that reached the compile path's handler.")

(defun system-file-p (namestring)
  (unless *system-files*
    (setf *system-files* (make-hash-table :test #'equal))
    (dolist (file (getf *loaded* :source-files))
      (setf (gethash file *system-files*) t)
      (let ((true (ignore-errors (truename file))))
        (when true (setf (gethash (sb-ext:native-namestring true) *system-files*) t)))))
  (and namestring (gethash namestring *system-files*)))

(defun file-octets (file)
  (with-open-file (in file :element-type '(unsigned-byte 8))
    (let ((octets (make-array (file-length in) :element-type '(unsigned-byte 8))))
      (read-sequence octets in)
      octets)))

(defun form-start (octets offset)
  "SBCL records where the reader stood before a top-level form: skip blanks and comments to the form."
  (let ((i offset) (n (length octets)))
    (loop while (< i n)
          do (let ((b (aref octets i)))
               (cond ((member b '(9 10 12 13 32)) (incf i))
                     ((= b 59) (loop while (and (< i n) (/= (aref octets i) 10)) do (incf i)))
                     ((and (= b 35) (< (1+ i) n) (= (aref octets (1+ i)) 124))
                      (let ((end (search #(124 35) octets :start2 (+ i 2))))
                        (setf i (if end (+ end 2) n))))
                     (t (return)))))
    i))

(defun line-and-column (file offset)
  "1-based line and column of the first form at or after byte OFFSET of FILE, or NIL."
  (let ((entry (or (gethash file *line-starts*)
                   (setf (gethash file *line-starts*)
                         (let ((octets (ignore-errors (file-octets file))))
                           (and octets
                                (cons octets
                                      (coerce (cons 0 (loop for at = (position 10 octets) then (position 10 octets :start (1+ at))
                                                            while at collect (1+ at)))
                                              'vector))))))))
    (when entry
      (let* ((at (form-start (car entry) (min offset (length (car entry)))))
             (starts (cdr entry))
             (line (or (position-if (lambda (start) (<= start at)) starts :from-end t) 0)))
        (values (1+ line) (1+ (- at (aref starts line))))))))

(defun frame-source-file (frame)
  (let* ((location (ignore-errors (sb-di:frame-code-location frame)))
         (source (and location (ignore-errors (sb-di:code-location-debug-source location)))))
    (and source (sb-di:debug-source-namestring source))))

(defun relative-to-workspace (file)
  (let ((root (sb-ext:native-namestring (directory-pathname (arg "--workspace" (sb-ext:native-namestring *default-pathname-defaults*))))))
    (if (and (> (length file) (length root)) (string= root file :end2 (length root)))
        (subseq file (length root))
        file)))

(defvar *frame-origins* (make-hash-table :test #'equal) "Function name → its origin object.")

(defun frame-origin (frame file name)
  "The function NAME running in FRAME and where it is defined, as a JSON object."
  (let* ((debug-fun (sb-di:frame-debug-fun frame))
         (fun (ignore-errors (sb-di:debug-fun-fun debug-fun)))
         (definition (and fun (ignore-errors (sb-introspect:find-definition-source fun))))
         (offset (or (and definition (sb-introspect:definition-source-character-offset definition))
                     ;; Local functions and lambdas: the top-level form holding the code.
                     (ignore-errors
                      (let ((location (sb-di:frame-code-location frame)))
                        (aref (sb-di::debug-source-start-positions (sb-di:code-location-debug-source location))
                              (sb-di:code-location-toplevel-form-offset location)))))))
    (multiple-value-bind (line column) (and offset (line-and-column file offset))
      (obj "function" (let ((*package* (find-package "KEYWORD"))) (prin1-to-string name))
           "file" (relative-to-workspace file) "line" line "column" column))))

(defun stack-origin ()
  "The innermost frame of the workspace's system with the callers that follow it, or NIL."
  (let ((names '()) (frames '()))
    (loop for frame = (sb-di:top-frame) then (sb-di:frame-down frame)
          for depth from 0 below +origin-frame-limit+
          while (and frame (<= (length frames) +origin-context-frames+))
          do (let ((file (frame-source-file frame)))
               (when (system-file-p file)
                 (let ((name (sb-di:debug-fun-name (sb-di:frame-debug-fun frame))))
                   ;; A recursive compiler repeats its callers: keep each function once.
                   (unless (member name names :test #'equal)
                     (push name names)
                     (push (or (gethash name *frame-origins*)
                               (setf (gethash name *frame-origins*) (frame-origin frame file name)))
                           frames))))))
    (when frames
      (let ((innermost (car (last frames)))
            (callers (cdr (reverse frames))))
        (if callers
            (append innermost (list (cons "frames" (coerce callers 'vector))))
            innermost)))))

(defun note-origin (condition)
  (setf *noted-origin* (cons condition (ignore-errors (stack-origin)))))

(defmacro with-origin-noted (&body body)
  "BODY, noting where each error that escapes the compiler's own handlers was signalled."
  ;; Set, not bound: the HANDLER-CASE that reads it runs after BODY's dynamic extent is gone.
  `(progn
     (setf *noted-origin* nil)
     (handler-bind ((error #'note-origin))
       ,@body)))

(defun noted-origin (condition)
  "The origin noted for CONDITION (only the condition that was noted: not one signalled later)."
  (and *noted-origin* (eq (car *noted-origin*) condition) (cdr *noted-origin*)))

;;; ------------------------------------------------------------------------------------------
;;; Compiling one form
;;; ------------------------------------------------------------------------------------------

(defparameter +non-compilable-operators+ '(in-package declare eval-when provide require)
  "Heads that Clysm's Stage 1 generator never hands to COMPILE-TO-WASM (its compilable-form-p).")

(defun compilable-form-p (form)
  (and (consp form)
       (symbolp (car form))
       (not (member (car form) +non-compilable-operators+))))

(defun form-operator (form)
  (when (and (consp form) (symbolp (car form)))
    (symbol-name (car form))))

(defun form-name (form)
  (when (and (consp form) (consp (cdr form)))
    (let ((name (cadr form)))
      (cond ((symbolp name) (symbol-name name))
            ((and (consp name) (symbolp (car name))) (symbol-name (car name)))))))

(defun storage-error-type (condition)
  (let ((name (condition-type-name condition)))
    (cond ((search "STACK" name) "stack-exhausted")
          ((search "HEAP" name) "heap-exhausted")
          (t "storage-condition"))))

(defun find-package-designator (name)
  (or (find-package name) (find-package (string-upcase name))))

(defun wasm-bytes-p (value)
  (and (vectorp value)
       (every (lambda (b) (typep b '(unsigned-byte 8))) value)))

(defclass capture-stream (sb-gray:fundamental-character-output-stream)
  ((kept :initform (make-string-output-stream) :reader capture-kept)
   (room :initform +max-output-chars+ :accessor capture-room)
   (clipped-bytes :initform 0 :accessor capture-clipped-bytes)
   (column :initform 0 :accessor capture-column))
  (:documentation "Keeps the first +MAX-OUTPUT-CHARS+ characters a form prints and only counts
the UTF-8 bytes of the rest: a form that prints 100 MB must neither fill the heap nor slow down."))

(defun utf-8-length (string start end)
  (declare (fixnum start end) (optimize speed))
  (flet ((bytes (code) (declare (fixnum code)) (cond ((< code #x80) 1) ((< code #x800) 2) ((< code #x10000) 3) (t 4))))
    (if (typep string '(simple-array character (*)))
        (loop for i fixnum from start below end sum (bytes (char-code (schar string i))) fixnum)
        (loop for i fixnum from start below end sum (bytes (char-code (char string i))) fixnum))))

(defmethod sb-gray:stream-write-string ((stream capture-stream) string &optional (start 0) end)
  (let* ((end (or end (length string)))
         (keep (min (capture-room stream) (- end start)))
         (newline (position #\Newline string :start start :end end :from-end t)))
    (when (plusp keep)
      (write-string string (capture-kept stream) :start start :end (+ start keep))
      (decf (capture-room stream) keep))
    (when (< (+ start keep) end)
      (incf (capture-clipped-bytes stream) (utf-8-length string (+ start keep) end)))
    (setf (capture-column stream)
          (if newline (- end newline 1) (+ (capture-column stream) (- end start)))))
  string)

(defmethod sb-gray:stream-write-char ((stream capture-stream) char)
  (sb-gray:stream-write-string stream (string char))
  char)

(defmethod sb-gray:stream-line-column ((stream capture-stream)) (capture-column stream))

(defun output-of (stream)
  "The kept text, or NIL; the count of clipped bytes goes in its own field (see OUTPUT-FIELDS)."
  (let ((text (get-output-stream-string (capture-kept stream))))
    (if (plusp (length text)) text nil)))

(defun output-fields (out err)
  (list "stdout" (output-of out)
        "stderr" (output-of err)
        "stdout_clipped_bytes" (and (plusp (capture-clipped-bytes out)) (capture-clipped-bytes out))
        "stderr_clipped_bytes" (and (plusp (capture-clipped-bytes err)) (capture-clipped-bytes err))))

(defmacro with-captured-output ((out err) &body body)
  "Anything printed inside BODY lands in the capture streams OUT and ERR, never on fd 1 or 2;
the debugger streams read nothing."
  `(let* ((,out (make-instance 'capture-stream))
          (,err (make-instance 'capture-stream))
          (*standard-output* ,out)
          (*error-output* ,err)
          (*trace-output* ,out)
          (*terminal-io* (make-two-way-stream (make-string-input-stream "") ,out))
          (*query-io* *terminal-io*)
          (*debug-io* *terminal-io*)
          (*standard-input* (make-string-input-stream "")))
     ,@body))

(defun read-form-text (text package)
  "Reads the first datum of TEXT. Returns (values form nil) or (values nil error-message)."
  (handler-case
      (let ((*package* package)
            (*read-eval* nil))
        (let ((form (read-from-string text nil '%eof)))
          (if (eq form '%eof)
              (values nil "The text holds no form (only whitespace or comments)")
              (values form nil))))
    (storage-condition (c)
      (values nil (format nil "Control stack exhausted while reading the form: ~A" (condition-text c))))
    (error (c) (values nil (condition-text c)))))

(defun compile-request (request)
  (let* ((id (jget request "id"))
         (package-name (or (jget request "package") "CL-USER"))
         (text (or (jget request "form") ""))
         (timeout-ms (or (jget request "timeout_ms") 5000))
         (started (now-ms))
         (warnings 0)
         (warning-texts '())
         (fields '())
         (compile-ms nil))
    (with-captured-output (out err)
      (let ((package (find-package-designator package-name)))
        (flet ((finish (status &rest more)
                 (setf fields (list* "status" status more))))
          (if (null package)
              (finish "failed" "error_type" "unknown-package"
                      "message" (format nil "Package ~A does not exist in the SBCL image (yet): its defpackage must be checked before this form" package-name))
              (multiple-value-bind (form read-error) (read-form-text text package)
                (cond
                  (read-error
                   (finish "read-error" "error_type" "read-error" "message" read-error))
                  ((not (compilable-form-p form))
                   (finish "skipped" "operator" (form-operator form)
                           "message" (if (consp form)
                                         (format nil "~A is not compiled: Clysm's generator treats it as metadata" (form-operator form))
                                         "A top-level atom is not compiled")))
                  (t
                   (let ((compile-start (now-ms))
                         (operator (form-operator form))
                         (name (form-name form)))
                     (handler-case
                         (let ((result
                                 (handler-bind ((warning
                                                  (lambda (w)
                                                    (incf warnings)
                                                    (when (< (length warning-texts) 5)
                                                      (push (condition-text w) warning-texts))
                                                    (let ((r (find-restart 'muffle-warning w)))
                                                      (when r (invoke-restart r))))))
                                   (sb-ext:with-timeout (/ (max 1 timeout-ms) 1000)
                                     ;; CL-USER, like the generator: it decides how ~S prints
                                     ;; symbols in messages.
                                     (let ((*package* (find-package "CL-USER")))
                                       (with-origin-noted
                                         (funcall (getf *loaded* :compile-fn) form)))))))
                           (setf compile-ms (elapsed-ms compile-start))
                           (cond ((null result)
                                  (finish "skipped" "directive" t "operator" operator "name" name
                                          "message" "Evaluated in the host SBCL (COMPILE-TO-WASM returned NIL)"))
                                 ((wasm-bytes-p result)
                                  (finish "compiled" "operator" operator "name" name
                                          "nbytes" (length result) "wasm" (base64-encode result)))
                                 (t
                                  (finish "failed" "error_type" "internal-error" "operator" operator "name" name
                                          "message" (format nil "COMPILE-TO-WASM returned a ~S, not a byte vector or NIL"
                                                            (type-of result))))))
                       (sb-ext:timeout ()
                         (setf compile-ms (elapsed-ms compile-start))
                         (finish "timeout" "error_type" "timeout" "operator" operator "name" name
                                 "message" (format nil "Compiling took longer than ~D ms and was interrupted" timeout-ms)))
                       (storage-condition (c)
                         ;; Caught stack or heap exhaustion: this form fails, the image lives on.
                         (setf compile-ms (elapsed-ms compile-start))
                         (finish "failed" "error_type" (storage-error-type c) "operator" operator "name" name
                                 "condition" (condition-type-name c) "message" (condition-text c)))
                       (error (c)
                         (setf compile-ms (elapsed-ms compile-start))
                         (finish "failed" "error_type" "compile-error" "operator" operator "name" name
                                 "condition" (condition-type-name c) "message" (condition-text c)
                                 "origin" (noted-origin c)))
                       (serious-condition (c)
                         (setf compile-ms (elapsed-ms compile-start))
                         (finish "failed" "error_type" "serious-condition" "operator" operator "name" name
                                 "condition" (condition-type-name c) "message" (condition-text c))))))))))
        (apply #'obj "type" "result" "id" id
               (append fields
                       (list "compile_ms" compile-ms
                             "total_ms" (elapsed-ms started)
                             "warnings" warnings
                             "warning_messages" (and warning-texts (coerce (reverse warning-texts) 'vector))
                             "heap_bytes" (sb-kernel:dynamic-usage))
                       (output-fields out err)))))))

;;; ------------------------------------------------------------------------------------------
;;; Enumerating a file's forms with the host reader, the way Clysm's generator reads modules
;;; (CL-USER first, following each IN-PACKAGE whose package exists).
;;; ------------------------------------------------------------------------------------------

(defun read-file-text (path)
  (with-open-file (in path :external-format :utf-8)
    (let* ((text (make-string (file-length in)))
           (end (read-sequence text in)))
      (subseq text 0 end))))

(defun list-forms-request (request)
  (let ((id (jget request "id"))
        (path (jget request "path")))
    (with-captured-output (out err)
      (handler-case
          (let* ((text (read-file-text path))
                 (forms '())
                 (index 0)
                 (*package* (find-package "CL-USER"))
                 (*read-eval* nil))
            (with-input-from-string (in text)
              (loop
                (let ((start (file-position in))
                      (package-name (package-name *package*)))
                  (handler-case
                      (let ((form (read in nil '%eof)))
                        (when (eq form '%eof) (return))
                        (when (and (consp form) (eq (car form) 'in-package))
                          (let ((target (ignore-errors (find-package (second form)))))
                            (when target (setf *package* target))))
                        (push (obj "index" index "start" start "end" (file-position in)
                                   "package" package-name
                                   "operator" (form-operator form)
                                   "name" (form-name form)
                                   "compilable" (if (compilable-form-p form) t :false))
                              forms))
                    (error (c)
                      (push (obj "index" index "start" start "end" (file-position in)
                                 "package" package-name "read_error" (condition-text c)
                                 "compilable" :false)
                            forms)
                      ;; A reader error that consumed nothing would repeat forever.
                      (when (eql start (file-position in)) (return))))
                  (incf index))))
            (obj "type" "forms" "id" id "path" path "forms" (coerce (nreverse forms) 'vector)))
        (error (c)
          (apply #'obj "type" "forms" "id" id "path" path "error" (condition-text c)
                 (output-fields out err)))))))

;;; ------------------------------------------------------------------------------------------
;;; Stage 1 generation (op "generate-stage1")
;;;
;;; Runs Clysm's own generator, CLYSM/STAGE1:GENERATE-STAGE1, as build/stage1-complete.lisp
;;; does, with the output, report and defun-errors paths of the request. The server sends this
;;; op only to a process started for it, never to the one that compiles forms: the generator
;;; changes the image. Nothing of Clysm changes: the generator is only observed
;;; (SB-INT:ENCAPSULATE on a few of its functions) to stream progress and the per-form results,
;;; which Clysm's report does not contain. Those go out as `stage1-event` lines with the
;;; request's id; the reply that ends the request is `stage1-finished`.
;;; ------------------------------------------------------------------------------------------

(defvar *stage1-request* nil "Id of the generate-stage1 request being served.")
(defvar *form-modules* #() "Module index of each form handed to CLASSIFY-FORMS, by position.")

(defun send-stage1-event (kind &rest keys-and-values)
  (send (apply #'obj-with-nulls "type" "stage1-event" "id" *stage1-request* "kind" kind keys-and-values)))

(defun generator-symbol (name &optional (package "CLYSM/STAGE1"))
  "NAME in PACKAGE, reached by name: nothing of Clysm's generator is known when this file is read."
  (let ((found (find-package package)))
    (and found (find-symbol name found))))

(defun call-accessor (name object)
  "(CLYSM/STAGE1::NAME OBJECT), or NIL when this Clysm has no such function or it fails."
  (let ((symbol (generator-symbol name)))
    (and symbol (fboundp symbol) (ignore-errors (funcall (symbol-function symbol) object)))))

(defun symbol-label (value)
  (cond ((null value) nil)
        ((symbolp value) (symbol-name value))
        ((and (consp value) (symbolp (car value))) (symbol-name (car value)))
        ((stringp value) value)
        (t (princ-to-string value))))

(defun report-modules (modules)
  (dolist (module modules)
    (send-stage1-event "module"
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
      (send-stage1-event "result"
                         "form" (call-accessor "COMPILATION-RESULT-FORM-ID" result)
                         "status" (result-status success-p)
                         "message" (and (not success-p) (call-accessor "COMPILATION-RESULT-ERROR-MESSAGE" result))))))

(defun form-module-index (form)
  (let ((module (call-accessor "SOURCE-FORM-MODULE" form)))
    (or (and module (call-accessor "SOURCE-MODULE-MODULE-INDEX" module)) 0)))

(defun observe (name wrapper &optional (package "CLYSM/STAGE1"))
  (let ((symbol (generator-symbol name package)))
    (when (and symbol (fboundp symbol))
      (sb-int:encapsulate symbol 'clysm-vscode wrapper))))

(defun install-generator-observers (defun-errors)
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
             (send-stage1-event "phase" "phase" "reading")
             (let ((modules (apply fn args)))
               (report-modules modules)
               modules)))
  (observe "CLASSIFY-FORMS"
           (lambda (fn forms &rest args)
             (setf *form-modules* (map 'vector #'form-module-index forms))
             (send-stage1-event "phase" "phase" "compiling" "total" (length forms))
             (let ((values (multiple-value-list (apply fn forms args))))
               (report-results (second values))
               (values-list values))))
  (observe "BUNDLE-AND-COMPILE"
           (lambda (fn &rest args)
             (send-stage1-event "phase" "phase" "bundling")
             (apply fn args)))
  (observe "VALIDATE-STAGE1"
           (lambda (fn &rest args)
             (send-stage1-event "phase" "phase" "validating")
             (apply fn args))))

(defun generator-progress (index total success-p)
  (declare (ignore success-p))         ; always T in Clysm's generator
  (send-stage1-event "progress" "done" index "total" total
                     "module" (if (<= 1 index (length *form-modules*)) (aref *form-modules* (1- index)) 0)))

(defun generate-stage1-request (request)
  (let ((*stage1-request* (jget request "id"))
        (generate (generator-symbol "GENERATE-STAGE1")))
    (if (not (and generate (fboundp generate)))
        (send-stage1-event "failed" "stage" "no-generator"
                           "message" (format nil "The ~A system loaded, but it has no CLYSM/STAGE1:GENERATE-STAGE1 (Clysm's Stage 1 generator)"
                                             (getf *loaded* :system)))
        (progn
          (send-stage1-event "loaded")
          (install-generator-observers (jget request "defun_errors"))
          (handler-case
              ;; Clysm's generator READs the modules: a `#.(...)' in one must not run here,
              ;; any more than when a form is compiled (READ-FORM-TEXT).
              (let ((*read-eval* nil))
                (funcall generate :output-path (jget request "output") :report-path (jget request "report")
                                  :progress-callback #'generator-progress)
                (send-stage1-event "done"))
            (error (c)
              (send-stage1-event "failed" "stage" "generate"
                                 "message" (condition-text c) "condition" (condition-type-name c)))
            (serious-condition (c)
              (send-stage1-event "failed" "stage" "driver"
                                 "message" (condition-text c) "condition" (condition-type-name c))))))
    (obj "type" "stage1-finished" "id" *stage1-request*)))

;;; ------------------------------------------------------------------------------------------
;;; Hot reload (op "reload")
;;;
;;; The image remembers the text of every top-level form of the system's files as it loaded
;;; them (*form-snapshots*). A reload reads the files again and evaluates, in file order and in
;;; each form's package, only the forms whose text is new; a definition whose form disappeared
;;; is removed (FMAKUNBOUND), as an incremental Lisp compile would. What cannot be applied in
;;; place (the .asd, a DEFPACKAGE, an incompatible DEFSTRUCT) is reported as mode "full": the
;;; server then reloads the system in a fresh image. A form that does not read, or that fails
;;; to compile or signals while evaluated, is reported in `errors' and its previous definition
;;; stays.
;;; ------------------------------------------------------------------------------------------

(defvar *form-snapshots* (make-hash-table :test 'equal)
  "Native namestring -> list of snapshot records, the forms the image holds; kept in a saved core.")

(defstruct (snapshot (:constructor make-snapshot (key package operator name &optional (applied t))))
  key package operator name applied)

(defparameter +removable-definers+ '(defun defmacro defgeneric)
  "Operators whose definition is removed (FMAKUNBOUND) when their form disappears.")

(defparameter +full-reload-operators+ '(defpackage)
  "Operators whose change cannot be applied in place: the package system keeps the old shape.")

(defun skip-leading-comments (text start end)
  "Position of the first character of the datum read from TEXT between START and END: past
whitespace, `;' comments and `#|...|#' blocks, so that comment edits do not count as changes."
  (let ((i start))
    (loop
      (cond ((>= i end) (return end))
            ((member (char text i) '(#\Space #\Tab #\Newline #\Return #\Page)) (incf i))
            ((char= (char text i) #\;)
             (setf i (or (position #\Newline text :start i :end end) end)))
            ((and (char= (char text i) #\#) (< (1+ i) end) (char= (char text (1+ i)) #\|))
             (let ((depth 1) (j (+ i 2)))
               (loop while (and (plusp depth) (< (1+ j) end))
                     do (cond ((and (char= (char text j) #\|) (char= (char text (1+ j)) #\#))
                               (decf depth) (incf j 2))
                              ((and (char= (char text j) #\#) (char= (char text (1+ j)) #\|))
                               (incf depth) (incf j 2))
                              (t (incf j))))
               (setf i (min j end))))
            (t (return i))))))

(defun definition-name (form)
  (when (and (consp form) (member (car form) +removable-definers+) (consp (cdr form)))
    (second form)))

(defun read-file-forms (path)
  "The top-level forms of PATH as (form start end package-name key) lists, in file order,
and the read error that stopped the reading as (start end message), or NIL."
  (let ((text (read-file-text path))
        (forms '())
        (*package* (find-package "CL-USER"))
        (*read-eval* nil))
    (with-input-from-string (in text)
      (loop
        (let* ((before (file-position in))
               (start (skip-leading-comments text before (length text)))
               (package-name (package-name *package*)))
          (handler-case
              ;; Preserving whitespace: the form's text ends at its last character.
              (let ((form (read-preserving-whitespace in nil '%eof)))
                (when (eq form '%eof) (return))
                (when (and (consp form) (eq (car form) 'in-package))
                  (let ((target (ignore-errors (find-package (second form)))))
                    (when target (setf *package* target))))
                (let ((end (file-position in)))
                  (push (list form start end package-name
                              (concatenate 'string package-name '(#\Nul) (subseq text start end)))
                        forms)))
            (end-of-file ()
              ;; SBCL's own text names a string stream that the user never saw.
              (return-from read-file-forms
                (values (nreverse forms)
                        (list start (length text)
                              (format nil "end of file on ~A: the form starting here is not closed (a parenthesis or a string quote is missing)"
                                      (file-namestring path))))))
            (error (c)
              (return-from read-file-forms
                (values (nreverse forms) (list start (max start (or (file-position in) (length text))) (condition-text c)))))))))
    (values (nreverse forms) nil)))

(defun asd-file-p (path) (string-equal (pathname-type path) "asd"))

(defun asd-snapshot (path)
  ;; The system definition is only compared as a whole: any change needs a full load.
  (list (make-snapshot (read-file-text path) "CL-USER" 'asdf-system nil)))

(defun asd-changed-p (path)
  (string/= (read-file-text path) (let ((old (first (gethash path *form-snapshots*)))) (if old (snapshot-key old) ""))))

(defun record-snapshot (path)
  "Remembers PATH's forms as they are on disk; used after loading the system from it."
  (when (asd-file-p path)
    (return-from record-snapshot (setf (gethash path *form-snapshots*) (asd-snapshot path))))
  (let ((forms (ignore-errors (read-file-forms path))))
    (setf (gethash path *form-snapshots*)
          (loop for (form nil nil package key) in forms
                collect (make-snapshot key package (and (consp form) (car form)) (definition-name form))))))

(defun record-all-snapshots ()
  (clrhash *form-snapshots*)
  (dolist (file (getf *loaded* :source-files))
    (record-snapshot file)))

(defun key-counts (records)
  (let ((counts (make-hash-table :test 'equal)))
    (dolist (record records counts)
      (when (snapshot-applied record) (incf (gethash (snapshot-key record) counts 0))))))

(defun take-key (counts key)
  "True when COUNTS still holds KEY (a form the image already has), consuming one."
  (when (plusp (gethash key counts 0))
    (decf (gethash key counts))
    t))

(defstruct file-change path forms read-error added removed)

(defun diff-file (path)
  "What changed in PATH since its snapshot: forms to evaluate (added) and records gone (removed)."
  (multiple-value-bind (forms read-error) (read-file-forms path)
    (let* ((old (gethash path *form-snapshots*))
           (counts (key-counts old))
           (added (remove-if (lambda (entry) (take-key counts (fifth entry))) forms))
           (removed (unless read-error      ; unread forms may still be there: keep what they defined
                      (remove-if-not (lambda (record)
                                       (and (snapshot-applied record)
                                            (plusp (gethash (snapshot-key record) counts 0))
                                            (progn (decf (gethash (snapshot-key record) counts)) t)))
                                     old))))
      (make-file-change :path path :forms forms :read-error read-error :added added :removed removed))))

(defun full-reload-reason (path changes)
  "Why CHANGES (of PATH) cannot be applied in place, or NIL."
  (or (and (asd-file-p path)
           (format nil "~A changed: the system definition is only read by a full load" (file-namestring path)))
      (loop for entry in (file-change-added changes)
            for form = (first entry)
            when (and (consp form) (member (car form) +full-reload-operators+))
              return (format nil "a ~(~A~) changed in ~A (~A)" (car form) (file-namestring path) (form-name form)))
      (loop for record in (file-change-removed changes)
            when (member (snapshot-operator record) +full-reload-operators+)
              return (format nil "a ~(~A~) was removed from ~A" (snapshot-operator record) (file-namestring path)))))

(define-condition needs-full-reload (error)
  ((reason :initarg :reason :reader reload-reason))
  (:report (lambda (c s) (write-string (reload-reason c) s))))

(defun incompatible-redefinition-p (condition)
  (search "incompatibly" (condition-text condition)))

(defvar *in-place-only* nil
  "True when a full load is not possible (the image runs on the last good core because the
sources do not load): what would need one is applied in place if it can be, else reported.")

(defun evaluate-changed-form (path entry)
  "Compiles and runs one changed top-level form. Returns NIL, or an error object for the reply."
  (destructuring-bind (form start end package-name key) entry
    (declare (ignore key))
    (let ((failures '())
          (*package* (or (find-package package-name) (find-package "CL-USER")))
          (*read-eval* nil))
      (flet ((fail (message &optional condition)
               (obj "path" path "start" start "end" end "message" (clip message +max-message-chars+)
                    "condition" condition "operator" (form-operator form) "name" (form-name form))))
        (with-captured-output (out err)
          (handler-case
              (multiple-value-bind (thunk warnings-p failure-p)
                  ;; Warnings are noted, not muffled: a muffled one would not make FAILURE-P true.
                  (handler-bind ((warning (lambda (w)
                                            (unless (typep w 'style-warning)
                                              (push (condition-text w) failures)))))
                    (compile nil `(lambda () ,form)))
                (declare (ignore warnings-p))
                (if failure-p
                    ;; SBCL would install a definition that signals when called: keep the old one.
                    (fail (format nil "~{~A~^~%~}" (or (reverse failures) '("The form did not compile"))) "COMPILE-FAILURE")
                    (handler-bind ((warning #'muffle-warning))
                      (funcall thunk)
                      nil)))
            (error (c)
              (if (and (not *in-place-only*) (consp form) (eq (car form) 'defstruct) (incompatible-redefinition-p c))
                  (error 'needs-full-reload
                         :reason (format nil "defstruct ~A in ~A changed incompatibly (its instances would no longer fit)"
                                         (form-name form) (file-namestring path)))
                  (fail (condition-text c) (condition-type-name c))))))))))

(defun remove-definition (record)
  (let ((name (snapshot-name record)))
    (when (and name (ignore-errors (fboundp name)))
      (fmakunbound name)
      t)))

(defun apply-file-change (change defined-names)
  "Evaluates the new forms of CHANGE in file order and removes the definitions that went away.
Returns (values evaluated-count errors removed-names evaluated-names)."
  (let ((errors '()) (evaluated 0) (removed '()) (names '())
        (failed-keys (make-hash-table :test 'equal)))
    (dolist (entry (file-change-added change))
      (let ((error-object (evaluate-changed-form (file-change-path change) entry)))
        (incf evaluated)
        (let ((name (form-name (first entry)))) (when name (push name names)))
        (when error-object
          (push error-object errors)
          (setf (gethash (fifth entry) failed-keys) t))))
    (dolist (record (file-change-removed change))
      (unless (member (snapshot-name record) defined-names :test #'equal)
        (when (remove-definition record)
          (push (princ-to-string (snapshot-name record)) removed))))
    ;; The new snapshot: what read, marked unapplied where it failed (tried again next time),
    ;; plus, after a read error, the old records the reader could not reach.
    (let ((fresh (loop for (form nil nil package key) in (file-change-forms change)
                       collect (make-snapshot key package (and (consp form) (car form)) (definition-name form)
                                              (not (gethash key failed-keys))))))
      (setf (gethash (file-change-path change) *form-snapshots*)
            (if (file-change-read-error change)
                (append fresh (remove-if (lambda (old) (find (snapshot-key old) fresh :key #'snapshot-key :test #'string=))
                                         (gethash (file-change-path change) *form-snapshots*)))
                fresh)))
    (when (file-change-read-error change)
      (destructuring-bind (start end message) (file-change-read-error change)
        (push (obj "path" (file-change-path change) "start" start "end" end "message" message
                   "condition" "READER-ERROR")
              errors)))
    (values evaluated (nreverse errors) (nreverse removed) (nreverse names))))

(defun reload-files (request)
  "The system's files named by the request (all of them when it names none), in load order."
  (let ((system-files (getf *loaded* :source-files))
        (named (map 'list #'identity (or (jget request "files") #()))))
    (if named
        (append (remove-if-not (lambda (f) (member f named :test #'string=)) system-files)
                (remove-if (lambda (f) (member f system-files :test #'string=)) named))
        system-files)))

(defun reload-request (request)
  (let* ((id (jget request "id"))
         (started (now-ms))
         (*in-place-only* (eq (jget request "in_place_only") t))
         (files (remove-if-not #'probe-file (reload-files request)))
         (changes '()))
    (flet ((reply (mode &rest more)
             (apply #'obj-with-nulls "type" "reloaded" "id" id "mode" mode "files" (coerce files 'vector)
                    "ms" (elapsed-ms started) more)))
      ;; First decide, touching nothing, whether the change can be applied in place at all.
      (dolist (file files)
        (cond ((asd-file-p file)
               (when (and (asd-changed-p file) (not *in-place-only*))
                 (return-from reload-request (reply "full" "reason" (full-reload-reason file nil)))))
              (t
               (let* ((change (diff-file file))
                      (reason (full-reload-reason file change)))
                 (when (and reason (not *in-place-only*))
                   (return-from reload-request (reply "full" "reason" reason)))
                 (push change changes)))))
      (setf changes (nreverse changes))
      (let ((defined (loop for change in changes
                           append (loop for entry in (file-change-forms change)
                                        for name = (definition-name (first entry))
                                        when name collect name)))
            (evaluated 0) (errors '()) (removed '()) (names '()))
        (handler-case
            (dolist (change changes)
              (multiple-value-bind (count file-errors file-removed file-names) (apply-file-change change defined)
                (incf evaluated count)
                (setf errors (append errors file-errors)
                      removed (append removed file-removed)
                      names (append names file-names))))
          (needs-full-reload (c)
            (return-from reload-request (reply "full" "reason" (reload-reason c)))))
        (reply "incremental" "forms" evaluated "errors" (coerce errors 'vector)
               "removed" (coerce removed 'vector) "names" (coerce names 'vector))))))

;;; ------------------------------------------------------------------------------------------
;;; The request loop
;;; ------------------------------------------------------------------------------------------

(defun handle (line)
  (let* ((request (handler-case (parse-json line)
                    (error (c)
                      (send (obj "type" "error" "message" (condition-text c)))
                      (return-from handle))))
         (op (jget request "op" "compile")))
    (cond ((string= op "compile") (send (compile-request request)))
          ((string= op "list-forms") (send (list-forms-request request)))
          ((string= op "generate-stage1") (send (generate-stage1-request request)))
          ((string= op "reload") (send (reload-request request)))
          ((string= op "ping") (send (obj "type" "pong" "id" (jget request "id")
                                          "heap_bytes" (sb-kernel:dynamic-usage))))
          ((string= op "quit") (finish-output *reply*) (sb-ext:exit :code 0))
          (t (send (obj "type" "error" "id" (jget request "id")
                        "message" (format nil "Unknown op ~S" op)))))))

(defun serve ()
  (let ((in *requests*))
    (loop
      (let ((line (handler-case (read-line in nil nil)
                    (error () nil))))
        (unless line (sb-ext:exit :code 0))
        (when (plusp (length (string-trim " 	" line)))
          ;; Nothing may reach the debugger: it would print to stdout and read requests as input.
          (handler-case (handle line)
            (serious-condition (c)
              (ignore-errors
               (send (obj "type" "error" "message"
                          (format nil "Driver error: ~A" (condition-text c))))))))))))

(defun send-ready (from-core)
  (send (obj "type" "ready"
             "protocol" +protocol-version+
             "sbcl_version" (lisp-implementation-version)
             "asdf_version" (getf *loaded* :asdf-version)
             "system" (getf *loaded* :system)
             "source_root" (getf *loaded* :source-root)
             "source_files" (coerce (getf *loaded* :source-files) 'vector)
             "load_ms" (if from-core 0 (getf *loaded* :load-ms))
             "from_core" (if from-core t :false)
             "dynamic_space_bytes" (sb-ext:dynamic-space-size)
             "heap_bytes" (sb-kernel:dynamic-usage)
             "pid" (sb-unix:unix-getpid))))

(defun main ()
  (open-channels)
  (handler-case
      (let ((from-core (and *loaded* t))
            (save-core (arg "--save-core")))
        (unless *loaded*
          (load-workspace-system (arg "--workspace" (sb-ext:native-namestring *default-pathname-defaults*))
                                 (arg "--system" "clysm")))
        (when save-core
          ;; The reply stream is rebuilt by MAIN in the restarted image.
          (send (obj "type" "saving-core" "path" save-core))
          (close-channels)
          (sb-ext:save-lisp-and-die (sb-ext:parse-native-namestring save-core) :executable nil))
        (send-ready from-core)
        (serve))
    (serious-condition (c)
      (ignore-errors (send (obj "type" "fatal" "kind" "driver" "message" (condition-text c))))
      (sb-ext:exit :code 3 :abort t))))
