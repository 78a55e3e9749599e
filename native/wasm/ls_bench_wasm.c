/*
 * ls-bench's WebAssembly module, the counterpart of ls_bench_native.c: the same kernels (native/kernels/)
 * and networks (native/network.c) behind flat exports of numbers and linear-memory offsets, which
 * src/engine/wasmAddon.ts wraps into the native addon's interface (it checks the lengths; this file
 * trusts them). No threads here: each worker thread instantiates its own module (src/engine/wasmWorker.ts).
 * Built by scripts/build-wasm.js into native/wasm/ls_bench.wasm.
 */
#include <stdlib.h>
#include <string.h>
#include "../kernels/kernels.h"
#include "../network.h"

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("alloc") void *wasm_alloc(size_t bytes) { return malloc(bytes ? bytes : 1); }
EXPORT("release") void wasm_release(void *p) { free(p); }

/* ---- single kernels, for the tests */

EXPORT("matmul") void wasm_matmul(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c) { ls_matmul(ta, tb, m, n, k, a, b, 0.0f, c); }

EXPORT("denseForward")
void wasm_dense_forward(int n, int in, int out, const float *x, const float *w, const float *b, int act, const float *mask, float keep, float *z, float *h) {
  dense_forward(n, in, out, x, w, b, z);
  if (!h) return;
  size_t total = (size_t)n * out;
  activation_forward(act, total, z, h);
  if (mask) for (size_t i = 0; i < total; i++) h[i] = h[i] * (mask[i] * keep);
}

EXPORT("activationForward") void wasm_activation_forward(int act, size_t count, const float *z, float *h) { activation_forward(act, count, z, h); }
EXPORT("activationBackward") void wasm_activation_backward(int act, size_t count, const float *z, const float *dh, float *dz) { activation_backward(act, count, z, dh, dz); }
EXPORT("smoothedCrossEntropy") double wasm_sce(int n, int k, const float *z, const float *t, float *lp, float *g) { return smoothed_cross_entropy(n, k, z, t, lp, g); }
EXPORT("columnSums") void wasm_column_sums(size_t rows, int cols, const float *x, float *out) { column_sums(rows, cols, x, out); }
EXPORT("adamUpdate")
void wasm_adam(size_t count, float *p, const float *g, float *m, float *v, float lr, float b1, float b2, float eps, float ab1, float ab2) {
  adam_update(count, p, g, m, v, lr, b1, b2, eps, ab1, ab2);
}
EXPORT("momentumUpdate") void wasm_momentum(size_t count, float *p, const float *g, float *acc, float lr, float mom) { momentum_update(count, p, g, acc, lr, mom); }

/* conv2dForward(n, h, w, c, filters, kernel, stride, same, x, kernel weights, bias, z): 0, or 1 when out of memory */
EXPORT("conv2dForward")
int wasm_conv2d_forward(int n, int h, int w, int c, int filters, int kernel, int stride, int same, const float *x, const float *wt, const float *b, float *z) {
  ConvShape s = conv_shape(n, h, w, c, kernel, stride, filters, same);
  float *cols = malloc(sizeof(float) * (conv_cols_size(&s) + 1));
  if (!cols) return 1;
  conv2d_forward(&s, x, wt, b, cols, z);
  free(cols);
  return 0;
}

EXPORT("conv2dBackward")
int wasm_conv2d_backward(int n, int h, int w, int c, int filters, int kernel, int stride, int same, const float *x, const float *wt, const float *dz, float *dx,
                         float *dw, float *db) {
  ConvShape s = conv_shape(n, h, w, c, kernel, stride, filters, same);
  float *cols = malloc(sizeof(float) * (conv_cols_size(&s) + 1)), *dcols = malloc(sizeof(float) * (conv_cols_size(&s) + 1));
  if (!cols || !dcols) { free(cols); free(dcols); return 1; }
  if (!conv_input_is_cols(&s)) im2col(&s, x, cols);
  conv2d_backward(&s, conv_input_is_cols(&s) ? x : cols, wt, dz, dw, db, dcols, dx);
  free(cols);
  free(dcols);
  return 0;
}

/* poolForward(max, n, h, w, c, size, stride, same, x, y); poolBackward(..., x, dy, dx) */
EXPORT("poolForward") void wasm_pool_forward(int is_max, int n, int h, int w, int c, int size, int stride, int same, const float *x, float *y) {
  PoolShape s = pool_shape(n, h, w, c, size, stride, same);
  if (is_max) max_pool_forward(&s, x, y, NULL);
  else avg_pool_forward(&s, x, y);
}

