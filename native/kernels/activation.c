/* Activations and their gradients, with TF.js's formulas (written in terms of the output y = act(z) where TF.js does). */
#include <math.h>
#include "kernels.h"

static const float SQRT1_2 = 0.70710678118654752440f;   /* 1/√2 */
static const float INV_SQRT_2PI = 0.39894228040143267794f; /* 1/√(2π) */

static inline float activate(int act, float z) {
  switch (act) {
    case ACT_RELU: return z > 0.0f ? z : (z != z ? z : 0.0f); /* TF.js Relu: max(x, 0), NaN stays NaN */
    case ACT_TANH: return tanhf(z);
    case ACT_SIGMOID: return 1.0f / (1.0f + expf(-z));
    case ACT_ELU: return z >= 0.0f ? z : expm1f(z);
    case ACT_GELU: return 0.5f * z * (1.0f + erff(z * SQRT1_2)); /* exact GELU (PyTorch's default), not the tanh approximation */
    default: return z;
  }
}

void activation_forward(int act, size_t count, const float *z, float *h) {
  if (act == ACT_RELU) {
    for (size_t i = 0; i < count; i++) {
      float zi = z[i];
      h[i] = zi > 0.0f ? zi : (zi != zi ? zi : 0.0f);
    }
    return;
  }
  for (size_t i = 0; i < count; i++) h[i] = activate(act, z[i]);
}

void activation_backward(int act, size_t count, const float *z, const float *dh, float *dz) {
  switch (act) {
    case ACT_RELU:
      /* TF.js: dy · step(x); a product with a 0/1 mask (not a branch), so that it vectorises */
      for (size_t i = 0; i < count; i++) dz[i] = dh[i] * (z[i] > 0.0f ? 1.0f : 0.0f);
      break;
    case ACT_TANH:
      for (size_t i = 0; i < count; i++) { float y = tanhf(z[i]); dz[i] = dh[i] * (1.0f - y * y); }
      break;
    case ACT_SIGMOID:
      for (size_t i = 0; i < count; i++) { float y = 1.0f / (1.0f + expf(-z[i])); dz[i] = dh[i] * (y * (1.0f - y)); }
      break;
    case ACT_ELU:
      for (size_t i = 0; i < count; i++) {
        float zi = z[i], y = zi >= 0.0f ? zi : expm1f(zi);
        dz[i] = y >= 0.0f ? dh[i] : dh[i] * (y + 1.0f);
      }
      break;
    case ACT_GELU:
      /* d/dz ½z(1 + erf(z/√2)) = ½(1 + erf(z/√2)) + z·φ(z) */
      for (size_t i = 0; i < count; i++) {
        float zi = z[i];
        dz[i] = dh[i] * (0.5f * (1.0f + erff(zi * SQRT1_2)) + zi * INV_SQRT_2PI * expf(-0.5f * zi * zi));
      }
      break;
    default:
      if (dz != dh) for (size_t i = 0; i < count; i++) dz[i] = dh[i];
  }
}
