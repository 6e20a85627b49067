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
// and the points are numbered rank by rank.
// ---------------------------------------------------------------------------
#ifndef npde_point_evaluation_h
#define npde_point_evaluation_h

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
    };

    explicit PointEvaluation(const Discretization<dim> &discretization);

    /// Build Φ and CᵀΦᵀ for this rank's @p points (collective: every rank
    /// calls it, with its own points, possibly none).
    void
    setup(const std::vector<LocatedPoint> &points);

    /// The number of this rank's points.
    unsigned int
    size() const;

    /// @p v = Φ u (u distributed, unghosted, with its constrained values).
    void
    values(const VectorType &u, Vector<double> &v) const;

    /// @p out += CᵀΦᵀ v.
    void
    add_integrals(const Vector<double> &v, VectorType &out) const;

  private:
    const Discretization<dim> &discretization;
    unsigned int               n_points = 0;
    IndexSet                   owned_points;
    MatrixType                 interpolation;
    MatrixType                 integration;
    LocalSparseMatrix          local_interpolation; // on one rank
    LocalSparseMatrix          local_integration;   // on one rank
    mutable VectorType         buffer;
  };
} // namespace npde

#endif
