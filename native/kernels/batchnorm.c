/*
 * Batch normalisation per channel over rows (n·h·w rows of c channels, NHWC), in the formulation of
 * Ioffe & Szegedy: training normalises with the batch's mean and biased variance and updates running
 * statistics; inference uses the running statistics. Sums are accumulated in double: a channel of a
 * conv layer sums over tens of thousands of rows.
 */
#include <math.h>
#include <stdlib.h>
#include "kernels.h"

void batch_norm_train_forward(size_t rows, int c, const float *x, const float *gamma, const float *beta, float eps, float *mean, float *var,
                              float *inv_std, float *xhat, float *y) {
  double sums[c > 0 ? c : 1];
  for (int ch = 0; ch < c; ch++) sums[ch] = 0.0;
  for (size_t i = 0; i < rows; i++) {
    const float *r = x + i * c;
    for (int ch = 0; ch < c; ch++) sums[ch] += r[ch];
  }
  for (int ch = 0; ch < c; ch++) { mean[ch] = (float)(sums[ch] / (double)rows); sums[ch] = 0.0; }
  for (size_t i = 0; i < rows; i++) {
    const float *r = x + i * c;
    for (int ch = 0; ch < c; ch++) { float d = r[ch] - mean[ch]; sums[ch] += (double)d * d; }
  }
  for (int ch = 0; ch < c; ch++) {
    var[ch] = (float)(sums[ch] / (double)rows);
    inv_std[ch] = 1.0f / sqrtf(var[ch] + eps);
  }
  for (size_t i = 0; i < rows; i++) {
    const float *r = x + i * c;
    float *h = xhat + i * c, *o = y + i * c;
    for (int ch = 0; ch < c; ch++) {
      float v = (r[ch] - mean[ch]) * inv_std[ch];
      h[ch] = v;
      o[ch] = v * gamma[ch] + beta[ch];
    }
  }
}

void batch_norm_infer_forward(size_t rows, int c, const float *x, const float *gamma, const float *beta, const float *run_mean,
                              const float *run_var, float eps, float *y) {
  float inv_std[c > 0 ? c : 1];
  for (int ch = 0; ch < c; ch++) inv_std[ch] = 1.0f / sqrtf(run_var[ch] + eps);
  for (size_t i = 0; i < rows; i++) {
    const float *r = x + i * c;
    float *o = y + i * c;
    for (int ch = 0; ch < c; ch++) o[ch] = (r[ch] - run_mean[ch]) * inv_std[ch] * gamma[ch] + beta[ch];
  }
}

void batch_norm_backward(size_t rows, int c, const float *xhat, const float *gamma, const float *inv_std, const float *dy, float *dgamma,
                         float *dbeta, float *dx) {
  double sum_dy[c > 0 ? c : 1], sum_dy_xhat[c > 0 ? c : 1];
  for (int ch = 0; ch < c; ch++) sum_dy[ch] = sum_dy_xhat[ch] = 0.0;
  for (size_t i = 0; i < rows; i++) {
    const float *g = dy + i * c, *h = xhat + i * c;
    for (int ch = 0; ch < c; ch++) { sum_dy[ch] += g[ch]; sum_dy_xhat[ch] += (double)g[ch] * h[ch]; }
  }
  float scale[c > 0 ? c : 1], mean_dy[c > 0 ? c : 1], mean_dy_xhat[c > 0 ? c : 1];
  for (int ch = 0; ch < c; ch++) {
    dbeta[ch] = (float)sum_dy[ch];
    dgamma[ch] = (float)sum_dy_xhat[ch];
    scale[ch] = gamma[ch] * inv_std[ch];
    mean_dy[ch] = (float)(sum_dy[ch] / (double)rows);
    mean_dy_xhat[ch] = (float)(sum_dy_xhat[ch] / (double)rows);
  }
  if (!dx) return;
  for (size_t i = 0; i < rows; i++) {
    const float *g = dy + i * c, *h = xhat + i * c;
    float *d = dx + i * c;
    for (int ch = 0; ch < c; ch++) d[ch] = scale[ch] * (g[ch] - mean_dy[ch] - h[ch] * mean_dy_xhat[ch]);
  }
}

void batch_norm_update_running(int c, size_t rows, float momentum, const float *mean, const float *var, float *run_mean, float *run_var) {
  const float unbias = rows > 1 ? (float)((double)rows / (double)(rows - 1)) : 1.0f;
  for (int ch = 0; ch < c; ch++) {
    run_mean[ch] = momentum * run_mean[ch] + (1.0f - momentum) * mean[ch];
    run_var[ch] = momentum * run_var[ch] + (1.0f - momentum) * (var[ch] * unbias);
  }
}
