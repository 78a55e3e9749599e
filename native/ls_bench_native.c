/*
 * ls-bench's native CPU backend: a whole MLP training step (forward, smoothed cross-entropy, backward,
 * optimizer update) in C, with the matrix products in OpenBLAS's cblas_sgemm. One call per batch
 * instead of dozens of TensorFlow.js kernels is what removes the per-step bookkeeping that dominates
 * small MLPs. The math mirrors TensorFlow.js (tfjs-core 4.x) op for op, in float32, so a run on this
 * backend matches a run on the cpu backend within float32 rounding (test/engine/native*.test.ts).
 *
 * Layout: kernels are [fanIn × fanOut] row-major, as TF.js stores them; all parameters live in one
 * contiguous buffer (kernel 0, bias 0, kernel 1, bias 1, ...) so the optimizer is one loop.
 */
#include <node_api.h>
#include <pthread.h>
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ACT_RELU = 0, ACT_TANH = 1, ACT_SIGMOID = 2, ACT_ELU = 3 };
enum { OPT_ADAM = 0, OPT_MOMENTUM = 1 };

/* ---------------------------------------------------------------- kernels (pure, exported for tests) */

/* C[m×n] = op(A)·op(B) (+ beta·C), row-major. */
static void matmul(int transA, int transB, int m, int n, int k, const float *a, const float *b, float beta, float *c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == 0.0f) memset(c, 0, sizeof(float) * (size_t)m * n);
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              transA ? m : k, b, transB ? k : n, beta, c, n);
}

static inline float activate(int act, float z) {
  switch (act) {
    case ACT_RELU: return z > 0.0f ? z : 0.0f; /* TF.js Relu: max(x, 0); NaN stays NaN below */
    case ACT_TANH: return tanhf(z);
    case ACT_SIGMOID: return 1.0f / (1.0f + expf(-z));
    default: return z >= 0.0f ? z : expm1f(z);
  }
}

/* z = x·W + b (bias broadcast over rows); h = act(z) ⊙ (mask·keepScale) when mask is given. */
static void dense_forward(int n, int in, int out, const float *x, const float *w, const float *bias, int act, const float *mask,
                          float keep_scale, float *z, float *h) {
  matmul(0, 0, n, out, in, x, w, 0.0f, z);
  for (int i = 0; i < n; i++) {
    float *zr = z + (size_t)i * out;
    for (int j = 0; j < out; j++) zr[j] += bias[j];
  }
  if (!h) return;
  size_t total = (size_t)n * out;
  for (size_t i = 0; i < total; i++) {
    float zi = z[i];
    float v = act == ACT_RELU ? (zi > 0.0f ? zi : (zi != zi ? zi : 0.0f)) : activate(act, zi);
    h[i] = mask ? v * (mask[i] * keep_scale) : v;
  }
}

/* dz = dh ⊙ act'(z), with TF.js's gradient formulas (written in terms of the output y = act(z) where TF.js does). */
static void activation_backward(int act, size_t total, const float *z, const float *dh, float *dz) {
  for (size_t i = 0; i < total; i++) {
    float zi = z[i];
    switch (act) {
      case ACT_RELU: dz[i] = zi > 0.0f ? dh[i] : 0.0f; break;
      case ACT_TANH: { float y = tanhf(zi); dz[i] = dh[i] * (1.0f - y * y); break; }
      case ACT_SIGMOID: { float y = 1.0f / (1.0f + expf(-zi)); dz[i] = dh[i] * (y * (1.0f - y)); break; }
      default: { float y = zi >= 0.0f ? zi : expm1f(zi); dz[i] = y >= 0.0f ? dh[i] : dh[i] * (y + 1.0f); break; }
    }
  }
}

/*
 * loss = −mean_i Σ_k t_ik · logSoftmax(z)_ik, logSoftmax = (z − max) − log Σ exp(z − max).
 * grad (optional) = ∂loss/∂z = (softmax(z)·Σ_k t_ik − t_ik) / n.
 */
