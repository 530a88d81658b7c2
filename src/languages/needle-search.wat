;; The prefilter's byte search (src/languages/needle-search.ts): where any of a set of needles starts in a file's
;; bytes. Teddy's shape (the multi-literal search of Hyperscan and Rust's regex crate), in WebAssembly SIMD: for 16
;; start positions at once, the low and high nibble of each of the first three bytes pick, from six 16-entry tables,
;; the buckets (one bit each, at most 8) whose needles can start there; only where a bucket survives all six lookups
;; are that bucket's needles compared byte by byte. One pass over the bytes, whatever the number of needles.
;;
;; Layout at $cfg (written by needle-search.ts):
;;   [0, 96)     six tables: low nibble of byte 0, high nibble of byte 0, then bytes 1 and 2 → bucket bits
;;               (a needle shorter than three bytes accepts every nibble past its end);
;;   [96, 160)   per bucket: i32 first needle, i32 needle count;
;;   [160, 416)  needles, 8 bytes each: i32 length, i32 address of its bytes;
;;   [416, 432)  scratch: the candidate buckets of one 16-byte block.
;; The caller keeps 16 readable bytes after `end` (the vector loads read past it; those positions are masked off).

(module
  (memory (export "memory") 1)

  ;; Whether a needle of one of `buckets` starts at `s` and ends by `end`.
  (func $verify (param $cfg i32) (param $s i32) (param $end i32) (param $buckets i32) (result i32)
    (local $bucket i32) (local $n i32) (local $last i32) (local $record i32) (local $length i32) (local $needle i32) (local $i i32)
    (block $none
      (loop $nextBucket
        (br_if $none (i32.eqz (local.get $buckets)))
        (local.set $bucket (i32.ctz (local.get $buckets)))
        (local.set $buckets (i32.and (local.get $buckets) (i32.sub (local.get $buckets) (i32.const 1))))
        (local.set $n (i32.load offset=96 (i32.add (local.get $cfg) (i32.shl (local.get $bucket) (i32.const 3)))))
        (local.set $last (i32.add (local.get $n)
          (i32.load offset=100 (i32.add (local.get $cfg) (i32.shl (local.get $bucket) (i32.const 3))))))
        (block $bucketDone
          (loop $nextNeedle
            (br_if $bucketDone (i32.ge_u (local.get $n) (local.get $last)))
            (local.set $record (i32.add (local.get $cfg) (i32.add (i32.const 160) (i32.shl (local.get $n) (i32.const 3)))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $length (i32.load (local.get $record)))
            (br_if $nextNeedle (i32.gt_u (i32.add (local.get $s) (local.get $length)) (local.get $end)))
            (local.set $needle (i32.load offset=4 (local.get $record)))
            (local.set $i (i32.const 0))
            (block $differs
              (loop $nextByte
                (if (i32.ge_u (local.get $i) (local.get $length)) (then (return (i32.const 1))))
                (br_if $differs (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $i)))
                                        (i32.load8_u (i32.add (local.get $needle) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $nextByte)))
            (br $nextNeedle)))
        (br $nextBucket)))
    (i32.const 0))

  ;; The first position in [pos, end) where a needle starts and ends by `end`, or -1.
  (func (export "find") (param $cfg i32) (param $pos i32) (param $end i32) (result i32)
    (local $low0 v128) (local $high0 v128) (local $low1 v128) (local $high1 v128) (local $low2 v128) (local $high2 v128)
    (local $nibble v128) (local $bytes v128) (local $buckets v128) (local $starts i32) (local $i i32)
    (local.set $low0 (v128.load offset=0 (local.get $cfg)))
    (local.set $high0 (v128.load offset=16 (local.get $cfg)))
    (local.set $low1 (v128.load offset=32 (local.get $cfg)))
    (local.set $high1 (v128.load offset=48 (local.get $cfg)))
    (local.set $low2 (v128.load offset=64 (local.get $cfg)))
    (local.set $high2 (v128.load offset=80 (local.get $cfg)))
    (local.set $nibble (i8x16.splat (i32.const 15)))
    (block $done
      (loop $nextBlock
        (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
        (local.set $bytes (v128.load (local.get $pos)))
        (local.set $buckets (v128.and
          (i8x16.swizzle (local.get $low0) (v128.and (local.get $bytes) (local.get $nibble)))
          (i8x16.swizzle (local.get $high0) (i8x16.shr_u (local.get $bytes) (i32.const 4)))))
        (local.set $bytes (v128.load offset=1 (local.get $pos)))
        (local.set $buckets (v128.and (local.get $buckets) (v128.and
          (i8x16.swizzle (local.get $low1) (v128.and (local.get $bytes) (local.get $nibble)))
          (i8x16.swizzle (local.get $high1) (i8x16.shr_u (local.get $bytes) (i32.const 4))))))
        (local.set $bytes (v128.load offset=2 (local.get $pos)))
        (local.set $buckets (v128.and (local.get $buckets) (v128.and
          (i8x16.swizzle (local.get $low2) (v128.and (local.get $bytes) (local.get $nibble)))
          (i8x16.swizzle (local.get $high2) (i8x16.shr_u (local.get $bytes) (i32.const 4))))))
        (if (v128.any_true (local.get $buckets))
          (then
            (local.set $starts (i8x16.bitmask (i8x16.ne (local.get $buckets) (v128.const i64x2 0 0))))
            ;; The last block: positions at or past `end` are not in the file.
            (if (i32.lt_u (i32.sub (local.get $end) (local.get $pos)) (i32.const 16))
              (then (local.set $starts (i32.and (local.get $starts)
                (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $pos))) (i32.const 1))))))
            (v128.store offset=416 (local.get $cfg) (local.get $buckets))
            (block $blockDone
              (loop $nextStart
                (br_if $blockDone (i32.eqz (local.get $starts)))
                (local.set $i (i32.ctz (local.get $starts)))
                (if (call $verify (local.get $cfg) (i32.add (local.get $pos) (local.get $i)) (local.get $end)
                      (i32.load8_u offset=416 (i32.add (local.get $cfg) (local.get $i))))
                  (then (return (i32.add (local.get $pos) (local.get $i)))))
                (local.set $starts (i32.and (local.get $starts) (i32.sub (local.get $starts) (i32.const 1))))
                (br $nextStart)))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 16)))
        (br $nextBlock)))
    (i32.const -1))
)
