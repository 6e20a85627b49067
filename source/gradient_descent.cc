// ---------------------------------------------------------------------------
// npde: gradient descent θ ← θ − α N^{2β−1} ∇J.
// ---------------------------------------------------------------------------
#include <npde/gradient_descent.h>

namespace npde
{
  namespace
  {
    const OptimizerParameters::Registration gradient_descent(
      "gradient descent",
      "theta -= alpha N^(2 beta-1) grad J (the paper's gradient flow).",
      [](ParameterHandler &) {
        return std::make_unique<GradientDescentParameters>();
      });
  } // namespace



  std::unique_ptr<Optimizer>
  GradientDescentParameters::create_optimizer(
    const OptimizerParameters &parameters,
    const Vector<double>      &scale,
    const std::vector<bool>   &trainable) const
  {
    return std::make_unique<GradientDescent>(parameters, scale, trainable);
  }



  GradientDescent::GradientDescent(const OptimizerParameters &parameters,
                                   const Vector<double>      &scale,
                                   const std::vector<bool>   &trainable)
    : Optimizer(parameters, scale, trainable)
  {
  }



  Vector<double>
  GradientDescent::propose(const Vector<double> &theta,
                           const double,
                           const Vector<double> &g_full)
  {
    const Vector<double> g     = masked(g_full);
    Vector<double>       trial = theta;
    for (unsigned int j = 0; j < g.size(); ++j)
      trial[j] -= alpha * scale[j] * g[j];
    return trial;
  }



  bool
  GradientDescent::accept(const Vector<double> &,
                          const double,
                          const Vector<double> &)
  {
    return true;
  }
} // namespace npde
