/*
 * A network as a list of layers with its optimizer state, and its fused training step: forward, smoothed
 * cross-entropy, backward, weight decay and the optimizer update in one call. Pure C on top of
 * kernels/ (no N-API, no threads): the addon's glue (ls_bench_native.c) runs one network per thread.
 *
 * The layer list comes from the TypeScript side (src/engine/nativeModel.ts) as records of
 * NETWORK_RECORD doubles, the output layer included:
 *   [0] type (LAYER_*)  [1] units | filters | pool size  [2] conv kernel  [3] stride  [4] padding (0 valid, 1 same)
 *   [5] activation (ACT_*, −1 none)  [6] dropout rate | batch-norm momentum  [7] batch-norm epsilon
 * Parameters live in one contiguous buffer in layer order (dense and conv: kernel then bias; batch norm:
 * γ then β), so the optimizer is one loop; batch norm's running mean and variance live in `stats`.
 */
#ifndef LS_BENCH_NETWORK_H
#define LS_BENCH_NETWORK_H

#include <stddef.h>

enum { LAYER_DENSE = 0, LAYER_CONV = 1, LAYER_MAX_POOL = 2, LAYER_AVG_POOL = 3, LAYER_FLATTEN = 4, LAYER_DROPOUT = 5, LAYER_BATCH_NORM = 6, LAYER_ACTIVATION = 7 };
enum { OPT_ADAM = 0, OPT_MOMENTUM = 1 };
enum { DECAY_L2 = 0, DECAY_DECOUPLED = 1 };
#define NETWORK_RECORD 8
#define NETWORK_MAX_LAYERS 256

typedef struct {
  int type;
  int in_h, in_w, in_c, out_h, out_w, out_c;
  size_t in_size, out_size; /* floats per sample */
  int units, kernel, stride, same, act;
  float keep_scale;        /* dropout: 1/(1 − rate) */
  float momentum, eps;     /* batch norm */
  size_t w_off, b_off;     /* dense, conv: kernel and bias; batch norm: γ and β */
  size_t stat_off;         /* batch norm: running mean, then running variance */
  int mask_index;          /* dropout: which of the step's masks */
  /* scratch for `capacity` rows, and where the last forward pass read and wrote */
  float *z, *out, *cols, *mean, *var, *inv_std;
  int *argmax;
  const float *in_ptr, *out_ptr;
} Layer;

typedef struct {
  int layer_count, dropout_count, classes;
  int in_h, in_w, in_c;
  size_t in_size;
  Layer *layers;
  size_t param_count, stat_count;
  float *params, *grads, *m, *v, *stats;
  int opt, decay_mode;
  float lr, momentum, beta1, beta2, eps, acc_beta1, acc_beta2, weight_decay, decay_factor;
  int capacity;
  float *delta_a, *delta_b, *dcols, *logits_grad;
  /* seconds spent per layer (forward, backward) and in the update, summed over steps: where a step's time goes */
  double *seconds;
} Network;

/* Builds a network; returns NULL and sets *error to a message when the records do not describe one. */
Network *network_create(int in_h, int in_w, int in_c, const double *records, int layer_count, const char **error);
/* Frees every buffer and zeroes the struct (a disposed handle); network_free also frees the struct. */
void network_release(Network *net);
void network_free(Network *net);
/* Makes the scratch buffers hold `rows` rows; 0 when out of memory. */
int network_reserve(Network *net, int rows);
void network_set_optimizer(Network *net, int opt, float lr, float momentum, float weight_decay, int decay_mode, double decay_factor);
/* One step on n rows (network_reserve(n) first): the loss before the update; log_probs before the update. masks: one per dropout layer, or NULL. */
double network_train_step(Network *net, int n, const float *x, const float *targets, const float *const *masks, float *log_probs);
/* Inference (dropout off, batch norm on running statistics); penultimate (the last dense layer's input) when not NULL. */
void network_predict(Network *net, int n, const float *x, float *log_probs, float *penultimate);
/* Slots of the seconds array: 2 per layer (forward, backward), then the update. */
size_t network_seconds_count(const Network *net);

#endif
