// ---------------------------------------------------------------------------
// npde: trainable physical constants (see physical_constants.h).
// ---------------------------------------------------------------------------
#include <deal.II/fe/fe_values.h>

#include <npde/adjoint_solver.h>
#include <npde/physical_constants.h>

#include <algorithm>
#include <cmath>

namespace npde
{
  template <int dim>
  PhysicalConstants<dim>::PhysicalConstants(ForwardProblem<dim> &problem)
    : problem(problem)
    , model(problem.model)
    , constant_names(problem.model.trainable_constants())
  {
    theta.reinit(constant_names.size());
    for (unsigned int j = 0; j < constant_names.size(); ++j)
      {
        const double p = model.constant(constant_names[j]);
        if (model.is_log_scaled(constant_names[j]))
          {
            units.push_back(1.);
            theta[j] = std::log(p);
          }
        else
          {
            units.push_back(p != 0. ? std::abs(p) : 1.);
            theta[j] = p / units[j];
          }
      }
  }



  template <int dim>
  std::string
  PhysicalConstants<dim>::name() const
  {
    return "physical constants";
  }



  template <int dim>
  const Vector<double> &
  PhysicalConstants<dim>::parameters() const
  {
    return theta;
  }



  template <int dim>
  double
  PhysicalConstants<dim>::value(const unsigned int j,
                                const double       theta_j) const
  {
    return model.is_log_scaled(constant_names[j]) ? std::exp(theta_j) :
                                                    units[j] * theta_j;
  }



  template <int dim>
  double
  PhysicalConstants<dim>::chain_factor(const unsigned int j) const
  {
    return model.is_log_scaled(constant_names[j]) ? value(j, theta[j]) :
                                                    units[j];
  }



  // Only a change rebuilds: the matrices of a and b (and with them the
  // condensed operators and the Jacobian's factorisation) if a constant of
  // a or b changed, the known sources if one of s or q_N did; the Jacobian
  // in any case (∂f/∂u may hold the constant).
  template <int dim>
  void
  PhysicalConstants<dim>::set_parameters(const Vector<double> &theta_b)
  {
    AssertDimension(theta_b.size(), theta.size());
    bool operator_changed = false, sources_changed = false, changed = false;
    for (unsigned int j = 0; j < theta.size(); ++j)
      if (theta_b[j] != theta[j])
        {
          const std::string &c = constant_names[j];
          if (!std::isfinite(theta_b[j]))
            throw InputError("The trainable constant '" + c + "' became " +
                             std::to_string(theta_b[j]) +
                             ": the training diverged. Lower the learning "
                             "rate, or log-scale the constant.");
          theta[j] = theta_b[j];
          model.set_constant(c, value(j, theta[j]));
          changed = true;
          operator_changed |=
            model.uses(Term::diffusion, c) || model.uses(Term::advection, c);
          sources_changed |=
            model.uses(Term::source, c) || model.uses(Term::neumann_flux, c);
        }
    if (rebuild_pending)
      changed = operator_changed = sources_changed = true;
    if (!changed)
      return;
    // A rebuild that throws (a trial step that makes a(x) ≤ 0, say) leaves
    // the operators half made: the next call rebuilds them all.
    rebuild_pending = true;
    problem.state.model_changed(operator_changed, sources_changed);
    rebuild_pending = false;
  }



  template <int dim>
  double
  PhysicalConstants<dim>::learning_rate_scale() const
  {
    return 1.;
  }



  template <int dim>
  std::vector<bool>
  PhysicalConstants<dim>::trainable(const bool) const
  {
    return std::vector<bool>(theta.size(), true);
  }



  template <int dim>
  void
  PhysicalConstants<dim>::evaluate(const std::vector<double>   &times,
                                   const std::vector<double>   &coordinates,
                                   std::vector<Vector<double>> &values,
                                   const bool)
  {
    values.resize(times.size());
    for (Vector<double> &v : values)
      v.reinit(coordinates.size() / dim);
  }



  namespace
  {
    class NoBackwardPass : public ParametricTerm::BackwardPass
    {
    public:
      void
      advance(const unsigned int, const std::function<bool()> &) override
      {
      }
      void
      add_to(Vector<double> &) override
      {
      }
    };
  } // namespace



