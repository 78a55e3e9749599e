/*
 * The one place that calls a BLAS: OpenBLAS's cblas_sgemm in the native addon. A WebAssembly build
 * compiles every other kernel unchanged and links its own ls_sgemm instead of this file.
 */
#include <cblas.h>
#include <string.h>
#include "kernels.h"

void ls_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta,
              c, ldc);
}

void ls_matmul(int trans_a, int trans_b, int m, int n, int k, const float *a, const float *b, float beta, float *c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == 0.0f) memset(c, 0, sizeof(float) * (size_t)m * n);
    return;
  }
  ls_sgemm(trans_a, trans_b, m, n, k, 1.0f, a, trans_a ? m : k, b, trans_b ? k : n, beta, c, n);
}

void ls_blas_set_threads(int threads) { openblas_set_num_threads(threads); }

const char *ls_blas_config(void) {
  const char *cfg = openblas_get_config();
  return cfg ? cfg : "";
}
