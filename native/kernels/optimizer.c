/* Optimizer updates with TF.js's formulas, and the two kinds of weight decay. */
#include <math.h>
#include "kernels.h"

/* TF.js AdamOptimizer.applyGradients; acc_beta1/2 are beta^t for this step (beta at the first). */
void adam_update(size_t count, float *p, const float *g, float *m, float *v, float lr, float beta1, float beta2, float eps, float acc_beta1,
                 float acc_beta2) {
  const float one_minus_acc1 = 1.0f - acc_beta1, one_minus_acc2 = 1.0f - acc_beta2;
  const float c1 = 1.0f - beta1, c2 = 1.0f - beta2;
  for (size_t i = 0; i < count; i++) {
    float gi = g[i];
    float mi = m[i] * beta1 + gi * c1;
    float vi = v[i] * beta2 + (gi * gi) * c2;
    m[i] = mi;
    v[i] = vi;
    float mhat = mi / one_minus_acc1, vhat = vi / one_minus_acc2;
    p[i] = (mhat / (sqrtf(vhat) + eps)) * -lr + p[i];
  }
}

/* TF.js MomentumOptimizer (no Nesterov): accum = momentum·accum + g; p = −lr·accum + p. */
void momentum_update(size_t count, float *p, const float *g, float *accum, float lr, float momentum) {
  for (size_t i = 0; i < count; i++) {
    float a = momentum * accum[i] + g[i];
    accum[i] = a;
    p[i] = -lr * a + p[i];
  }
}

void l2_decay_gradient(size_t count, const float *p, float *g, float decay) {
  for (size_t i = 0; i < count; i++) g[i] = g[i] + decay * p[i];
}

void decoupled_decay(size_t count, float *p, float factor) {
  for (size_t i = 0; i < count; i++) p[i] = p[i] * factor;
}
