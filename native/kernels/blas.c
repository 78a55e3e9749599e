/*
 * The one place that calls a BLAS: cblas_sgemm in the native addon — OpenBLAS, Apple's Accelerate or
 * another CBLAS, as scripts/cblas.js found it (LS_BLAS_OPENBLAS, LS_BLAS_ACCELERATE, LS_BLAS_CBLAS) —
 * and in the WebAssembly build (scripts/build-wasm.js, where __wasm__ is defined) the blocked SIMD128
 * sgemm of sgemm_wasm.c instead. Every other kernel is compiled unchanged for all of them.
 */
#include <string.h>
#include "kernels.h"

#ifdef __wasm__
void ls_sgemm_blocked(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                      float beta, float *c, int ldc);

void ls_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc) {
  ls_sgemm_blocked(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void ls_blas_set_threads(int threads) { (void)threads; }
int ls_blas_threads(void) { return 1; }

const char *ls_blas_config(void) { return "ls-bench blocked sgemm (WebAssembly SIMD128, 4x8 micro-kernel)"; }
#else
#if defined(LS_BLAS_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

void ls_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta,
              c, ldc);
}

#if defined(LS_BLAS_ACCELERATE)
/* Accelerate sizes its own threads (VECLIB_MAXIMUM_THREADS) */
void ls_blas_set_threads(int threads) { (void)threads; }
int ls_blas_threads(void) { return 0; /* Accelerate does not say */ }
const char *ls_blas_config(void) { return "Apple Accelerate"; }
#elif defined(LS_BLAS_CBLAS)
void ls_blas_set_threads(int threads) { (void)threads; }
int ls_blas_threads(void) { return 0; /* a generic CBLAS does not say */ }
const char *ls_blas_config(void) { return "CBLAS"; }
#else
void ls_blas_set_threads(int threads) { openblas_set_num_threads(threads); }
int ls_blas_threads(void) { return openblas_get_num_threads(); }
const char *ls_blas_config(void) {
  const char *cfg = openblas_get_config();
  return cfg ? cfg : "";
}
#endif
#endif

void ls_matmul(int trans_a, int trans_b, int m, int n, int k, const float *a, const float *b, float beta, float *c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == 0.0f) memset(c, 0, sizeof(float) * (size_t)m * n);
    return;
  }
  ls_sgemm(trans_a, trans_b, m, n, k, 1.0f, a, trans_a ? m : k, b, trans_b ? k : n, beta, c, n);
}
