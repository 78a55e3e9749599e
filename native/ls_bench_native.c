/*
 * ls-bench's native CPU backend, the N-API side: it exposes the math kernels (native/kernels/) one by one
 * for the tests, and networks (native/network.c) whose whole training step is one call, with several
 * networks (the arms of a paired run) stepped at the same time on their own threads. Threads and
 * JavaScript values live here only; the math is plain C that a WebAssembly build compiles unchanged.
 * The math mirrors TensorFlow.js (tfjs-core 4.x) op for op, in float32, so a run on this backend
 * matches a run on the cpu backend within float32 rounding (test/engine/native*.test.ts).
 */
#include <node_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels/kernels.h"
#include "network.h"

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) { napi_throw_error(env, NULL, "N-API call failed: " #call); return NULL; } \
  } while (0)

#define ARGS(count)                                                  \
  size_t argc = count;                                               \
  napi_value argv[count];                                            \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));       \
  if (argc < count) { napi_throw_type_error(env, NULL, "too few arguments"); return NULL; }

/* ---------------------------------------------------------------- reading arguments */

static int get_typed(napi_env env, napi_value value, napi_typedarray_type want, void **data, size_t *length, const char *what, const char *kind) {
  napi_typedarray_type type;
  size_t len, off;
  void *ptr;
  napi_value ab;
  bool is_ta = false;
  napi_is_typedarray(env, value, &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, value, &type, &len, &ptr, &ab, &off) != napi_ok || type != want) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: expected a %s", what, kind);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  *data = ptr;
  if (length) *length = len;
  return 1;
}

static int get_f32(napi_env env, napi_value value, float **data, size_t *length, const char *what) {
  return get_typed(env, value, napi_float32_array, (void **)data, length, what, "Float32Array");
}

static int need_len(napi_env env, size_t have, size_t want, const char *what) {
  if (have >= want) return 1;
  char msg[200];
  snprintf(msg, sizeof msg, "%s: has %zu values, needs %zu", what, have, want);
  napi_throw_range_error(env, NULL, msg);
  return 0;
}

