// ---------------------------------------------------------------------------
// npde: L-BFGS with a backtracking (Armijo) line search.
//
// The direction d = −H g comes from the two-loop recursion over the last
// (s, y) = (θ_{k+1} − θ_k, ∇J_{k+1} − ∇J_k) pairs (Nocedal and Wright,
// Numerical Optimization, algorithm 7.4), with the initial matrix scaled by
// s·y / y·y of the newest pair. Each trial step θ + σ d is one forward solve; a
// trial that does not decrease J enough, J_new > J + 10⁻⁴ σ g·d, halves σ (down
// to σ = 10⁻¹⁰, whose trial is taken). The step
// σ plays the role of the learning rate: a rejected trial (non-finite loss,
// Newton failure) cuts σ, the first trial of each line search is σ = 1, and
// the learning-rate schedule does not apply.
// ---------------------------------------------------------------------------
#ifndef npde_lbfgs_h
#define npde_lbfgs_h

#include <npde/optimizer.h>

namespace npde
{
  /// The entry 'L-BFGS history' of subsection `Optimizer`.
  struct LBFGSParameters : public OptimizerParameters::MethodParameters
  {
    unsigned int history = 10;

    /// Declared and parsed inside subsection `Optimizer`.
    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);

    /// False: the line search chooses the step.
    bool
    uses_learning_rate() const override;

    std::unique_ptr<Optimizer>
    create_optimizer(const OptimizerParameters &parameters,
                     const Vector<double>      &scale,
                     const std::vector<bool>   &trainable) const override;
  };



  class LBFGS : public Optimizer
  {
  public:
    LBFGS(const OptimizerParameters &parameters,
          const LBFGSParameters     &lbfgs_parameters,
          const Vector<double>      &scale,
          const std::vector<bool>   &trainable);

    /// A new direction at the start of a line search, else the next trial
    /// step along the current one.
    Vector<double>
    propose(const Vector<double> &theta,
            const double          J,
            const Vector<double> &g) override;

    /// The Armijo condition; if it holds, the (s, y) pair joins the history.
    bool
    accept(const Vector<double> &theta_new,
           const double          J_new,
           const Vector<double> &g_new) override;

    /// Cuts the step σ (not α).
    void
    reject() override;

    /// Drops the history and any line search, then what the base forgets.
    void
    restart() override;

    /// The current step σ.
    double
    learning_rate() const override;

  protected:
    void
    write_record(CheckpointRecord &record) const override;
    void
    read_record(CheckpointRecord &record) override;

  private:
    const LBFGSParameters lbfgs_parameters;
    // The current point, its loss and gradient, the direction, the step,
    // and the history of (s, y) pairs.
    Vector<double>              x, gx, direction;
    double                      fx = 0, step = 1.;
    bool                        in_line_search = false;
    std::vector<Vector<double>> s_history, y_history;
  };
} // namespace npde

#endif
