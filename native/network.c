/* The layer-list network and its fused training step (see network.h). */
#define _POSIX_C_SOURCE 199309L
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "network.h"
#include "kernels/kernels.h"

/*
 * Whether a dense or conv layer keeps its pre-activation z apart from its output: the gradient of no
 * activation needs nothing, and relu's only the sign of z, which its output has too (one buffer less).
 */
static int keeps_z(int act) { return act != ACT_NONE && act != ACT_RELU; }

/* The buffer the backward pass reads act'(z) from. */
static const float *preactivation(const Layer *L) { return keeps_z(L->act) ? L->z : L->out; }

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void network_release(Network *net) {
  for (int l = 0; net->layers && l < net->layer_count; l++) {
    Layer *L = &net->layers[l];
    free(L->z); free(L->out); free(L->cols); free(L->argmax); free(L->mean); free(L->var); free(L->inv_std);
  }
  free(net->layers);
  free(net->params); free(net->grads); free(net->m); free(net->v); free(net->stats);
  free(net->delta_a); free(net->delta_b); free(net->dcols); free(net->logits_grad); free(net->seconds);
  memset(net, 0, sizeof *net);
}

void network_free(Network *net) {
  if (!net) return;
  network_release(net);
  free(net);
}

/* Shapes and parameter offsets of layer L from its record and its input shape; NULL or what is wrong. */
static const char *plan_layer(Network *net, Layer *L, const double *r) {
  L->type = (int)r[0];
  L->units = (int)r[1];
  L->kernel = (int)r[2];
  L->stride = (int)r[3];
  L->same = (int)r[4];
  L->act = (int)r[5];
  L->in_size = (size_t)L->in_h * L->in_w * L->in_c;
  if (L->act < ACT_NONE || L->act > ACT_LAST) return "unknown activation";
  L->out_h = L->in_h; L->out_w = L->in_w; L->out_c = L->in_c;
  switch (L->type) {
    case LAYER_DENSE:
      if (L->in_h != 1 || L->in_w != 1) return "a dense layer needs a flat input (flatten first)";
      if (L->units < 1) return "a dense layer needs at least 1 unit";
      L->out_c = L->units;
      L->w_off = net->param_count;
      L->b_off = L->w_off + L->in_size * L->units;
      net->param_count = L->b_off + L->units;
      break;
    case LAYER_CONV: {
      if (L->units < 1 || L->kernel < 1 || L->stride < 1) return "a conv layer needs filters, kernel and stride ≥ 1";
      ConvShape s = conv_shape(1, L->in_h, L->in_w, L->in_c, L->kernel, L->stride, L->units, L->same);
      if (s.out_h < 1 || s.out_w < 1) return "a conv layer's kernel is larger than its input";
      L->out_h = s.out_h; L->out_w = s.out_w; L->out_c = L->units;
      L->w_off = net->param_count;
      L->b_off = L->w_off + (size_t)L->kernel * L->kernel * L->in_c * L->units;
      net->param_count = L->b_off + L->units;
      break;
    }
    case LAYER_MAX_POOL:
    case LAYER_AVG_POOL: {
      if (L->units < 1 || L->stride < 1) return "a pooling layer needs size and stride ≥ 1";
      PoolShape s = pool_shape(1, L->in_h, L->in_w, L->in_c, L->units, L->stride, L->same);
      if (s.out_h < 1 || s.out_w < 1) return "a pooling window is larger than its input";
      L->out_h = s.out_h; L->out_w = s.out_w;
      break;
    }
    case LAYER_FLATTEN:
      L->out_h = 1; L->out_w = 1; L->out_c = (int)L->in_size;
      break;
    case LAYER_DROPOUT:
      if (!(r[6] >= 0.0 && r[6] < 1.0)) return "a dropout rate must be in [0, 1)";
      L->keep_scale = (float)(1.0 / (1.0 - r[6]));
      L->mask_index = net->dropout_count++;
      break;
    case LAYER_BATCH_NORM:
      L->momentum = (float)r[6];
      L->eps = (float)r[7];
      if (!(L->eps > 0.0f)) return "a batch-norm epsilon must be > 0";
      L->w_off = net->param_count;         /* γ */
      L->b_off = L->w_off + L->in_c;       /* β */
      net->param_count = L->b_off + L->in_c;
      L->stat_off = net->stat_count;       /* running mean, running variance */
      net->stat_count += 2 * (size_t)L->in_c;
      L->mean = malloc(sizeof(float) * L->in_c);
      L->var = malloc(sizeof(float) * L->in_c);
      L->inv_std = malloc(sizeof(float) * L->in_c);
      if (!L->mean || !L->var || !L->inv_std) return "out of memory";
      break;
    case LAYER_ACTIVATION:
      if (L->act == ACT_NONE) return "an activation layer needs an activation";
      break;
    default:
      return "unknown layer type";
  }
  L->out_size = (size_t)L->out_h * L->out_w * L->out_c;
  return NULL;
}

