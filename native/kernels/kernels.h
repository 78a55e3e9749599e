/*
 * ls-bench's math kernels: pure C on float32 arrays, no N-API and no threads, so the same source serves
 * the native addon (native/ls_bench_native.c) and a WebAssembly build. Every matrix product goes through
 * ls_sgemm (blas.c), the one function such a build swaps for its own.
 *
 * Layouts follow TensorFlow.js: activations are NHWC row-major ([rows × width] for dense layers), dense
 * kernels [in × out], conv kernels [kernel × kernel × inChannels × filters]. Each kernel mirrors the
 * TF.js op it replaces; test/engine/native*.test.ts checks them against the TF.js cpu backend.
 */
#ifndef LS_BENCH_KERNELS_H
#define LS_BENCH_KERNELS_H

#include <stddef.h>

/* Activation codes, shared with src/engine/nativeAddon.ts (ACTIVATION_CODES). */
enum { ACT_NONE = -1, ACT_RELU = 0, ACT_TANH = 1, ACT_SIGMOID = 2, ACT_ELU = 3, ACT_GELU = 4 };
#define ACT_LAST ACT_GELU

/* ---- blas.c: the one place that calls a BLAS */
/* C = alpha·op(A)·op(B) + beta·C, row-major, with leading dimensions (cblas_sgemm's contract). */
void ls_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc);
/* C[m×n] = op(A)·op(B) + beta·C for dense row-major operands; handles the empty cases. */
void ls_matmul(int trans_a, int trans_b, int m, int n, int k, const float *a, const float *b, float beta, float *c);
void ls_blas_set_threads(int threads);
const char *ls_blas_config(void);

/* ---- activation.c */
void activation_forward(int act, size_t count, const float *z, float *h);
/* dz = dh ⊙ act'(z); dz may alias dh. */
void activation_backward(int act, size_t count, const float *z, const float *dh, float *dz);

/* ---- dense.c */
/* z[n×out] = x·W + b (bias broadcast over rows); without a bias (NULL), z = x·W. */
void dense_forward(int n, int in, int out, const float *x, const float *w, const float *bias, float *z);
/*
 * out = act(z + b) row by row, in one pass over memory. z holds x·W; with z == out the result is written
 * in place (for no activation and for relu, whose gradient needs only the sign of out); otherwise z
 * becomes z + b (the pre-activation the gradient needs) and out its activation.
 */
void bias_activation(size_t rows, int cols, const float *bias, int act, float *z, float *out);
/* out[j] = Σ_i x[i][j] */
void column_sums(size_t rows, int cols, const float *x, float *out);
/* dW = xᵀ·dz, db = Σ_rows dz, and dx = dz·Wᵀ when dx is not NULL. */
void dense_backward(int n, int in, int out, const float *x, const float *w, const float *dz, float *dw, float *db, float *dx);

/* ---- conv.c: 2-D convolution as im2col + sgemm, NHWC */
typedef struct {
  int n, in_h, in_w, in_c;
  int kernel, stride, filters;
  int out_h, out_w;
  int pad_top, pad_left;
} ConvShape;
/* TensorFlow's output size and padding: same → ceil(in/stride), padding split with the extra row at the end; valid → no padding. */
ConvShape conv_shape(int n, int in_h, int in_w, int in_c, int kernel, int stride, int filters, int same);
size_t conv_cols_size(const ConvShape *s); /* floats of the im2col buffer: n·out_h·out_w × kernel²·in_c */
/* A 1×1 kernel with stride 1 reads every pixel once, in order: the input is its own im2col, and cols is not written. */
int conv_input_is_cols(const ConvShape *s);
void im2col(const ConvShape *s, const float *x, float *cols);
/* dx = col2im(dcols): each patch value added back to the pixel it came from (dx is overwritten). */
void col2im(const ConvShape *s, const float *dcols, float *dx);
/* z = conv(x, W) + b (no bias when NULL); cols receives im2col(x) (kept for the backward pass). */
void conv2d_forward(const ConvShape *s, const float *x, const float *w, const float *bias, float *cols, float *z);
/* dW = colsᵀ·dz, db = Σ dz; when dx is not NULL, dx = col2im(dz·Wᵀ) using dcols as scratch. */
void conv2d_backward(const ConvShape *s, const float *cols, const float *w, const float *dz, float *dw, float *db, float *dcols, float *dx);

/* ---- pool.c: max and average pooling, NHWC; padded pixels never count */
typedef struct {
  int n, in_h, in_w, c;
  int size, stride;
  int out_h, out_w;
  int pad_top, pad_left;
} PoolShape;
PoolShape pool_shape(int n, int in_h, int in_w, int c, int size, int stride, int same);
/* argmax[i] = offset within its sample of the input that won output i (first maximum in window order, as TF.js). */
void max_pool_forward(const PoolShape *s, const float *x, float *y, int *argmax);
void max_pool_backward(const PoolShape *s, const float *dy, const int *argmax, float *dx);
void avg_pool_forward(const PoolShape *s, const float *x, float *y);
void avg_pool_backward(const PoolShape *s, const float *dy, float *dx);

/* ---- batchnorm.c: per channel over rows (n·h·w rows of c channels) */
/* Training: batch mean and biased variance; xhat = (x − mean)·invStd, y = γ·xhat + β. */
void batch_norm_train_forward(size_t rows, int c, const float *x, const float *gamma, const float *beta, float eps, float *mean, float *var,
                              float *inv_std, float *xhat, float *y);
/* Inference: the running statistics instead of the batch's. */
void batch_norm_infer_forward(size_t rows, int c, const float *x, const float *gamma, const float *beta, const float *run_mean,
                              const float *run_var, float eps, float *y);
/* dγ = Σ dy·xhat, dβ = Σ dy, dx = γ·invStd/m · (m·dy − dβ − xhat·dγ). */
void batch_norm_backward(size_t rows, int c, const float *xhat, const float *gamma, const float *inv_std, const float *dy, float *dgamma,
                         float *dbeta, float *dx);
/* running ← momentum·running + (1 − momentum)·batch, the variance unbiased (·m/(m−1)), as PyTorch. */
void batch_norm_update_running(int c, size_t rows, float momentum, const float *mean, const float *var, float *run_mean, float *run_var);

/* ---- loss.c */
/* −mean_i Σ_k t_ik·logSoftmax(z)_ik; fills log_probs and, when grad is not NULL, ∂loss/∂z. targets may be NULL (log-softmax only). */
double smoothed_cross_entropy(int n, int k, const float *logits, const float *targets, float *log_probs, float *grad);

/* ---- optimizer.c (TF.js's update formulas) */
void adam_update(size_t count, float *p, const float *g, float *m, float *v, float lr, float beta1, float beta2, float eps, float acc_beta1,
                 float acc_beta2);
void momentum_update(size_t count, float *p, const float *g, float *accum, float lr, float momentum);
/* L2 weight decay as a gradient term: g += decay·p (the gradient of decay/2·‖p‖²). */
void l2_decay_gradient(size_t count, const float *p, float *g, float decay);
/* Decoupled weight decay (AdamW, Loshchilov & Hutter): p ← p·factor with factor = 1 − lr·decay, before the update. */
void decoupled_decay(size_t count, float *p, float factor);

#endif
