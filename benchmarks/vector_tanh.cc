// ---------------------------------------------------------------------------
// The yardstick for the network kernel: glibc's vectorised tanh (libmvec).
// This one file is compiled with -ffast-math (as a compile option only, never
// on the link line), which is what lets GCC call libmvec's _ZGV*_tanh.
// ---------------------------------------------------------------------------
#include <cmath>
#include <cstddef>

namespace npde_benchmark
{
  void
  vector_tanh(const double *x, double *y, const std::size_t n)
  {
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i)
      y[i] = std::tanh(x[i]);
  }
} // namespace npde_benchmark
