;;;; leb128.lisp --- LEB128 encoders for the Wasm binary emitter.
;;;;
;;;; Demo source for the Clysm extension's example workspace. It is checked by the
;;;; fixture Stage 0 (a test double), not by Clysm.

(in-package #:clysm/backend/leb128)

(defconstant +continuation-bit+ 128
  "Set on every byte of a LEB128 number except the last one.")

(defvar *bytes-emitted* 0
  "Running count of the bytes produced by the encoders.")

(defun leb128-byte-count (value)
  "How many bytes the unsigned LEB128 encoding of VALUE takes (VALUE below 2^28)."
  (cond ((< value 128) 1)
        ((< value 16384) 2)
        ((< value 2097152) 3)
        (t 4)))

(defun note-bytes (count)
  (setq *bytes-emitted* (+ *bytes-emitted* count))
  count)

(defun encode-unsigned-leb128 (value)
  "Encode VALUE as unsigned LEB128; returns the list of octets."
  (let ((byte (logand value 127))
        (rest (ash value -7)))
    (if (= rest 0)
        (list byte)
        (cons (logior byte +continuation-bit+)
              (encode-unsigned-leb128 rest)))))

(defun encode-signed-leb128 (value)
  "Encode VALUE as signed LEB128; returns the list of octets."
  (let* ((byte (logand value 127))
         (rest (ash value -7))
         (sign-clear (= (logand byte 64) 0)))
    (if (or (and (= rest 0) sign-clear)
            (and (= rest -1) (not sign-clear)))
        (list byte)
        (cons (logior byte +continuation-bit+)
              (encode-signed-leb128 rest)))))

(defun leb128-fits-p (value)
  (and (> value -1) (< value 268435456)))

(defun emit-u32 (value)
  (encode-unsigned-leb128 value))

(defun emit-vector-length (items)
  (encode-unsigned-leb128 (length items)))
