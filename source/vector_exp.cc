// ---------------------------------------------------------------------------
// npde: the exponential of the network kernels' first layer, vectorised.
//
// The kernels in network.cc need e^{κa} for every neuron and point, and e^{κb}
// for every neuron and time level, once per pass. That is one exponential per
// point against one division per point and level, yet glibc's scalar exp
// (about 9 ns) made it a fifth of a pass at 65 levels. glibc also has a
// vectorised exp (libmvec: four doubles per call with AVX2, at most 4 ulp
// from the correctly rounded value), which GCC only calls for
// `#pragma omp simd` loops under -ffast-math. So this one
// function lives in its own file, compiled with -ffast-math (CMakeLists.txt;
// a compile option only, never on the link line, so that it changes nothing
// else in the program). Its callers check that every argument is finite and
// of modulus at most 150 (the kernels' exponent limit), or replace it by 0,
// before calling it, so none of the cases that -ffast-math gives up
// (infinities, NaN, overflow) can occur.
// ---------------------------------------------------------------------------
#include <cmath>

namespace npde
{
  namespace internal
  {
    void
    vector_exp(const double *x, double *y, const unsigned int n)
    {
#pragma omp simd
      for (unsigned int i = 0; i < n; ++i)
        y[i] = std::exp(x[i]);
    }
  } // namespace internal
} // namespace npde
