// ---------------------------------------------------------------------------
// npde: trainable physical constants (doc/design.md section 10).
//
// The constants named in `Model/Trainable constants` are one parameter
// block p = (p_j) of the reduced functional. They sit inside the PDE's
// operator rather than in its source, so their gradient is not a backward
// pass of a network at the source points but one pass over the trajectory
// with the adjoint's μ^n (no extra PDE solve):
//
//   dJ/dp_j = − Σ_{n=0..K} (μ^n)ᵀ [ (∂_{p_j}A) U^n + ∂_{p_j}F^n(U^n) −
//   ∂_{p_j}S^n ]
//
// with every term assembled by the quadrature that assembles it in the
// residual (exactness): ∂_pA from the cell matrices' Gauss rule, ∂_pF and
// ∂_p s through the reaction's point operators, ∂_p q_N by the Neumann
// fluxes' face rule. ∂_p of an expression is a 4-point central difference
// in p (Model::derivative).
//
// The block holds each constant in units of its initial guess, θ_j = p_j/p_j⁰
// (p_j⁰ = 0: θ_j = p_j), or, for the log-scaled ones, θ_j = log p_j. In these
// units a step of the optimiser changes a constant of size 0.01 and one of
// size 100 by the same fraction, and the learning rate that moves the
// network's weights moves the constants too.
// ---------------------------------------------------------------------------
#ifndef npde_physical_constants_h
#define npde_physical_constants_h

#include <deal.II/lac/full_matrix.h>

#include <npde/forward_problem.h>
#include <npde/parametric_term.h>

#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class PhysicalConstants : public ParametricTerm, public ModelTerm<dim>
  {
  public:
    /// The block of `Model/Trainable constants` of @p problem's model,
    /// starting at their values in `Model/Constants`.
    explicit PhysicalConstants(ForwardProblem<dim> &problem);

    std::string
    name() const override;
    const Vector<double> &
    parameters() const override;
    /// Give the model the constants of @p theta_b and have the state
    /// solver rebuild what depends on them.
    void
    set_parameters(const Vector<double> &theta_b) override;
    double
    learning_rate_scale() const override;
    std::vector<bool>
    trainable(const bool random_features) const override;

    /// The constants are no source: zero values at every point.
    void
    evaluate(const std::vector<double>   &times,
             const std::vector<double>   &coordinates,
             std::vector<Vector<double>> &values,
             const bool                   gradient_follows) override;
    /// ... and a backward pass that adds nothing.
    std::unique_ptr<BackwardPass>
    backward_pass(const std::vector<double>         &times,
                  const std::vector<double>         &coordinates,
                  const std::vector<Vector<double>> &weights) override;

    /// dJ/dθ_b from the adjoint's μ^n and the trajectory (this rank's part).
    void
    add_adjoint_gradient(const AdjointSolver<dim> &adjoint,
                         Vector<double>           &gradient_b) override;

    /// Not regularised (see ParametricTerm::regularized).
    bool
    regularized() const override;

    /// One column per constant, named after it, with its value p_j.
    std::vector<std::pair<std::string, double>>
    reported_values() const override;

  private:
    using VectorType = typename StateSolver<dim>::VectorType;
    using Term       = typename Model<dim>::Term;

    /// p_j for the block entry θ_j, and dp_j/dθ_j.
    double
    value(const unsigned int j, const double theta_j) const;
    double
    chain_factor(const unsigned int j) const;

    /**
     * Add Σ_n μ^nᵀ (∂_p A) U^n to @p sum[j] for the constants that
     * @p in_operator marks, from @p products, Σ_n μ_c^n ⊗ u_c^n on each
     * locally owned cell (row i, column l): with (∂_pA)_il = ∫ ∂_p a
     * ∇φ_l·∇φ_i + (∂_p b·∇φ_l) φ_i, it is Σ_q ∂_p a(x_q) G_q + ∂_p b(x_q)·H_q
     * with G_q and H_q summed from the products once for all constants.
     */
    void
    add_operator_part(const std::vector<double> &products,
                      const std::vector<bool>   &in_operator,
                      std::vector<double>       &sum) const;

    /// The Neumann faces' quadrature points, and on each the values
    /// φ_i(x_q) JxW_q with the local indices of the cell's dofs.
    struct NeumannPoints
    {
      std::vector<Point<dim>> points;
      std::vector<double>     phi_JxW; // (point, i)
      std::vector<int>        dofs;    // (point, i): local indices
    };
    /// (@p cell_dofs: cell_local_dofs().)
    NeumannPoints
    neumann_points(const std::vector<int> &cell_dofs) const;

    /// The local indices of the dofs of each locally owned cell in the
    /// ghosted vectors' layout, (cell, i).
    std::vector<int>
    cell_local_dofs() const;

    ForwardProblem<dim>     &problem;
    Model<dim>              &model;
    std::vector<std::string> constant_names;
    std::vector<double>      units; // p_j⁰, or 1 (p_j⁰ = 0, log-scaled)
    Vector<double>           theta;
    // Whether the last rebuild failed (a trial step the trainer rejects):
    // the next set_parameters() rebuilds everything.
    bool rebuild_pending = false;
  };
} // namespace npde

#endif
