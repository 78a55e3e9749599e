/*
 * 2-D convolution, NHWC, as im2col + one sgemm: each output pixel's receptive field becomes a row of
 * kernel²·in_c values in the kernel's own [kh][kw][c] order, so the kernel [kernel × kernel × in_c × filters]
 * is already the [K × filters] matrix of the product. Padding pixels are zeros, as in TensorFlow.
 */
#include <string.h>
#include "kernels.h"

ConvShape conv_shape(int n, int in_h, int in_w, int in_c, int kernel, int stride, int filters, int same) {
  ConvShape s = {n, in_h, in_w, in_c, kernel, stride, filters, 0, 0, 0, 0};
  if (same) {
    s.out_h = (in_h + stride - 1) / stride;
    s.out_w = (in_w + stride - 1) / stride;
    int pad_h = (s.out_h - 1) * stride + kernel - in_h, pad_w = (s.out_w - 1) * stride + kernel - in_w;
    if (pad_h < 0) pad_h = 0;
    if (pad_w < 0) pad_w = 0;
    s.pad_top = pad_h / 2;
    s.pad_left = pad_w / 2;
  } else {
    s.out_h = in_h >= kernel ? (in_h - kernel) / stride + 1 : 0;
    s.out_w = in_w >= kernel ? (in_w - kernel) / stride + 1 : 0;
  }
  return s;
}

size_t conv_cols_size(const ConvShape *s) { return (size_t)s->n * s->out_h * s->out_w * s->kernel * s->kernel * s->in_c; }

/* A 1×1 kernel with stride 1 and no padding reads every pixel once, in order: the input is its own im2col. */
int conv_input_is_cols(const ConvShape *s) { return s->kernel == 1 && s->stride == 1 && s->pad_top == 0 && s->pad_left == 0; }

void im2col(const ConvShape *s, const float *x, float *cols) {
  const int k = s->kernel, c = s->in_c;
  const size_t row_len = (size_t)k * k * c, patch_row = (size_t)k * c;
  float *out = cols;
  for (int b = 0; b < s->n; b++) {
    const float *img = x + (size_t)b * s->in_h * s->in_w * c;
    for (int oh = 0; oh < s->out_h; oh++) {
      const int top = oh * s->stride - s->pad_top;
      for (int ow = 0; ow < s->out_w; ow++) {
        const int left = ow * s->stride - s->pad_left;
        if (top >= 0 && left >= 0 && top + k <= s->in_h && left + k <= s->in_w) {
          /* inside: each kernel row is k·c contiguous floats of the image (a plain loop: often only a few floats) */
          for (int i = 0; i < k; i++) {
            const float *src = img + ((size_t)(top + i) * s->in_w + left) * c;
            float *dst = out + i * patch_row;
            for (size_t j = 0; j < patch_row; j++) dst[j] = src[j];
          }
        } else {
          for (int i = 0; i < k; i++) {
            const int r = top + i;
            float *dst = out + i * patch_row;
            if (r < 0 || r >= s->in_h) { memset(dst, 0, sizeof(float) * patch_row); continue; }
            for (int j = 0; j < k; j++) {
              const int col = left + j;
              if (col < 0 || col >= s->in_w) memset(dst + (size_t)j * c, 0, sizeof(float) * c);
              else memcpy(dst + (size_t)j * c, img + ((size_t)r * s->in_w + col) * c, sizeof(float) * c);
            }
          }
        }
        out += row_len;
      }
    }
  }
}

void col2im(const ConvShape *s, const float *dcols, float *dx) {
  const int k = s->kernel, c = s->in_c;
  const size_t row_len = (size_t)k * k * c;
  memset(dx, 0, sizeof(float) * (size_t)s->n * s->in_h * s->in_w * c);
  const float *in = dcols;
  for (int b = 0; b < s->n; b++) {
    float *img = dx + (size_t)b * s->in_h * s->in_w * c;
    for (int oh = 0; oh < s->out_h; oh++) {
      const int top = oh * s->stride - s->pad_top;
      for (int ow = 0; ow < s->out_w; ow++) {
        const int left = ow * s->stride - s->pad_left;
        for (int i = 0; i < k; i++) {
          const int r = top + i;
          if (r < 0 || r >= s->in_h) continue;
          for (int j = 0; j < k; j++) {
            const int col = left + j;
            if (col < 0 || col >= s->in_w) continue;
            float *dst = img + ((size_t)r * s->in_w + col) * c;
            const float *src = in + ((size_t)i * k + j) * c;
            for (int ch = 0; ch < c; ch++) dst[ch] += src[ch];
          }
        }
        in += row_len;
      }
    }
  }
}

void conv2d_forward(const ConvShape *s, const float *x, const float *w, const float *bias, float *cols, float *z) {
  const int rows = s->n * s->out_h * s->out_w, depth = s->kernel * s->kernel * s->in_c;
  const float *a = x;
  if (!conv_input_is_cols(s)) {
    im2col(s, x, cols);
    a = cols;
  }
  ls_matmul(0, 0, rows, s->filters, depth, a, w, 0.0f, z);
  if (!bias) return;
  for (int i = 0; i < rows; i++) {
    float *zr = z + (size_t)i * s->filters;
    for (int f = 0; f < s->filters; f++) zr[f] += bias[f];
  }
}

void conv2d_backward(const ConvShape *s, const float *cols, const float *w, const float *dz, float *dw, float *db, float *dcols, float *dx) {
  const int rows = s->n * s->out_h * s->out_w, depth = s->kernel * s->kernel * s->in_c;
  /* cols was filled by conv2d_forward, except for a 1×1 stride-1 kernel, whose cols is the input itself (the caller passes it) */
  ls_matmul(1, 0, depth, s->filters, rows, cols, dz, 0.0f, dw); /* dW = colsᵀ·dz */
  column_sums((size_t)rows, s->filters, dz, db);
  if (!dx) return;
  if (conv_input_is_cols(s)) {
    ls_matmul(0, 1, rows, depth, s->filters, dz, w, 0.0f, dx);
    return;
  }
  ls_matmul(0, 1, rows, depth, s->filters, dz, w, 0.0f, dcols); /* dcols = dz·Wᵀ */
  col2im(s, dcols, dx);
}
