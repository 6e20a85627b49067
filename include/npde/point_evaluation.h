// ---------------------------------------------------------------------------
// npde: evaluation at arbitrary points of the mesh, as sparse matrices
// (doc/design.md section 9).
//
// For points x_j that have been located in locally owned cells (a cell and
// the point's coordinates in the reference cell), the two operators of
// point_operators.h without quadrature weights:
// - Φ_{j,i} = φ_i(x_j), so that Φ u are the values u_h(x_j), constrained
//   entries of u included;
// - CᵀΦᵀ, rows condensed, so that CᵀΦᵀ v = Cᵀ Σ_j v_j φ(x_j) is a condensed
//   vector: the adjoint's right-hand side of point measurements.
// Each point is this rank's alone (the caller chooses one owner per point),
// and the points are numbered rank by rank. Both products work on a range
// of the points, so that a caller whose points are sorted (by time) pays
// only for the ones it needs. On one rank both are plain CSR arrays over
// the points' rows, the second with the constraints applied to each row
// (Cᵀφ(x_j): a hanging dof's entry goes to its masters, a Dirichlet dof's
// is dropped), built without Trilinos; with several ranks they are
// Trilinos matrices, and a range costs a product with all points.
// ---------------------------------------------------------------------------
#ifndef npde_point_evaluation_h
#define npde_point_evaluation_h

#include <deal.II/base/scalar_polynomials_base.h>

#include <npde/discretization.h>

#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class PointEvaluation
  {
  public:
    using VectorType = typename Discretization<dim>::VectorType;
    using MatrixType = typename Discretization<dim>::MatrixType;

    /// A point in a locally owned cell.
    struct LocatedPoint
    {
      typename DoFHandler<dim>::active_cell_iterator cell;
      Point<dim>                                     reference;
      /// The cell's index among the locally owned cells, in the order of
      /// the Discretization's cell loops.
      unsigned int local_cell = numbers::invalid_unsigned_int;
    };

    explicit PointEvaluation(const Discretization<dim> &discretization);

    /// Build Φ and CᵀΦᵀ for this rank's points: row j is the point
    /// @p points[@p order[j]] (collective: every rank calls it, with its
    /// own points, possibly none).
    void
    setup(const std::vector<LocatedPoint> &points,
          const std::vector<unsigned int> &order);

    /// The number of this rank's points.
    unsigned int
    size() const;

    /// v_j = u_h(x_j) for j in [@p begin, @p end) (u distributed, unghosted,
    /// with its constrained values); @p v has size() entries.
    void
    values(const VectorType  &u,
           Vector<double>    &v,
           const unsigned int begin,
           const unsigned int end) const;

    /// @p out += Cᵀ Σ_j v_j φ(x_j) over j in [@p begin, @p end).
    void
    add_integrals(const Vector<double> &v,
                  VectorType           &out,
                  const unsigned int    begin,
                  const unsigned int    end) const;

  private:
    /// φ_i(@p reference) for all i of the element into @p values.
    void
    shape_values(const Point<dim>    &reference,
                 std::vector<double> &values) const;
    /// The element's polynomials, if it is an FE_Poly (FE_Q is), and the
    /// empty derivative lists that their evaluate() asks for.
    const ScalarPolynomialsBase<dim>   *polynomials = nullptr;
    mutable std::vector<Tensor<1, dim>> none_1;
    mutable std::vector<Tensor<2, dim>> none_2;
    mutable std::vector<Tensor<3, dim>> none_3;
    mutable std::vector<Tensor<4, dim>> none_4;

    void
    setup_local(const std::vector<LocatedPoint> &points,
                const std::vector<unsigned int> &order);
    void
    setup_distributed(const std::vector<LocatedPoint> &points,
                      const std::vector<unsigned int> &order);

    const Discretization<dim> &discretization;
    unsigned int               n_points = 0;
    bool                       local    = false;
    // One rank: per point j, the entries row_start[j]..row_start[j+1] of
    // (dof, φ) and condensed_start[j]..condensed_start[j+1] of Cᵀφ(x_j).
    std::vector<unsigned int> row_start, row_dofs;
    std::vector<double>       row_values;
    std::vector<unsigned int> condensed_start, condensed_dofs;
    std::vector<double>       condensed_values;
    // Several ranks.
    IndexSet           owned_points;
    MatrixType         interpolation;
    MatrixType         integration;
    mutable VectorType buffer;
  };
} // namespace npde

#endif