static double smoothed_cross_entropy(int n, int k, const float *logits, const float *targets, float *log_probs, float *grad) {
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

/* out[j] = Σ_i x[i][j] (the bias gradient). */
static void column_sums(int rows, int cols, const float *x, float *out) {
  memset(out, 0, sizeof(float) * (size_t)cols);
  for (int i = 0; i < rows; i++) {
    const float *r = x + (size_t)i * cols;
    for (int j = 0; j < cols; j++) out[j] += r[j];
  }
}

/* TF.js AdamOptimizer.applyGradients; acc_beta1/2 are beta^t for this step (beta at the first). */
static void adam_update(size_t count, float *p, const float *g, float *m, float *v, float lr, float beta1, float beta2, float eps,
                        float acc_beta1, float acc_beta2) {
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
static void momentum_update(size_t count, float *p, const float *g, float *accum, float lr, float momentum) {
  for (size_t i = 0; i < count; i++) {
    float a = momentum * accum[i] + g[i];
    accum[i] = a;
    p[i] = -lr * a + p[i];
  }
}

/* ---------------------------------------------------------------- the model */

typedef struct {
  int layers;      /* number of dense layers */
  int *sizes;      /* layers + 1 widths */
  size_t *w_off, *b_off, param_count;
  int act, opt;
  float lr, momentum, beta1, beta2, eps, acc_beta1, acc_beta2, keep_scale;
  float *params, *grads, *m, *v;
  int capacity;    /* rows the scratch buffers hold */
  float **z, **h;  /* per layer: pre-activation and activation (h of the last layer unused) */
  float *delta, *delta2, *logits_grad;
} Mlp;

/* Frees every buffer; the struct stays (marked disposed) until the JS handle is garbage-collected. */
static void mlp_release(Mlp *net) {
  if (net->z) for (int l = 0; l < net->layers; l++) { free(net->z[l]); free(net->h[l]); }
  free(net->z); free(net->h); free(net->delta); free(net->delta2); free(net->logits_grad);
  free(net->params); free(net->grads); free(net->m); free(net->v);
  free(net->sizes); free(net->w_off); free(net->b_off);
  memset(net, 0, sizeof *net);
}

static void mlp_free(Mlp *net) {
  if (!net) return;
  mlp_release(net);
  free(net);
}

static int max_width(const Mlp *net) {
  int w = 0;
  for (int l = 0; l <= net->layers; l++) if (net->sizes[l] > w) w = net->sizes[l];
  return w;
}

static int ensure_capacity(Mlp *net, int rows) {
  if (rows <= net->capacity) return 1;
  for (int l = 0; l < net->layers; l++) {
    size_t len = sizeof(float) * (size_t)rows * net->sizes[l + 1];
    float *z = realloc(net->z[l], len), *h = z ? realloc(net->h[l], len) : NULL;
    if (z) net->z[l] = z;
    if (!z || !h) return 0;
    net->h[l] = h;
  }
  size_t wide = sizeof(float) * (size_t)rows * max_width(net);
  float *d = realloc(net->delta, wide);
  if (!d) return 0;
  net->delta = d;
  d = realloc(net->delta2, wide);
  if (!d) return 0;
  net->delta2 = d;
  d = realloc(net->logits_grad, wide);
  if (!d) return 0;
  net->logits_grad = d;
  net->capacity = rows;
  return 1;
}

/* Forward pass over n rows; returns the logits (net->z[last]). masks: one per hidden layer or NULL. */
static const float *mlp_forward(Mlp *net, int n, const float *x, const float *const *masks) {
  const float *in = x;
  for (int l = 0; l < net->layers; l++) {
    int hidden = l < net->layers - 1;
    dense_forward(n, net->sizes[l], net->sizes[l + 1], in, net->params + net->w_off[l], net->params + net->b_off[l], net->act,
                  hidden && masks ? masks[l] : NULL, net->keep_scale, net->z[l], hidden ? net->h[l] : NULL);
    in = net->h[l];
  }
  return net->z[net->layers - 1];
}

static double mlp_train_step(Mlp *net, int n, const float *x, const float *targets, const float *const *masks, float *log_probs) {
  const float *logits = mlp_forward(net, n, x, masks);
  int k = net->sizes[net->layers];
  double loss = smoothed_cross_entropy(n, k, logits, targets, log_probs, net->logits_grad);
  float *dz = net->logits_grad; /* ∂loss/∂z of the current layer */
  for (int l = net->layers - 1; l >= 0; l--) {
    int in = net->sizes[l], out = net->sizes[l + 1];
    const float *a = l == 0 ? x : net->h[l - 1];
    matmul(1, 0, in, out, n, a, dz, 0.0f, net->grads + net->w_off[l]); /* gW = aᵀ·dz */
    column_sums(n, out, dz, net->grads + net->b_off[l]);                /* gb = Σ_rows dz */
    if (l == 0) break;
    float *da = dz == net->delta ? net->delta2 : net->delta;
    matmul(0, 1, n, in, out, dz, net->params + net->w_off[l], 0.0f, da); /* da = dz·Wᵀ */
    size_t total = (size_t)n * in;
    if (masks) {
      const float *mask = masks[l - 1];
      for (size_t i = 0; i < total; i++) da[i] = da[i] * (mask[i] * net->keep_scale);
    }
    activation_backward(net->act, total, net->z[l - 1], da, da);
    dz = da;
  }
  if (net->opt == OPT_ADAM) {
    adam_update(net->param_count, net->params, net->grads, net->m, net->v, net->lr, net->beta1, net->beta2, net->eps, net->acc_beta1,
                net->acc_beta2);
    net->acc_beta1 = net->acc_beta1 * net->beta1;
    net->acc_beta2 = net->acc_beta2 * net->beta2;
  } else {
    momentum_update(net->param_count, net->params, net->grads, net->m, net->lr, net->momentum);
  }
  return loss;
}

/* ---------------------------------------------------------------- N-API glue */

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) { napi_throw_error(env, NULL, "N-API call failed: " #call); return NULL; } \
  } while (0)

static int get_f32(napi_env env, napi_value value, float **data, size_t *length, const char *what) {
  napi_typedarray_type type;
  size_t len;
  void *ptr;
  napi_value ab;
  size_t off;
  bool is_ta = false;
  napi_is_typedarray(env, value, &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, value, &type, &len, &ptr, &ab, &off) != napi_ok || type != napi_float32_array) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: expected a Float32Array", what);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  *data = (float *)ptr;
  if (length) *length = len;
  return 1;
}

static int need_len(napi_env env, size_t have, size_t want, const char *what) {
  if (have >= want) return 1;
  char msg[200];
  snprintf(msg, sizeof msg, "%s: has %zu values, needs %zu", what, have, want);
  napi_throw_range_error(env, NULL, msg);
  return 0;
}

static int get_int(napi_env env, napi_value v, int *out) { return napi_get_value_int32(env, v, out) == napi_ok; }
static int get_float(napi_env env, napi_value v, float *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  *out = (float)d;
  return 1;
}
static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

#define ARGS(count)                                                  \
  size_t argc = count;                                               \
  napi_value argv[count];                                            \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));       \
  if (argc < count) { napi_throw_type_error(env, NULL, "too few arguments"); return NULL; }

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/* sgemm(transA, transB, m, n, k, a, b, c): c = op(a)·op(b) */
static napi_value js_matmul(napi_env env, napi_callback_info info) {
  ARGS(8);
  int ta, tb, m, n, k;
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!get_int(env, argv[0], &ta) || !get_int(env, argv[1], &tb) || !get_int(env, argv[2], &m) || !get_int(env, argv[3], &n) ||
      !get_int(env, argv[4], &k) || m < 0 || n < 0 || k < 0) { napi_throw_type_error(env, NULL, "matmul: bad sizes"); return NULL; }
  if (!get_f32(env, argv[5], &a, &la, "a") || !get_f32(env, argv[6], &b, &lb, "b") || !get_f32(env, argv[7], &c, &lc, "c")) return NULL;
  if (!need_len(env, la, (size_t)m * k, "a") || !need_len(env, lb, (size_t)k * n, "b") || !need_len(env, lc, (size_t)m * n, "c")) return NULL;
  matmul(ta, tb, m, n, k, a, b, 0.0f, c);
  return NULL;
}

