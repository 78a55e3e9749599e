/* Dense layers: z = x·W + b and its gradients, the products in ls_sgemm. */
#include <string.h>
#include "kernels.h"

void dense_forward(int n, int in, int out, const float *x, const float *w, const float *bias, float *z) {
  ls_matmul(0, 0, n, out, in, x, w, 0.0f, z);
  if (!bias) return;
  for (int i = 0; i < n; i++) {
    float *zr = z + (size_t)i * out;
    for (int j = 0; j < out; j++) zr[j] += bias[j];
  }
}

void bias_activation(size_t rows, int cols, const float *bias, int act, float *z, float *out) {
  if (act == ACT_NONE || act == ACT_RELU) {
    for (size_t i = 0; i < rows; i++) {
      const float *zr = z + i * cols;
      float *o = out + i * cols;
      if (act == ACT_NONE) for (int j = 0; j < cols; j++) o[j] = zr[j] + bias[j];
      else for (int j = 0; j < cols; j++) { float v = zr[j] + bias[j]; o[j] = v > 0.0f ? v : (v != v ? v : 0.0f); }
    }
    return;
  }
  for (size_t i = 0; i < rows; i++) {
    float *zr = z + i * cols;
    for (int j = 0; j < cols; j++) zr[j] += bias[j];
  }
  activation_forward(act, rows * cols, z, out);
}

void column_sums(size_t rows, int cols, const float *x, float *out) {
  memset(out, 0, sizeof(float) * (size_t)cols);
  for (size_t i = 0; i < rows; i++) {
    const float *r = x + i * cols;
    for (int j = 0; j < cols; j++) out[j] += r[j];
  }
}

void dense_backward(int n, int in, int out, const float *x, const float *w, const float *dz, float *dw, float *db, float *dx) {
  ls_matmul(1, 0, in, out, n, x, dz, 0.0f, dw); /* dW = xᵀ·dz */
  column_sums((size_t)n, out, dz, db);           /* db = Σ_rows dz */
  if (dx) ls_matmul(0, 1, n, in, out, dz, w, 0.0f, dx); /* dx = dz·Wᵀ */
}