/* A Float32Array of at least `want` values, or an error naming it. */
static int get_f32_len(napi_env env, napi_value value, float **data, size_t want, const char *what) {
  size_t len;
  return get_f32(env, value, data, &len, what) && need_len(env, len, want, what);
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

/* n ints from argv[first ...], each ≥ min; throws naming `fn` otherwise. */
static int get_ints(napi_env env, napi_value *argv, int first, int count, int *out, int min, const char *fn) {
  for (int i = 0; i < count; i++) {
    if (!get_int(env, argv[first + i], &out[i]) || out[i] < min) {
      char msg[160];
      snprintf(msg, sizeof msg, "%s: argument %d must be an integer ≥ %d", fn, first + i, min);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

static int valid_act(int act) { return act >= ACT_NONE && act <= ACT_LAST; }

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/* ---------------------------------------------------------------- single kernels, for the tests */

/* matmul(transA, transB, m, n, k, a, b, c): c = op(a)·op(b) */
static napi_value js_matmul(napi_env env, napi_callback_info info) {
  ARGS(8);
  int d[5];
  float *a, *b, *c;
  if (!get_ints(env, argv, 0, 5, d, 0, "matmul")) return NULL;
  int m = d[2], n = d[3], k = d[4];
  if (!get_f32_len(env, argv[5], &a, (size_t)m * k, "a") || !get_f32_len(env, argv[6], &b, (size_t)k * n, "b") ||
      !get_f32_len(env, argv[7], &c, (size_t)m * n, "c")) return NULL;
  ls_matmul(d[0], d[1], m, n, k, a, b, 0.0f, c);
  return NULL;
}

/* denseForward(n, in, out, x, w, b, act, mask|null, keepScale, z, h|null): z = x·w + b; h = act(z) ⊙ (mask·keepScale) */
static napi_value js_dense_forward(napi_env env, napi_callback_info info) {
  ARGS(11);
  int d[3], act;
  float keep, *x, *w, *b, *mask = NULL, *z, *h = NULL;
  if (!get_ints(env, argv, 0, 3, d, 0, "denseForward")) return NULL;
  int n = d[0], in = d[1], out = d[2];
  size_t total = (size_t)n * out;
  if (!get_int(env, argv[6], &act) || !valid_act(act) || !get_float(env, argv[8], &keep)) { napi_throw_type_error(env, NULL, "denseForward: bad arguments"); return NULL; }
  if (!get_f32_len(env, argv[3], &x, (size_t)n * in, "x") || !get_f32_len(env, argv[4], &w, (size_t)in * out, "w") ||
      !get_f32_len(env, argv[5], &b, out, "b") || !get_f32_len(env, argv[9], &z, total, "z")) return NULL;
  if (!is_nullish(env, argv[7]) && !get_f32_len(env, argv[7], &mask, total, "mask")) return NULL;
  if (!is_nullish(env, argv[10]) && !get_f32_len(env, argv[10], &h, total, "h")) return NULL;
  dense_forward(n, in, out, x, w, b, z);
  if (!h) return NULL;
  activation_forward(act, total, z, h);
  if (mask) for (size_t i = 0; i < total; i++) h[i] = h[i] * (mask[i] * keep);
  return NULL;
}

/* activationForward(act, z, h) */
static napi_value js_activation_forward(napi_env env, napi_callback_info info) {
  ARGS(3);
  int act;
  float *z, *h;
  size_t lz;
  if (!get_int(env, argv[0], &act) || !valid_act(act)) { napi_throw_type_error(env, NULL, "activationForward: bad activation"); return NULL; }
  if (!get_f32(env, argv[1], &z, &lz, "z") || !get_f32_len(env, argv[2], &h, lz, "h")) return NULL;
  activation_forward(act, lz, z, h);
  return NULL;
}

/* activationBackward(act, z, dh, dz): dz = dh ⊙ act'(z) */
static napi_value js_activation_backward(napi_env env, napi_callback_info info) {
  ARGS(4);
  int act;
  float *z, *dh, *dz;
  size_t lz;
  if (!get_int(env, argv[0], &act) || !valid_act(act)) { napi_throw_type_error(env, NULL, "activationBackward: bad activation"); return NULL; }
  if (!get_f32(env, argv[1], &z, &lz, "z") || !get_f32_len(env, argv[2], &dh, lz, "dh") || !get_f32_len(env, argv[3], &dz, lz, "dz")) return NULL;
  activation_backward(act, lz, z, dh, dz);
  return NULL;
}

/* smoothedCrossEntropy(n, k, logits, targets, logProbs, grad|null) → loss */
static napi_value js_smoothed_cross_entropy(napi_env env, napi_callback_info info) {
  ARGS(6);
  int d[2];
  float *z, *t, *lp, *g = NULL;
  if (!get_ints(env, argv, 0, 2, d, 0, "smoothedCrossEntropy")) return NULL;
  if (d[1] < 1) { napi_throw_type_error(env, NULL, "smoothedCrossEntropy: bad sizes"); return NULL; }
  size_t want = (size_t)d[0] * d[1];
  if (!get_f32_len(env, argv[2], &z, want, "logits") || !get_f32_len(env, argv[3], &t, want, "targets") ||
      !get_f32_len(env, argv[4], &lp, want, "logProbs")) return NULL;
  if (!is_nullish(env, argv[5]) && !get_f32_len(env, argv[5], &g, want, "grad")) return NULL;
  return number(env, smoothed_cross_entropy(d[0], d[1], z, t, lp, g));
}

/* columnSums(rows, cols, x, out) */
static napi_value js_column_sums(napi_env env, napi_callback_info info) {
  ARGS(4);
  int d[2];
  float *x, *out;
  if (!get_ints(env, argv, 0, 2, d, 0, "columnSums")) return NULL;
  if (!get_f32_len(env, argv[2], &x, (size_t)d[0] * d[1], "x") || !get_f32_len(env, argv[3], &out, d[1], "out")) return NULL;
  column_sums((size_t)d[0], d[1], x, out);
  return NULL;
}

/* adamUpdate(params, grads, m, v, lr, beta1, beta2, eps, accBeta1, accBeta2) */
static napi_value js_adam_update(napi_env env, napi_callback_info info) {
  ARGS(10);
  float *p, *g, *m, *v, h[6];
  size_t lp;
  if (!get_f32(env, argv[0], &p, &lp, "params") || !get_f32_len(env, argv[1], &g, lp, "grads") || !get_f32_len(env, argv[2], &m, lp, "m") ||
      !get_f32_len(env, argv[3], &v, lp, "v")) return NULL;
  for (int i = 0; i < 6; i++) if (!get_float(env, argv[4 + i], &h[i])) { napi_throw_type_error(env, NULL, "adamUpdate: bad hyper-parameters"); return NULL; }
  adam_update(lp, p, g, m, v, h[0], h[1], h[2], h[3], h[4], h[5]);
  return NULL;
}

/* momentumUpdate(params, grads, accum, lr, momentum) */
static napi_value js_momentum_update(napi_env env, napi_callback_info info) {
  ARGS(5);
  float *p, *g, *a, lr, mom;
  size_t lp;
  if (!get_f32(env, argv[0], &p, &lp, "params") || !get_f32_len(env, argv[1], &g, lp, "grads") || !get_f32_len(env, argv[2], &a, lp, "accum")) return NULL;
  if (!get_float(env, argv[3], &lr) || !get_float(env, argv[4], &mom)) { napi_throw_type_error(env, NULL, "momentumUpdate: bad hyper-parameters"); return NULL; }
  momentum_update(lp, p, g, a, lr, mom);
  return NULL;
}

/* The shape arguments (n, h, w, c, filters|size, kernel|0, stride, same) of the conv and pool kernels, checked. */
static int get_window(napi_env env, napi_value *argv, int *d, const char *fn) {
  if (!get_ints(env, argv, 0, 8, d, 0, fn)) return 0;
  if (d[1] < 1 || d[2] < 1 || d[3] < 1 || d[4] < 1 || d[6] < 1) {
    char msg[120];
    snprintf(msg, sizeof msg, "%s: height, width, channels, filters/size and stride must be ≥ 1", fn);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

/* conv2dForward(n, h, w, c, filters, kernel, stride, same, x, kernelWeights, bias, z) */
static napi_value js_conv2d_forward(napi_env env, napi_callback_info info) {
  ARGS(12);
  int d[8];
  float *x, *w, *b, *z;
  if (!get_window(env, argv, d, "conv2dForward")) return NULL;
  if (d[5] < 1) { napi_throw_range_error(env, NULL, "conv2dForward: kernel must be ≥ 1"); return NULL; }
  ConvShape s = conv_shape(d[0], d[1], d[2], d[3], d[5], d[6], d[4], d[7]);
  size_t outs = (size_t)s.n * s.out_h * s.out_w * s.filters;
  if (!get_f32_len(env, argv[8], &x, (size_t)s.n * s.in_h * s.in_w * s.in_c, "x") ||
      !get_f32_len(env, argv[9], &w, (size_t)s.kernel * s.kernel * s.in_c * s.filters, "kernel") ||
      !get_f32_len(env, argv[10], &b, s.filters, "bias") || !get_f32_len(env, argv[11], &z, outs, "z")) return NULL;
  float *cols = malloc(sizeof(float) * (conv_cols_size(&s) + 1));
  if (!cols) { napi_throw_error(env, NULL, "conv2dForward: out of memory"); return NULL; }
  conv2d_forward(&s, x, w, b, cols, z);
  free(cols);
  return NULL;
}

/* conv2dBackward(n, h, w, c, filters, kernel, stride, same, x, kernelWeights, dz, dx|null, dKernel, dBias) */
static napi_value js_conv2d_backward(napi_env env, napi_callback_info info) {
  ARGS(14);
  int d[8];
  float *x, *w, *dz, *dx = NULL, *dw, *db;
  if (!get_window(env, argv, d, "conv2dBackward")) return NULL;
  if (d[5] < 1) { napi_throw_range_error(env, NULL, "conv2dBackward: kernel must be ≥ 1"); return NULL; }
  ConvShape s = conv_shape(d[0], d[1], d[2], d[3], d[5], d[6], d[4], d[7]);
  size_t ins = (size_t)s.n * s.in_h * s.in_w * s.in_c, weights = (size_t)s.kernel * s.kernel * s.in_c * s.filters;
  if (!get_f32_len(env, argv[8], &x, ins, "x") || !get_f32_len(env, argv[9], &w, weights, "kernel") ||
      !get_f32_len(env, argv[10], &dz, (size_t)s.n * s.out_h * s.out_w * s.filters, "dz") ||
      !get_f32_len(env, argv[12], &dw, weights, "dKernel") || !get_f32_len(env, argv[13], &db, s.filters, "dBias")) return NULL;
  if (!is_nullish(env, argv[11]) && !get_f32_len(env, argv[11], &dx, ins, "dx")) return NULL;
  float *cols = malloc(sizeof(float) * (conv_cols_size(&s) + 1)), *dcols = malloc(sizeof(float) * (conv_cols_size(&s) + 1));
  if (!cols || !dcols) { free(cols); free(dcols); napi_throw_error(env, NULL, "conv2dBackward: out of memory"); return NULL; }
  if (!conv_input_is_cols(&s)) im2col(&s, x, cols);
  conv2d_backward(&s, conv_input_is_cols(&s) ? x : cols, w, dz, dw, db, dcols, dx);
  free(cols);
  free(dcols);
  return NULL;
}

/* poolForward(max, n, h, w, c, size, stride, same, x, y) and poolBackward(max, n, h, w, c, size, stride, same, x, dy, dx) */
static napi_value pool(napi_env env, napi_callback_info info, int backward) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < (size_t)(backward ? 11 : 10)) { napi_throw_type_error(env, NULL, "too few arguments"); return NULL; }
  int is_max, d[8];
  float *x, *y, *dx = NULL;
  if (!get_int(env, argv[0], &is_max) || !get_ints(env, argv, 1, 7, d, 0, "pool")) return NULL;
  if (d[0] < 1 || d[1] < 1 || d[2] < 1 || d[3] < 1 || d[4] < 1 || d[5] < 1) { napi_throw_range_error(env, NULL, "pool: sizes must be ≥ 1"); return NULL; }
  PoolShape s = pool_shape(d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
  size_t ins = (size_t)s.n * s.in_h * s.in_w * s.c, outs = (size_t)s.n * s.out_h * s.out_w * s.c;
  if (!get_f32_len(env, argv[8], &x, ins, "x") || !get_f32_len(env, argv[9], &y, outs, backward ? "dy" : "y")) return NULL;
  if (backward && !get_f32_len(env, argv[10], &dx, ins, "dx")) return NULL;
  if (!backward) {
    if (is_max) max_pool_forward(&s, x, y, NULL);
    else avg_pool_forward(&s, x, y);
    return NULL;
  }
  if (!is_max) { avg_pool_backward(&s, y, dx); return NULL; }
  float *out = malloc(sizeof(float) * (outs + 1));
  int *argmax = malloc(sizeof(int) * (outs + 1));
  if (!out || !argmax) { free(out); free(argmax); napi_throw_error(env, NULL, "poolBackward: out of memory"); return NULL; }
  max_pool_forward(&s, x, out, argmax);
  max_pool_backward(&s, y, argmax, dx);
  free(out);
  free(argmax);
  return NULL;
}
static napi_value js_pool_forward(napi_env env, napi_callback_info info) { return pool(env, info, 0); }
static napi_value js_pool_backward(napi_env env, napi_callback_info info) { return pool(env, info, 1); }

/*
 * batchNorm(rows, c, x, gamma, beta, eps, y, dy|null, dx, dGamma, dBeta): training-mode forward (batch
 * statistics) into y and, when dy is given, the backward pass into dx, dGamma, dBeta.
 */
static napi_value js_batch_norm(napi_env env, napi_callback_info info) {
  ARGS(11);
  int d[2];
  float eps, *x, *gamma, *beta, *y, *dy = NULL, *dx = NULL, *dg = NULL, *dbeta = NULL;
  if (!get_ints(env, argv, 0, 2, d, 1, "batchNorm") || !get_float(env, argv[5], &eps)) return NULL;
  size_t rows = (size_t)d[0], total = rows * d[1];
  if (!get_f32_len(env, argv[2], &x, total, "x") || !get_f32_len(env, argv[3], &gamma, d[1], "gamma") ||
      !get_f32_len(env, argv[4], &beta, d[1], "beta") || !get_f32_len(env, argv[6], &y, total, "y")) return NULL;
  if (!is_nullish(env, argv[7]) && (!get_f32_len(env, argv[7], &dy, total, "dy") || !get_f32_len(env, argv[8], &dx, total, "dx") ||
                                    !get_f32_len(env, argv[9], &dg, d[1], "dGamma") || !get_f32_len(env, argv[10], &dbeta, d[1], "dBeta"))) return NULL;
  float *stats = malloc(sizeof(float) * 3 * d[1]), *xhat = malloc(sizeof(float) * total);
  if (!stats || !xhat) { free(stats); free(xhat); napi_throw_error(env, NULL, "batchNorm: out of memory"); return NULL; }
  batch_norm_train_forward(rows, d[1], x, gamma, beta, eps, stats, stats + d[1], stats + 2 * d[1], xhat, y);
  if (dy) batch_norm_backward(rows, d[1], xhat, gamma, stats + 2 * d[1], dy, dg, dbeta, dx);
  free(stats);
  free(xhat);
  return NULL;
}

/* ---------------------------------------------------------------- networks */

static void finalize_network(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  network_free((Network *)data);
}

static Network *unwrap_network(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_external || napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "expected a native network handle");
    return NULL;
  }
  if (!((Network *)data)->layers) {
    napi_throw_error(env, NULL, "native network used after disposeNetwork()");
    return NULL;
  }
  return (Network *)data;
}

static int64_t network_bytes(const Network *net) { return (int64_t)(sizeof(float) * (net->param_count * 4 + net->stat_count)); }

/*
 * createNetwork(input: Int32Array [h, w, c], layers: Float64Array (NETWORK_RECORD per layer),
 *               optimizer: Float64Array [kind, learningRate, momentum, weightDecay, decayMode, decayFactor],
 *               params: Float32Array, stats: Float32Array) → handle; params and stats are copied.
 */
static napi_value js_create_network(napi_env env, napi_callback_info info) {
  ARGS(5);
  int32_t *shape;
  double *records, *opt;
  size_t lshape, lrec, lopt, lp, ls;
  float *params, *stats;
  if (!get_typed(env, argv[0], napi_int32_array, (void **)&shape, &lshape, "input", "Int32Array") ||
      !get_typed(env, argv[1], napi_float64_array, (void **)&records, &lrec, "layers", "Float64Array") ||
      !get_typed(env, argv[2], napi_float64_array, (void **)&opt, &lopt, "optimizer", "Float64Array") ||
      !get_f32(env, argv[3], &params, &lp, "params") || !get_f32(env, argv[4], &stats, &ls, "stats")) return NULL;
  if (lshape != 3 || lrec % NETWORK_RECORD != 0 || lopt != 6) { napi_throw_type_error(env, NULL, "createNetwork: input is [h, w, c], layers whole records, optimizer 6 numbers"); return NULL; }
  if (!(opt[0] == OPT_ADAM || opt[0] == OPT_MOMENTUM) || !(opt[4] == DECAY_L2 || opt[4] == DECAY_DECOUPLED)) { napi_throw_type_error(env, NULL, "createNetwork: unknown optimizer or weight decay mode"); return NULL; }
  const char *problem;
  Network *net = network_create(shape[0], shape[1], shape[2], records, (int)(lrec / NETWORK_RECORD), &problem);
  if (!net) {
    char msg[200];
    snprintf(msg, sizeof msg, "createNetwork: %s", problem);
    napi_throw_range_error(env, NULL, msg);
    return NULL;
  }
  if (lp != net->param_count || ls != net->stat_count) {
    char msg[200];
    snprintf(msg, sizeof msg, "createNetwork: params length does not match the layers (%zu and %zu values given, %zu and %zu expected)", lp, ls, net->param_count, net->stat_count);
    network_free(net);
    napi_throw_range_error(env, NULL, msg);
    return NULL;
  }
  network_set_optimizer(net, (int)opt[0], (float)opt[1], (float)opt[2], (float)opt[3], (int)opt[4], opt[5]);
  memcpy(net->params, params, sizeof(float) * lp);
  if (ls) memcpy(net->stats, stats, sizeof(float) * ls);
  napi_value handle;
  if (napi_create_external(env, net, finalize_network, NULL, &handle) != napi_ok) { network_free(net); napi_throw_error(env, NULL, "createNetwork: napi_create_external failed"); return NULL; }
  napi_adjust_external_memory(env, network_bytes(net), NULL);
  return handle;
}

/*
 * The dropout masks of a step: null or undefined (no dropout), or one Float32Array of n × (the layer's
 * input size) per dropout layer of `net`. Fills masks[] and sets *mask_ptr to it, or to NULL; returns 0
 * after throwing (`fn` names the caller in the message).
 */
static int get_masks(napi_env env, napi_value value, const Network *net, int n, const char *fn, const float **masks, const float *const **mask_ptr) {
  *mask_ptr = NULL;
  if (is_nullish(env, value)) return 1;
  uint32_t count;
  if (napi_get_array_length(env, value, &count) != napi_ok || (int)count != net->dropout_count) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: masks must be an array with one Float32Array per dropout layer", fn);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  for (int l = 0; l < net->layer_count; l++) {
    const Layer *L = &net->layers[l];
    if (L->type != LAYER_DROPOUT) continue;
    napi_value item;
    float *mp;
    if (napi_get_element(env, value, (uint32_t)L->mask_index, &item) != napi_ok) { napi_throw_error(env, NULL, "N-API call failed: napi_get_element (mask)"); return 0; }
    if (!get_f32_len(env, item, &mp, (size_t)n * L->in_size, "mask")) return 0;
    masks[L->mask_index] = mp;
  }
  *mask_ptr = masks;
  return 1;
}

/* One arm's step, run on its own thread by trainSteps. */
typedef struct {
  Network *net;
  int n;
  const float *x, *targets;
  const float *const *masks;
  float *log_probs;
  double loss;
} StepJob;

static void *run_step_job(void *arg) {
  StepJob *job = arg;
  job->loss = network_train_step(job->net, job->n, job->x, job->targets, job->masks, job->log_probs);
  return NULL;
}

/* trainStep(handle, n, x, targets, masks|null, logProbsOut) → loss before the update */
static napi_value js_train_step(napi_env env, napi_callback_info info) {
  ARGS(6);
  Network *net = unwrap_network(env, argv[0]);
  if (!net) return NULL;
  int n;
  float *x, *t, *lp;
  if (!get_int(env, argv[1], &n) || n < 1) { napi_throw_range_error(env, NULL, "trainStep: n must be ≥ 1"); return NULL; }
  size_t k = (size_t)n * net->classes;
  if (!get_f32_len(env, argv[2], &x, (size_t)n * net->in_size, "x") || !get_f32_len(env, argv[3], &t, k, "targets") ||
      !get_f32_len(env, argv[5], &lp, k, "logProbs")) return NULL;
  const float *masks[NETWORK_MAX_LAYERS];
  const float *const *mask_ptr;
  if (!get_masks(env, argv[4], net, n, "trainStep", masks, &mask_ptr)) return NULL;
  if (!network_reserve(net, n)) { napi_throw_error(env, NULL, "trainStep: out of memory"); return NULL; }
  return number(env, network_train_step(net, n, x, t, mask_ptr, lp));
}

/* Two networks built from the same records: same input, same layers. */
static int same_structure(const Network *a, const Network *b) {
  if (a->layer_count != b->layer_count || a->in_size != b->in_size || a->param_count != b->param_count) return 0;
  for (int l = 0; l < a->layer_count; l++) {
    const Layer *x = &a->layers[l], *y = &b->layers[l];
    if (x->type != y->type || x->in_size != y->in_size || x->out_size != y->out_size || x->mask_index != y->mask_index) return 0;
  }
  return 1;
}

/*
 * trainSteps(handles[], n, x, targets[], masks|null, logProbs[], threads) → losses[]
 * One step of every arm on the same batch x (and the same dropout masks), each arm with its own targets,
 * up to `threads` arms at a time on their own threads. The arms share nothing but the read-only x and
 * masks, and each arm's arithmetic is exactly that of trainStep: results are bit-identical to stepping
 * the arms one after the other.
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
  const float *masks[NETWORK_MAX_LAYERS];
  const float *const *mask_ptr;
  for (uint32_t a = 0; a < arms; a++) {
    napi_value item;
    CHECK(napi_get_element(env, argv[0], a, &item));
    Network *net = unwrap_network(env, item);
    if (!net) return NULL;
    if (a > 0 && !same_structure(net, jobs[0].net)) { napi_throw_type_error(env, NULL, "trainSteps: every model must have the same layers"); return NULL; }
    for (uint32_t b = 0; b < a; b++) {
      if (jobs[b].net == net) { napi_throw_type_error(env, NULL, "trainSteps: a model appears twice"); return NULL; }
    }
    float *t, *lp;
    size_t k = (size_t)n * net->classes;
    CHECK(napi_get_element(env, argv[3], a, &item));
    if (!get_f32_len(env, item, &t, k, "targets")) return NULL;
    CHECK(napi_get_element(env, argv[5], a, &item));
    if (!get_f32_len(env, item, &lp, k, "logProbs")) return NULL;
    if (!network_reserve(net, n)) { napi_throw_error(env, NULL, "trainSteps: out of memory"); return NULL; }
    jobs[a] = (StepJob){net, n, x, t, NULL, lp, 0.0};
  }
  if (!need_len(env, lx, (size_t)n * jobs[0].net->in_size, "x")) return NULL;
  /* Every model has the same layers (checked above): the first one's say what the masks must hold. */
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

/* predict(handle, n, x, logProbsOut, penultimateOut|null): inference mode (no dropout, batch norm on running statistics) */
static napi_value js_predict(napi_env env, napi_callback_info info) {
  ARGS(5);
  Network *net = unwrap_network(env, argv[0]);
  if (!net) return NULL;
  int n;
  float *x, *out, *pen = NULL;
  if (!get_int(env, argv[1], &n) || n < 0) { napi_throw_range_error(env, NULL, "predict: bad n"); return NULL; }
  if (!get_f32_len(env, argv[2], &x, (size_t)n * net->in_size, "x") || !get_f32_len(env, argv[3], &out, (size_t)n * net->classes, "out")) return NULL;
  const Layer *last = &net->layers[net->layer_count - 1];
  if (!is_nullish(env, argv[4]) && !get_f32_len(env, argv[4], &pen, (size_t)n * last->in_size, "penultimate")) return NULL;
  if (n == 0) return NULL;
  if (!network_reserve(net, n)) { napi_throw_error(env, NULL, "predict: out of memory"); return NULL; }
  network_predict(net, n, x, out, pen);
  return NULL;
}

/*
 * readState(handle, params, stats, m, v) → [accBeta1, accBeta2]: the whole training state (weights,
 * batch-norm statistics, optimizer slots, Adam's running β powers), so a run restored from it continues
 * bit-identically. m and v may be null (the weights only).
 */
static napi_value js_read_state(napi_env env, napi_callback_info info) {
  ARGS(5);
  Network *net = unwrap_network(env, argv[0]);
  if (!net) return NULL;
  float *p, *s, *m = NULL, *v = NULL;
  size_t count = net->param_count;
  if (!get_f32_len(env, argv[1], &p, count, "params") || !get_f32_len(env, argv[2], &s, net->stat_count, "stats")) return NULL;
  if (!is_nullish(env, argv[3]) && (!get_f32_len(env, argv[3], &m, count, "m") || !get_f32_len(env, argv[4], &v, count, "v"))) return NULL;
  memcpy(p, net->params, sizeof(float) * count);
  if (net->stat_count) memcpy(s, net->stats, sizeof(float) * net->stat_count);
  if (m) {
    memcpy(m, net->m, sizeof(float) * count);
    memcpy(v, net->v, sizeof(float) * count);
  }
  napi_value out;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_set_element(env, out, 0, number(env, net->acc_beta1)));
  CHECK(napi_set_element(env, out, 1, number(env, net->acc_beta2)));
  return out;
}

/* writeState(handle, params, stats, m, v, accBeta1, accBeta2): the inverse of readState. */
static napi_value js_write_state(napi_env env, napi_callback_info info) {
  ARGS(7);
  Network *net = unwrap_network(env, argv[0]);
  if (!net) return NULL;
  float *p, *s, *m, *v, b1, b2;
  size_t count = net->param_count;
  if (!get_f32_len(env, argv[1], &p, count, "params") || !get_f32_len(env, argv[2], &s, net->stat_count, "stats") ||
      !get_f32_len(env, argv[3], &m, count, "m") || !get_f32_len(env, argv[4], &v, count, "v")) return NULL;
  if (!get_float(env, argv[5], &b1) || !get_float(env, argv[6], &b2)) { napi_throw_type_error(env, NULL, "writeState: accBeta1 and accBeta2 must be numbers"); return NULL; }
  memcpy(net->params, p, sizeof(float) * count);
  if (net->stat_count) memcpy(net->stats, s, sizeof(float) * net->stat_count);
  memcpy(net->m, m, sizeof(float) * count);
  memcpy(net->v, v, sizeof(float) * count);
  net->acc_beta1 = b1;
  net->acc_beta2 = b2;
  return NULL;
}

/* layerSeconds(handle) → Float64Array: per layer forward and backward seconds, then the update, summed over steps since the last call (which resets them). */
static napi_value js_layer_seconds(napi_env env, napi_callback_info info) {
  ARGS(1);
  Network *net = unwrap_network(env, argv[0]);
  if (!net) return NULL;
  size_t count = network_seconds_count(net);
  void *data;
  napi_value buffer, out;
  CHECK(napi_create_arraybuffer(env, sizeof(double) * count, &data, &buffer));
  memcpy(data, net->seconds, sizeof(double) * count);
  memset(net->seconds, 0, sizeof(double) * count);
  CHECK(napi_create_typedarray(env, napi_float64_array, count, buffer, 0, &out));
  return out;
}

/* disposeNetwork(handle): frees the network's memory now instead of at garbage collection. */
static napi_value js_dispose_network(napi_env env, napi_callback_info info) {
  ARGS(1);
  Network *net = unwrap_network(env, argv[0]);
  if (!net) return NULL;
  napi_adjust_external_memory(env, -network_bytes(net), NULL);
  /* The handle keeps the emptied struct until it is garbage-collected. */
  network_release(net);
  return NULL;
}

/* setThreads(n): BLAS threads for this process. */
static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n;
  if (!get_int(env, argv[0], &n) || n < 1) { napi_throw_range_error(env, NULL, "setThreads: n must be ≥ 1"); return NULL; }
  ls_blas_set_threads(n);
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
  napi_create_string_utf8(env, ls_blas_config(), NAPI_AUTO_LENGTH, &out);
  return out;
}