/* denseForward(n, in, out, x, w, b, act, mask|null, keepScale, z, h|null) */
static napi_value js_dense_forward(napi_env env, napi_callback_info info) {
  ARGS(11);
  int n, in, out, act;
  float keep, *x, *w, *b, *mask = NULL, *z, *h = NULL;
  size_t lx, lw, lb, lm, lz, lh;
  if (!get_int(env, argv[0], &n) || !get_int(env, argv[1], &in) || !get_int(env, argv[2], &out) || !get_int(env, argv[6], &act) ||
      !get_float(env, argv[8], &keep) || n < 0 || in < 0 || out < 0 || act < 0 || act > 3) { napi_throw_type_error(env, NULL, "denseForward: bad arguments"); return NULL; }
  if (!get_f32(env, argv[3], &x, &lx, "x") || !get_f32(env, argv[4], &w, &lw, "w") || !get_f32(env, argv[5], &b, &lb, "b") ||
      !get_f32(env, argv[9], &z, &lz, "z")) return NULL;
  if (!is_nullish(env, argv[7]) && (!get_f32(env, argv[7], &mask, &lm, "mask") || !need_len(env, lm, (size_t)n * out, "mask"))) return NULL;
  if (!is_nullish(env, argv[10]) && (!get_f32(env, argv[10], &h, &lh, "h") || !need_len(env, lh, (size_t)n * out, "h"))) return NULL;
  if (!need_len(env, lx, (size_t)n * in, "x") || !need_len(env, lw, (size_t)in * out, "w") || !need_len(env, lb, out, "b") ||
      !need_len(env, lz, (size_t)n * out, "z")) return NULL;
  dense_forward(n, in, out, x, w, b, act, mask, keep, z, h);
  return NULL;
}

