// ---------------------------------------------------------------------------
// npde: the condensed operators Cᵀ(c_M M + c_A A) of a discretisation.
//
// The linear part of every residual the state and adjoint sweeps form is a
// product with Cᵀ(c_M M + c_A A) (or its transpose), C the constraints of
// the condensed space, with rows condensed and all columns, applied to a
// vector with its Dirichlet and hanging-node values. Such an operator is
// assembled from the discretisation's cell matrices on first use for each
// coefficient pair and kept until the mesh changes: a time loop with
// uniform steps needs two or three. On one rank each has a CSR copy whose
// product is faster than Epetra's (local_sparse_matrix.h).
// ---------------------------------------------------------------------------
#ifndef npde_condensed_operators_h
#define npde_condensed_operators_h

#include <deal.II/base/timer.h>

#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>
#include <deal.II/lac/trilinos_vector.h>

#include <npde/local_sparse_matrix.h>

#include <map>
#include <memory>
#include <tuple>

namespace npde
{
  using namespace dealii;

  /// c_mass·M + c_op·A (and, in SpatialOperator, c_op·F').
  struct OperatorCoefficients
  {
    double mass;
    double op;
  };

  /// Whether an operator or its transpose is meant (the adjoint's).
  enum class Transpose
  {
    no,
    yes
  };

  template <int dim>
  class Discretization;

  template <int dim>
  class CondensedOperators
  {
  public:
    using VectorType = TrilinosWrappers::MPI::Vector;
    using MatrixType = TrilinosWrappers::SparseMatrix;

    /// The operators of @p discretization (whose member this is).
    CondensedOperators(const Discretization<dim> &discretization,
                       const bool                 has_advection,
                       TimerOutput               &timer);

    /// The pattern of Cᵀ L on the discretisation's new dofs and constraints.
    void
    distribute_dofs();

    /// Drop the operators of the previous cell matrices, and make the mass
    /// operator at once (see mass_product()).
    void
    reset();

    /// dst += Cᵀ(c.mass·M + c.op·A)(ᵀ)·src, with all columns (src with its
    /// constrained values): the linear part of a residual.
    void
    add_operator_product(const OperatorCoefficients c,
                         const Transpose            transpose,
                         const VectorType          &src,
                         VectorType                &dst) const;

    /**
     * @p out = Cᵀ M u, with its rows condensed: zero at constrained dofs.
     * Reads only data made in reset(), so another thread may call it during
     * a sweep (on one rank).
     */
    void
    mass_product(const VectorType &u, VectorType &out) const;

    /// dst += A·src, with A's rows in the layout of the dofs.
    void
    add_product(const MatrixType &A,
                const VectorType &src,
                VectorType       &dst) const;

  private:
    /// Cᵀ(c_mass·M + c_op·A)(ᵀ), condensed rows and all columns, and its
    /// CSR copy (on one rank).
    struct OperatorMatrix
    {
      std::unique_ptr<MatrixType> matrix;
      LocalSparseMatrix           local;
    };

    const OperatorMatrix &
    operator_matrix(const OperatorCoefficients c,
                    const Transpose            transpose) const;

    const Discretization<dim> &discretization;
    const bool                 has_advection;
    TimerOutput               &timer;
    // The pattern of Cᵀ L (rows condensed, columns not), with the operators
    // built so far.
    DynamicSparsityPattern operator_sparsity;
    mutable std::map<std::tuple<double, double, bool>, OperatorMatrix>
      operators;
    // operator_matrix(1, 0): made in reset(), since a map lookup during a
    // sweep could meet an insertion by the sweep's thread.
    const OperatorMatrix *mass_operator = nullptr;
    /// Work space of add_product(): deal.II's vmult_add() would allocate a
    /// Trilinos vector at every call, hundreds of times per sweep.
    mutable VectorType product_buffer;
  };
} // namespace npde

#endif
