;;;; json.lisp — the JSON the Clysm extension's SBCL driver (driver.lisp) speaks. Shipped with
;;;; the extension next to it; the driver loads it from its own folder (*LOAD-TRUENAME*) before
;;;; its DEFPACKAGE, so it must not depend on the driver.
;;;;
;;;; Objects are (:object ("key" . value) ...), arrays are vectors (a list is written as one),
;;;; true is T, false is :FALSE, null is NIL. Only what the protocol needs; no external
;;;; libraries exist here.

(defpackage #:clysm-vscode-json
  (:use #:common-lisp)
  (:export #:obj #:obj-with-nulls #:jget #:write-json-string #:write-json #:json-syntax-error
           #:json-syntax-error-text #:parse-json #:directory-pathname))

(in-package #:clysm-vscode-json)

(defun obj (&rest keys-and-values)
  "Builds a JSON object from alternating string keys and values; NIL values are omitted."
  (cons :object
        (loop for (key value) on keys-and-values by #'cddr
              unless (null value) collect (cons key value))))

(defun obj-with-nulls (&rest keys-and-values)
  "Builds a JSON object from alternating string keys and values; NIL values are written as null."
  (cons :object
        (loop for (key value) on keys-and-values by #'cddr
              collect (cons key value))))

(defun jget (object key &optional default)
  (let ((cell (and (consp object) (eq (car object) :object)
                   (assoc key (cdr object) :test #'string=))))
    (if cell (cdr cell) default)))

(defun write-json-string (string stream)
  (write-char #\" stream)
  (loop for ch across string
        for code = (char-code ch)
        do (case ch
             (#\" (write-string "\\\"" stream))
             (#\\ (write-string "\\\\" stream))
             (#\Newline (write-string "\\n" stream))
             (#\Return (write-string "\\r" stream))
             (#\Tab (write-string "\\t" stream))
             (t
              ;; Control characters and lone surrogates are escaped so the line stays valid UTF-8.
              (if (or (< code 32) (= code 127) (<= #xD800 code #xDFFF))
                  (format stream "\\u~4,'0X" code)
                  (write-char ch stream)))))
  (write-char #\" stream))

(defun write-json (value stream)
  (cond ((eq value t) (write-string "true" stream))
        ((eq value :false) (write-string "false" stream))
        ((null value) (write-string "null" stream))
        ((stringp value) (write-json-string value stream))
        ((integerp value) (format stream "~D" value))
        ((realp value)
         (let ((*read-default-float-format* 'double-float))
           (format stream "~,3F" (coerce value 'double-float))))
        ((symbolp value) (write-json-string (symbol-name value) stream))
        ((and (consp value) (eq (car value) :object))
         (write-char #\{ stream)
         (loop for (key . item) in (cdr value)
               for first = t then nil
               do (unless first (write-char #\, stream))
                  (write-json-string key stream)
                  (write-char #\: stream)
                  (write-json item stream))
         (write-char #\} stream))
        ((vectorp value)
         (write-char #\[ stream)
         (loop for item across value
               for first = t then nil
               do (unless first (write-char #\, stream))
                  (write-json item stream))
         (write-char #\] stream))
        ((listp value) (write-json (coerce value 'vector) stream))
        (t (write-json-string (princ-to-string value) stream))))

(define-condition json-syntax-error (error)
  ((text :initarg :text :reader json-syntax-error-text))
  (:report (lambda (c s) (format s "Malformed JSON request: ~A" (json-syntax-error-text c)))))

(defun parse-json (string)
  "Parses one JSON value from STRING."
  (let ((pos 0) (len (length string)))
    (labels ((fail (what) (error 'json-syntax-error :text (format nil "~A at offset ~D" what pos)))
             (peek () (if (< pos len) (char string pos) nil))
             (next () (if (< pos len) (prog1 (char string pos) (incf pos)) (fail "unexpected end")))
             (skip-ws () (loop while (and (< pos len) (member (char string pos) '(#\Space #\Tab #\Return #\Newline)))
                               do (incf pos)))
             (expect (word value)
               (if (and (<= (+ pos (length word)) len) (string= word string :start2 pos :end2 (+ pos (length word))))
                   (progn (incf pos (length word)) value)
                   (fail "unknown literal")))
             (hex4 ()
               (when (> (+ pos 4) len) (fail "short \\u escape"))
               (prog1 (or (parse-integer string :start pos :end (+ pos 4) :radix 16 :junk-allowed nil)
                          (fail "bad \\u escape"))
                 (incf pos 4)))
             (parse-string ()
               (next)                   ; opening quote
               (with-output-to-string (out)
                 (loop
                   (let ((ch (next)))
                     (cond ((char= ch #\") (return))
                           ((char= ch #\\)
                            (let ((esc (next)))
                              (case esc
                                (#\n (write-char #\Newline out))
                                (#\t (write-char #\Tab out))
                                (#\r (write-char #\Return out))
                                (#\b (write-char #\Backspace out))
                                (#\f (write-char #\Page out))
                                (#\u (let ((code (hex4)))
                                       ;; Join a UTF-16 surrogate pair into one character.
                                       (when (and (<= #xD800 code #xDBFF)
                                                  (< (+ pos 1) len)
                                                  (char= (char string pos) #\\)
                                                  (char= (char string (1+ pos)) #\u))
                                         (let ((save pos))
                                           (incf pos 2)
                                           (let ((low (hex4)))
                                             (if (<= #xDC00 low #xDFFF)
                                                 (setf code (+ #x10000 (ash (- code #xD800) 10) (- low #xDC00)))
                                                 (setf pos save)))))
                                       (write-char (code-char code) out)))
                                (t (write-char esc out)))))
                           (t (write-char ch out)))))))
             (parse-number ()
               (let ((start pos))
                 (loop while (and (< pos len) (find (char string pos) "+-0123456789.eE")) do (incf pos))
                 (let ((text (subseq string start pos)))
                   (or (ignore-errors (parse-integer text))
                       (let ((*read-eval* nil) (*read-default-float-format* 'double-float))
                         (let ((n (ignore-errors (read-from-string text))))
                           (if (realp n) n (fail "bad number"))))))))
             (parse-value ()
               (skip-ws)
               (let ((ch (peek)))
                 (case ch
                   ((nil) (fail "unexpected end"))
                   (#\{ (next)
                    (skip-ws)
                    (if (eql (peek) #\})
                        (progn (next) (list :object))
                        (cons :object
                              (loop collect (progn (skip-ws)
                                                   (unless (eql (peek) #\") (fail "expected a key"))
                                                   (let ((key (parse-string)))
                                                     (skip-ws)
                                                     (unless (eql (next) #\:) (fail "expected ':'"))
                                                     (cons key (parse-value))))
                                    while (progn (skip-ws) (eql (peek) #\,))
                                    do (next)
                                    finally (skip-ws) (unless (eql (next) #\}) (fail "expected '}'"))))))
                   (#\[ (next)
                    (skip-ws)
                    (if (eql (peek) #\])
                        (progn (next) (vector))
                        (coerce (loop collect (parse-value)
                                      while (progn (skip-ws) (eql (peek) #\,))
                                      do (next)
                                      finally (skip-ws) (unless (eql (next) #\]) (fail "expected ']'")))
                                'vector)))
                   (#\" (parse-string))
                   (#\t (expect "true" t))
                   (#\f (expect "false" :false))
                   (#\n (expect "null" nil))
                   (t (parse-number))))))
      (prog1 (parse-value)
        (skip-ws)
        (when (< pos len) (fail "trailing text"))))))

;; Not JSON, but both drivers take their workspace folder this way.
(defun directory-pathname (namestring)
  "The folder NAMESTRING names (a trailing slash is added), parsed natively so no character is special."
  (let ((text (if (and (plusp (length namestring)) (char/= (char namestring (1- (length namestring))) #\/))
                  (concatenate 'string namestring "/")
                  namestring)))
    (sb-ext:parse-native-namestring text)))