  template <int dim>
  std::unique_ptr<ParametricTerm::BackwardPass>
  PhysicalConstants<dim>::backward_pass(const std::vector<double> &,
                                        const std::vector<double> &,
                                        const std::vector<Vector<double>> &)
  {
    return std::make_unique<NoBackwardPass>();
  }



  // One pass over the levels: at each, μ^n (from AdjointSolver::mu) and
  // U^n are read once and every constant's terms are accumulated, so that
  // no more than one level's vectors are held beside the trajectory. What
  // does not depend on the level is made first: the cell matrices of ∂_pA
  // for the constants of a and b, and the Neumann faces' points.
  //
  //   dJ/dp_j = − Σ_n (μ^n)ᵀ [ (∂_pA) U^n + ∂_pF^n(U^n) − ∂_pS^n ],
  //
  // with (μ^n)ᵀ∂_pF^n − (μ^n)ᵀ∂_pS^n (cell part) = Σ_q (Bᵀμ^n)_q ∂_p(f − s)
  // at the reaction's quadrature points (SpatialOperator, KnownTerms) and
  // the Neumann part Σ_q μ_h^n(x_q) JxW_q ∂_p q_N on the faces of
  // KnownTerms::add_neumann_fluxes.
  template <int dim>
  void
  PhysicalConstants<dim>::add_adjoint_gradient(
    const AdjointSolver<dim> &adjoint,
    Vector<double>           &gradient_b)
  {
    const StateSolver<dim>        &state  = problem.state;
    const Discretization<dim>     &space  = state.discretization();
    const PointOperators<dim>     &points = state.quadrature_operators();
    const std::vector<double>     &times  = state.time_grid().times();
    const std::vector<Point<dim>> &x      = points.points();
    const unsigned int             J      = constant_names.size();
    const unsigned int             dpc    = space.fe().n_dofs_per_cell();

    std::vector<bool> in_operator(J), in_points(J), in_flux(J);
    bool need_vectors = false, need_points = false;
    for (unsigned int j = 0; j < J; ++j)
      {
        const std::string &c = constant_names[j];
        in_operator[j] =
          model.uses(Term::diffusion, c) || model.uses(Term::advection, c);
        in_points[j] =
          model.uses(Term::reaction, c) || model.uses(Term::source, c);
        in_flux[j] = model.uses(Term::neumann_flux, c);
        need_vectors |= in_operator[j] || in_flux[j];
        need_points |= in_points[j];
      }
    const std::vector<int> cell_dofs =
      need_vectors ? cell_local_dofs() : std::vector<int>();
    const bool any_flux =
      std::find(in_flux.begin(), in_flux.end(), true) != in_flux.end();
    const NeumannPoints faces =
      any_flux ? neumann_points(cell_dofs) : NeumannPoints();

    // A and its derivatives do not depend on t, so the operator's part of
    // the sum, Σ_n μ^nᵀ (∂_p A) U^n, is Σ_cells (∂_p A)_cell : Σ_n μ_c^n ⊗
    // u_c^n: the products of the trajectory are summed once, cell by cell,
    // for all constants (add_operator_part()).
    const bool any_operator =
      std::find(in_operator.begin(), in_operator.end(), true) !=
      in_operator.end();
    const unsigned int n_cells =
      need_vectors ? cell_dofs.size() / dpc : 0;
    std::vector<double> products(any_operator ? n_cells * dpc * dpc : 0, 0.);

    std::vector<double> sum(J, 0.);
    VectorType          m = space.new_vector(), mu, u;
    Vector<double>      weights, u_values, mu_c(dpc), u_c(dpc);
    for (unsigned int n = 0; n < times.size(); ++n)
      {
        adjoint.mu(n, m);
        if (need_vectors)
          {
            mu = space.ghosted(m);
            u  = space.ghosted(state.state(n));
          }
        if (need_points)
          {
            points.weighted_values(m, weights);
            points.values(state.state(n), u_values);
          }
        const double *mu_n = need_vectors ? mu.trilinos_vector()[0] : nullptr;
        const double *u_n  = need_vectors ? u.trilinos_vector()[0] : nullptr;
        // Σ_n μ_c^n ⊗ u_c^n per cell, for the operator's constants below.
        for (unsigned int cell = 0; any_operator && cell < n_cells; ++cell)
          {
            for (unsigned int i = 0; i < dpc; ++i)
              {
                mu_c[i] = mu_n[cell_dofs[cell * dpc + i]];
                u_c[i]  = u_n[cell_dofs[cell * dpc + i]];
              }
            double *P = &products[cell * dpc * dpc];
            for (unsigned int i = 0; i < dpc; ++i)
              for (unsigned int k = 0; k < dpc; ++k)
                P[i * dpc + k] += mu_c[i] * u_c[k];
          }
        for (unsigned int j = 0; j < J; ++j)
          {
            const std::string &c = constant_names[j];
            if (in_points[j])
              {
                const bool reaction = model.uses(Term::reaction, c);
                const bool source   = model.uses(Term::source, c);
                const std::vector<double> d =
                  model.derivatives(c, x.size(), [&](const std::size_t q) {
                    return (reaction ?
                              model.reaction(times[n], x[q], u_values[q]) :
                              0.) -
                           (source ? model.source(times[n], x[q]) : 0.);
                  });
                for (unsigned int q = 0; q < x.size(); ++q)
                  sum[j] += weights[q] * d[q];
              }
            if (in_flux[j])
              {
                const std::vector<double> d = model.derivatives(
                  c, faces.points.size(), [&](const std::size_t q) {
                    return model.neumann_flux(times[n], faces.points[q]);
                  });
                for (unsigned int q = 0; q < faces.points.size(); ++q)
                  {
                    double mu_JxW = 0.;
                    for (unsigned int i = 0; i < dpc; ++i)
                      mu_JxW += mu_n[faces.dofs[q * dpc + i]] *
                                faces.phi_JxW[q * dpc + i];
                    sum[j] -= mu_JxW * d[q];
                  }
              }
          }
      }
    if (any_operator)
      add_operator_part(products, in_operator, sum);
    for (unsigned int j = 0; j < J; ++j)
      gradient_b[j] -= chain_factor(j) * sum[j];
  }