/* activationBackward(act, z, dh, dz) */
static napi_value js_activation_backward(napi_env env, napi_callback_info info) {
  ARGS(4);
  int act;
  float *z, *dh, *dz;
  size_t lz, ldh, ldz;
  if (!get_int(env, argv[0], &act) || act < 0 || act > 3) { napi_throw_type_error(env, NULL, "activationBackward: bad activation"); return NULL; }
  if (!get_f32(env, argv[1], &z, &lz, "z") || !get_f32(env, argv[2], &dh, &ldh, "dh") || !get_f32(env, argv[3], &dz, &ldz, "dz")) return NULL;
  if (!need_len(env, ldh, lz, "dh") || !need_len(env, ldz, lz, "dz")) return NULL;
  activation_backward(act, lz, z, dh, dz);
  return NULL;
}

/* smoothedCrossEntropy(n, k, logits, targets, logProbs, grad|null) → loss */
static napi_value js_smoothed_cross_entropy(napi_env env, napi_callback_info info) {
  ARGS(6);
  int n, k;
  float *z, *t, *lp, *g = NULL;
  size_t lz, lt, llp, lg;
  if (!get_int(env, argv[0], &n) || !get_int(env, argv[1], &k) || n < 0 || k < 1) { napi_throw_type_error(env, NULL, "smoothedCrossEntropy: bad sizes"); return NULL; }
  if (!get_f32(env, argv[2], &z, &lz, "logits") || !get_f32(env, argv[3], &t, &lt, "targets") || !get_f32(env, argv[4], &lp, &llp, "logProbs")) return NULL;
  if (!is_nullish(env, argv[5]) && (!get_f32(env, argv[5], &g, &lg, "grad") || !need_len(env, lg, (size_t)n * k, "grad"))) return NULL;
  size_t want = (size_t)n * k;
  if (!need_len(env, lz, want, "logits") || !need_len(env, lt, want, "targets") || !need_len(env, llp, want, "logProbs")) return NULL;
  return number(env, smoothed_cross_entropy(n, k, z, t, lp, g));
}

/* columnSums(rows, cols, x, out) */
static napi_value js_column_sums(napi_env env, napi_callback_info info) {
  ARGS(4);
  int rows, cols;
  float *x, *out;
  size_t lx, lo;
  if (!get_int(env, argv[0], &rows) || !get_int(env, argv[1], &cols) || rows < 0 || cols < 0) { napi_throw_type_error(env, NULL, "columnSums: bad sizes"); return NULL; }
  if (!get_f32(env, argv[2], &x, &lx, "x") || !get_f32(env, argv[3], &out, &lo, "out")) return NULL;
  if (!need_len(env, lx, (size_t)rows * cols, "x") || !need_len(env, lo, cols, "out")) return NULL;
  column_sums(rows, cols, x, out);
  return NULL;
}

/* adamUpdate(params, grads, m, v, lr, beta1, beta2, eps, accBeta1, accBeta2) */
static napi_value js_adam_update(napi_env env, napi_callback_info info) {
  ARGS(10);
  float *p, *g, *m, *v, lr, b1, b2, eps, a1, a2;
  size_t lp, lg, lm, lv;
  if (!get_f32(env, argv[0], &p, &lp, "params") || !get_f32(env, argv[1], &g, &lg, "grads") || !get_f32(env, argv[2], &m, &lm, "m") ||
      !get_f32(env, argv[3], &v, &lv, "v")) return NULL;
  if (!get_float(env, argv[4], &lr) || !get_float(env, argv[5], &b1) || !get_float(env, argv[6], &b2) || !get_float(env, argv[7], &eps) ||
      !get_float(env, argv[8], &a1) || !get_float(env, argv[9], &a2)) { napi_throw_type_error(env, NULL, "adamUpdate: bad hyper-parameters"); return NULL; }
  if (!need_len(env, lg, lp, "grads") || !need_len(env, lm, lp, "m") || !need_len(env, lv, lp, "v")) return NULL;
  adam_update(lp, p, g, m, v, lr, b1, b2, eps, a1, a2);
  return NULL;
}

/* momentumUpdate(params, grads, accum, lr, momentum) */
static napi_value js_momentum_update(napi_env env, napi_callback_info info) {
  ARGS(5);
  float *p, *g, *a, lr, mom;
  size_t lp, lg, la;
  if (!get_f32(env, argv[0], &p, &lp, "params") || !get_f32(env, argv[1], &g, &lg, "grads") || !get_f32(env, argv[2], &a, &la, "accum")) return NULL;
  if (!get_float(env, argv[3], &lr) || !get_float(env, argv[4], &mom)) { napi_throw_type_error(env, NULL, "momentumUpdate: bad hyper-parameters"); return NULL; }
  if (!need_len(env, lg, lp, "grads") || !need_len(env, la, lp, "accum")) return NULL;
  momentum_update(lp, p, g, a, lr, mom);
  return NULL;
}

