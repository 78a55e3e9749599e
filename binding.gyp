{
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
      "include_dirs": ["/usr/include/x86_64-linux-gnu", "/usr/include/openblas"],
      "cflags": ["-O3", "-std=c11", "-fno-math-errno", "-fno-trapping-math", "-pthread", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-pthread"],
      "libraries": ["-lopenblas", "-lm", "-lpthread"]
    }
  ]
}