#define EXPORT(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    EXPORT("matmul", js_matmul),
    EXPORT("denseForward", js_dense_forward),
    EXPORT("activationForward", js_activation_forward),
    EXPORT("activationBackward", js_activation_backward),
    EXPORT("smoothedCrossEntropy", js_smoothed_cross_entropy),
    EXPORT("columnSums", js_column_sums),
    EXPORT("adamUpdate", js_adam_update),
    EXPORT("momentumUpdate", js_momentum_update),
    EXPORT("conv2dForward", js_conv2d_forward),
    EXPORT("conv2dBackward", js_conv2d_backward),
    EXPORT("poolForward", js_pool_forward),
    EXPORT("poolBackward", js_pool_backward),
    EXPORT("batchNorm", js_batch_norm),
    EXPORT("createNetwork", js_create_network),
    EXPORT("trainStep", js_train_step),
    EXPORT("trainSteps", js_train_steps),
    EXPORT("predict", js_predict),
    EXPORT("readState", js_read_state),
    EXPORT("writeState", js_write_state),
    EXPORT("layerSeconds", js_layer_seconds),
    EXPORT("disposeNetwork", js_dispose_network),
    EXPORT("setThreads", js_set_threads),
    EXPORT("blasConfig", js_blas_config),
    EXPORT("blasThreads", js_blas_threads),
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
