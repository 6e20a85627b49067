// ---------------------------------------------------------------------------
// npde: optimisers for θ (DESIGN.md section 5).
//
// - Gradient descent, the discretised gradient flow dθ/dτ = −α N^{2β−1}∇J of
//   the reference paper: θ ← θ − α N^{2β−1} ∇J. Under this mean-field scaling
//   the training curves approach a limit as N grows.
// - Adam with the learning rate α N^{2β−1}, as in the paper's experiments
//   (β₁ = 0.9, β₂ = 0.999). Adam is invariant to the gradient's scale, so the
//   mean-field limit does not apply to it.
// - L-BFGS with a backtracking (Armijo) line search: each trial step is one
//   forward solve, and a rejected trial halves the step.
//
// A step is proposed, then accepted or rejected: propose() computes the
// trial point and keeps any new optimiser state (Adam's moments, L-BFGS's
// pair) pending; accept() commits it, reject() (non-finite loss, Newton
// failure, loss exploding) drops it and cuts the learning rate. So a rejected
// step leaves no trace but the cut learning rate.
// The learning-rate schedules (constant, plateau, step decay) live here too.
// ---------------------------------------------------------------------------
#ifndef npde_optimizer_h
#define npde_optimizer_h

#include <deal.II/base/parameter_handler.h>

#include <deal.II/lac/vector.h>

#include <iosfwd>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Optimizer`.
  struct OptimizerParameters
  {
    enum class Method
    {
      gradient_descent,
      adam,
      lbfgs
    };
    enum class Schedule
    {
      constant,
      plateau,
      step
    };
    Method       method           = Method::adam;
    double       learning_rate    = 0.01;
    double       adam_beta1       = 0.9;
    double       adam_beta2       = 0.999;
    double       adam_epsilon     = 1e-8;
    unsigned int lbfgs_history    = 10;
    Schedule     schedule         = Schedule::constant;
    double       decay_factor     = 0.95;
    unsigned int patience         = 100;
    unsigned int step_interval    = 100;
    bool         random_features  = false;
    double       rejection_factor = 0.5;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  class Optimizer
  {
  public:
    /**
     * @p scale is N^{2β−1}, the mean-field factor of the learning rate for
     * gradient descent and Adam; @p trainable masks the parameters that are
     * trained (all, or only c in random-feature mode).
     */
    Optimizer(const OptimizerParameters &parameters,
              const double               scale,
              const std::vector<bool>   &trainable);

    /// The next trial point from θ with loss J and gradient g.
    Vector<double>
    propose(const Vector<double> &theta,
            const double          J,
            const Vector<double> &g);

    /**
     * The trial was evaluated: J_new, g_new. Returns true if it is accepted
     * (always for gradient descent and Adam; the Armijo condition for
     * L-BFGS, which otherwise halves its step and wants another trial).
     */
    bool
    accept(const Vector<double> &theta_new,
           const double          J_new,
           const Vector<double> &g_new);

    /// A trial failed (non-finite, Newton, explosion): cut the learning rate.
    void
    reject();

    /// Called once per accepted iteration with the loss: the schedule.
    void
    end_iteration(const double J);

    /**
     * The objective has changed (a mesh adaptation round): forget what
     * belongs to the old one. L-BFGS drops its (s, y) history and any line
     * search, since its curvature pairs mix gradients of two objectives; the
     * plateau schedule forgets its best loss. Adam keeps its moments and
     * every learning rate is kept.
     */
    void
    restart();

    /// The current learning rate α (for L-BFGS: the current step length).
    double
    learning_rate() const;

    /// The gradient with the masked (untrained) entries set to zero.
    Vector<double>
    masked(const Vector<double> &g) const;

    void
    save(std::ostream &out) const;
    /// Read what save() wrote, for a network of @p n_parameters; false if
    /// the stream does not hold such a state (a damaged checkpoint).
    bool
    load(std::istream &in, const unsigned int n_parameters);

  private:
    OptimizerParameters parameters;
    double              scale;
    std::vector<bool>   trainable;
    double              alpha;
    // Adam: the moments, and those of the pending trial step.
    unsigned int   adam_steps = 0;
    Vector<double> m, v, m_trial, v_trial;
    // L-BFGS: the current point, its loss and gradient, the direction, the
    // step, and the history of (s, y) pairs.
    Vector<double>              x, gx, direction;
    double                      fx = 0, step = 1.;
    bool                        in_line_search = false;
    std::vector<Vector<double>> s_history, y_history;
    // Schedules
    double       best       = 1e300;
    unsigned int since_best = 0, iterations = 0;
  };
} // namespace npde

#endif
