// ---------------------------------------------------------------------------
// npde: the known data of the forward problem at every time level.
// ---------------------------------------------------------------------------
#include <deal.II/base/quadrature_lib.h>

#include <deal.II/fe/fe_values.h>

#include <deal.II/numerics/vector_tools.h>

#include <npde/input_check.h>
#include <npde/known_terms.h>

#include <cmath>
#include <map>

namespace npde
{
  template <int dim>
  KnownTerms<dim>::KnownTerms(const Discretization<dim> &discretization,
                              const PointOperators<dim> &quadrature_points,
                              const TimeGrid            &time_grid,
                              const Model<dim>          &model)
    : discretization(discretization)
    , quadrature_points(quadrature_points)
    , time_grid(time_grid)
    , model(model)
  {
  }



  template <int dim>
  void
  KnownTerms<dim>::setup()
  {
    setup_boundary_values();
    setup_sources();
    setup_initial_state();
  }



  // The Dirichlet values are stored by local index: the sweeps write them
  // straight into the owned part of a vector (no Trilinos index lookup, no
  // compress).
  template <int dim>
  void
  KnownTerms<dim>::setup_boundary_values()
  {
    const std::vector<double> &times      = time_grid.times();
    const IndexSet            &owned_dofs = discretization.locally_owned_dofs();
    std::string                bad_value;
    boundary_values.assign(times.size(), {});
    for (unsigned int n = 0; n < times.size(); ++n)
      {
        std::map<types::global_dof_index, double> values;
        const ExpressionFunction<dim> u_D = model.dirichlet_value(times[n]);
        for (const types::boundary_id id : model.dirichlet_boundary_ids())
          VectorTools::interpolate_boundary_values(discretization.mapping(),
                                                   discretization.dof_handler(),
                                                   id,
                                                   u_D,
                                                   values);
        for (const auto &v : values)
          if (owned_dofs.is_element(v.first))
            {
              if (!std::isfinite(v.second) && bad_value.empty())
                note_bad_value(bad_value,
                               "Model/Dirichlet value",
                               model.formula("Model/Dirichlet value"),
                               v.second,
                               discretization.support_point(v.first),
                               times[n],
                               not_finite_value);
              boundary_values[n].emplace_back(
                owned_dofs.index_within_set(v.first), v.second);
            }
      }
    throw_if_any(discretization.communicator(), bad_value);
    // On all ranks: the sweep's path through a step (see StateSolver::solve())
    // depends on it, and the paths make different collective calls.
    std::vector<unsigned int> same(times.size(), 0);
    for (unsigned int n = 1; n < times.size(); ++n)
      same[n] = (boundary_values[n] == boundary_values[n - 1]);
    Utilities::MPI::min(same, discretization.communicator(), same);
    same_values.assign(same.begin(), same.end());
  }



  // ∫ s φ_i is B s with the quadrature's B (same points, same weights); only
  // q_N needs a loop, over the Neumann faces.
  template <int dim>
  void
  KnownTerms<dim>::setup_sources()
  {
    sources.clear();
    if (!model.has_source() && !model.has_neumann_flux())
      return;

    const std::vector<double> &times = time_grid.times();
    std::string                bad_value;
    sources.assign(times.size(), discretization.new_vector());
    const auto    &points = quadrature_points.points();
    Vector<double> s(points.size());
    for (unsigned int n = 0; n < times.size() && model.has_source(); ++n)
      {
        for (unsigned int q = 0; q < points.size(); ++q)
          {
            s[q] = model.source(times[n], points[q]);
            if (!std::isfinite(s[q]))
              note_bad_value(bad_value,
                             "Model/Source",
                             model.formula("Model/Source"),
                             s[q],
                             points[q],
                             times[n],
                             not_finite_value);
          }
        quadrature_points.add_integrals(s, sources[n]);
      }
    throw_if_any(discretization.communicator(), bad_value);
    if (model.has_neumann_flux())
      add_neumann_fluxes();
  }



  template <int dim>
  void
  KnownTerms<dim>::update_sources()
  {
    setup_sources();
  }



