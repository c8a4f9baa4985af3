;; Gram kernels of the moment pass (METHOD.md §2): out += P^T P over packed column panels.
;; Source of src/core/kernels/gram-wasm.generated.ts (assembled by scripts/build-kernels.mjs with wabt).
;;
;; Panels: the centred chunk is stored as `npan` panels, each `rows` x PW values, row-major inside
;; the panel (32 bytes a row: PW = 4 for f64, 8 for f32). Panel k holds columns PW k .. PW k + PW - 1.
;; out: float64, row-major with `ld` columns; only tiles with panel(J) >= panel(I) are written, so
;; the upper triangle (and parts of the diagonal tiles' lower halves) receive sum_r x_ri x_rj.
;; Register tile: 4 rows (broadcast) x 2 vectors (PW columns) = 8 accumulators.
(module
  (memory (export "memory") 1)

  ;; float64 lanes: out[(4 ip + a) ld + 4 jp + b] += sum_r P_ip[r, a] P_jp[r, b]
  (func (export "gram_f64")
    (param $pan i32) (param $rows i32) (param $npan i32) (param $out i32) (param $ld i32)
    (local $ip i32) (local $jp i32) (local $pa i32) (local $pb i32) (local $end i32)
    (local $o i32) (local $stride i32) (local $ldb i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (if (i32.eqz (local.get $rows)) (then (return)))
    (local.set $stride (i32.shl (local.get $rows) (i32.const 5)))
    (local.set $ldb (i32.shl (local.get $ld) (i32.const 3)))
    (local.set $ip (i32.const 0))
    (block $done_i
      (loop $loop_i
        (br_if $done_i (i32.ge_u (local.get $ip) (local.get $npan)))
        (local.set $jp (local.get $ip))
        (block $done_j
          (loop $loop_j
            (br_if $done_j (i32.ge_u (local.get $jp) (local.get $npan)))
            (local.set $pa (i32.add (local.get $pan) (i32.mul (local.get $ip) (local.get $stride))))
            (local.set $pb (i32.add (local.get $pan) (i32.mul (local.get $jp) (local.get $stride))))
            (local.set $end (i32.add (local.get $pa) (local.get $stride)))
            (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0)) (local.set $c21 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0)) (local.set $c31 (v128.const i64x2 0 0))
            (loop $loop_r
              (local.set $b0 (v128.load offset=0 (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $a0 (v128.load64_splat offset=0 (local.get $pa)))
              (local.set $a1 (v128.load64_splat offset=8 (local.get $pa)))
              (local.set $a2 (v128.load64_splat offset=16 (local.get $pa)))
              (local.set $a3 (v128.load64_splat offset=24 (local.get $pa)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a0) (local.get $b0))))
              (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a0) (local.get $b1))))
              (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a1) (local.get $b0))))
              (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a1) (local.get $b1))))
              (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a2) (local.get $b0))))
              (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a2) (local.get $b1))))
              (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a3) (local.get $b0))))
              (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a3) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
              (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
              (br_if $loop_r (i32.lt_u (local.get $pa) (local.get $end))))
            ;; o = out + (4 ip ld + 4 jp) * 8
            (local.set $o (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (i32.shl (local.get $ip) (i32.const 2)) (local.get $ld))
                                (i32.shl (local.get $jp) (i32.const 2))) (i32.const 3))))
            (v128.store offset=0 (local.get $o) (f64x2.add (v128.load offset=0 (local.get $o)) (local.get $c00)))
            (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $c01)))
            (local.set $o (i32.add (local.get $o) (local.get $ldb)))
            (v128.store offset=0 (local.get $o) (f64x2.add (v128.load offset=0 (local.get $o)) (local.get $c10)))
            (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $c11)))
            (local.set $o (i32.add (local.get $o) (local.get $ldb)))
            (v128.store offset=0 (local.get $o) (f64x2.add (v128.load offset=0 (local.get $o)) (local.get $c20)))
            (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $c21)))
            (local.set $o (i32.add (local.get $o) (local.get $ldb)))
            (v128.store offset=0 (local.get $o) (f64x2.add (v128.load offset=0 (local.get $o)) (local.get $c30)))
            (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $c31)))
            (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
            (br $loop_j)))
        (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
        (br $loop_i))))

  ;; float32 lanes, float32 sums over the `rows` of one call, flushed into float64 `out`:
  ;; tile row block ii = 2 ip + h covers columns 8 ip + 4 h .. + 3 (broadcast), tile columns 8 jp .. + 7.
  (func (export "gram_f32")
    (param $pan i32) (param $rows i32) (param $npan i32) (param $out i32) (param $ld i32)
    (local $ii i32) (local $ip i32) (local $jp i32) (local $pa i32) (local $pb i32) (local $end i32)
    (local $o i32) (local $stride i32) (local $ldb i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (if (i32.eqz (local.get $rows)) (then (return)))
    (local.set $stride (i32.shl (local.get $rows) (i32.const 5)))
    (local.set $ldb (i32.shl (local.get $ld) (i32.const 3)))
    (local.set $ii (i32.const 0))
    (block $done_i
      (loop $loop_i
        (br_if $done_i (i32.ge_u (local.get $ii) (i32.shl (local.get $npan) (i32.const 1))))
        (local.set $ip (i32.shr_u (local.get $ii) (i32.const 1)))
        (local.set $jp (local.get $ip))
        (block $done_j
          (loop $loop_j
            (br_if $done_j (i32.ge_u (local.get $jp) (local.get $npan)))
            (local.set $pa (i32.add
              (i32.add (local.get $pan) (i32.mul (local.get $ip) (local.get $stride)))
              (i32.shl (i32.and (local.get $ii) (i32.const 1)) (i32.const 4))))
            (local.set $pb (i32.add (local.get $pan) (i32.mul (local.get $jp) (local.get $stride))))
            (local.set $end (i32.add (local.get $pa) (local.get $stride)))
            (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0)) (local.set $c21 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0)) (local.set $c31 (v128.const i64x2 0 0))
            (loop $loop_r
              (local.set $b0 (v128.load offset=0 (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $a0 (v128.load32_splat offset=0 (local.get $pa)))
              (local.set $a1 (v128.load32_splat offset=4 (local.get $pa)))
              (local.set $a2 (v128.load32_splat offset=8 (local.get $pa)))
              (local.set $a3 (v128.load32_splat offset=12 (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $b1))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
              (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
              (br_if $loop_r (i32.lt_u (local.get $pa) (local.get $end))))
            ;; o = out + ((8 ip + 4 h) ld + 8 jp) * 8 = out + (4 ii ld + 8 jp) * 8
            (local.set $o (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (i32.shl (local.get $ii) (i32.const 2)) (local.get $ld))
                                (i32.shl (local.get $jp) (i32.const 3))) (i32.const 3))))
            (call $flush (local.get $o) (local.get $c00) (local.get $c01))
            (local.set $o (i32.add (local.get $o) (local.get $ldb)))
            (call $flush (local.get $o) (local.get $c10) (local.get $c11))
            (local.set $o (i32.add (local.get $o) (local.get $ldb)))
            (call $flush (local.get $o) (local.get $c20) (local.get $c21))
            (local.set $o (i32.add (local.get $o) (local.get $ldb)))
            (call $flush (local.get $o) (local.get $c30) (local.get $c31))
            (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
            (br $loop_j)))
        (local.set $ii (i32.add (local.get $ii) (i32.const 1)))
        (br $loop_i))))

  ;; out[0..8) (float64) += the 8 float32 lanes of lo, hi
  (func $flush (param $o i32) (param $lo v128) (param $hi v128)
    (v128.store offset=0 (local.get $o)
      (f64x2.add (v128.load offset=0 (local.get $o)) (f64x2.promote_low_f32x4 (local.get $lo))))
    (v128.store offset=16 (local.get $o)
      (f64x2.add (v128.load offset=16 (local.get $o)) (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo)))))
    (v128.store offset=32 (local.get $o)
      (f64x2.add (v128.load offset=32 (local.get $o)) (f64x2.promote_low_f32x4 (local.get $hi))))
    (v128.store offset=48 (local.get $o)
      (f64x2.add (v128.load offset=48 (local.get $o)) (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))))))
)
