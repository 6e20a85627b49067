// ---------------------------------------------------------------------------
// npde: point evaluation as sparse matrices (doc/design.md section 8).
//
// For the points x_q of a quadrature on the locally owned cells, numbered
// rank by rank in the order of the cell loop:
// - integration:   B_{i,q} = φ_i(x_q) JxW_q, rows condensed (Cᵀ B), so that
//   B v is the condensed load vector of point values v, and Bᵀ μ (μ with zero
//   constrained entries) are the values μ_h(x_q)·JxW_q;
// - interpolation (optional): Φ_{q,i} = φ_i(x_q), so that Φ u are the values
//   of u_h at the points, constrained entries of u included.
// Both replace cell loops in the time loop by one sparse product each. That
// is all the finite-element side says to the network (G^n = B g^n, the
// weights w^n = Bᵀμ^n) and to the reaction term and the misfit (Φ u, B v).
// The next implementation is point evaluation at arbitrary points x_k
// (sensor observations), which will give the same two products.
// ---------------------------------------------------------------------------
#ifndef npde_point_operators_h
#define npde_point_operators_h

#include <npde/discretization.h>

#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class PointOperators
  {
  public:
    using VectorType = typename Discretization<dim>::VectorType;
    using MatrixType = typename Discretization<dim>::MatrixType;

    struct Options
    {
      /// Build Φ too (the values at the points), not only B.
      bool with_interpolation = false;
      /// List a point that several locally owned cells share once (see the
      /// .cc file); only without interpolation.
      bool merge_shared_points = false;
    };

    explicit PointOperators(const Discretization<dim> &discretization);

    /// The points of @p quadrature on every locally owned cell, and B (and
    /// Φ). Call again after the discretization's setup.
    void
    setup(const Quadrature<dim> &quadrature, const Options &options);

    /// The points on this rank, in the order of the point values.
    const std::vector<Point<dim>> &
    points() const;

    /// The same points as one flat list of Q·d coordinates (for the network).
    const std::vector<double> &
    coordinates() const;

    /// The JxW values at points() (summed over the cells that share a point).
    const std::vector<double> &
    JxW() const;

    /// Φ u: u_h at points() for the (distributed, unghosted) @p u, which
    /// holds its constrained values.
    void
    values(const VectorType &u, Vector<double> &values) const;

    /// out += B v = Cᵀ Σ_q v_q φ_i(x_q) JxW_q.
    void
    add_integrals(const Vector<double> &v, VectorType &out) const;

    /// w = Bᵀ μ: μ_h(x_q)·JxW_q at points().
    void
    weighted_values(const VectorType &mu, Vector<double> &w) const;

  private:
    void
    find_points(const Quadrature<dim>     &quadrature,
                const bool                 merge_shared_points,
                std::vector<unsigned int> &point_index);
    void
    build_matrices(const Quadrature<dim>           &quadrature,
                   const bool                       with_interpolation,
                   const std::vector<unsigned int> &point_index);

    /// Copy @p values into buffer / buffer into @p values.
    const VectorType &
    to_buffer(const Vector<double> &values) const;
    void
    from_buffer(Vector<double> &values) const;

    const Discretization<dim> &discretization;
    LocalSparseMatrix          local_integration;   // on one rank
    LocalSparseMatrix          local_interpolation; // on one rank
    IndexSet                   owned_points;
    std::vector<Point<dim>>    point_list;
    std::vector<double>        point_coordinates; // the points as Q·d numbers
    std::vector<double>        point_JxW;
    MatrixType                 integration;
    MatrixType                 interpolation;
    mutable VectorType         buffer; // point values, in the owned layout
  };
} // namespace npde

#endif
