// ---------------------------------------------------------------------------
// npde: σ = softplus, log(1 + e^z), a smooth ReLU.
//
// Its derivative is the sigmoid. It has no product form of its own (the
// logarithm stays), so the kernels evaluate it point by point, with the
// loops compiled around these two inline functions.
// ---------------------------------------------------------------------------
#ifndef npde_activations_softplus_h
#define npde_activations_softplus_h

#include <cmath>

namespace npde
{
  namespace activations
  {
    struct Softplus
    {
      static constexpr const char *name = "softplus";

      // log(1 + e^z) without overflow for large z.
      static double
      value(const double z)
      {
        return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
      }

      static double
      derivative(const double z)
      {
        return 1. / (1. + std::exp(-z));
      }
    };
  } // namespace activations
} // namespace npde

#endif
