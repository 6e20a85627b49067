// ---------------------------------------------------------------------------
// npde: the condensed operators of a discretisation (see
// condensed_operators.h).
// ---------------------------------------------------------------------------
#include <deal.II/lac/sparsity_tools.h>

#include <npde/condensed_operators.h>
#include <npde/discretization.h>

namespace npde
{
  template <int dim>
  CondensedOperators<dim>::CondensedOperators(
    const Discretization<dim> &discretization,
    const bool                 has_advection,
    TimerOutput               &timer)
    : discretization(discretization)
    , has_advection(has_advection)
    , timer(timer)
  {
  }



  // Applied to a vector with its Dirichlet and hanging-node values, Cᵀ L
  // gives the linear part of a residual: its rows are condensed, its
  // columns are all the dofs.
  template <int dim>
  void
  CondensedOperators<dim>::distribute_dofs()
  {
    const DoFHandler<dim> &dofs     = discretization.dof_handler();
    const IndexSet        &relevant = discretization.locally_relevant_dofs();
    operators.clear();
    mass_operator = nullptr;
    operator_sparsity.reinit(dofs.n_dofs(), dofs.n_dofs(), relevant);
    std::vector<types::global_dof_index> local_dofs(
      discretization.fe().n_dofs_per_cell());
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          cell->get_dof_indices(local_dofs);
          discretization.constraints().add_entries_local_to_global(
            local_dofs,
            discretization.no_constraints(),
            local_dofs,
            operator_sparsity,
            false);
        }
    SparsityTools::distribute_sparsity_pattern(
      operator_sparsity,
      discretization.locally_owned_dofs(),
      discretization.communicator(),
      relevant);
    product_buffer = discretization.new_vector();
  }



  template <int dim>
  void
  CondensedOperators<dim>::reset()
  {
    operators.clear();
    mass_operator = &operator_matrix({1., 0.}, Transpose::no);
  }



  template <int dim>
  const typename CondensedOperators<dim>::OperatorMatrix &
  CondensedOperators<dim>::operator_matrix(const OperatorCoefficients k,
                                           const Transpose transpose) const
  {
    // M and the diffusion part of A are symmetric: only advection makes the
    // transpose a different matrix.
    const bool      transposed = transpose == Transpose::yes && has_advection;
    OperatorMatrix &result =
      operators[std::make_tuple(k.mass, k.op, transposed)];
    std::unique_ptr<MatrixType> &matrix = result.matrix;
    if (matrix)
      return result;

    TimerOutput::Scope scope(timer, "state: operator matrices");
    matrix = std::make_unique<MatrixType>();
    matrix->reinit(discretization.locally_owned_dofs(),
                   discretization.locally_owned_dofs(),
                   operator_sparsity,
                   discretization.communicator());
    const unsigned int dpc = discretization.fe().n_dofs_per_cell();
    FullMatrix<double> local(dpc, dpc);
    std::vector<types::global_dof_index> local_dofs(dpc);
    for (unsigned int c = 0; c < discretization.n_locally_owned_cells(); ++c)
      {
        discretization.cell_dofs(c, local_dofs);
        discretization.cell_matrix(c,
                                   k,
                                   transposed ? Transpose::yes : Transpose::no,
                                   local);
        discretization.constraints().distribute_local_to_global(
          local,
          local_dofs,
          discretization.no_constraints(),
          local_dofs,
          *matrix);
      }
    matrix->compress(VectorOperation::add);
    result.local.reinit(*matrix);
    return result;
  }



  template <int dim>
  void
  CondensedOperators<dim>::add_operator_product(const OperatorCoefficients k,
                                                const Transpose   transpose,
                                                const VectorType &src,
                                                VectorType       &dst) const
  {
    const OperatorMatrix &op = operator_matrix(k, transpose);
    if (!op.local.empty())
      op.local.vmult(dst.begin(), src.begin(), true);
    else
      add_product(*op.matrix, src, dst);
  }



  template <int dim>
  void
  CondensedOperators<dim>::mass_product(const VectorType &u,
                                        VectorType       &out) const
  {
    if (!mass_operator->local.empty())
      mass_operator->local.vmult(out.begin(), u.begin());
    else
      mass_operator->matrix->vmult(out, u);
  }



  template <int dim>
  void
  CondensedOperators<dim>::add_product(const MatrixType &A,
                                       const VectorType &src,
                                       VectorType       &dst) const
  {
    A.vmult(product_buffer, src);
    dst += product_buffer;
  }



  template class CondensedOperators<1>;
  template class CondensedOperators<2>;
  template class CondensedOperators<3>;
} // namespace npde
