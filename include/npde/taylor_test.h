// ---------------------------------------------------------------------------
// npde: the Taylor test of a reduced functional's gradient.
//
// The test checks ∇J as dolfin-adjoint's taylor_test does: for a direction
// δθ, the remainder |J(θ+εδθ) − J(θ)| shrinks like ε and
// |J(θ+εδθ) − J(θ) − ε∇J·δθ| like ε² exactly when ∇J is right. It needs
// nothing but J and ∇J, so it works on any ReducedFunctional, whatever its
// parametric terms and misfits.
// ---------------------------------------------------------------------------
#ifndef npde_taylor_test_h
#define npde_taylor_test_h

#include <npde/reduced_functional.h>

#include <vector>

namespace npde
{
  using namespace dealii;

  /// What a Taylor test measured.
  struct TaylorTestResult
  {
    std::vector<double> epsilons;
    std::vector<double> zeroth_order; // |J(θ+εδ) − J(θ)|
    std::vector<double> first_order;  // |J(θ+εδ) − J(θ) − ε∇J·δ|
    double              directional_derivative = 0.; // ∇J·δ
    double central_difference = 0.; // (J(θ+hδ) − J(θ−hδ))/2h
    std::vector<double>
    rates(const std::vector<double> &remainders) const;

    /**
     * The verdict on the first-order remainder's rates, as dolfin-adjoint's
     * taylor_test gives it: consistent if the smallest rate over the last
     * three halvings is at least 1.9. A rate above 2 is consistent too: the
     * remainder then falls faster than ε², as it does while the ε³ term
     * still shows (the rates approach 2 from above). A wrong gradient
     * leaves a remainder of order ε, rate 1.
     */
    bool
    rates_are_consistent() const;
  };

  /**
   * The Taylor test of @p functional at @p theta in direction @p direction,
   * for ε = @p epsilon, ε/2, ..., ε/2^@p halvings, plus a central difference
   * with step @p fd_step. The functional is left evaluated at @p theta.
   */
  TaylorTestResult
  taylor_test(ReducedFunctional    &functional,
              const Vector<double> &theta,
              const Vector<double> &direction,
              const double          epsilon,
              const unsigned int    halvings,
              const double          fd_step);
} // namespace npde

#endif
