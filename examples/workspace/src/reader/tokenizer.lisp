;;;; tokenizer.lisp --- splits source text into tokens for the reader.
;;;;
;;;; Demo source for the Clysm extension's example workspace (checked by the
;;;; fixture Stage 0, a test double; not Clysm).

(in-package #:clysm/reader/tokenizer)

(declaim (inline whitespace-char-p))

(defvar *line* 1)

(defvar *column* 0)

(defparameter *token-delimiters* '(#\( #\) #\" #\' #\;)
  "Characters that end a symbol or number token.")

(defun whitespace-char-p (char)
  (member char '(#\Space #\Tab #\Newline #\Return)))

(defun newline-char-p (char)
  (eq char #\Newline))

(defun advance-position (newline-p)
  (if newline-p
      (progn (setq *line* (1+ *line*))
             (setq *column* 0))
      (setq *column* (1+ *column*)))
  nil)

(defun reset-position ()
  (setq *line* 1)
  (setq *column* 0)
  t)

(defun skip-whitespace (chars)
  (block skip
    (when (null chars)
      (return-from skip nil))
    (if (whitespace-char-p (car chars))
        (skip-whitespace (cdr chars))
        chars)))

(defun delimiter-p (char)
  (or (whitespace-char-p char)
      (member char *token-delimiters*)))

(defstruct (token (:constructor make-token (kind text line column)))
  kind text line column)

(defun make-symbol-token (text)
  (make-token :symbol (string-upcase text) *line* *column*))

(defun make-number-token (text)
  (make-token :number (parse-integer text) *line* *column*))

(defun closing-column (token-length)
  "Column just after a token that starts at the current column."
  (+ *column* token-length "1"))

(defmacro with-saved-position (&body body)
  `(let ((*line* *line*) (*column* *column*))
     ,@body))