Network *network_create(int in_h, int in_w, int in_c, const double *records, int layer_count, const char **error) {
  *error = NULL;
  if (in_h < 1 || in_w < 1 || in_c < 1) { *error = "the input shape must be ≥ 1 in every dimension"; return NULL; }
  if (layer_count < 1 || layer_count > NETWORK_MAX_LAYERS) { *error = "a network has 1 to 256 layers"; return NULL; }
  Network *net = calloc(1, sizeof(Network));
  if (!net || !(net->layers = calloc((size_t)layer_count, sizeof(Layer)))) { network_free(net); *error = "out of memory"; return NULL; }
  net->layer_count = layer_count;
  net->in_h = in_h; net->in_w = in_w; net->in_c = in_c;
  net->in_size = (size_t)in_h * in_w * in_c;
  int h = in_h, w = in_w, c = in_c;
  for (int l = 0; l < layer_count; l++) {
    Layer *L = &net->layers[l];
    L->in_h = h; L->in_w = w; L->in_c = c;
    const char *problem = plan_layer(net, L, records + (size_t)l * NETWORK_RECORD);
    if (problem) { network_free(net); *error = problem; return NULL; }
    h = L->out_h; w = L->out_w; c = L->out_c;
  }
  const Layer *last = &net->layers[layer_count - 1];
  if (last->type != LAYER_DENSE || last->act != ACT_NONE) { network_free(net); *error = "the last layer must be a dense layer without activation (the logits)"; return NULL; }
  net->classes = last->units;
  size_t count = net->param_count;
  net->params = malloc(sizeof(float) * count);
  net->grads = malloc(sizeof(float) * count);
  net->m = calloc(count, sizeof(float));
  net->v = calloc(count, sizeof(float));
  net->stats = calloc(net->stat_count ? net->stat_count : 1, sizeof(float));
  net->seconds = calloc(network_seconds_count(net), sizeof(double));
  if (!net->params || !net->grads || !net->m || !net->v || !net->stats || !net->seconds) { network_free(net); *error = "out of memory"; return NULL; }
  network_set_optimizer(net, OPT_ADAM, 0.001f, 0.0f, 0.0f, DECAY_L2, 1.0);
  return net;
}

void network_set_optimizer(Network *net, int opt, float lr, float momentum, float weight_decay, int decay_mode, double decay_factor) {
  net->opt = opt; net->lr = lr; net->momentum = momentum;
  net->weight_decay = weight_decay; net->decay_mode = decay_mode; net->decay_factor = (float)decay_factor;
  net->beta1 = 0.9f; net->beta2 = 0.999f; net->eps = 1e-7f; net->acc_beta1 = 0.9f; net->acc_beta2 = 0.999f;
}

size_t network_seconds_count(const Network *net) { return 2 * (size_t)net->layer_count + 1; }

static int grow(void **p, size_t bytes) {
  void *q = realloc(*p, bytes ? bytes : 1);
  if (!q) return 0;
  *p = q;
  return 1;
}

int network_reserve(Network *net, int rows) {
  if (rows <= net->capacity) return 1;
  size_t widest = net->in_size, cols = 1;
  for (int l = 0; l < net->layer_count; l++) {
    Layer *L = &net->layers[l];
    size_t outs = (size_t)rows * L->out_size;
    if (L->out_size > widest) widest = L->out_size;
    int ok = 1;
    switch (L->type) {
      case LAYER_DENSE:
      case LAYER_CONV:
        if (keeps_z(L->act)) ok = grow((void **)&L->z, sizeof(float) * outs);
        ok = ok && grow((void **)&L->out, sizeof(float) * outs);
        if (ok && L->type == LAYER_CONV) {
          ConvShape s = conv_shape(rows, L->in_h, L->in_w, L->in_c, L->kernel, L->stride, L->units, L->same);
          size_t need = conv_input_is_cols(&s) ? 1 : conv_cols_size(&s);
          ok = grow((void **)&L->cols, sizeof(float) * need);
          if (need > cols) cols = need;
        }
        break;
      case LAYER_MAX_POOL:
        ok = grow((void **)&L->out, sizeof(float) * outs) && grow((void **)&L->argmax, sizeof(int) * outs);
        break;
      case LAYER_BATCH_NORM:
        ok = grow((void **)&L->z, sizeof(float) * outs) && grow((void **)&L->out, sizeof(float) * outs);
        break;
      case LAYER_AVG_POOL:
      case LAYER_DROPOUT:
      case LAYER_ACTIVATION:
        ok = grow((void **)&L->out, sizeof(float) * outs);
        break;
      default:
        break;
    }
    if (!ok) return 0;
  }
  size_t wide = sizeof(float) * (size_t)rows * widest;
  if (!grow((void **)&net->delta_a, wide) || !grow((void **)&net->delta_b, wide) || !grow((void **)&net->dcols, sizeof(float) * cols) ||
      !grow((void **)&net->logits_grad, sizeof(float) * (size_t)rows * net->classes)) return 0;
  net->capacity = rows;
  return 1;
}

