// ---------------------------------------------------------------------------
// npde: the spatial discretisation.
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <deal.II/dofs/dof_tools.h>

#include <deal.II/fe/fe_values.h>

#include <deal.II/lac/sparsity_tools.h>

#include <deal.II/numerics/vector_tools.h>

#include <npde/discretization.h>
#include <npde/input_check.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace npde
{
  template <int dim>
  Discretization<dim>::Discretization(
    const unsigned int                      degree,
    const Model<dim>                       &model,
    const parallel::TriangulationBase<dim> &triangulation,
    TimerOutput                            &timer)
    : model(model)
    , tria(triangulation)
    , mpi_communicator(triangulation.get_communicator())
    , finite_element(degree)
    , mapping_q(degree)
    , gauss(degree + 1)
    , dofs(triangulation)
    , condensed_operators(*this, model.has_advection(), timer)
  {
  }



  template <int dim>
  void
  Discretization<dim>::distribute_dofs()
  {
    check_dirichlet_ids();
    dofs.distribute_dofs(finite_element);
    owned_dofs = dofs.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dofs, relevant_dofs);
    setup_constraints();
    setup_sparsity_patterns();
    condensed_operators.distribute_dofs();
  }



  // A Dirichlet id that no boundary face carries would silently make the
  // problem a Neumann problem there. (get_boundary_ids() is collective.)
  template <int dim>
  void
  Discretization<dim>::check_dirichlet_ids() const
  {
    const std::vector<types::boundary_id> mesh_ids = tria.get_boundary_ids();
    for (const types::boundary_id id : model.dirichlet_boundary_ids())
      if (std::find(mesh_ids.begin(), mesh_ids.end(), id) == mesh_ids.end())
        {
          std::string list;
          for (const types::boundary_id m : mesh_ids)
            list += (list.empty() ? "" : ", ") + std::to_string(m);
          throw InputError(
            "Parameter 'Model/Dirichlet boundary ids' names the boundary id " +
            std::to_string(id) + ", but the mesh has no boundary face with " +
            "that id. Its boundary ids are: " + list +
            ". Give ids from this list (a generator numbers the boundary "
            "parts only with 'colorize = true'; a Gmsh file takes them from "
            "its physical groups), or leave the list empty for a pure "
            "Neumann problem.");
        }
  }



  // Two sets of constraints: the hanging nodes alone (to give a vector its
  // conforming values), and the hanging nodes with zero Dirichlet values,
  // which define the condensed space everything else lives in.
  template <int dim>
  void
  Discretization<dim>::setup_constraints()
  {
    hanging_node_constraints.clear();
    hanging_node_constraints.reinit(relevant_dofs);
    DoFTools::make_hanging_node_constraints(dofs, hanging_node_constraints);
    hanging_node_constraints.close();
    // distribute() is collective (it imports ghost values): every rank must
    // call it if any has a hanging node.
    has_hanging_nodes =
      Utilities::MPI::max(hanging_node_constraints.n_constraints() > 0 ? 1u :
                                                                         0u,
                          mpi_communicator) > 0;

    homogeneous_constraints.clear();
    homogeneous_constraints.reinit(relevant_dofs);
    DoFTools::make_hanging_node_constraints(dofs, homogeneous_constraints);
    for (const types::boundary_id id : model.dirichlet_boundary_ids())
      VectorTools::interpolate_boundary_values(mapping_q,
                                               dofs,
                                               id,
                                               Functions::ZeroFunction<dim>(),
                                               homogeneous_constraints);
    homogeneous_constraints.close();
    empty_constraints.clear();
    empty_constraints.close();

    // The owned dofs whose value the closed constraints fix to zero (a line
    // without entries): the Dirichlet dofs, and hanging dofs whose parents
    // all are. distribute_homogeneous_constraints() zeroes them before the
    // hanging-node values are distributed, which gives any hanging dof among
    // them its interpolated value again.
    dirichlet_dofs.clear();
    constrained_dofs.clear();
    for (const types::global_dof_index i : owned_dofs)
      if (homogeneous_constraints.is_constrained(i))
        {
          constrained_dofs.push_back(owned_dofs.index_within_set(i));
          if (homogeneous_constraints.get_constraint_entries(i)->empty())
            dirichlet_dofs.push_back(constrained_dofs.back());
        }
  }



  // The pattern of the condensed Jacobian Cᵀ J C (the operators' pattern
  // is their own).
  template <int dim>
  void
  Discretization<dim>::setup_sparsity_patterns()
  {
    condensed_sparsity.reinit(relevant_dofs.size(),
                              relevant_dofs.size(),
                              relevant_dofs);
    DoFTools::make_sparsity_pattern(dofs,
                                    condensed_sparsity,
                                    homogeneous_constraints,
                                    false);
    SparsityTools::distribute_sparsity_pattern(condensed_sparsity,
                                               owned_dofs,
                                               mpi_communicator,
                                               relevant_dofs);
  }



  template <int dim>
  void
  Discretization<dim>::reinit_condensed_matrix(MatrixType &matrix) const
  {
    matrix.reinit(owned_dofs, owned_dofs, condensed_sparsity, mpi_communicator);
  }



  // The support point of the locally owned dof @p i, for messages: found by
  // a search over the cells, which is slow but runs only when an input value
  // is wrong.
  template <int dim>
  Point<dim>
  Discretization<dim>::support_point(const types::global_dof_index i) const
  {
    std::map<types::global_dof_index, Point<dim>> points;
    DoFTools::map_dofs_to_support_points(mapping_q, dofs, points);
    const auto it = points.find(i);
    return it == points.end() ? Point<dim>() : it->second;
  }



  // The local mass and operator matrices of every locally owned cell are
  // computed once per mesh. Newton's loop then never runs FEValues again
  // (doc/design.md section 8); the reaction term takes its points and JxW
  // values from the point operators of the same quadrature. The operators
  // built from them on the previous mesh are dropped, and the mass operator
  // is made at once.
  template <int dim>
  void
  Discretization<dim>::assemble_cell_matrices()
  {
    const unsigned int dpc = finite_element.n_dofs_per_cell();
    const unsigned int nq  = gauss.size();
    FEValues<dim>      fe_values(mapping_q,
                            finite_element,
                            gauss,
                            update_values | update_gradients |
                              update_quadrature_points | update_JxW_values);

    shape_table.reinit(nq, dpc);
    for (unsigned int q = 0; q < nq; ++q)
      for (unsigned int i = 0; i < dpc; ++i)
        shape_table(q, i) = finite_element.shape_value(i, gauss.point(q));

    cell_dof_indices.clear();
    cell_mass.clear();
    cell_operator.clear();
    n_local_cells = 0;

    std::vector<types::global_dof_index> local_dofs(dpc);
    FullMatrix<double>                   mass(dpc, dpc), op(dpc, dpc);
    std::string                          bad_value;
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          cell->get_dof_indices(local_dofs);
          mass = 0.;
          op   = 0.;
          for (unsigned int q = 0; q < nq; ++q)
            {
              const Point<dim>    &x   = fe_values.quadrature_point(q);
              const double         JxW = fe_values.JxW(q);
              const double         a   = model.diffusion(x);
              const Tensor<1, dim> b   = model.advection(x);
              // A zero or negative diffusion is not a parabolic problem: the
              // backward heat equation "trains" to a loss of 1e21.
              if (!(a > 0.))
                note_bad_value(bad_value,
                               "Model/Diffusion",
                               model.formula("Model/Diffusion"),
                               a,
                               x,
                               -1.,
                               std::isfinite(a) ?
                                 "the diffusion must be positive everywhere "
                                 "in the domain (a(x) <= 0 is not a "
                                 "parabolic problem)." :
                                 not_finite_value);
              if (!std::isfinite(b.norm_square()))
                note_bad_value(bad_value,
                               "Model/Advection",
                               model.formula("Model/Advection"),
                               b.norm(),
                               x,
                               -1.,
                               not_finite_value);
              for (unsigned int i = 0; i < dpc; ++i)
                {
                  const double          phi_i = fe_values.shape_value(i, q);
                  const Tensor<1, dim> &grad_phi_i = fe_values.shape_grad(i, q);
                  for (unsigned int j = 0; j < dpc; ++j)
                    {
                      const Tensor<1, dim> &grad_phi_j =
                        fe_values.shape_grad(j, q);
                      mass(i, j) += phi_i * fe_values.shape_value(j, q) * JxW;
                      op(i, j) += (a * grad_phi_j * grad_phi_i +
                                   (b * grad_phi_j) * phi_i) *
                                  JxW;
                    }
                }
            }
          cell_dof_indices.insert(cell_dof_indices.end(),
                                  local_dofs.begin(),
                                  local_dofs.end());
          cell_mass.push_back(mass);
          cell_operator.push_back(op);
          ++n_local_cells;
        }
    throw_if_any(mpi_communicator, bad_value);

    condensed_operators.reset();
  }



  template <int dim>
  void
  Discretization<dim>::cell_dofs(
    const unsigned int                    c,
    std::vector<types::global_dof_index> &local_dofs) const
  {
    const unsigned int dpc = finite_element.n_dofs_per_cell();
    local_dofs.assign(cell_dof_indices.begin() + c * dpc,
                      cell_dof_indices.begin() + (c + 1) * dpc);
  }



  template <int dim>
  void
  Discretization<dim>::cell_matrix(const unsigned int         c,
                                   const OperatorCoefficients k,
                                   const Transpose            transpose,
                                   FullMatrix<double>        &local) const
  {
    const unsigned int dpc = finite_element.n_dofs_per_cell();
    for (unsigned int i = 0; i < dpc; ++i)
      for (unsigned int j = 0; j < dpc; ++j)
        local(i, j) =
          k.mass * cell_mass[c](i, j) + k.op * (transpose == Transpose::yes ?
                                                  cell_operator[c](j, i) :
                                                  cell_operator[c](i, j));
  }



  template <int dim>
  void
  Discretization<dim>::distribute_homogeneous_constraints(VectorType &v) const
  {
    double *const values = v.begin();
    for (const unsigned int i : dirichlet_dofs)
      values[i] = 0.;
    distribute_hanging_node_values(v);
  }



  template <int dim>
  const std::vector<unsigned int> &
  Discretization<dim>::constrained_local_dofs() const
  {
    return constrained_dofs;
  }



  template <int dim>
  void
  Discretization<dim>::distribute_hanging_node_values(VectorType &v) const
  {
    // distribute() imports ghost values even when there is nothing to do.
    if (has_hanging_nodes)
      hanging_node_constraints.distribute(v);
  }



  template <int dim>
  typename Discretization<dim>::VectorType
  Discretization<dim>::ghosted(const VectorType &v) const
  {
    VectorType g(owned_dofs, relevant_dofs, mpi_communicator);
    g = v;
    return g;
  }



  template <int dim>
  typename Discretization<dim>::VectorType
  Discretization<dim>::new_vector() const
  {
    return VectorType(owned_dofs, mpi_communicator);
  }



  template <int dim>
  double
  Discretization<dim>::l2_error(const VectorType    &u,
                                const Function<dim> &exact) const
  {
    Vector<double> cellwise(tria.n_active_cells());
    VectorTools::integrate_difference(mapping_q,
                                      dofs,
                                      ghosted(u),
                                      exact,
                                      cellwise,
                                      QGauss<dim>(finite_element.degree + 2),
                                      VectorTools::L2_norm);
    return VectorTools::compute_global_error(tria,
                                             cellwise,
                                             VectorTools::L2_norm);
  }



  // The accessors.
  template <int dim>
  const DoFHandler<dim> &
  Discretization<dim>::dof_handler() const
  {
    return dofs;
  }

  template <int dim>
  const Mapping<dim> &
  Discretization<dim>::mapping() const
  {
    return mapping_q;
  }

  template <int dim>
  const FiniteElement<dim> &
  Discretization<dim>::fe() const
  {
    return finite_element;
  }

  template <int dim>
  const parallel::TriangulationBase<dim> &
  Discretization<dim>::triangulation() const
  {
    return tria;
  }

  template <int dim>
  MPI_Comm
  Discretization<dim>::communicator() const
  {
    return mpi_communicator;
  }

  template <int dim>
  const IndexSet &
  Discretization<dim>::locally_owned_dofs() const
  {
    return owned_dofs;
  }

  template <int dim>
  const IndexSet &
  Discretization<dim>::locally_relevant_dofs() const
  {
    return relevant_dofs;
  }

  template <int dim>
  const Quadrature<dim> &
  Discretization<dim>::quadrature() const
  {
    return gauss;
  }

  template <int dim>
  const AffineConstraints<double> &
  Discretization<dim>::constraints() const
  {
    return homogeneous_constraints;
  }

  template <int dim>
  const AffineConstraints<double> &
  Discretization<dim>::no_constraints() const
  {
    return empty_constraints;
  }

  template <int dim>
  unsigned int
  Discretization<dim>::n_locally_owned_cells() const
  {
    return n_local_cells;
  }

  template <int dim>
  const FullMatrix<double> &
  Discretization<dim>::shape_values() const
  {
    return shape_table;
  }

  template <int dim>
  const CondensedOperators<dim> &
  Discretization<dim>::operators() const
  {
    return condensed_operators;
  }



  template class Discretization<1>;
  template class Discretization<2>;
  template class Discretization<3>;
} // namespace npde
