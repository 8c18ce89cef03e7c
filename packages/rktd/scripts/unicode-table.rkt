#lang racket/base
;; Regenerates src/_unicode.ts from the installed Racket (8.7 [cs] for the
;; committed table): the code points `write` prints as themselves inside a
;; string. Run: racket scripts/unicode-table.rkt > src/_unicode.ts
(define (wr v) (let ([o (open-output-string)]) (write v o) (get-output-string o)))
(define ranges
  (let loop ([i 0] [start #f] [acc '()])
    (define ok (and (< i #x110000)
                    (not (<= #xD800 i #xDFFF))
                    (let ([c (integer->char i)]) (equal? (wr (string c)) (string #\" c #\")))))
    (cond
      [(= i #x110001) (reverse acc)]
      [(and ok (not start)) (loop (add1 i) i acc)]
      [(and (not ok) start) (loop (add1 i) #f (cons (list start (sub1 i)) acc))]
      [else (loop (add1 i) start acc)])))
(printf "// Generated from Racket ~a [cs]: code points that `write` prints literally inside a string.\n" (version))
(printf "// Each pair is [first, last]. Everything else is written as \\uXXXX / \\UXXXXXXXX (or a named escape).\n")
(printf "export const STRING_LITERAL_RANGES: readonly number[] = [\n")
(for ([p ranges] [i (in-naturals)])
  (printf "~a,~a," (car p) (cadr p))
  (when (= 0 (modulo (add1 i) 8)) (newline)))
(printf "\n];\n")
