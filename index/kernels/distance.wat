;; Distance kernels for exact vector search (loaded by index/kernels/wasm-kernel.ts; the bytes are embedded in
;; index/kernels/distance-wasm.ts by scripts/build-kernels.mjs, and a test checks that they match this text).
;;
;; Why the shapes below: a query against a large block is memory-bound (every base float is used once), so the
;; single-query kernels only need enough independent accumulators to keep loads flowing; they score four base
;; rows at a time so each query lane loaded serves four rows. Many queries against a block are compute-bound, so
;; the multi-query kernels walk the base in cache-sized tiles (the tile stays in L2 while every query passes over
;; it) and score 4 queries x 2 rows per step: 6 loads feed 8 independent accumulators. Squared L2 is computed
;; directly, not as |q|^2 + |b|^2 - 2 q.b: that form was only ~15% faster here (the add ports, not the multiplies,
;; are the limit) and loses precision exactly where it matters, between near neighbours. Norms are computed four
;; rows at a time too (one sum per row would wait on the add latency).
;;
;; Layout contract (kept by the TypeScript side, never checked here): every vector is stored with a row stride
;; that is a positive multiple of 4 floats, padded with zeros past its dimension. Zero padding adds nothing to a
;; squared difference or a dot product, so no kernel has a scalar tail over dimensions. Pointers are byte
;; offsets into the imported memory, 16-byte aligned. Sums are in f32 with 4 lanes per accumulator.
;;
;; Exports (all results f32, written to `out`):
;;   l2_1(q, base, n, stride, out)                out[j] = sum((base_j - q)^2)                 j < n
;;   dot_1(q, base, n, stride, out)               out[j] = sum(base_j * q)
;;   l2_m(qs, nq, base, n, stride, out, tile)     out[i*n + j] = l2 of query i and row j       i < nq
;;   dot_m(qs, nq, base, n, stride, out, tile)    out[i*n + j] = dot of query i and row j
;;   norms(base, n, stride, out)                  out[j] = sqrt(sum(base_j^2))                 j < n
;;   finish_dot(out, n)                           out[j] = 1 - out[j]
;;   finish_cos(out, n, qnorm, norms)             out[j] = 1 - out[j] / (qnorm * norms[j]), or 1 if that is 0
(module
  (import "env" "memory" (memory 0))

  ;; The sum of the four lanes.
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; ---------------------------------------------------------------------------------------------- squared L2

  ;; One query against one row; `row` is the stride in bytes.
  (func $l2_pair (param $q i32) (param $b i32) (param $row i32) (result f32)
    (local $k i32) (local $d v128) (local $acc v128)
    (loop $dims
      (local.set $d (f32x4.sub (v128.load (i32.add (local.get $q) (local.get $k)))
                               (v128.load (i32.add (local.get $b) (local.get $k)))))
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
      (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row))))
    (call $hsum (local.get $acc)))

  ;; One query against rows p0, p0+row, p0+2row, p0+3row; four results at out.
  (func $l2_1x4 (param $q i32) (param $p0 i32) (param $row i32) (param $out i32)
    (local $k i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $qv v128) (local $d v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $p1 (i32.add (local.get $p0) (local.get $row)))
    (local.set $p2 (i32.add (local.get $p1) (local.get $row)))
    (local.set $p3 (i32.add (local.get $p2) (local.get $row)))
    (loop $dims
          (local.set $qv (v128.load (i32.add (local.get $q) (local.get $k))))
          (local.set $d (f32x4.sub (local.get $qv) (v128.load (i32.add (local.get $p0) (local.get $k)))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $d) (local.get $d))))
          (local.set $d (f32x4.sub (local.get $qv) (v128.load (i32.add (local.get $p1) (local.get $k)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $d) (local.get $d))))
          (local.set $d (f32x4.sub (local.get $qv) (v128.load (i32.add (local.get $p2) (local.get $k)))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $d) (local.get $d))))
          (local.set $d (f32x4.sub (local.get $qv) (v128.load (i32.add (local.get $p3) (local.get $k)))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $d) (local.get $d))))
      (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row))))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a0)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a1)))
    (f32.store offset=8 (local.get $out) (call $hsum (local.get $a2)))
    (f32.store offset=12 (local.get $out) (call $hsum (local.get $a3))))

  ;; The hot loops live in small callees (here and in the 4x2 kernels) so that V8 tiers them up to optimised code
  ;; during the first long call; a loop inside a single long call would run it all in the baseline compiler.
  (func $l2_1 (export "l2_1") (param $q i32) (param $base i32) (param $n i32) (param $stride i32) (param $out i32)
    (local $row i32) (local $j i32)
    (local.set $row (i32.shl (local.get $stride) (i32.const 2)))
    (block $tail
      (loop $rows
        (br_if $tail (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (call $l2_1x4 (local.get $q) (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row)))
          (local.get $row) (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $rows)))
    ;; the last 0-3 rows
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (call $l2_pair (local.get $q) (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row)))
                          (local.get $row)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rest))))

  ;; Queries q, q+row, q+2row, q+3row against rows b and b+row; results at out (+4) and the next three out rows.
  (func $l2_4x2 (param $q i32) (param $b i32) (param $row i32) (param $out i32) (param $outRow i32)
    (local $k i32) (local $q1 i32) (local $q2 i32) (local $q3 i32) (local $b1 i32)
    (local $r0 v128) (local $r1 v128) (local $qv v128) (local $d v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $q1 (i32.add (local.get $q) (local.get $row)))
    (local.set $q2 (i32.add (local.get $q1) (local.get $row)))
    (local.set $q3 (i32.add (local.get $q2) (local.get $row)))
    (local.set $b1 (i32.add (local.get $b) (local.get $row)))
    (loop $dims
      (local.set $r0 (v128.load (i32.add (local.get $b) (local.get $k))))
      (local.set $r1 (v128.load (i32.add (local.get $b1) (local.get $k))))
      (local.set $qv (v128.load (i32.add (local.get $q) (local.get $k))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r0)))
      (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r1)))
      (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $qv (v128.load (i32.add (local.get $q1) (local.get $k))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r0)))
      (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r1)))
      (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $qv (v128.load (i32.add (local.get $q2) (local.get $k))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r0)))
      (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r1)))
      (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $qv (v128.load (i32.add (local.get $q3) (local.get $k))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r0)))
      (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $qv) (local.get $r1)))
      (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $d) (local.get $d))))
      (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row))))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a00)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a01)))
    (local.set $out (i32.add (local.get $out) (local.get $outRow)))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a10)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a11)))
    (local.set $out (i32.add (local.get $out) (local.get $outRow)))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a20)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a21)))
    (local.set $out (i32.add (local.get $out) (local.get $outRow)))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a30)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a31))))

  (func (export "l2_m") (param $qs i32) (param $nq i32) (param $base i32) (param $n i32) (param $stride i32)
                        (param $out i32) (param $tile i32)
    (local $row i32) (local $outRow i32) (local $t0 i32) (local $t1 i32) (local $i i32) (local $j i32)
    (local $qp i32) (local $op i32) (local $bp i32)
    (local.set $row (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $outRow (i32.shl (local.get $n) (i32.const 2)))
    (block $tiles_done
      (loop $tiles
        (br_if $tiles_done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (i32.add (local.get $t0) (local.get $tile)) (local.get $n)
                               (i32.lt_u (i32.add (local.get $t0) (local.get $tile)) (local.get $n))))
        ;; groups of four queries
        (local.set $i (i32.const 0))
        (block $groups_done
          (loop $groups
            (br_if $groups_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $nq)))
            (local.set $qp (i32.add (local.get $qs) (i32.mul (local.get $i) (local.get $row))))
            (local.set $op (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $outRow))))
            (local.set $j (local.get $t0))
            (block $pairs_done
              (loop $pairs
                (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $t1)))
                (call $l2_4x2 (local.get $qp) (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row)))
                  (local.get $row) (i32.add (local.get $op) (i32.shl (local.get $j) (i32.const 2))) (local.get $outRow))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $pairs)))
            (if (i32.lt_u (local.get $j) (local.get $t1))
              (then
                (local.set $bp (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row))))
                (local.set $op (i32.add (local.get $op) (i32.shl (local.get $j) (i32.const 2))))
                (f32.store (local.get $op) (call $l2_pair (local.get $qp) (local.get $bp) (local.get $row)))
                (local.set $op (i32.add (local.get $op) (local.get $outRow)))
                (local.set $qp (i32.add (local.get $qp) (local.get $row)))
                (f32.store (local.get $op) (call $l2_pair (local.get $qp) (local.get $bp) (local.get $row)))
                (local.set $op (i32.add (local.get $op) (local.get $outRow)))
                (local.set $qp (i32.add (local.get $qp) (local.get $row)))
                (f32.store (local.get $op) (call $l2_pair (local.get $qp) (local.get $bp) (local.get $row)))
                (local.set $op (i32.add (local.get $op) (local.get $outRow)))
                (local.set $qp (i32.add (local.get $qp) (local.get $row)))
                (f32.store (local.get $op) (call $l2_pair (local.get $qp) (local.get $bp) (local.get $row)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $groups)))
        ;; the last 0-3 queries, one at a time over the tile
        (block $singles_done
          (loop $singles
            (br_if $singles_done (i32.ge_u (local.get $i) (local.get $nq)))
            (call $l2_1 (i32.add (local.get $qs) (i32.mul (local.get $i) (local.get $row)))
              (i32.add (local.get $base) (i32.mul (local.get $t0) (local.get $row)))
              (i32.sub (local.get $t1) (local.get $t0)) (local.get $stride)
              (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $outRow)))
                       (i32.shl (local.get $t0) (i32.const 2))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $singles)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))

  ;; --------------------------------------------------------------------------------------------- dot product

  (func $dot_pair (param $q i32) (param $b i32) (param $row i32) (result f32)
    (local $k i32) (local $acc v128)
    (loop $dims
      (local.set $acc (f32x4.add (local.get $acc)
        (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $k)))
                   (v128.load (i32.add (local.get $b) (local.get $k))))))
      (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row))))
    (call $hsum (local.get $acc)))

  ;; One query against rows p0, p0+row, p0+2row, p0+3row; four results at out.
  (func $dot_1x4 (param $q i32) (param $p0 i32) (param $row i32) (param $out i32)
    (local $k i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $qv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $p1 (i32.add (local.get $p0) (local.get $row)))
    (local.set $p2 (i32.add (local.get $p1) (local.get $row)))
    (local.set $p3 (i32.add (local.get $p2) (local.get $row)))
    (loop $dims
          (local.set $qv (v128.load (i32.add (local.get $q) (local.get $k))))
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p0) (local.get $k))))))
          (local.set $a1 (f32x4.add (local.get $a1)
            (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p1) (local.get $k))))))
          (local.set $a2 (f32x4.add (local.get $a2)
            (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p2) (local.get $k))))))
          (local.set $a3 (f32x4.add (local.get $a3)
            (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p3) (local.get $k))))))
      (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row))))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a0)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a1)))
    (f32.store offset=8 (local.get $out) (call $hsum (local.get $a2)))
    (f32.store offset=12 (local.get $out) (call $hsum (local.get $a3))))

  ;; The hot loops live in small callees (here and in the 4x2 kernels) so that V8 tiers them up to optimised code
  ;; during the first long call; a loop inside a single long call would run it all in the baseline compiler.
  (func $dot_1 (export "dot_1") (param $q i32) (param $base i32) (param $n i32) (param $stride i32) (param $out i32)
    (local $row i32) (local $j i32)
    (local.set $row (i32.shl (local.get $stride) (i32.const 2)))
    (block $tail
      (loop $rows
        (br_if $tail (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (call $dot_1x4 (local.get $q) (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row)))
          (local.get $row) (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $rows)))
    ;; the last 0-3 rows
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (call $dot_pair (local.get $q) (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row)))
                          (local.get $row)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rest))))

  (func $dot_4x2 (param $q i32) (param $b i32) (param $row i32) (param $out i32) (param $outRow i32)
    (local $k i32) (local $q1 i32) (local $q2 i32) (local $q3 i32) (local $b1 i32)
    (local $r0 v128) (local $r1 v128) (local $qv v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $q1 (i32.add (local.get $q) (local.get $row)))
    (local.set $q2 (i32.add (local.get $q1) (local.get $row)))
    (local.set $q3 (i32.add (local.get $q2) (local.get $row)))
    (local.set $b1 (i32.add (local.get $b) (local.get $row)))
    (loop $dims
      (local.set $r0 (v128.load (i32.add (local.get $b) (local.get $k))))
      (local.set $r1 (v128.load (i32.add (local.get $b1) (local.get $k))))
      (local.set $qv (v128.load (i32.add (local.get $q) (local.get $k))))
      (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $qv) (local.get $r0))))
      (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $qv) (local.get $r1))))
      (local.set $qv (v128.load (i32.add (local.get $q1) (local.get $k))))
      (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $qv) (local.get $r0))))
      (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $qv) (local.get $r1))))
      (local.set $qv (v128.load (i32.add (local.get $q2) (local.get $k))))
      (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $qv) (local.get $r0))))
      (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $qv) (local.get $r1))))
      (local.set $qv (v128.load (i32.add (local.get $q3) (local.get $k))))
      (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $qv) (local.get $r0))))
      (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $qv) (local.get $r1))))
      (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row))))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a00)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a01)))
    (local.set $out (i32.add (local.get $out) (local.get $outRow)))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a10)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a11)))
    (local.set $out (i32.add (local.get $out) (local.get $outRow)))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a20)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a21)))
    (local.set $out (i32.add (local.get $out) (local.get $outRow)))
    (f32.store offset=0 (local.get $out) (call $hsum (local.get $a30)))
    (f32.store offset=4 (local.get $out) (call $hsum (local.get $a31))))

  (func (export "dot_m") (param $qs i32) (param $nq i32) (param $base i32) (param $n i32) (param $stride i32)
                         (param $out i32) (param $tile i32)
    (local $row i32) (local $outRow i32) (local $t0 i32) (local $t1 i32) (local $i i32) (local $j i32)
    (local $qp i32) (local $op i32) (local $bp i32)
    (local.set $row (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $outRow (i32.shl (local.get $n) (i32.const 2)))
    (block $tiles_done
      (loop $tiles
        (br_if $tiles_done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (i32.add (local.get $t0) (local.get $tile)) (local.get $n)
                               (i32.lt_u (i32.add (local.get $t0) (local.get $tile)) (local.get $n))))
        (local.set $i (i32.const 0))
        (block $groups_done
          (loop $groups
            (br_if $groups_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $nq)))
            (local.set $qp (i32.add (local.get $qs) (i32.mul (local.get $i) (local.get $row))))
            (local.set $op (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $outRow))))
            (local.set $j (local.get $t0))
            (block $pairs_done
              (loop $pairs
                (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $t1)))
                (call $dot_4x2 (local.get $qp) (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row)))
                  (local.get $row) (i32.add (local.get $op) (i32.shl (local.get $j) (i32.const 2))) (local.get $outRow))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $pairs)))
            (if (i32.lt_u (local.get $j) (local.get $t1))
              (then
                (local.set $bp (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row))))
                (local.set $op (i32.add (local.get $op) (i32.shl (local.get $j) (i32.const 2))))
                (f32.store (local.get $op) (call $dot_pair (local.get $qp) (local.get $bp) (local.get $row)))
                (local.set $op (i32.add (local.get $op) (local.get $outRow)))
                (local.set $qp (i32.add (local.get $qp) (local.get $row)))
                (f32.store (local.get $op) (call $dot_pair (local.get $qp) (local.get $bp) (local.get $row)))
                (local.set $op (i32.add (local.get $op) (local.get $outRow)))
                (local.set $qp (i32.add (local.get $qp) (local.get $row)))
                (f32.store (local.get $op) (call $dot_pair (local.get $qp) (local.get $bp) (local.get $row)))
                (local.set $op (i32.add (local.get $op) (local.get $outRow)))
                (local.set $qp (i32.add (local.get $qp) (local.get $row)))
                (f32.store (local.get $op) (call $dot_pair (local.get $qp) (local.get $bp) (local.get $row)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $groups)))
        (block $singles_done
          (loop $singles
            (br_if $singles_done (i32.ge_u (local.get $i) (local.get $nq)))
            (call $dot_1 (i32.add (local.get $qs) (i32.mul (local.get $i) (local.get $row)))
              (i32.add (local.get $base) (i32.mul (local.get $t0) (local.get $row)))
              (i32.sub (local.get $t1) (local.get $t0)) (local.get $stride)
              (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $outRow)))
                       (i32.shl (local.get $t0) (i32.const 2))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $singles)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))

  ;; ------------------------------------------------------------------------------------ norms and finishing

  ;; The norms of rows p0, p0+row, p0+2row, p0+3row, written at out.
  (func $norm_1x4 (param $p0 i32) (param $row i32) (param $out i32)
    (local $k i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $p1 (i32.add (local.get $p0) (local.get $row)))
    (local.set $p2 (i32.add (local.get $p1) (local.get $row)))
    (local.set $p3 (i32.add (local.get $p2) (local.get $row)))
    (loop $dims
      (local.set $v (v128.load (i32.add (local.get $p0) (local.get $k))))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (local.get $v))))
      (local.set $v (v128.load (i32.add (local.get $p1) (local.get $k))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (local.get $v))))
      (local.set $v (v128.load (i32.add (local.get $p2) (local.get $k))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (local.get $v))))
      (local.set $v (v128.load (i32.add (local.get $p3) (local.get $k))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (local.get $v))))
      (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $row))))
    (f32.store offset=0 (local.get $out) (f32.sqrt (call $hsum (local.get $a0))))
    (f32.store offset=4 (local.get $out) (f32.sqrt (call $hsum (local.get $a1))))
    (f32.store offset=8 (local.get $out) (f32.sqrt (call $hsum (local.get $a2))))
    (f32.store offset=12 (local.get $out) (f32.sqrt (call $hsum (local.get $a3)))))

  (func (export "norms") (param $base i32) (param $n i32) (param $stride i32) (param $out i32)
    (local $row i32) (local $j i32) (local $p i32)
    (local.set $row (i32.shl (local.get $stride) (i32.const 2)))
    (block $tail
      (loop $rows
        (br_if $tail (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (call $norm_1x4 (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row))) (local.get $row)
          (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $rows)))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $p (i32.add (local.get $base) (i32.mul (local.get $j) (local.get $row))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (f32.sqrt (call $dot_pair (local.get $p) (local.get $p) (local.get $row))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rest))))

  (func (export "finish_dot") (param $out i32) (param $n i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vec_done
      (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $out) (local.get $end4)))
        (v128.store (local.get $out) (f32x4.sub (v128.const f32x4 1 1 1 1) (v128.load (local.get $out))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $vec)))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out) (f32.sub (f32.const 1) (f32.load (local.get $out))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $rest))))

  (func (export "finish_cos") (param $out i32) (param $n i32) (param $qnorm f32) (param $norms i32)
    (local $end i32) (local $end4 i32) (local $qn v128) (local $den v128) (local $den1 f32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $qn (f32x4.splat (local.get $qnorm)))
    (block $vec_done
      (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $out) (local.get $end4)))
        (local.set $den (f32x4.mul (local.get $qn) (v128.load (local.get $norms))))
        ;; lanes whose denominator is 0 (a zero vector) get distance 1
        (v128.store (local.get $out)
          (v128.bitselect
            (v128.const f32x4 1 1 1 1)
            (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.div (v128.load (local.get $out)) (local.get $den)))
            (f32x4.eq (local.get $den) (v128.const f32x4 0 0 0 0))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $norms (i32.add (local.get $norms) (i32.const 16)))
        (br $vec)))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $den1 (f32.mul (local.get $qnorm) (f32.load (local.get $norms))))
        (f32.store (local.get $out)
          (select (f32.const 1)
                  (f32.sub (f32.const 1) (f32.div (f32.load (local.get $out)) (local.get $den1)))
                  (f32.eq (local.get $den1) (f32.const 0))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $norms (i32.add (local.get $norms) (i32.const 4)))
        (br $rest))))
)
