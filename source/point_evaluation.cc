// ---------------------------------------------------------------------------
// npde: evaluation at arbitrary points of the mesh (see point_evaluation.h).
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

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



  // As PointOperators::build_matrices, with one point per column and no
  // FEValues: φ_i(x_j) of FE_Q is the reference shape function at the
  // point's reference coordinates, whatever the mapping.
  template <int dim>
  void
  PointEvaluation<dim>::setup(const std::vector<LocatedPoint> &points)
  {
    const MPI_Comm         communicator = discretization.communicator();
    const DoFHandler<dim> &dofs         = discretization.dof_handler();
    const IndexSet        &owned_dofs   = discretization.locally_owned_dofs();
    const IndexSet &relevant_dofs = discretization.locally_relevant_dofs();
    const AffineConstraints<double> &constraints = discretization.constraints();
    const AffineConstraints<double> &none = discretization.no_constraints();
    const FiniteElement<dim>        &fe   = discretization.fe();
    const unsigned int               dpc  = fe.n_dofs_per_cell();

    n_points = points.size();
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
        points[j].cell->get_dof_indices(local_dofs);
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
        points[j].cell->get_dof_indices(local_dofs);
        for (unsigned int i = 0; i < dpc; ++i)
          {
            phi[i]      = fe.shape_value(i, points[j].reference);
            local(i, 0) = phi[i];
          }
        interpolation.set(first + j, local_dofs, phi);
        const std::vector<types::global_dof_index> column{first + j};
        constraints.distribute_local_to_global(
          local, local_dofs, none, column, integration);
      }
    integration.compress(VectorOperation::add);
    interpolation.compress(VectorOperation::insert);
    buffer.reinit(owned_points, communicator);
    local_integration.reinit(integration);
    local_interpolation.reinit(interpolation);
  }



  template <int dim>
  unsigned int
  PointEvaluation<dim>::size() const
  {
    return n_points;
  }



  // Through the CSR copies on one rank, through Trilinos with several.
  template <int dim>
  void
  PointEvaluation<dim>::values(const VectorType &u, Vector<double> &v) const
  {
    v.reinit(n_points, true);
    if (!local_interpolation.empty())
      {
        local_interpolation.vmult(v.begin(), u.begin());
        return;
      }
    interpolation.vmult(buffer, u);
    std::copy(buffer.begin(), buffer.end(), v.begin());
  }



  template <int dim>
  void
  PointEvaluation<dim>::add_integrals(const Vector<double> &v,
                                      VectorType           &out) const
  {
    AssertDimension(v.size(), n_points);
    if (!local_integration.empty())
      {
        local_integration.vmult(out.begin(), v.begin(), true);
        return;
      }
    std::copy(v.begin(), v.end(), buffer.begin());
    discretization.operators().add_product(integration, buffer, out);
  }



  template class PointEvaluation<1>;
  template class PointEvaluation<2>;
  template class PointEvaluation<3>;
} // namespace npde