/* One layer forward over n rows; returns where its output is. */
static const float *layer_forward(Network *net, Layer *L, int n, const float *in, int training, const float *const *masks) {
  const float *p = net->params;
  float *stats = net->stats;
  L->in_ptr = in;
  switch (L->type) {
    case LAYER_DENSE: {
      float *z = keeps_z(L->act) ? L->z : L->out;
      dense_forward(n, (int)L->in_size, L->units, in, p + L->w_off, NULL, z);
      bias_activation((size_t)n, L->units, p + L->b_off, L->act, z, L->out);
      return L->out;
    }
    case LAYER_CONV: {
      ConvShape s = conv_shape(n, L->in_h, L->in_w, L->in_c, L->kernel, L->stride, L->units, L->same);
      float *z = keeps_z(L->act) ? L->z : L->out;
      conv2d_forward(&s, in, p + L->w_off, NULL, L->cols, z);
      bias_activation((size_t)n * s.out_h * s.out_w, L->units, p + L->b_off, L->act, z, L->out);
      return L->out;
    }
    case LAYER_MAX_POOL: {
      PoolShape s = pool_shape(n, L->in_h, L->in_w, L->in_c, L->units, L->stride, L->same);
      max_pool_forward(&s, in, L->out, training ? L->argmax : NULL);
      return L->out;
    }
    case LAYER_AVG_POOL: {
      PoolShape s = pool_shape(n, L->in_h, L->in_w, L->in_c, L->units, L->stride, L->same);
      avg_pool_forward(&s, in, L->out);
      return L->out;
    }
    case LAYER_DROPOUT: {
      /* inverted dropout with the trainer's masks (identical for every arm); the identity at inference */
      if (!training || !masks) return in;
      const float *mask = masks[L->mask_index];
      const float keep = L->keep_scale;
      size_t total = (size_t)n * L->in_size;
      for (size_t i = 0; i < total; i++) L->out[i] = in[i] * (mask[i] * keep);
      return L->out;
    }
    case LAYER_BATCH_NORM: {
      size_t rows = (size_t)n * L->in_h * L->in_w;
      float *run_mean = stats + L->stat_off, *run_var = run_mean + L->in_c;
      if (training) {
        batch_norm_train_forward(rows, L->in_c, in, p + L->w_off, p + L->b_off, L->eps, L->mean, L->var, L->inv_std, L->z, L->out);
        batch_norm_update_running(L->in_c, rows, L->momentum, L->mean, L->var, run_mean, run_var);
      } else {
        batch_norm_infer_forward(rows, L->in_c, in, p + L->w_off, p + L->b_off, run_mean, run_var, L->eps, L->out);
      }
      return L->out;
    }
    case LAYER_ACTIVATION:
      activation_forward(L->act, (size_t)n * L->in_size, in, L->out);
      return L->out;
    default: /* flatten: NHWC is already flat in memory */
      return in;
  }
}

static const float *forward(Network *net, int n, const float *x, int training, const float *const *masks) {
  const float *h = x;
  for (int l = 0; l < net->layer_count; l++) {
    double started = now_seconds();
    h = layer_forward(net, &net->layers[l], n, h, training, masks);
    net->layers[l].out_ptr = h;
    net->seconds[2 * l] += now_seconds() - started;
  }
  return h;
}

