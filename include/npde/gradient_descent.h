// ---------------------------------------------------------------------------
// npde: gradient descent, the discretised gradient flow of the reference
// paper,
//
//   dθ/dτ = −α N^{2β−1} ∇J    ⇒    θ ← θ − α N^{2β−1} ∇J.
//
// Under this mean-field scaling the training curves approach a limit as the
// number of neurons N grows. The method has no state of its own and no
// entries beyond the common ones (learning rate, schedule).
// ---------------------------------------------------------------------------
#ifndef npde_gradient_descent_h
#define npde_gradient_descent_h

#include <npde/optimizer.h>

namespace npde
{
  /// Gradient descent has no entries of its own.
  struct GradientDescentParameters
    : public OptimizerParameters::MethodParameters
  {
    std::unique_ptr<Optimizer>
    create_optimizer(const OptimizerParameters &parameters,
                     const Vector<double>      &scale,
                     const std::vector<bool>   &trainable) const override;
  };



  class GradientDescent : public Optimizer
  {
  public:
    GradientDescent(const OptimizerParameters &parameters,
                    const Vector<double>      &scale,
                    const std::vector<bool>   &trainable);

    Vector<double>
    propose(const Vector<double> &theta,
            const double          J,
            const Vector<double> &g) override;

    /// Always true: any finite step is taken.
    bool
    accept(const Vector<double> &theta_new,
           const double          J_new,
           const Vector<double> &g_new) override;
  };
} // namespace npde

#endif
