// ---------------------------------------------------------------------------
// npde: evaluation at arbitrary points of the mesh (see point_evaluation.h).
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <deal.II/fe/fe_poly.h>

#include <deal.II/lac/sparsity_tools.h>

#include <npde/point_evaluation.h>


namespace npde
{
  template <int dim>
  PointEvaluation<dim>::PointEvaluation(
    const Discretization<dim> &discretization)
    : discretization(discretization)
  {
  }



  // φ_i(x_j) of FE_Q is the reference shape function at the point's
  // reference coordinates, whatever the mapping: no FEValues.
  template <int dim>
  void
  PointEvaluation<dim>::setup(const std::vector<LocatedPoint> &points,
                              const std::vector<unsigned int> &order)
  {
    n_points         = order.size();
    const auto *poly = dynamic_cast<const FE_Poly<dim> *>(&discretization.fe());
    polynomials      = (poly != nullptr ? &poly->get_poly_space() : nullptr);
    local = Utilities::MPI::n_mpi_processes(discretization.communicator()) == 1;
    if (local)
      setup_local(points, order);
    else
      setup_distributed(points, order);
  }



  // All φ_i(x̂) at once: FE_Q's tensor-product polynomials evaluate the 1D
  // polynomials once per direction for all i (asking for one φ_i at a time
  // evaluates them again for each).
  template <int dim>
  void
  PointEvaluation<dim>::shape_values(const Point<dim>    &reference,
                                     std::vector<double> &values) const
  {
    if (polynomials != nullptr)
      polynomials->evaluate(reference, values, none_1, none_2, none_3, none_4);
    else
      for (unsigned int i = 0; i < values.size(); ++i)
        values[i] = discretization.fe().shape_value(i, reference);
  }



  // On one rank the dofs' global indices are the local ones. Row j of Cᵀ:
  // an unconstrained dof keeps its entry, a constrained one gives a·φ_i to
  // each of its masters (the constraints are closed, so the masters are
  // unconstrained), and a Dirichlet dof (no entries) none; entries of one
  // dof are summed.
  template <int dim>
  void
  PointEvaluation<dim>::setup_local(const std::vector<LocatedPoint> &points,
                                    const std::vector<unsigned int> &order)
  {
    const AffineConstraints<double> &constraints = discretization.constraints();
    const FiniteElement<dim>        &fe          = discretization.fe();
    const unsigned int               dpc         = fe.n_dofs_per_cell();
    std::vector<types::global_dof_index> local_dofs(dpc);
    row_start.assign(1, 0);
    condensed_start.assign(1, 0);
    row_dofs.clear();
    row_values.clear();
    condensed_dofs.clear();
    condensed_values.clear();
    // (A row has a few dozen entries at most: a linear search finds a dof
    // among them faster than a map.)
    const auto add = [&](const unsigned int dof, const double value) {
      for (unsigned int e = condensed_start.back(); e < condensed_dofs.size();
           ++e)
        if (condensed_dofs[e] == dof)
          {
            condensed_values[e] += value;
            return;
          }
      condensed_dofs.push_back(dof);
      condensed_values.push_back(value);
    };
    row_dofs.reserve(points.size() * dpc);
    row_values.reserve(points.size() * dpc);
    condensed_dofs.reserve(points.size() * dpc);
    condensed_values.reserve(points.size() * dpc);
    std::vector<double> phi(dpc);
    // The constrained dofs, looked up once (is_constrained() searches).
    std::vector<bool> constrained(discretization.dof_handler().n_dofs(), false);
    for (const auto &line : constraints.get_lines())
      constrained[line.index] = true;
    for (const unsigned int j : order)
      {
        const LocatedPoint &point = points[j];
        if (point.local_cell != numbers::invalid_unsigned_int)
          discretization.cell_dofs(point.local_cell, local_dofs);
        else
          point.cell->get_dof_indices(local_dofs);
        shape_values(point.reference, phi);
        for (unsigned int i = 0; i < dpc; ++i)
          {
            row_dofs.push_back(local_dofs[i]);
            row_values.push_back(phi[i]);
            if (!constrained[local_dofs[i]])
              add(local_dofs[i], phi[i]);
            else
              for (const auto &[master, a] :
                   *constraints.get_constraint_entries(local_dofs[i]))
                add(master, a * phi[i]);
          }
        row_start.push_back(row_dofs.size());
        condensed_start.push_back(condensed_dofs.size());
      }
  }



