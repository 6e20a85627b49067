// ---------------------------------------------------------------------------
// npde: σ = ReLU, max(z, 0).
//
// σ′ is taken as 0 at z = 0 (the subgradient that the plain formulas and
// the kernels use alike). No product form: the loops are cheap anyway.
// ---------------------------------------------------------------------------
#ifndef npde_activations_relu_h
#define npde_activations_relu_h

namespace npde
{
  namespace activations
  {
    struct ReLU
    {
      static constexpr const char *name = "relu";

      static double
      value(const double z)
      {
        return z > 0 ? z : 0.;
      }

      static double
      derivative(const double z)
      {
        return z > 0 ? 1. : 0.;
      }
    };
  } // namespace activations
} // namespace npde

#endif
