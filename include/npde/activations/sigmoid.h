// ---------------------------------------------------------------------------
// npde: σ = the logistic sigmoid 1/(1 + e^{−z}).
//
// It is s = 1/(1 + e^{−z}) itself, and σ′ = s(1 − s): the product form with
// κ = −1, α = 0, γ = δ = 1 (activation.h).
// ---------------------------------------------------------------------------
#ifndef npde_activations_sigmoid_h
#define npde_activations_sigmoid_h

#include <npde/activation.h>

#include <cmath>

namespace npde
{
  namespace activations
  {
    struct Sigmoid
    {
      static constexpr const char *name = "sigmoid";

      static constexpr ProductForm product_form = {-1., 0., 1., 1.};

      static double
      value(const double z)
      {
        return 1. / (1. + std::exp(-z));
      }

      static double
      derivative(const double z)
      {
        const double s = 1. / (1. + std::exp(-z));
        return s * (1. - s);
      }
    };
  } // namespace activations
} // namespace npde

#endif
