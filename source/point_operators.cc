// ---------------------------------------------------------------------------
// npde: point evaluation as sparse matrices.
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <deal.II/fe/fe_values.h>

#include <deal.II/lac/sparsity_tools.h>

#include <deal.II/numerics/rtree.h>

#include <npde/point_operators.h>

#include <algorithm>
#include <iterator>
#include <limits>

namespace npde
{
  template <int dim>
  PointOperators<dim>::PointOperators(const Discretization<dim> &discretization)
    : discretization(discretization)
  {
  }



  // B is built with distribute_local_to_global and "no constraints" on the
  // columns, so B v is a condensed vector, and Bᵀ μ, for μ with zero
  // constrained entries, equals the point values of the distributed μ_h
  // times JxW; Φ has no constraints at all, so Φ u are the point values of
  // u_h.
  template <int dim>
  void
  PointOperators<dim>::setup(const Quadrature<dim> &quadrature,
                             const Options         &options)
  {
    // Φ has one row per cell and point: interpolation.add() would add the
    // rows of two cells at a shared point, and the reaction terms index the
    // quadrature's points by cell.
    Assert(!(options.with_interpolation && options.merge_shared_points),
           ExcMessage("Only a coupling without interpolation can merge "
                      "shared points"));
    std::vector<unsigned int> point_index;
    find_points(quadrature, options.merge_shared_points, point_index);
    build_matrices(quadrature, options.with_interpolation, point_index);
  }



