/*
 * The WebAssembly build's sgemm (blas.c calls it there instead of OpenBLAS): C = alpha·op(A)·op(B) + beta·C,
 * row-major, blocked for the caches and packed so that a 4 × 8 micro-kernel of SIMD128 registers reads both
 * operands sequentially. Compiled only by scripts/build-wasm.js (clang --target=wasm32-wasi -msimd128).
 *
 * Blocking (GotoBLAS's loop order): for each KC-deep slice of k, pack a KC × NC block of op(B) into
 * NR-wide column panels; for each MC-row block of op(A), pack it into MR-high row panels; then every
 * MR × NR tile of C is one micro-kernel call over the KC products. The summation order depends only on
 * the sizes, so a product is deterministic (the same bits on every run and every thread).
 */
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>
#include "kernels.h"

#define MR 4
#define NR 8
#define KC 256
#define MC 128
#define NC 256

/* op(A)[i][p] for a row-major A with leading dimension lda. */
static inline float a_at(int trans, const float *a, int lda, int i, int p) { return trans ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p]; }

/* Rows [i0, i0+mc) × columns [p0, p0+kc) of op(A) as MR-high panels, each kc columns of MR values (zero-padded). */
static void pack_a(int trans, const float *a, int lda, int i0, int mc, int p0, int kc, float *out) {
  for (int i = 0; i < mc; i += MR) {
    const int rows = mc - i < MR ? mc - i : MR;
    if (!trans && rows == MR) {
      const float *r0 = a + (size_t)(i0 + i) * lda + p0, *r1 = r0 + lda, *r2 = r1 + lda, *r3 = r2 + lda;
      for (int p = 0; p < kc; p++) {
        out[0] = r0[p]; out[1] = r1[p]; out[2] = r2[p]; out[3] = r3[p];
        out += MR;
      }
      continue;
    }
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < MR; r++) out[r] = r < rows ? a_at(trans, a, lda, i0 + i + r, p0 + p) : 0.0f;
      out += MR;
    }
  }
}

/* Rows [p0, p0+kc) × columns [j0, j0+nc) of op(B) as NR-wide panels, each kc rows of NR values (zero-padded). */
static void pack_b(int trans, const float *b, int ldb, int p0, int kc, int j0, int nc, float *out) {
  for (int j = 0; j < nc; j += NR) {
    const int cols = nc - j < NR ? nc - j : NR;
    if (!trans && cols == NR) {
      const float *src = b + (size_t)p0 * ldb + j0 + j;
      for (int p = 0; p < kc; p++, src += ldb, out += NR) {
        wasm_v128_store(out, wasm_v128_load(src));
        wasm_v128_store(out + 4, wasm_v128_load(src + 4));
      }
      continue;
    }
    for (int p = 0; p < kc; p++) {
      for (int c = 0; c < NR; c++) out[c] = c < cols ? (trans ? b[(size_t)(j0 + j + c) * ldb + p0 + p] : b[(size_t)(p0 + p) * ldb + j0 + j + c]) : 0.0f;
      out += NR;
    }
  }
}

/* acc[MR × NR] = Σ_p apanel[p][·] ⊗ bpanel[p][·] */
static inline void micro_kernel(int kc, const float *ap, const float *bp, float *acc) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++, ap += MR, bp += NR) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    v128_t a = wasm_f32x4_splat(ap[0]);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_f32x4_splat(ap[1]);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_f32x4_splat(ap[2]);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_f32x4_splat(ap[3]);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
  }
  wasm_v128_store(acc, c00); wasm_v128_store(acc + 4, c01);
  wasm_v128_store(acc + 8, c10); wasm_v128_store(acc + 12, c11);
  wasm_v128_store(acc + 16, c20); wasm_v128_store(acc + 20, c21);
  wasm_v128_store(acc + 24, c30); wasm_v128_store(acc + 28, c31);
}

/* C tile (rows × cols of it) = scale·C + alpha·acc; scale 0 never reads C (it may hold NaN). */
static inline void store_tile(const float *acc, int rows, int cols, float alpha, float scale, float *c, int ldc) {
  for (int r = 0; r < rows; r++) {
    float *cr = c + (size_t)r * ldc;
    const float *ar = acc + r * NR;
    if (scale == 0.0f) for (int j = 0; j < cols; j++) cr[j] = alpha * ar[j];
    else if (scale == 1.0f) for (int j = 0; j < cols; j++) cr[j] += alpha * ar[j];
    else for (int j = 0; j < cols; j++) cr[j] = scale * cr[j] + alpha * ar[j];
  }
}

static float *packed_a, *packed_b;

void ls_sgemm_blocked(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                      float beta, float *c, int ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    for (int i = 0; i < m; i++) {
      float *cr = c + (size_t)i * ldc;
      if (beta == 0.0f) memset(cr, 0, sizeof(float) * (size_t)n);
      else for (int j = 0; j < n; j++) cr[j] *= beta;
    }
    return;
  }
  /* The packing buffers live as long as the module: one product at a time per instance (a wasm instance has one thread). */
  if (!packed_a) packed_a = aligned_alloc(16, sizeof(float) * (MC + MR) * KC);
  if (!packed_b) packed_b = aligned_alloc(16, sizeof(float) * (NC + NR) * KC);
  if (!packed_a || !packed_b) abort();
  float acc[MR * NR] __attribute__((aligned(16)));
  for (int j0 = 0; j0 < n; j0 += NC) {
    const int nc = n - j0 < NC ? n - j0 : NC;
    for (int p0 = 0; p0 < k; p0 += KC) {
      const int kc = k - p0 < KC ? k - p0 : KC;
      const float scale = p0 == 0 ? beta : 1.0f;
      pack_b(trans_b, b, ldb, p0, kc, j0, nc, packed_b);
      for (int i0 = 0; i0 < m; i0 += MC) {
        const int mc = m - i0 < MC ? m - i0 : MC;
        pack_a(trans_a, a, lda, i0, mc, p0, kc, packed_a);
        for (int j = 0; j < nc; j += NR) {
          const int cols = nc - j < NR ? nc - j : NR;
          for (int i = 0; i < mc; i += MR) {
            const int rows = mc - i < MR ? mc - i : MR;
            micro_kernel(kc, packed_a + (size_t)i * kc, packed_b + (size_t)j * kc, acc);
            store_tile(acc, rows, cols, alpha, scale, c + (size_t)(i0 + i) * ldc + j0 + j, ldc);
          }
        }
      }
    }
  }
}