EXPORT("poolBackward") int wasm_pool_backward(int is_max, int n, int h, int w, int c, int size, int stride, int same, const float *x, const float *dy, float *dx) {
  PoolShape s = pool_shape(n, h, w, c, size, stride, same);
  if (!is_max) { avg_pool_backward(&s, dy, dx); return 0; }
  size_t outs = (size_t)s.n * s.out_h * s.out_w * s.c;
  float *out = malloc(sizeof(float) * (outs + 1));
  int *argmax = malloc(sizeof(int) * (outs + 1));
  if (!out || !argmax) { free(out); free(argmax); return 1; }
  max_pool_forward(&s, x, out, argmax);
  max_pool_backward(&s, dy, argmax, dx);
  free(out);
  free(argmax);
  return 0;
}

EXPORT("batchNorm")
int wasm_batch_norm(size_t rows, int c, const float *x, const float *gamma, const float *beta, float eps, float *y, const float *dy, float *dx, float *dg, float *dbeta) {
  float *stats = malloc(sizeof(float) * 3 * c), *xhat = malloc(sizeof(float) * rows * c + 1);
  if (!stats || !xhat) { free(stats); free(xhat); return 1; }
  batch_norm_train_forward(rows, c, x, gamma, beta, eps, stats, stats + c, stats + 2 * c, xhat, y);
  if (dy) batch_norm_backward(rows, c, xhat, gamma, stats + 2 * c, dy, dg, dbeta, dx);
  free(stats);
  free(xhat);
  return 0;
}

EXPORT("blasConfig") const char *wasm_blas_config(void) { return ls_blas_config(); }

/* ---- networks */

static const char *last_error = "";

/* A network, or 0 with networkError() saying why. */
EXPORT("networkCreate") Network *wasm_network_create(int h, int w, int c, const double *records, int layer_count) {
  const char *problem = NULL;
  Network *net = network_create(h, w, c, records, layer_count, &problem);
  last_error = problem ? problem : "";
  return net;
}
EXPORT("networkError") const char *wasm_network_error(void) { return last_error; }
EXPORT("networkFree") void wasm_network_free(Network *net) { network_free(net); }
EXPORT("networkReserve") int wasm_network_reserve(Network *net, int rows) { return network_reserve(net, rows); }
EXPORT("networkSetOptimizer") void wasm_network_set_optimizer(Network *net, int opt, float lr, float mom, float decay, int mode, double factor) {
  network_set_optimizer(net, opt, lr, mom, decay, mode, factor);
}
EXPORT("networkTrainStep") double wasm_network_train_step(Network *net, int n, const float *x, const float *t, const float *const *masks, float *lp) {
  return network_train_step(net, n, x, t, masks, lp);
}
EXPORT("networkPredict") void wasm_network_predict(Network *net, int n, const float *x, float *lp, float *pen) { network_predict(net, n, x, lp, pen); }

/* Sizes of a network: [param count, stat count, classes, input size, dropout layers, layers, the last layer's input size, timing slots]. */
EXPORT("networkInfo") void wasm_network_info(const Network *net, int *out) {
  out[0] = (int)net->param_count;
  out[1] = (int)net->stat_count;
  out[2] = net->classes;
  out[3] = (int)net->in_size;
  out[4] = net->dropout_count;
  out[5] = net->layer_count;
  out[6] = (int)net->layers[net->layer_count - 1].in_size;
  out[7] = (int)network_seconds_count(net);
}
/* The input size of the dropout layer whose mask is mask_index: its mask's values per row. */
EXPORT("networkMaskWidth") int wasm_network_mask_width(const Network *net, int mask_index) {
  for (int l = 0; l < net->layer_count; l++) {
    const Layer *L = &net->layers[l];
    if (L->type == LAYER_DROPOUT && L->mask_index == mask_index) return (int)L->in_size;
  }
  return 0;
}
/* The buffers of a network's state: 0 params, 1 stats, 2 m, 3 v, 4 seconds (doubles). */
EXPORT("networkBuffer") void *wasm_network_buffer(const Network *net, int which) {
  switch (which) {
    case 0: return net->params;
    case 1: return net->stats;
    case 2: return net->m;
    case 3: return net->v;
    default: return net->seconds;
  }
}
EXPORT("networkBetaPower") double wasm_network_beta_power(const Network *net, int which) { return which ? net->acc_beta2 : net->acc_beta1; }
EXPORT("networkSetBetaPowers") void wasm_network_set_beta_powers(Network *net, float b1, float b2) {
  net->acc_beta1 = b1;
  net->acc_beta2 = b2;
}