  // The points, and the index point_index[c·Q + q] of the cell loop's (c, q)
  // among them.
  //
  // With @p merge_shared_points, a point that several locally owned cells
  // share (a Gauss–Lobatto point on a vertex, an edge or a face) is one
  // column, whose entries are the sums of the cells' φ_i(x_q) JxW_q: the
  // network is evaluated there once, G^n = B g^n is the same vector, and
  // the weight Bᵀ μ of the shared point is the sum of the cells' weights, so
  // the gradient Σ_q w_q ∂g(x_q)/∂θ is the same too. Points are numbered in
  // the order in which the cell loop meets them first. (A point on the
  // boundary between two ranks' cells stays one point on each rank, with
  // that rank's part of the sums.)
  //
  // Two points of different cells are taken to be the same if they lie
  // within a tolerance of each other: 1e-8 times the shortest edge of a
  // cell, which is far below the distance between distinct points of the
  // rule, but at least 100 ulp of the largest coordinate, which is above the
  // round-off in the points that the mapping computes. The points met so far
  // are kept in Boost's R-tree (deal.II's RTree), which finds the nearest
  // one.
  template <int dim>
  void
  PointOperators<dim>::find_points(const Quadrature<dim> &quadrature,
                                   const bool             merge_shared_points,
                                   std::vector<unsigned int> &point_index)
  {
    const DoFHandler<dim> &dofs = discretization.dof_handler();
    const unsigned int     nq   = quadrature.size();
    FEValues<dim>          fe_values(discretization.mapping(),
                            discretization.fe(),
                            quadrature,
                            update_quadrature_points | update_JxW_values);
    double                 tolerance = 0;
    if (merge_shared_points)
      {
        double shortest_edge = std::numeric_limits<double>::max(), largest = 0;
        for (const auto &cell : dofs.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              shortest_edge =
                std::min(shortest_edge, cell->minimum_vertex_distance());
              for (const unsigned int v : cell->vertex_indices())
                largest = std::max(largest, cell->vertex(v).norm());
            }
        tolerance =
          std::max(1e-8 * shortest_edge,
                   100. * std::numeric_limits<double>::epsilon() * largest);
      }
    RTree<std::pair<Point<dim>, unsigned int>> met;
    // The index of a point met before within the tolerance of x, or else
    // that of a new point.
    const auto index_of = [&](const Point<dim> &x) {
      std::vector<std::pair<Point<dim>, unsigned int>> nearest;
      met.query(boost::geometry::index::nearest(x, 1),
                std::back_inserter(nearest));
      if (!nearest.empty() && nearest[0].first.distance(x) <= tolerance)
        return nearest[0].second;
      const unsigned int p = point_list.size();
      met.insert({x, p});
      return p;
    };
    point_index.assign(discretization.n_locally_owned_cells() * nq, 0);
    point_list.clear();
    point_coordinates.clear();
    point_JxW.clear();
    unsigned int c = 0;
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          for (unsigned int q = 0; q < nq; ++q)
            {
              const Point<dim> &x = fe_values.quadrature_point(q);
              unsigned int      p = point_list.size();
              if (merge_shared_points)
                p = index_of(x);
              if (p == point_list.size())
                {
                  point_list.push_back(x);
                  for (unsigned int d = 0; d < dim; ++d)
                    point_coordinates.push_back(x[d]);
                  point_JxW.push_back(0.);
                }
              point_JxW[p] += fe_values.JxW(q);
              point_index[c * nq + q] = p;
            }
          ++c;
        }
  }



  // The points are numbered rank by rank: each rank owns a contiguous range
  // of columns of B (rows of Φ). The patterns come from the cells' dofs, the
  // entries from one more pass of FEValues over the cells.
  template <int dim>
  void
  PointOperators<dim>::build_matrices(
    const Quadrature<dim>           &quadrature,
    const bool                       with_interpolation,
    const std::vector<unsigned int> &point_index)
  {
    const MPI_Comm         communicator = discretization.communicator();
    const DoFHandler<dim> &dofs         = discretization.dof_handler();
    const IndexSet        &owned_dofs   = discretization.locally_owned_dofs();
    const IndexSet &relevant_dofs = discretization.locally_relevant_dofs();
    const AffineConstraints<double> &constraints = discretization.constraints();
    const AffineConstraints<double> &none = discretization.no_constraints();
    const unsigned int dpc     = discretization.fe().n_dofs_per_cell();
    const unsigned int nq      = quadrature.size();
    const unsigned int n_cells = discretization.n_locally_owned_cells();

    const std::vector<IndexSet> partition =
      Utilities::MPI::create_ascending_partitioning(communicator,
                                                    point_list.size());
    owned_points = partition[Utilities::MPI::this_mpi_process(communicator)];
    const types::global_dof_index n_points = owned_points.size();
    const types::global_dof_index first_point =
      (owned_points.n_elements() > 0 ? *owned_points.begin() : 0);

    DynamicSparsityPattern               integration_dsp(dofs.n_dofs(),
                                           n_points,
                                           relevant_dofs);
    DynamicSparsityPattern               interpolation_dsp(n_points,
                                             dofs.n_dofs(),
                                             owned_points);
    std::vector<types::global_dof_index> columns(nq);
    std::vector<types::global_dof_index> local_dofs(dpc);
    const auto cell_columns = [&](const unsigned int c) {
      for (unsigned int q = 0; q < nq; ++q)
        columns[q] = first_point + point_index[c * nq + q];
    };
    for (unsigned int c = 0; c < n_cells; ++c)
      {
        discretization.cell_dofs(c, local_dofs);
        cell_columns(c);
        constraints.add_entries_local_to_global(
          local_dofs, none, columns, integration_dsp, false);
        if (with_interpolation)
          for (const auto point : columns)
            interpolation_dsp.add_entries(point,
                                          local_dofs.begin(),
                                          local_dofs.end());
      }
    SparsityTools::distribute_sparsity_pattern(integration_dsp,
                                               owned_dofs,
                                               communicator,
                                               relevant_dofs);
    integration.reinit(owned_dofs, owned_points, integration_dsp, communicator);
    if (with_interpolation)
      interpolation.reinit(owned_points,
                           owned_dofs,
                           interpolation_dsp,
                           communicator);

    FEValues<dim>       fe_values(discretization.mapping(),
                            discretization.fe(),
                            quadrature,
                            update_values | update_JxW_values);
    FullMatrix<double>  local(dpc, nq);
    std::vector<double> phi(dpc);
    unsigned int        c = 0;
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          cell->get_dof_indices(local_dofs);
          cell_columns(c);
          for (unsigned int q = 0; q < nq; ++q)
            {
              for (unsigned int i = 0; i < dpc; ++i)
                {
                  phi[i]      = fe_values.shape_value(i, q);
                  local(i, q) = phi[i] * fe_values.JxW(q);
                }
              if (with_interpolation)
                interpolation.add(columns[q], local_dofs, phi);
            }
          constraints.distribute_local_to_global(
            local, local_dofs, none, columns, integration);
          ++c;
        }
    integration.compress(VectorOperation::add);
    if (with_interpolation)
      interpolation.compress(VectorOperation::add);
    buffer.reinit(owned_points, communicator);
    local_integration.reinit(integration);
    local_interpolation.reinit(interpolation);
  }



  template <int dim>
  const typename PointOperators<dim>::VectorType &
  PointOperators<dim>::to_buffer(const Vector<double> &values) const
  {
    AssertDimension(values.size(), point_list.size());
    std::copy(values.begin(), values.end(), buffer.begin());
    return buffer;
  }



  template <int dim>
  void
  PointOperators<dim>::from_buffer(Vector<double> &values) const
  {
    values.reinit(point_list.size());
    std::copy(buffer.begin(), buffer.end(), values.begin());
  }



  // The three products go through the CSR copies on one rank (no Epetra
  // call in the time loop), and through Trilinos with several.
  template <int dim>
  void
  PointOperators<dim>::values(const VectorType &u, Vector<double> &v) const
  {
    if (!local_interpolation.empty())
      {
        v.reinit(point_list.size(), true);
        local_interpolation.vmult(v.begin(), u.begin());
        return;
      }
    interpolation.vmult(buffer, u);
    from_buffer(v);
  }



  template <int dim>
  void
  PointOperators<dim>::add_integrals(const Vector<double> &v,
                                     VectorType           &out) const
  {
    if (!local_integration.empty())
      local_integration.vmult(out.begin(), v.begin(), true);
    else
      discretization.operators().add_product(integration, to_buffer(v), out);
  }



  template <int dim>
  void
  PointOperators<dim>::weighted_values(const VectorType &mu,
                                       Vector<double>   &w) const
  {
    if (!local_integration.empty())
      {
        w.reinit(point_list.size(), true);
        local_integration.Tvmult(w.begin(), mu.begin());
        return;
      }
    integration.Tvmult(buffer, mu);
    from_buffer(w);
  }



  template <int dim>
  const std::vector<Point<dim>> &
  PointOperators<dim>::points() const
  {
    return point_list;
  }

  template <int dim>
  const std::vector<double> &
  PointOperators<dim>::coordinates() const
  {
    return point_coordinates;
  }

  template <int dim>
  const std::vector<double> &
  PointOperators<dim>::JxW() const
  {
    return point_JxW;
  }



  template class PointOperators<1>;
  template class PointOperators<2>;
  template class PointOperators<3>;
} // namespace npde
