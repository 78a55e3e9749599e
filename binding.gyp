{
  "variables": {
    "ls_cblas_kind%": "OPENBLAS",
    "ls_cblas_include_dirs%": "/usr/include/x86_64-linux-gnu /usr/include/openblas",
    "ls_cblas_libraries%": "-lopenblas",
    "ls_cblas_ldflags%": ""
  },
  "targets": [
    {
      "target_name": "ls_bench_native",
      "sources": [
        "native/ls_bench_native.c",
        "native/network.c",
        "native/kernels/activation.c",
        "native/kernels/batchnorm.c",
        "native/kernels/blas.c",
        "native/kernels/conv.c",
        "native/kernels/dense.c",
        "native/kernels/loss.c",
        "native/kernels/optimizer.c",
        "native/kernels/pool.c"
      ],
      "defines": ["LS_BLAS_<(ls_cblas_kind)"],
      "include_dirs": ["<@(ls_cblas_include_dirs)"],
      "cflags": ["-O3", "-std=c11", "-fno-math-errno", "-fno-trapping-math", "-pthread", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-pthread", "<@(ls_cblas_ldflags)"],
      "libraries": ["<@(ls_cblas_libraries)", "-lm", "-lpthread"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "OTHER_CFLAGS": ["-O3", "-std=c11", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            "OTHER_LDFLAGS": ["<@(ls_cblas_ldflags)"]
          }
        }]
      ]
    }
  ]
}
