// ---------------------------------------------------------------------------
// npde: the reduced objective J(θ) and its exact gradient.
//
//   J(θ) = J_m(U(θ)) + (λ/2)‖θ‖²,   θ = (θ_1, ..., θ_B) the blocks of the
//                                   parametric terms.
//
// One evaluation of J: give each term its block, evaluate the source terms
// at the source points of every time level, run the forward sweep, and ask
// the misfit. One gradient: additionally the misfit's r^n = ∂J/∂U^n, the
// adjoint's backward sweep, the weights w^n = Bᵀμ^n, and each term's batched
// backward pass into its block, summed over all ranks (θ is the same on
// every rank), plus λθ. The objective owns the regularisation; the misfit
// knows nothing of θ, and the terms nothing of the mesh.
//
// The Taylor test checks the gradient as dolfin-adjoint's taylor_test does:
// for a direction δθ, the remainder |J(θ+εδθ) − J(θ)| shrinks like ε and
// |J(θ+εδθ) − J(θ) − ε∇J·δθ| like ε² exactly when ∇J is right.
// ---------------------------------------------------------------------------
#ifndef npde_objective_h
#define npde_objective_h

#include <npde/adjoint_solver.h>
#include <npde/misfit.h>
#include <npde/network.h>
#include <npde/network_source.h>
#include <npde/reduced_functional.h>

namespace npde
{
  using namespace dealii;

  /// The objective's own parameter: λ. It is read from subsection
  /// `Target data` (where parameter files of earlier npde set it).
  struct ObjectiveParameters
  {
    double regularization = 0.;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class Objective : public ReducedFunctional
  {
  public:
    /// J over the blocks of @p terms (create_parametric_terms() makes the
    /// terms a parameter file asks for).
    Objective(ForwardProblem<dim>                         &problem,
              std::vector<std::unique_ptr<ParametricTerm>> terms,
              Misfit<dim>                                 &misfit,
              TimerOutput                                 &timer,
              const ObjectiveParameters &parameters = ObjectiveParameters());

    /// J over one block: @p network as the source (the tests' case).
    Objective(ForwardProblem<dim>       &problem,
              Network                   &network,
              Misfit<dim>               &misfit,
              TimerOutput               &timer,
              const ObjectiveParameters &parameters = ObjectiveParameters());

    /**
     * Call after the state solver and the misfit are set up; the
     * objective's mesh-change hook (ForwardProblem::mesh_changed()) calls
     * it again after each mesh change.
     */
    void
    setup();

    unsigned int
    n_parameters() const override;
    Vector<double>
    parameters() const override;
    void
    set_parameters(const Vector<double> &theta) override;

    double
    value(const Vector<double> &theta) override;

    double
    value_and_gradient(const Vector<double> &theta,
                       Vector<double>       &gradient) override;

    /// The misfit without the λ term, and sqrt(J_data)/max|h|, at the last
    /// evaluation.
    double
    data_misfit() const;
    double
    relative_rmse() const override;

    Vector<double>
    learning_rate_scales() const override;
    std::vector<bool>
    trainable(const bool random_features) const override;
    /// relative_rmse and n_dofs.
    std::vector<HistoryColumn>
    history_columns() const override;
    std::vector<double>
    history_values() const override;
    /// The number of dofs.
    std::vector<std::pair<std::string, std::string>>
    fingerprint() const override;

    /// Whether a term of this name (ParametricTerm::name()) is in J.
    bool
    has_term(const std::string &name) const;

    /// What the terms report (the physical constants' values), in order.
    std::vector<std::pair<std::string, double>>
    reported_values() const;
    /// The misfit's bracket around a trial (ReducedFunctional).
    void
    begin_trial() override;
    void
    end_trial(const bool accepted) override;

    /// The misfit's state (the terms' state is θ).
    void
    save(std::ostream &out) const override;
    bool
    load(std::istream &in) override;

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

    /// θ with zeros in the blocks that are not regularised.
    Vector<double>
    regularized_part(const Vector<double> &theta) const;

    double
    forward(const Vector<double>                               &theta,
            std::vector<typename StateSolver<dim>::VectorType> *r);

    const ObjectiveParameters parameters_;
    ForwardProblem<dim>      &problem;
    Misfit<dim>              &misfit;
    TimerOutput              &timer;
    AdjointSolver<dim>        adjoint_solver;
    // The parametric terms, whose blocks make up θ in this order.
    std::vector<std::unique_ptr<ParametricTerm>> terms;
    std::vector<Vector<double>>                  g_values;
    std::vector<Vector<double>> term_values; // of the second term on
    // r^n and the network's weights, kept between calls (no allocations).
    std::vector<typename StateSolver<dim>::VectorType> misfit_gradient;
    std::vector<Vector<double>>                        weights;
    double                                             last_data_misfit = 0.;
    boost::signals2::scoped_connection                 mesh_change;
  };

} // namespace npde

#endif