static void finalize_mlp(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  mlp_free((Mlp *)data);
}

static Mlp *unwrap_mlp(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_external || napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "expected a native MLP handle");
    return NULL;
  }
  if (!((Mlp *)data)->params) {
    napi_throw_error(env, NULL, "native MLP used after disposeMlp()");
    return NULL;
  }
  return (Mlp *)data;
}

/* createMlp(sizes: Int32Array, act, opt, lr, momentum, keepScale, params: Float32Array) → handle; params are copied. */
static napi_value js_create_mlp(napi_env env, napi_callback_info info) {
  ARGS(7);
  napi_typedarray_type type;
  size_t nsizes, lp;
  void *sp;
  napi_value ab;
  size_t off;
  int act, opt;
  float lr, mom, keep, *params;
  if (napi_get_typedarray_info(env, argv[0], &type, &nsizes, &sp, &ab, &off) != napi_ok || type != napi_int32_array || nsizes < 2) {
    napi_throw_type_error(env, NULL, "createMlp: sizes must be an Int32Array of at least 2 widths");
    return NULL;
  }
  if (!get_int(env, argv[1], &act) || !get_int(env, argv[2], &opt) || !get_float(env, argv[3], &lr) || !get_float(env, argv[4], &mom) ||
      !get_float(env, argv[5], &keep) || act < 0 || act > 3 || opt < 0 || opt > 1) { napi_throw_type_error(env, NULL, "createMlp: bad arguments"); return NULL; }
  if (!get_f32(env, argv[6], &params, &lp, "params")) return NULL;
  Mlp *net = calloc(1, sizeof(Mlp));
  if (!net) { napi_throw_error(env, NULL, "createMlp: out of memory"); return NULL; }
  net->layers = (int)nsizes - 1;
  net->sizes = malloc(sizeof(int) * nsizes);
  net->w_off = malloc(sizeof(size_t) * net->layers);
  net->b_off = malloc(sizeof(size_t) * net->layers);
  net->z = calloc(net->layers, sizeof(float *));
  net->h = calloc(net->layers, sizeof(float *));
  if (!net->sizes || !net->w_off || !net->b_off || !net->z || !net->h) { mlp_free(net); napi_throw_error(env, NULL, "createMlp: out of memory"); return NULL; }
  memcpy(net->sizes, sp, sizeof(int) * nsizes);
  size_t count = 0;
  for (int l = 0; l < net->layers; l++) {
    if (net->sizes[l] < 1 || net->sizes[l + 1] < 1) { mlp_free(net); napi_throw_range_error(env, NULL, "createMlp: widths must be ≥ 1"); return NULL; }
    net->w_off[l] = count;
    count += (size_t)net->sizes[l] * net->sizes[l + 1];
    net->b_off[l] = count;
    count += net->sizes[l + 1];
  }
  if (lp != count) { mlp_free(net); napi_throw_range_error(env, NULL, "createMlp: params length does not match the widths"); return NULL; }
  net->param_count = count;
  net->act = act; net->opt = opt; net->lr = lr; net->momentum = mom; net->keep_scale = keep;
  net->beta1 = 0.9f; net->beta2 = 0.999f; net->eps = 1e-7f; net->acc_beta1 = 0.9f; net->acc_beta2 = 0.999f;
  net->params = malloc(sizeof(float) * count);
  net->grads = malloc(sizeof(float) * count);
  net->m = calloc(count, sizeof(float));
  net->v = calloc(count, sizeof(float));
  if (!net->params || !net->grads || !net->m || !net->v) { mlp_free(net); napi_throw_error(env, NULL, "createMlp: out of memory"); return NULL; }
  memcpy(net->params, params, sizeof(float) * count);
  napi_value handle;
  if (napi_create_external(env, net, finalize_mlp, NULL, &handle) != napi_ok) { mlp_free(net); napi_throw_error(env, NULL, "createMlp: napi_create_external failed"); return NULL; }
  napi_adjust_external_memory(env, (int64_t)(sizeof(float) * count * 4), NULL);
  return handle;
}

/*
 * The dropout masks argument of trainStep and trainSteps: null or undefined (no dropout), or an array
 * with one Float32Array of n × width per hidden layer of `net`. Fills masks[] and sets *mask_ptr to it,
 * or to NULL without masks; returns 0 after throwing (`fn` names the caller in the message).
 */