  // The Gauss rule of Discretization::assemble_cell_matrices, cell by
  // cell: G_q = JxW_q Σ_il P_il ∇φ_l·∇φ_i and H_q = JxW_q Σ_il P_il φ_i ∇φ_l
  // at every point, then for each constant ∂_p a and ∂_p b at all points
  // at once (Model::derivatives moves the constant four times), only for
  // the coefficient that uses it.
  template <int dim>
  void
  PhysicalConstants<dim>::add_operator_part(
    const std::vector<double> &products,
    const std::vector<bool>   &in_operator,
    std::vector<double>       &sum) const
  {
    const Discretization<dim> &space = problem.state.discretization();
    const FiniteElement<dim>  &fe    = space.fe();
    const unsigned int         dpc   = fe.n_dofs_per_cell();
    const unsigned int         nq    = space.quadrature().size();
    FEValues<dim>              fe_values(space.mapping(),
                            fe,
                            space.quadrature(),
                            update_values | update_gradients |
                              update_quadrature_points | update_JxW_values);

    std::vector<Point<dim>>     x;
    std::vector<double>         G;
    std::vector<Tensor<1, dim>> H;
    unsigned int                cell_index = 0;
    for (const auto &cell : space.dof_handler().active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          const double *P = &products[cell_index * dpc * dpc];
          for (unsigned int q = 0; q < nq; ++q)
            {
              double         g = 0.;
              Tensor<1, dim> h;
              for (unsigned int i = 0; i < dpc; ++i)
                {
                  Tensor<1, dim> P_grad; // Σ_l P_il ∇φ_l
                  for (unsigned int l = 0; l < dpc; ++l)
                    P_grad += P[i * dpc + l] * fe_values.shape_grad(l, q);
                  g += P_grad * fe_values.shape_grad(i, q);
                  h += fe_values.shape_value(i, q) * P_grad;
                }
              x.push_back(fe_values.quadrature_point(q));
              G.push_back(g * fe_values.JxW(q));
              H.push_back(h * fe_values.JxW(q));
            }
          ++cell_index;
        }

    for (unsigned int j = 0; j < constant_names.size(); ++j)
      {
        if (!in_operator[j])
          continue;
        const std::string &c = constant_names[j];
        if (model.uses(Term::diffusion, c))
          {
            const std::vector<double> da =
              model.derivatives(c, x.size(), [&](const std::size_t i) {
                return model.diffusion(x[i]);
              });
            for (unsigned int q = 0; q < x.size(); ++q)
              sum[j] += da[q] * G[q];
          }
        if (model.uses(Term::advection, c))
          {
            const std::vector<Tensor<1, dim>> db =
              model.derivatives(c, x.size(), [&](const std::size_t i) {
                return model.advection(x[i]);
              });
            for (unsigned int q = 0; q < x.size(); ++q)
              sum[j] += db[q] * H[q];
          }
      }
  }



