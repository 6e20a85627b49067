// ---------------------------------------------------------------------------
// npde: the reduced objective J(θ) and its exact gradient.
//
// One evaluation of J: set θ, evaluate g_θ at the source points of every
// time level, run the forward sweep, and integrate the misfit. One gradient:
// additionally the misfit's r^n = ∂J/∂U^n, the adjoint's backward sweep, the
// weights w^n = Bᵀμ^n, and the network's batched backward pass, summed over
// all ranks (θ is the same on every rank), plus λθ.
//
// The Taylor test checks the gradient as dolfin-adjoint's taylor_test does:
// for a direction δθ, the remainder |J(θ+εδθ) − J(θ)| shrinks like ε and
// |J(θ+εδθ) − J(θ) − ε∇J·δθ| like ε² exactly when ∇J is right.
// ---------------------------------------------------------------------------
#ifndef npde_objective_h
#define npde_objective_h

#include <npde/adjoint_solver.h>
#include <npde/network.h>
#include <npde/target_data.h>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class Objective
  {
  public:
    Objective(ForwardProblem<dim> &problem,
              Network             &network,
              TargetData<dim>     &target,
              TimerOutput         &timer);

    /// Call after the state solver and the target data are set up.
    void
    setup();

    /// J(θ). Throws an InputError when Newton does not converge.
    double
    value(const Vector<double> &theta);

    /// J(θ), and ∇J(θ) into @p gradient (the same on every rank).
    double
    value_and_gradient(const Vector<double> &theta, Vector<double> &gradient);

    /// The misfit without the λ term, and sqrt(J_data)/max|h|, at the last
    /// evaluation.
    double
    data_misfit() const;
    double
    relative_rmse() const;

    const AdjointSolver<dim> &
    adjoint() const;

    /// The number of unknowns of the state's current mesh.
    unsigned int
    n_dofs() const;

    /**
     * Allow (default) or forbid a second thread to follow the sweeps,
     * computing the misfit and the network's weights level by level (see
     * the .cc file). The results are bitwise the same either way; the test
     * tests/overlapped_sweeps checks that.
     */
    void
    allow_overlapped_sweeps(const bool allow);

    /// Whether a second thread follows each sweep.
    bool
    overlap_sweeps() const;

  private:
    bool allow_overlap = true;

    double
    forward(const Vector<double>                               &theta,
            std::vector<typename StateSolver<dim>::VectorType> *r);

    /// Whether a gradient's forward pass keeps the network's first layers.
    bool
    keep_first_layers() const;

    ForwardProblem<dim>        &problem;
    Network                    &network;
    TargetData<dim>            &target;
    TimerOutput                &timer;
    AdjointSolver<dim>          adjoint_solver;
    std::vector<Vector<double>> g_values;
    // r^n and the network's weights, kept between calls (no allocations).
    std::vector<typename StateSolver<dim>::VectorType> misfit_gradient;
    std::vector<Vector<double>>                        weights;
    // The network's first layers from the forward pass of a gradient, for
    // its backward pass, if keep_first_layers().
    Network::FirstLayers first_layers;
    double               last_data_misfit = 0.;
  };

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
   * The Taylor test at @p theta in direction @p direction, for ε = @p epsilon,
   * ε/2, ..., ε/2^@p halvings, plus a central difference with step
   * @p fd_step.
   */
  template <int dim>
  TaylorTestResult
  taylor_test(Objective<dim>       &objective,
              const Vector<double> &theta,
              const Vector<double> &direction,
              const double          epsilon,
              const unsigned int    halvings,
              const double          fd_step);
} // namespace npde

#endif