#define MAX_HIDDEN_LAYERS 64
static int get_masks(napi_env env, napi_value value, const Mlp *net, int n, const char *fn, const float **masks, const float *const **mask_ptr) {
  *mask_ptr = NULL;
  if (is_nullish(env, value)) return 1;
  uint32_t count;
  if (napi_get_array_length(env, value, &count) != napi_ok || (int)count != net->layers - 1 || count > MAX_HIDDEN_LAYERS) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: masks must be an array with one Float32Array per hidden layer", fn);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  for (uint32_t l = 0; l < count; l++) {
    napi_value item;
    float *mp;
    size_t lm;
    if (napi_get_element(env, value, l, &item) != napi_ok) { napi_throw_error(env, NULL, "N-API call failed: napi_get_element (mask)"); return 0; }
    if (!get_f32(env, item, &mp, &lm, "mask") || !need_len(env, lm, (size_t)n * net->sizes[l + 1], "mask")) return 0;
    masks[l] = mp;
  }
  *mask_ptr = masks;
  return 1;
}

/* trainStep(handle, n, x, targets, masks: Float32Array[]|null, logProbsOut) → loss before the update */
static napi_value js_train_step(napi_env env, napi_callback_info info) {
  ARGS(6);
  Mlp *net = unwrap_mlp(env, argv[0]);
  if (!net) return NULL;
  int n;
  float *x, *t, *lp;
  size_t lx, lt, llp;
  if (!get_int(env, argv[1], &n) || n < 1) { napi_throw_range_error(env, NULL, "trainStep: n must be ≥ 1"); return NULL; }
  if (!get_f32(env, argv[2], &x, &lx, "x") || !get_f32(env, argv[3], &t, &lt, "targets") || !get_f32(env, argv[5], &lp, &llp, "logProbs")) return NULL;
  int k = net->sizes[net->layers];
  if (!need_len(env, lx, (size_t)n * net->sizes[0], "x") || !need_len(env, lt, (size_t)n * k, "targets") || !need_len(env, llp, (size_t)n * k, "logProbs")) return NULL;
  const float *masks[MAX_HIDDEN_LAYERS];
  const float *const *mask_ptr;
  if (!get_masks(env, argv[4], net, n, "trainStep", masks, &mask_ptr)) return NULL;
  if (!ensure_capacity(net, n)) { napi_throw_error(env, NULL, "trainStep: out of memory"); return NULL; }
  return number(env, mlp_train_step(net, n, x, t, mask_ptr, lp));
}

/* One arm's step of trainSteps, run on its own thread. */
typedef struct {
  Mlp *net;
  int n;
  const float *x, *targets;
  const float *const *masks;
  float *log_probs;
  double loss;
} StepJob;

static void *run_step_job(void *arg) {
  StepJob *job = arg;
  job->loss = mlp_train_step(job->net, job->n, job->x, job->targets, job->masks, job->log_probs);
  return NULL;
}

/*
 * trainSteps(handles[], n, x, targets[], masks|null, logProbs[], threads) → losses[]
 * One step of every arm on the same batch x (and the same dropout masks), each arm with its own
 * targets, up to `threads` arms at a time on their own threads. The arms share nothing but the
 * read-only x and masks, and each arm's arithmetic is exactly that of trainStep, so the results are
 * bit-identical to stepping the arms one after the other.
 */
