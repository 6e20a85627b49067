// ---------------------------------------------------------------------------
// npde: the spatial operator of the θ-scheme and its linearisation
// (doc/design.md sections 2 and 4).
//
//   L(t, u) = c_M M u + c_A (A u + F(t, u)),   F(t, u)_i = ∫ f(t, x, u_h) φ_i,
//
// and its linearisation at u, c_M M + c_A (A + F'(t, u)) with
// F'_ij = ∫ ∂f/∂u(t, x, u_h) φ_j φ_i, as products and as assembled matrices,
// both condensed in their rows (Cᵀ·). Residuals, Jacobians and the adjoint's
// transposed Jacobians and coupling terms are all of this form with different
// coefficients: the θ-scheme (StateSolver) and the backward sweep
// (AdjointSolver) meet here. The linear part is one product with a
// Discretization operator; only the reaction goes through the quadrature's
// point values (Φ, B), and F' is a weighted mass matrix, the same transposed.
// ---------------------------------------------------------------------------
#ifndef npde_spatial_operator_h
#define npde_spatial_operator_h

#include <npde/point_operators.h>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class SpatialOperator
  {
  public:
    using VectorType = typename Discretization<dim>::VectorType;
    using MatrixType = typename Discretization<dim>::MatrixType;

    /// @p quadrature_points: the point operators (with Φ) of the
    /// discretization's quadrature().
    SpatialOperator(const Discretization<dim> &discretization,
                    const PointOperators<dim> &quadrature_points,
                    const Model<dim>          &model);

    /// residual += Cᵀ L(t, u) for the distributed @p u (with its
    /// constrained values).
    void
    add_value(const VectorType          &u,
              const double               t,
              const OperatorCoefficients c,
              VectorType                &residual) const;

    /**
     * ∂f/∂u(t, x_q, u_h(x_q)) at the quadrature's points into @p dfdu (empty
     * without a reaction term); returns its minimum over all ranks (+∞
     * without a reaction term). The linearisations below take it as their
     * F'(t, u): a caller that needs several of them at the same (t, u), as
     * the adjoint does for ϑ < 1, evaluates it once.
     */
    double
    reaction_derivative(const VectorType &u,
                        const double      t,
                        Vector<double>   &dfdu) const;

    /// product += Cᵀ [c_M M + c_A (A + F')](ᵀ) v, with F' from @p dfdu and
    /// @p v distributed (constrained entries set).
    void
    add_linearized_product(const Vector<double>      &dfdu,
                           const OperatorCoefficients c,
                           const Transpose            transpose,
                           const VectorType          &v,
                           VectorType                &product) const;

    /**
     * y = J v for the matrix J that add_linearized_matrix() assembles, as
     * an action: its rows are Cᵀ [c_M M + c_A (A + F')](ᵀ) applied to the
     * distributed values of @p v (whose constrained entries are ignored),
     * and its constrained rows are the identity. The Krylov solves with a
     * frozen Jacobian use it.
     */
    void
    linearized_action(const Vector<double>      &dfdu,
                      const OperatorCoefficients c,
                      const Transpose            transpose,
                      const VectorType          &v,
                      VectorType                &y) const;

    /// matrix += Cᵀ [c_M M + c_A (A + F')](ᵀ) C, cell by cell.
    void
    add_linearized_matrix(const Vector<double>      &dfdu,
                          const OperatorCoefficients c,
                          const Transpose            transpose,
                          MatrixType                &matrix) const;

    bool
    has_reaction() const;

    /// Whether the operator has advection (then it is not symmetric).
    bool
    has_advection() const;

  private:
    const Discretization<dim> &discretization;
    const PointOperators<dim> &quadrature_points;
    const Model<dim>          &model;
    mutable VectorType         distributed; // work space of linearized_action
  };
} // namespace npde

#endif
