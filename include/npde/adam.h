// ---------------------------------------------------------------------------
// npde: Adam (Kingma and Ba) with the learning rate α N^{2β−1}, as in the
// reference paper's experiments (β₁ = 0.9, β₂ = 0.999):
//
//   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
//   θ ← θ − α N^{2β−1} (m / (1 − β₁^t)) / (√(v / (1 − β₂^t)) + ε).
//
// Adam is invariant to the gradient's scale, so the mean-field limit of
// gradient descent does not apply to it. The moments of a trial step stay
// pending until the step is accepted, so a rejected step does not move them.
// ---------------------------------------------------------------------------
#ifndef npde_adam_h
#define npde_adam_h

#include <npde/optimizer.h>

namespace npde
{
  /// The entries 'Adam beta1', 'Adam beta2' and 'Adam epsilon' of
  /// subsection `Optimizer`.
  struct AdamParameters : public OptimizerParameters::MethodParameters
  {
    double beta1   = 0.9;
    double beta2   = 0.999;
    double epsilon = 1e-8;

    /// Declared and parsed inside subsection `Optimizer`.
    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);

    std::unique_ptr<Optimizer>
    create_optimizer(const OptimizerParameters &parameters,
                     const Vector<double>      &scale,
                     const std::vector<bool>   &trainable) const override;
  };



  class Adam : public Optimizer
  {
  public:
    Adam(const OptimizerParameters &parameters,
         const AdamParameters      &adam_parameters,
         const Vector<double>      &scale,
         const std::vector<bool>   &trainable);

    Vector<double>
    propose(const Vector<double> &theta,
            const double          J,
            const Vector<double> &g) override;

    /// Always true; commits the trial's moments.
    bool
    accept(const Vector<double> &theta_new,
           const double          J_new,
           const Vector<double> &g_new) override;

  protected:
    void
    write_record(CheckpointRecord &record) const override;
    void
    read_record(CheckpointRecord &record) override;

  private:
    const AdamParameters adam_parameters;
    // The number of accepted steps t, the moments, and those of the pending
    // trial step.
    unsigned int   adam_steps = 0;
    Vector<double> m, v, m_trial, v_trial;
  };
} // namespace npde

#endif