static napi_value js_train_steps(napi_env env, napi_callback_info info) {
  ARGS(7);
  uint32_t arms, count;
  int n, threads;
  float *x;
  size_t lx;
  if (napi_get_array_length(env, argv[0], &arms) != napi_ok || arms < 1 || arms > 256) { napi_throw_type_error(env, NULL, "trainSteps: handles must be an array of 1 to 256 models"); return NULL; }
  if (!get_int(env, argv[1], &n) || n < 1 || !get_int(env, argv[6], &threads) || threads < 1) { napi_throw_range_error(env, NULL, "trainSteps: n and threads must be ≥ 1"); return NULL; }
  if (!get_f32(env, argv[2], &x, &lx, "x")) return NULL;
  if (napi_get_array_length(env, argv[3], &count) != napi_ok || count != arms || napi_get_array_length(env, argv[5], &count) != napi_ok || count != arms) {
    napi_throw_type_error(env, NULL, "trainSteps: targets and logProbs need one Float32Array per model");
    return NULL;
  }
  StepJob jobs[256];
  const float *masks[MAX_HIDDEN_LAYERS];
  const float *const *mask_ptr;
  for (uint32_t a = 0; a < arms; a++) {
    napi_value item;
    CHECK(napi_get_element(env, argv[0], a, &item));
    Mlp *net = unwrap_mlp(env, item);
    if (!net) return NULL;
    int k = net->sizes[net->layers];
    if (a > 0 && (net->layers != jobs[0].net->layers || memcmp(net->sizes, jobs[0].net->sizes, sizeof(int) * (net->layers + 1)) != 0)) {
      napi_throw_type_error(env, NULL, "trainSteps: every model must have the same layer widths");
      return NULL;
    }
    float *t, *lp;
    size_t lt, llp;
    CHECK(napi_get_element(env, argv[3], a, &item));
    if (!get_f32(env, item, &t, &lt, "targets") || !need_len(env, lt, (size_t)n * k, "targets")) return NULL;
    CHECK(napi_get_element(env, argv[5], a, &item));
    if (!get_f32(env, item, &lp, &llp, "logProbs") || !need_len(env, llp, (size_t)n * k, "logProbs")) return NULL;
    for (uint32_t b = 0; b < a; b++) {
      if (jobs[b].net == net) { napi_throw_type_error(env, NULL, "trainSteps: a model appears twice"); return NULL; }
    }
    if (!ensure_capacity(net, n)) { napi_throw_error(env, NULL, "trainSteps: out of memory"); return NULL; }
    jobs[a] = (StepJob){net, n, x, t, NULL, lp, 0.0};
  }
  if (!need_len(env, lx, (size_t)n * jobs[0].net->sizes[0], "x")) return NULL;
  /* Every model has the same widths (checked above): the first one's say what the masks must hold. */
  if (!get_masks(env, argv[4], jobs[0].net, n, "trainSteps", masks, &mask_ptr)) return NULL;
  for (uint32_t a = 0; a < arms; a++) jobs[a].masks = mask_ptr;
  /* Groups of `threads` arms: the calling thread runs the first arm of a group, new threads the others. */
  for (uint32_t start = 0; start < arms; start += (uint32_t)threads) {
    uint32_t end = start + (uint32_t)threads < arms ? start + (uint32_t)threads : arms;
    pthread_t tids[256];
    int started[256] = {0};
    for (uint32_t a = start + 1; a < end; a++) started[a] = pthread_create(&tids[a], NULL, run_step_job, &jobs[a]) == 0;
    run_step_job(&jobs[start]);
    for (uint32_t a = start + 1; a < end; a++) {
      if (started[a]) pthread_join(tids[a], NULL);
      else run_step_job(&jobs[a]); /* no thread to be had: run it here, same result */
    }
  }
  napi_value out;
  CHECK(napi_create_array_with_length(env, arms, &out));
  for (uint32_t a = 0; a < arms; a++) CHECK(napi_set_element(env, out, a, number(env, jobs[a].loss)));
  return out;
}

/* predictLogProbs(handle, n, x, out) */
static napi_value js_predict(napi_env env, napi_callback_info info) {
  ARGS(4);
  Mlp *net = unwrap_mlp(env, argv[0]);
  if (!net) return NULL;
  int n;
  float *x, *out;
  size_t lx, lo;
  if (!get_int(env, argv[1], &n) || n < 0) { napi_throw_range_error(env, NULL, "predictLogProbs: bad n"); return NULL; }
  if (!get_f32(env, argv[2], &x, &lx, "x") || !get_f32(env, argv[3], &out, &lo, "out")) return NULL;
  int k = net->sizes[net->layers];
  if (!need_len(env, lx, (size_t)n * net->sizes[0], "x") || !need_len(env, lo, (size_t)n * k, "out")) return NULL;
  if (n == 0) return NULL;
  if (!ensure_capacity(net, n)) { napi_throw_error(env, NULL, "predictLogProbs: out of memory"); return NULL; }
  const float *logits = mlp_forward(net, n, x, NULL);
  smoothed_cross_entropy(n, k, logits, NULL, out, NULL);
  return NULL;
}

/* readParams(handle, out) */
static napi_value js_read_params(napi_env env, napi_callback_info info) {
  ARGS(2);
  Mlp *net = unwrap_mlp(env, argv[0]);
  if (!net) return NULL;
  float *out;
  size_t lo;
  if (!get_f32(env, argv[1], &out, &lo, "out") || !need_len(env, lo, net->param_count, "out")) return NULL;
  memcpy(out, net->params, sizeof(float) * net->param_count);
  return NULL;
}

/*
 * readState(handle, params, m, v) → [accBeta1, accBeta2]
 * The whole training state (weights, optimizer slots, Adam's running β powers), for checkpoints: a run
 * restored from it continues bit-identically.
 */
