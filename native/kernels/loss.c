/*
 * The training objective: loss = −mean_i Σ_k t_ik · logSoftmax(z)_ik with logSoftmax = (z − max) − log Σ exp(z − max),
 * finite at logits of ±50 and beyond; grad = ∂loss/∂z = (softmax(z)·Σ_k t_ik − t_ik) / n.
 */
#include <math.h>
#include <stddef.h>
#include "kernels.h"

double smoothed_cross_entropy(int n, int k, const float *logits, const float *targets, float *log_probs, float *grad) {
  double total = 0.0;
  for (int i = 0; i < n; i++) {
    const float *z = logits + (size_t)i * k;
    const float *t = targets ? targets + (size_t)i * k : NULL;
    float *lp = log_probs + (size_t)i * k;
    float mx = z[0];
    for (int j = 1; j < k; j++) if (z[j] > mx) mx = z[j];
    float sum = 0.0f;
    for (int j = 0; j < k; j++) sum += expf(z[j] - mx);
    float log_sum = logf(sum);
    float row = 0.0f, tsum = 0.0f;
    for (int j = 0; j < k; j++) {
      lp[j] = (z[j] - mx) - log_sum;
      if (t) { row += t[j] * lp[j]; tsum += t[j]; }
    }
    total += row;
    if (grad && t) {
      float *g = grad + (size_t)i * k;
      for (int j = 0; j < k; j++) g[j] = (expf(lp[j]) * tsum - t[j]) / (float)n;
    }
  }
  return n > 0 ? -total / n : 0.0;
}
