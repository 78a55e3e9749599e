{
  "targets": [
    {
      "target_name": "ls_bench_native",
      "sources": ["native/ls_bench_native.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu", "/usr/include/openblas"],
      "cflags": ["-O3", "-std=c11", "-fno-math-errno", "-pthread"],
      "ldflags": ["-pthread"],
      "libraries": ["-lopenblas", "-lm", "-lpthread"]
    }
  ]
}