  template <int dim>
  std::vector<int>
  PhysicalConstants<dim>::cell_local_dofs() const
  {
    const Discretization<dim> &space = problem.state.discretization();
    const unsigned int         dpc   = space.fe().n_dofs_per_cell();
    // (The map belongs to the vector: it must outlive the lookups.)
    const VectorType       ghosted = space.ghosted(space.new_vector());
    const Epetra_BlockMap &map     = ghosted.trilinos_vector().Map();
    std::vector<types::global_dof_index> dofs(dpc);
    std::vector<int>                     local;
    for (unsigned int c = 0; c < space.n_locally_owned_cells(); ++c)
      {
        space.cell_dofs(c, dofs);
        for (const types::global_dof_index dof : dofs)
          local.push_back(map.LID(static_cast<int>(dof)));
      }
    return local;
  }



  // The faces and rule of KnownTerms::add_neumann_fluxes: the boundary
  // faces that are not Dirichlet, QGauss(p + 1).
  template <int dim>
  typename PhysicalConstants<dim>::NeumannPoints
  PhysicalConstants<dim>::neumann_points(
    const std::vector<int> &cell_dofs) const
  {
    const Discretization<dim> &space = problem.state.discretization();
    const FiniteElement<dim>  &fe    = space.fe();
    const unsigned int         dpc   = fe.n_dofs_per_cell();
    const QGauss<dim - 1>      face_quadrature(fe.degree + 1);
    FEFaceValues<dim>          fe_face_values(space.mapping(),
                                     fe,
                                     face_quadrature,
                                     update_values | update_quadrature_points |
                                       update_JxW_values);
    NeumannPoints              faces;
    unsigned int               c = 0;
    for (const auto &cell : space.dof_handler().active_cell_iterators())
      if (cell->is_locally_owned())
        {
          for (const unsigned int f : cell->face_indices())
            if (cell->face(f)->at_boundary() &&
                model.dirichlet_boundary_ids().count(
                  cell->face(f)->boundary_id()) == 0)
              {
                fe_face_values.reinit(cell, f);
                for (unsigned int q = 0; q < face_quadrature.size(); ++q)
                  {
                    faces.points.push_back(fe_face_values.quadrature_point(q));
                    for (unsigned int i = 0; i < dpc; ++i)
                      {
                        faces.phi_JxW.push_back(
                          fe_face_values.shape_value(i, q) *
                          fe_face_values.JxW(q));
                        faces.dofs.push_back(cell_dofs[c * dpc + i]);
                      }
                  }
              }
          ++c;
        }
    return faces;
  }



  template <int dim>
  bool
  PhysicalConstants<dim>::regularized() const
  {
    return false;
  }



  template <int dim>
  std::vector<std::pair<std::string, double>>
  PhysicalConstants<dim>::reported_values() const
  {
    std::vector<std::pair<std::string, double>> reported;
    for (unsigned int j = 0; j < constant_names.size(); ++j)
      reported.emplace_back(constant_names[j], value(j, theta[j]));
    return reported;
  }



  template class PhysicalConstants<1>;
  template class PhysicalConstants<2>;
  template class PhysicalConstants<3>;



  // A run has the block when `Model/Trainable constants` names constants.
  namespace
  {
    const ParametricTermRegistration physical_constants(
      "physical constants",
      "the constants of 'Model/Trainable constants' (doc/constants.md).",
      [](const auto &context) -> std::unique_ptr<ParametricTerm> {
        constexpr int dim = std::decay_t<decltype(context.problem)>::dimension;
        if (context.problem.model.trainable_constants().empty())
          return nullptr;
        return std::make_unique<PhysicalConstants<dim>>(context.problem);
      });
  } // namespace
} // namespace npde