  template <int dim>
  void
  KnownTerms<dim>::add_neumann_fluxes()
  {
    const FiniteElement<dim>        &fe          = discretization.fe();
    const AffineConstraints<double> &constraints = discretization.constraints();
    const unsigned int               dpc         = fe.n_dofs_per_cell();
    const QGauss<dim - 1>            face_quadrature(fe.degree + 1);
    FEFaceValues<dim>                fe_face_values(discretization.mapping(),
                                     fe,
                                     face_quadrature,
                                     update_values | update_quadrature_points |
                                       update_JxW_values);
    Vector<double>                   local(dpc);
    std::vector<types::global_dof_index> local_dofs(dpc);
    std::string                          bad_value;
    for (unsigned int n = 0; n < time_grid.n_levels(); ++n)
      {
        const double t = time_grid.times()[n];
        for (const auto &cell :
             discretization.dof_handler().active_cell_iterators())
          if (cell->is_locally_owned())
            {
              local = 0.;
              for (const unsigned int f : cell->face_indices())
                if (cell->face(f)->at_boundary() &&
                    model.dirichlet_boundary_ids().count(
                      cell->face(f)->boundary_id()) == 0)
                  {
                    fe_face_values.reinit(cell, f);
                    for (unsigned int q = 0; q < face_quadrature.size(); ++q)
                      {
                        const Point<dim> &x =
                          fe_face_values.quadrature_point(q);
                        const double q_N = model.neumann_flux(t, x);
                        if (!std::isfinite(q_N))
                          note_bad_value(bad_value,
                                         "Model/Neumann flux",
                                         model.formula("Model/Neumann flux"),
                                         q_N,
                                         x,
                                         t,
                                         not_finite_value);
                        const double g = q_N * fe_face_values.JxW(q);
                        for (unsigned int i = 0; i < dpc; ++i)
                          local(i) += g * fe_face_values.shape_value(i, q);
                      }
                  }
              cell->get_dof_indices(local_dofs);
              constraints.distribute_local_to_global(local,
                                                     local_dofs,
                                                     sources[n]);
            }
        sources[n].compress(VectorOperation::add);
      }
    throw_if_any(discretization.communicator(), bad_value);
  }



  // U^0 interpolates u_0, then takes the Dirichlet values at t_0 and
  // conforming hanging-node values. It does not depend on θ, so it is
  // computed once per mesh rather than in every forward sweep.
  template <int dim>
  void
  KnownTerms<dim>::setup_initial_state()
  {
    initial = discretization.new_vector();
    VectorTools::interpolate(discretization.mapping(),
                             discretization.dof_handler(),
                             model.initial_value(),
                             initial);
    std::string bad_value;
    for (const auto i : discretization.locally_owned_dofs())
      if (!std::isfinite(initial(i)))
        {
          note_bad_value(bad_value,
                         "Model/Initial value",
                         model.formula("Model/Initial value"),
                         initial(i),
                         discretization.support_point(i),
                         0.,
                         not_finite_value);
          break;
        }
    throw_if_any(discretization.communicator(), bad_value);
    apply_constraints(0, initial);
  }



  template <int dim>
  void
  KnownTerms<dim>::apply_constraints(const unsigned int n, VectorType &u) const
  {
    double *const values = u.begin();
    for (const auto &[i, value] : boundary_values[n])
      values[i] = value;
    discretization.distribute_hanging_node_values(u);
  }



  template <int dim>
  bool
  KnownTerms<dim>::has_source() const
  {
    return !sources.empty();
  }

  template <int dim>
  const typename KnownTerms<dim>::VectorType &
  KnownTerms<dim>::source(const unsigned int n) const
  {
    return sources[n];
  }

  template <int dim>
  bool
  KnownTerms<dim>::same_boundary_values(const unsigned int n) const
  {
    return same_values[n];
  }

  template <int dim>
  const typename KnownTerms<dim>::VectorType &
  KnownTerms<dim>::initial_state() const
  {
    return initial;
  }



  template class KnownTerms<1>;
  template class KnownTerms<2>;
  template class KnownTerms<3>;
} // namespace npde