static napi_value js_read_state(napi_env env, napi_callback_info info) {
  ARGS(4);
  Mlp *net = unwrap_mlp(env, argv[0]);
  if (!net) return NULL;
  float *p, *m, *v;
  size_t lp, lm, lv;
  if (!get_f32(env, argv[1], &p, &lp, "params") || !get_f32(env, argv[2], &m, &lm, "m") || !get_f32(env, argv[3], &v, &lv, "v")) return NULL;
  if (!need_len(env, lp, net->param_count, "params") || !need_len(env, lm, net->param_count, "m") || !need_len(env, lv, net->param_count, "v")) return NULL;
  memcpy(p, net->params, sizeof(float) * net->param_count);
  memcpy(m, net->m, sizeof(float) * net->param_count);
  memcpy(v, net->v, sizeof(float) * net->param_count);
  napi_value out;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_set_element(env, out, 0, number(env, net->acc_beta1)));
  CHECK(napi_set_element(env, out, 1, number(env, net->acc_beta2)));
  return out;
}

/* writeState(handle, params, m, v, accBeta1, accBeta2): the inverse of readState. */
static napi_value js_write_state(napi_env env, napi_callback_info info) {
  ARGS(6);
  Mlp *net = unwrap_mlp(env, argv[0]);
  if (!net) return NULL;
  float *p, *m, *v, b1, b2;
  size_t lp, lm, lv;
  if (!get_f32(env, argv[1], &p, &lp, "params") || !get_f32(env, argv[2], &m, &lm, "m") || !get_f32(env, argv[3], &v, &lv, "v")) return NULL;
  if (!need_len(env, lp, net->param_count, "params") || !need_len(env, lm, net->param_count, "m") || !need_len(env, lv, net->param_count, "v")) return NULL;
  if (!get_float(env, argv[4], &b1) || !get_float(env, argv[5], &b2)) { napi_throw_type_error(env, NULL, "writeState: accBeta1 and accBeta2 must be numbers"); return NULL; }
  memcpy(net->params, p, sizeof(float) * net->param_count);
  memcpy(net->m, m, sizeof(float) * net->param_count);
  memcpy(net->v, v, sizeof(float) * net->param_count);
  net->acc_beta1 = b1;
  net->acc_beta2 = b2;
  return NULL;
}

/* disposeMlp(handle): frees the model's memory now instead of at garbage collection. */
static napi_value js_dispose_mlp(napi_env env, napi_callback_info info) {
  ARGS(1);
  Mlp *net = unwrap_mlp(env, argv[0]);
  if (!net) return NULL;
  napi_adjust_external_memory(env, -(int64_t)(sizeof(float) * net->param_count * 4), NULL);
  mlp_release(net);
  return NULL;
}

/* setThreads(n): OpenBLAS threads for this process. */
static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n;
  if (!get_int(env, argv[0], &n) || n < 1) { napi_throw_range_error(env, NULL, "setThreads: n must be ≥ 1"); return NULL; }
  openblas_set_num_threads(n);
  return NULL;
}

/* blasThreads(): the number of threads OpenBLAS uses in this process (it changes the order of sums, so results). */
static napi_value js_blas_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

static napi_value js_blas_config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  const char *cfg = openblas_get_config();
  napi_create_string_utf8(env, cfg ? cfg : "", NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"matmul", NULL, js_matmul, NULL, NULL, NULL, napi_default, NULL},
    {"denseForward", NULL, js_dense_forward, NULL, NULL, NULL, napi_default, NULL},
    {"activationBackward", NULL, js_activation_backward, NULL, NULL, NULL, napi_default, NULL},
    {"smoothedCrossEntropy", NULL, js_smoothed_cross_entropy, NULL, NULL, NULL, napi_default, NULL},
    {"columnSums", NULL, js_column_sums, NULL, NULL, NULL, napi_default, NULL},
    {"adamUpdate", NULL, js_adam_update, NULL, NULL, NULL, napi_default, NULL},
    {"momentumUpdate", NULL, js_momentum_update, NULL, NULL, NULL, napi_default, NULL},
    {"createMlp", NULL, js_create_mlp, NULL, NULL, NULL, napi_default, NULL},
    {"trainStep", NULL, js_train_step, NULL, NULL, NULL, napi_default, NULL},
    {"trainSteps", NULL, js_train_steps, NULL, NULL, NULL, napi_default, NULL},
    {"predictLogProbs", NULL, js_predict, NULL, NULL, NULL, napi_default, NULL},
    {"readParams", NULL, js_read_params, NULL, NULL, NULL, napi_default, NULL},
    {"readState", NULL, js_read_state, NULL, NULL, NULL, napi_default, NULL},
    {"writeState", NULL, js_write_state, NULL, NULL, NULL, napi_default, NULL},
    {"disposeMlp", NULL, js_dispose_mlp, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"blasConfig", NULL, js_blas_config, NULL, NULL, NULL, napi_default, NULL},
    {"blasThreads", NULL, js_blas_threads, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
