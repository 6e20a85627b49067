// ---------------------------------------------------------------------------
// npde: σ = tanh, the reference paper's activation.
//
// With s = 1/(1 + e^{2z}), tanh z = 1 − 2s and tanh′ z = 1 − tanh² z = 4s(1 −
// s): the product form with κ = 2, α = 1, γ = −2, δ = 4 (activation.h).
// ---------------------------------------------------------------------------
#ifndef npde_activations_tanh_h
#define npde_activations_tanh_h

#include <npde/activation.h>

#include <cmath>

namespace npde
{
  namespace activations
  {
    struct Tanh
    {
      static constexpr const char *name = "tanh";

      static constexpr ProductForm product_form = {2., 1., -2., 4.};

      static double
      value(const double z)
      {
        return std::tanh(z);
      }

      static double
      derivative(const double z)
      {
        const double s = std::tanh(z);
        return 1. - s * s;
      }
    };
  } // namespace activations
} // namespace npde

#endif
