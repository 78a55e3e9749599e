/*
 * Max and average pooling, NHWC, with TensorFlow's window placement (same: ceil(in/stride) outputs,
 * the padding split with the extra row at the end). Padded pixels never take part: a max ignores them
 * and an average divides by the pixels actually inside the image.
 */
#include <string.h>
#include "kernels.h"

/* Pixels in a pooling window at most (pool sizes are at most 64 × 64, src/config/modelSchema.ts). */
#define MAX_POOL_WINDOW (64 * 64)

PoolShape pool_shape(int n, int in_h, int in_w, int c, int size, int stride, int same) {
  ConvShape cs = conv_shape(n, in_h, in_w, c, size, stride, c, same);
  PoolShape s = {n, in_h, in_w, c, size, stride, cs.out_h, cs.out_w, cs.pad_top, cs.pad_left};
  return s;
}

/* The window of output (oh, ow) clipped to the image: rows [r0, r1), columns [c0, c1). */
static inline void window(const PoolShape *s, int oh, int ow, int *r0, int *r1, int *c0, int *c1) {
  int top = oh * s->stride - s->pad_top, left = ow * s->stride - s->pad_left;
  *r0 = top < 0 ? 0 : top;
  *r1 = top + s->size > s->in_h ? s->in_h : top + s->size;
  *c0 = left < 0 ? 0 : left;
  *c1 = left + s->size > s->in_w ? s->in_w : left + s->size;
}

void max_pool_forward(const PoolShape *s, const float *x, float *y, int *argmax) {
  const int c = s->c;
  const size_t in_size = (size_t)s->in_h * s->in_w * c, out_size = (size_t)s->out_h * s->out_w * c;
  int offsets[MAX_POOL_WINDOW];
  for (int b = 0; b < s->n; b++) {
    const float *img = x + b * in_size;
    float *out = y + b * out_size;
    int *arg = argmax ? argmax + b * out_size : NULL;
    for (int oh = 0; oh < s->out_h; oh++) {
      for (int ow = 0; ow < s->out_w; ow++) {
        int r0, r1, c0, c1, count = 0;
        window(s, oh, ow, &r0, &r1, &c0, &c1);
        for (int r = r0; r < r1; r++)
          for (int col = c0; col < c1; col++) offsets[count++] = (r * s->in_w + col) * c;
        float *o = out + ((size_t)oh * s->out_w + ow) * c;
        int *a = arg ? arg + ((size_t)oh * s->out_w + ow) * c : NULL;
        /* channel by channel over the window's pixels in order, branch-free so that it vectorises over channels;
           strictly greater: the first maximum in window order wins, as in TF.js */
        for (int ch = 0; ch < c; ch++) {
          float best = img[offsets[0] + ch];
          int at = offsets[0] + ch;
          for (int k = 1; k < count; k++) {
            float v = img[offsets[k] + ch];
            int greater = v > best;
            best = greater ? v : best;
            at = greater ? offsets[k] + ch : at;
          }
          o[ch] = best;
          if (a) a[ch] = at;
        }
      }
    }
  }
}

void max_pool_backward(const PoolShape *s, const float *dy, const int *argmax, float *dx) {
  const size_t in_size = (size_t)s->in_h * s->in_w * s->c, out_size = (size_t)s->out_h * s->out_w * s->c;
  memset(dx, 0, sizeof(float) * in_size * s->n);
  for (int b = 0; b < s->n; b++) {
    float *d = dx + b * in_size;
    const float *g = dy + b * out_size;
    const int *a = argmax + b * out_size;
    for (size_t i = 0; i < out_size; i++) d[a[i]] += g[i];
  }
}

void avg_pool_forward(const PoolShape *s, const float *x, float *y) {
  const int c = s->c;
  const size_t in_size = (size_t)s->in_h * s->in_w * c, out_size = (size_t)s->out_h * s->out_w * c;
  for (int b = 0; b < s->n; b++) {
    const float *img = x + b * in_size;
    float *out = y + b * out_size;
    for (int oh = 0; oh < s->out_h; oh++) {
      for (int ow = 0; ow < s->out_w; ow++) {
        int r0, r1, c0, c1;
        window(s, oh, ow, &r0, &r1, &c0, &c1);
        float *o = out + ((size_t)oh * s->out_w + ow) * c;
        const float count = (float)((r1 - r0) * (c1 - c0));
        for (int ch = 0; ch < c; ch++) o[ch] = 0.0f;
        for (int r = r0; r < r1; r++)
          for (int col = c0; col < c1; col++) {
            const float *p = img + ((size_t)r * s->in_w + col) * c;
            for (int ch = 0; ch < c; ch++) o[ch] += p[ch];
          }
        for (int ch = 0; ch < c; ch++) o[ch] /= count;
      }
    }
  }
}

void avg_pool_backward(const PoolShape *s, const float *dy, float *dx) {
  const int c = s->c;
  const size_t in_size = (size_t)s->in_h * s->in_w * c, out_size = (size_t)s->out_h * s->out_w * c;
  memset(dx, 0, sizeof(float) * in_size * s->n);
  for (int b = 0; b < s->n; b++) {
    float *img = dx + b * in_size;
    const float *g = dy + b * out_size;
    for (int oh = 0; oh < s->out_h; oh++) {
      for (int ow = 0; ow < s->out_w; ow++) {
        int r0, r1, c0, c1;
        window(s, oh, ow, &r0, &r1, &c0, &c1);
        const float *go = g + ((size_t)oh * s->out_w + ow) * c;
        const float count = (float)((r1 - r0) * (c1 - c0));
        for (int r = r0; r < r1; r++)
          for (int col = c0; col < c1; col++) {
            float *p = img + ((size_t)r * s->in_w + col) * c;
            for (int ch = 0; ch < c; ch++) p[ch] += go[ch] / count;
          }
      }
    }
  }
}
