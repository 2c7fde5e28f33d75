;; Gaussian white noise for sensor models, four draws at a time (WebAssembly SIMD).
;;
;; Four xoshiro128** streams run side by side in the lanes of four v128 state words (S0..S3); each
;; lane's output goes through the Marsaglia–Tsang ziggurat with 256 layers, the same tables and the
;; same rectangle test as `gaussianBlock` in random.ts. `noise3` fills three blocks (x, y, z) from one stream. A draw that misses its layer's rectangle
;; (1.5 % of draws) is listed for the caller, which finishes it with the wedge/tail code in
;; random.ts; its output slot is left as it was. Samples k, k+1, k+2, k+3 of a block take lanes
;; 0..3 of one step, so a block of n samples takes ceil(n/4) steps and writes ceil(n/4)·4 slots
;; (buffers are padded).
;;
;; Memory layout (bytes): 0–2047 the table, 256 pairs (KI u32 = ceil(KN), WN f32); 2048–2111 the
;; state S0..S3; 2112–2143 scratch for listing misses. Buffers and the miss list lie above 4096.
(module
  (memory (export "memory") 1)
  ;; For k in [0, n) step 4: z = sigma × ziggurat(lane draw). With $acc: out = clamp(out + z, ±range);
  ;; else out = z. Misses leave out unchanged and are listed at $missp as (k, draw, key) i32 triples.
  ;; Returns the number of misses.
  (func $block (param $out i32) (param $n i32) (param $sigma f32) (param $range f32) (param $acc i32) (param $missp i32) (result i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t v128) (local $r v128)
    (local $iz v128) (local $ki v128) (local $wn v128) (local $ok v128) (local $z v128) (local $o v128)
    (local $p i32) (local $end i32) (local $nm i32) (local $bits i32) (local $i i32)
    (local $sig v128) (local $hi v128) (local $lo v128)
    (local.set $s0 (v128.load (i32.const 2048)))
    (local.set $s1 (v128.load (i32.const 2064)))
    (local.set $s2 (v128.load (i32.const 2080)))
    (local.set $s3 (v128.load (i32.const 2096)))
    (local.set $sig (f32x4.splat (local.get $sigma)))
    (local.set $hi (f32x4.splat (local.get $range)))
    (local.set $lo (f32x4.neg (local.get $hi)))
    (local.set $p (local.get $out))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ;; xoshiro128**: r = rotl(s1 × 5, 7) × 9, then the state update
        (local.set $t (i32x4.mul (local.get $s1) (v128.const i32x4 5 5 5 5)))
        (local.set $r (i32x4.mul (v128.or (i32x4.shl (local.get $t) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))) (v128.const i32x4 9 9 9 9)))
        (local.set $t (i32x4.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (v128.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (v128.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (v128.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (v128.or (i32x4.shl (local.get $s3) (i32.const 11)) (i32x4.shr_u (local.get $s3) (i32.const 21))))
        ;; the layer (low 8 bits) and its (KI, WN) pair: two 8-byte loads per pair of lanes, then unzip
        (local.set $iz (i32x4.shl (v128.and (local.get $r) (v128.const i32x4 255 255 255 255)) (i32.const 3)))
        (local.set $ki (v128.load64_zero (i32x4.extract_lane 0 (local.get $iz))))
        (local.set $ki (v128.load64_lane 1 (i32x4.extract_lane 1 (local.get $iz)) (local.get $ki)))
        (local.set $wn (v128.load64_zero (i32x4.extract_lane 2 (local.get $iz))))
        (local.set $wn (v128.load64_lane 1 (i32x4.extract_lane 3 (local.get $iz)) (local.get $wn)))
        (local.set $o (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $ki) (local.get $wn)))
        (local.set $wn (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $ki) (local.get $wn)))
        ;; in the rectangle when |r| < KI (|−2^31| stays 2^31 unsigned, above every KI: a miss)
        (local.set $ok (i32x4.lt_u (i32x4.abs (local.get $r)) (local.get $o)))
        (local.set $z (f32x4.mul (f32x4.mul (f32x4.convert_i32x4_s (local.get $r)) (local.get $wn)) (local.get $sig)))
        (local.set $o (v128.load (local.get $p)))
        (if (local.get $acc)
          (then (local.set $z (f32x4.pmax (local.get $lo) (f32x4.pmin (local.get $hi) (f32x4.add (local.get $o) (local.get $z)))))))
        (v128.store (local.get $p) (v128.bitselect (local.get $z) (local.get $o) (local.get $ok)))
        (local.set $bits (i32.xor (i32x4.bitmask (local.get $ok)) (i32.const 15)))
        (if (local.get $bits)
          (then
            (v128.store (i32.const 2112) (local.get $r))
            (v128.store (i32.const 2128) (v128.xor (local.get $s0) (local.get $s2)))
            (local.set $i (i32.const 0))
            (loop $lane
              (if (i32.and (local.get $bits) (i32.shl (i32.const 1) (local.get $i)))
                (then
                  (i32.store (local.get $missp) (i32.add (i32.shr_u (i32.sub (local.get $p) (local.get $out)) (i32.const 2)) (local.get $i)))
                  (i32.store offset=4 (local.get $missp) (i32.load offset=2112 (i32.shl (local.get $i) (i32.const 2))))
                  (i32.store offset=8 (local.get $missp) (i32.load offset=2128 (i32.shl (local.get $i) (i32.const 2))))
                  (local.set $missp (i32.add (local.get $missp) (i32.const 12)))
                  (local.set $nm (i32.add (local.get $nm) (i32.const 1)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $lane (i32.lt_u (local.get $i) (i32.const 4))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (v128.store (i32.const 2048) (local.get $s0))
    (v128.store (i32.const 2064) (local.get $s1))
    (v128.store (i32.const 2080) (local.get $s2))
    (v128.store (i32.const 2096) (local.get $s3))
    (local.get $nm))

  ;; Three blocks (x, y, z) from one stream, one after another; returns the total number of misses,
  ;; listed in order (x's, then y's, then z's) with k offset by 0, cap and 2·cap.
  (func (export "noise3") (param $x i32) (param $y i32) (param $z i32) (param $n i32) (param $cap i32) (param $sigma f32) (param $range f32) (param $acc i32) (param $missp i32) (result i32)
    (local $a i32) (local $b i32) (local $j i32)
    (local.set $a (call $block (local.get $x) (local.get $n) (local.get $sigma) (local.get $range) (local.get $acc) (local.get $missp)))
    (local.set $b (call $block (local.get $y) (local.get $n) (local.get $sigma) (local.get $range) (local.get $acc)
      (i32.add (local.get $missp) (i32.mul (local.get $a) (i32.const 12)))))
    ;; mark y's misses: k += cap
    (local.set $j (local.get $a))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $j) (i32.add (local.get $a) (local.get $b))))
      (i32.store (i32.add (local.get $missp) (i32.mul (local.get $j) (i32.const 12)))
        (i32.add (i32.load (i32.add (local.get $missp) (i32.mul (local.get $j) (i32.const 12)))) (local.get $cap)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l1)))
    (local.set $a (i32.add (local.get $a) (local.get $b)))
    (local.set $b (call $block (local.get $z) (local.get $n) (local.get $sigma) (local.get $range) (local.get $acc)
      (i32.add (local.get $missp) (i32.mul (local.get $a) (i32.const 12)))))
    (local.set $j (local.get $a))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $j) (i32.add (local.get $a) (local.get $b))))
      (i32.store (i32.add (local.get $missp) (i32.mul (local.get $j) (i32.const 12)))
        (i32.add (i32.load (i32.add (local.get $missp) (i32.mul (local.get $j) (i32.const 12)))) (i32.shl (local.get $cap) (i32.const 1))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l2)))
    (i32.add (local.get $a) (local.get $b)))
)