  // As PointOperators::build_matrices, with one point per column.
  template <int dim>
  void
  PointEvaluation<dim>::setup_distributed(
    const std::vector<LocatedPoint> &points,
    const std::vector<unsigned int> &order)
  {
    const MPI_Comm         communicator = discretization.communicator();
    const DoFHandler<dim> &dofs         = discretization.dof_handler();
    const IndexSet        &owned_dofs   = discretization.locally_owned_dofs();
    const IndexSet &relevant_dofs = discretization.locally_relevant_dofs();
    const AffineConstraints<double> &constraints = discretization.constraints();
    const AffineConstraints<double> &none = discretization.no_constraints();
    const FiniteElement<dim>        &fe   = discretization.fe();
    const unsigned int               dpc  = fe.n_dofs_per_cell();

    const std::vector<IndexSet> partition =
      Utilities::MPI::create_ascending_partitioning(communicator, n_points);
    owned_points = partition[Utilities::MPI::this_mpi_process(communicator)];
    const types::global_dof_index n_global = owned_points.size();
    const types::global_dof_index first =
      (owned_points.n_elements() > 0 ? *owned_points.begin() : 0);

    DynamicSparsityPattern               integration_dsp(dofs.n_dofs(),
                                           n_global,
                                           relevant_dofs);
    DynamicSparsityPattern               interpolation_dsp(n_global,
                                             dofs.n_dofs(),
                                             owned_points);
    std::vector<types::global_dof_index> local_dofs(dpc);
    for (unsigned int j = 0; j < n_points; ++j)
      {
        points[order[j]].cell->get_dof_indices(local_dofs);
        const std::vector<types::global_dof_index> column{first + j};
        constraints.add_entries_local_to_global(
          local_dofs, none, column, integration_dsp, false);
        interpolation_dsp.add_entries(first + j,
                                      local_dofs.begin(),
                                      local_dofs.end());
      }
    SparsityTools::distribute_sparsity_pattern(integration_dsp,
                                               owned_dofs,
                                               communicator,
                                               relevant_dofs);
    integration.reinit(owned_dofs, owned_points, integration_dsp, communicator);
    interpolation.reinit(owned_points,
                         owned_dofs,
                         interpolation_dsp,
                         communicator);

    FullMatrix<double>  local(dpc, 1);
    std::vector<double> phi(dpc);
    for (unsigned int j = 0; j < n_points; ++j)
      {
        points[order[j]].cell->get_dof_indices(local_dofs);
        shape_values(points[order[j]].reference, phi);
        for (unsigned int i = 0; i < dpc; ++i)
          local(i, 0) = phi[i];
        interpolation.set(first + j, local_dofs, phi);
        const std::vector<types::global_dof_index> column{first + j};
        constraints.distribute_local_to_global(
          local, local_dofs, none, column, integration);
      }
    integration.compress(VectorOperation::add);
    interpolation.compress(VectorOperation::insert);
    buffer.reinit(owned_points, communicator);
  }



  template <int dim>
  unsigned int
  PointEvaluation<dim>::size() const
  {
    return n_points;
  }



  template <int dim>
  void
  PointEvaluation<dim>::values(const VectorType  &u,
                               Vector<double>    &v,
                               const unsigned int begin,
                               const unsigned int end) const
  {
    if (v.size() != n_points)
      v.reinit(n_points);
    if (local)
      {
        const double *const x = u.begin();
        for (unsigned int j = begin; j < end; ++j)
          {
            double sum = 0;
            for (unsigned int e = row_start[j]; e < row_start[j + 1]; ++e)
              sum += row_values[e] * x[row_dofs[e]];
            v[j] = sum;
          }
        return;
      }
    interpolation.vmult(buffer, u);
    std::copy(buffer.begin() + begin, buffer.begin() + end, v.begin() + begin);
  }



  template <int dim>
  void
  PointEvaluation<dim>::add_integrals(const Vector<double> &v,
                                      VectorType           &out,
                                      const unsigned int    begin,
                                      const unsigned int    end) const
  {
    AssertDimension(v.size(), n_points);
    if (local)
      {
        double *const y = out.begin();
        for (unsigned int j = begin; j < end; ++j)
          for (unsigned int e = condensed_start[j]; e < condensed_start[j + 1];
               ++e)
            y[condensed_dofs[e]] += condensed_values[e] * v[j];
        return;
      }
    buffer = 0.;
    std::copy(v.begin() + begin, v.begin() + end, buffer.begin() + begin);
    discretization.operators().add_product(integration, buffer, out);
  }



  template class PointEvaluation<1>;
  template class PointEvaluation<2>;
  template class PointEvaluation<3>;
} // namespace npde