/* One layer backward: dout is ∂loss/∂output (may be overwritten); returns ∂loss/∂input, in din or in place (NULL for the first layer). */
static float *layer_backward(Network *net, Layer *L, int n, float *dout, float *din, int need_dx, const float *const *masks) {
  const float *p = net->params;
  float *g = net->grads;
  switch (L->type) {
    case LAYER_DENSE:
      if (L->act != ACT_NONE) activation_backward(L->act, (size_t)n * L->out_size, preactivation(L), dout, dout);
      dense_backward(n, (int)L->in_size, L->units, L->in_ptr, p + L->w_off, dout, g + L->w_off, g + L->b_off, need_dx ? din : NULL);
      return din;
    case LAYER_CONV: {
      ConvShape s = conv_shape(n, L->in_h, L->in_w, L->in_c, L->kernel, L->stride, L->units, L->same);
      if (L->act != ACT_NONE) activation_backward(L->act, (size_t)n * L->out_size, preactivation(L), dout, dout);
      conv2d_backward(&s, conv_input_is_cols(&s) ? L->in_ptr : L->cols, p + L->w_off, dout, g + L->w_off, g + L->b_off, net->dcols,
                      need_dx ? din : NULL);
      return din;
    }
    case LAYER_MAX_POOL: {
      if (!need_dx) return NULL;
      PoolShape s = pool_shape(n, L->in_h, L->in_w, L->in_c, L->units, L->stride, L->same);
      max_pool_backward(&s, dout, L->argmax, din);
      return din;
    }
    case LAYER_AVG_POOL: {
      if (!need_dx) return NULL;
      PoolShape s = pool_shape(n, L->in_h, L->in_w, L->in_c, L->units, L->stride, L->same);
      avg_pool_backward(&s, dout, din);
      return din;
    }
    case LAYER_DROPOUT:
      if (masks) {
        const float *mask = masks[L->mask_index];
        const float keep = L->keep_scale;
        size_t total = (size_t)n * L->in_size;
        for (size_t i = 0; i < total; i++) dout[i] = dout[i] * (mask[i] * keep);
      }
      return dout;
    case LAYER_BATCH_NORM:
      batch_norm_backward((size_t)n * L->in_h * L->in_w, L->in_c, L->z, p + L->w_off, L->inv_std, dout, g + L->w_off, g + L->b_off,
                          need_dx ? din : NULL);
      return din;
    case LAYER_ACTIVATION:
      activation_backward(L->act, (size_t)n * L->in_size, L->in_ptr, dout, dout);
      return dout;
    default:
      return dout;
  }
}

static void update(Network *net) {
  if (net->weight_decay > 0.0f) {
    for (int l = 0; l < net->layer_count; l++) {
      const Layer *L = &net->layers[l];
      /* kernels only: biases and batch-norm γ/β are not decayed */
      if (L->type != LAYER_DENSE && L->type != LAYER_CONV) continue;
      size_t count = L->b_off - L->w_off;
      if (net->decay_mode == DECAY_L2) l2_decay_gradient(count, net->params + L->w_off, net->grads + L->w_off, net->weight_decay);
      else decoupled_decay(count, net->params + L->w_off, net->decay_factor);
    }
  }
  if (net->opt == OPT_ADAM) {
    adam_update(net->param_count, net->params, net->grads, net->m, net->v, net->lr, net->beta1, net->beta2, net->eps, net->acc_beta1,
                net->acc_beta2);
    net->acc_beta1 = net->acc_beta1 * net->beta1;
    net->acc_beta2 = net->acc_beta2 * net->beta2;
  } else {
    momentum_update(net->param_count, net->params, net->grads, net->m, net->lr, net->momentum);
  }
}

double network_train_step(Network *net, int n, const float *x, const float *targets, const float *const *masks, float *log_probs) {
  const float *logits = forward(net, n, x, 1, masks);
  double loss = smoothed_cross_entropy(n, net->classes, logits, targets, log_probs, net->logits_grad);
  float *dout = net->logits_grad;
  for (int l = net->layer_count - 1; l >= 0; l--) {
    double started = now_seconds();
    float *din = dout == net->delta_a ? net->delta_b : net->delta_a;
    dout = layer_backward(net, &net->layers[l], n, dout, din, l > 0, masks);
    net->seconds[2 * l + 1] += now_seconds() - started;
  }
  double started = now_seconds();
  update(net);
  net->seconds[2 * net->layer_count] += now_seconds() - started;
  return loss;
}

void network_predict(Network *net, int n, const float *x, float *log_probs, float *penultimate) {
  const float *logits = forward(net, n, x, 0, NULL);
  smoothed_cross_entropy(n, net->classes, logits, NULL, log_probs, NULL);
  if (penultimate) {
    const Layer *last = &net->layers[net->layer_count - 1];
    memcpy(penultimate, last->in_ptr, sizeof(float) * (size_t)n * last->in_size);
  }
}
