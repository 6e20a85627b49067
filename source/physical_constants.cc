// ---------------------------------------------------------------------------
// npde: trainable physical constants (see physical_constants.h).
// ---------------------------------------------------------------------------
#include <deal.II/fe/fe_values.h>

#include <npde/adjoint_solver.h>
#include <npde/physical_constants.h>

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
    if (changed)
      problem.state.model_changed(operator_changed, sources_changed);
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



  // The trajectory and the μ^n are read once, into what the terms need:
  // ghosted vectors for the cell and face integrals, point values (Φ U^n,
  // and Bᵀμ^n = μ_h JxW) for the reaction and the source.
  template <int dim>
  void
  PhysicalConstants<dim>::add_adjoint_gradient(
    const AdjointSolver<dim> &adjoint,
    Vector<double>           &gradient_b)
  {
    const StateSolver<dim>    &state        = problem.state;
    const unsigned int         K            = state.time_grid().n_steps();
    const PointOperators<dim> &points       = state.quadrature_operators();
    bool                       need_vectors = false, need_points = false;
    for (const std::string &c : constant_names)
      {
        need_vectors |= model.uses(Term::diffusion, c) ||
                        model.uses(Term::advection, c) ||
                        model.uses(Term::neumann_flux, c);
        need_points |=
          model.uses(Term::reaction, c) || model.uses(Term::source, c);
      }
    std::vector<VectorType>     mu, u;
    std::vector<Vector<double>> mu_weights(K + 1), u_values(K + 1);
    VectorType                  m = state.discretization().new_vector();
    for (unsigned int n = 0; n <= K; ++n)
      {
        adjoint.mu(n, m);
        if (need_vectors)
          {
            mu.push_back(state.discretization().ghosted(m));
            u.push_back(state.discretization().ghosted(state.state(n)));
          }
        if (need_points)
          {
            points.weighted_values(m, mu_weights[n]);
            points.values(state.state(n), u_values[n]);
          }
      }
    for (unsigned int j = 0; j < constant_names.size(); ++j)
      {
        const std::string &c   = constant_names[j];
        double             sum = 0.;
        if (model.uses(Term::diffusion, c) || model.uses(Term::advection, c))
          sum += operator_term(j, mu, u);
        if (model.uses(Term::reaction, c) || model.uses(Term::source, c))
          sum += point_terms(j, mu_weights, u_values);
        if (model.uses(Term::neumann_flux, c))
          sum -= neumann_term(j, mu);
        gradient_b[j] -= chain_factor(j) * sum;
      }
  }



  // (∂_pA)_{il} = ∫ ∂_p a ∇φ_l·∇φ_i + (∂_p b·∇φ_l) φ_i, cell by cell with the
  // Gauss rule of Discretization::assemble_cell_matrices. ∂_p a and ∂_p b
  // are taken at the points of all cells at once; each cell's matrix is
  // then made once and applied to every level's cell values.
  template <int dim>
  double
  PhysicalConstants<dim>::operator_term(const unsigned int             j,
                                        const std::vector<VectorType> &mu,
                                        const std::vector<VectorType> &u) const
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
    const std::string         &c = constant_names[j];

    std::vector<Point<dim>> x;
    for (const auto &cell : space.dof_handler().active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          x.insert(x.end(),
                   fe_values.get_quadrature_points().begin(),
                   fe_values.get_quadrature_points().end());
        }
    const std::vector<double> da =
      model.derivatives(c, x.size(), [&](const std::size_t i) {
        return model.diffusion(x[i]);
      });
    const std::vector<Tensor<1, dim>> db =
      model.derivatives(c, x.size(), [&](const std::size_t i) {
        return model.advection(x[i]);
      });

    // The cell's dofs by their local index in the ghosted vectors (which
    // all have the layout of the first).
    const Epetra_BlockMap               &map = mu[0].trilinos_vector().Map();
    FullMatrix<double>                   dA(dpc, dpc);
    std::vector<types::global_dof_index> dofs(dpc);
    std::vector<int>                     local(dpc);
    Vector<double>                       mu_c(dpc), u_c(dpc), dA_u(dpc);
    double                               sum   = 0.;
    unsigned int                         first = 0;
    for (const auto &cell : space.dof_handler().active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          cell->get_dof_indices(dofs);
          for (unsigned int i = 0; i < dpc; ++i)
            local[i] = map.LID(static_cast<int>(dofs[i]));
          dA = 0.;
          for (unsigned int q = 0; q < nq; ++q)
            for (unsigned int i = 0; i < dpc; ++i)
              for (unsigned int l = 0; l < dpc; ++l)
                dA(i, l) += (da[first + q] * fe_values.shape_grad(l, q) *
                               fe_values.shape_grad(i, q) +
                             (db[first + q] * fe_values.shape_grad(l, q)) *
                               fe_values.shape_value(i, q)) *
                            fe_values.JxW(q);
          for (unsigned int n = 0; n < mu.size(); ++n)
            {
              const double *mu_n = mu[n].trilinos_vector()[0];
              const double *u_n  = u[n].trilinos_vector()[0];
              for (unsigned int i = 0; i < dpc; ++i)
                {
                  mu_c[i] = mu_n[local[i]];
                  u_c[i]  = u_n[local[i]];
                }
              dA.vmult(dA_u, u_c);
              sum += mu_c * dA_u;
            }
          first += nq;
        }
    return sum;
  }



  // ∂_pF^n_i = ∫ ∂_p f(t_n, x, u_h^n) φ_i and ∂_pS^n_i = ∫ ∂_p s(t_n) φ_i
  // at the reaction's quadrature points (SpatialOperator, KnownTerms):
  // μᵀ of either is Σ_q (Bᵀμ)_q ∂_p(·)(x_q). ∂_p(f − s) is taken at the
  // points of all levels at once.
  template <int dim>
  double
  PhysicalConstants<dim>::point_terms(
    const unsigned int                 j,
    const std::vector<Vector<double>> &mu_weights,
    const std::vector<Vector<double>> &u_values) const
  {
    const std::string             &c = constant_names[j];
    const std::vector<Point<dim>> &points =
      problem.state.quadrature_operators().points();
    const std::vector<double> &times    = problem.state.time_grid().times();
    const bool                 reaction = model.uses(Term::reaction, c);
    const bool                 source   = model.uses(Term::source, c);
    const std::size_t          Q        = points.size();
    const std::vector<double>  d =
      model.derivatives(c, times.size() * Q, [&](const std::size_t k) {
        const std::size_t n = k / Q, q = k % Q;
        return (reaction ? model.reaction(times[n], points[q], u_values[n][q]) :
                           0.) -
               (source ? model.source(times[n], points[q]) : 0.);
      });
    double sum = 0.;
    for (std::size_t n = 0; n < times.size(); ++n)
      for (std::size_t q = 0; q < Q; ++q)
        sum += mu_weights[n][q] * d[n * Q + q];
    return sum;
  }



  // ∫_{Γ_N} ∂_p q_N φ_i with the face rule of KnownTerms::add_neumann_fluxes:
  // the Neumann faces' points with μ_h^n JxW there, then ∂_p q_N at all of
  // them and all levels at once.
  template <int dim>
  double
  PhysicalConstants<dim>::neumann_term(const unsigned int             j,
                                       const std::vector<VectorType> &mu) const
  {
    const Discretization<dim> &space = problem.state.discretization();
    const FiniteElement<dim>  &fe    = space.fe();
    const QGauss<dim - 1>      face_quadrature(fe.degree + 1);
    FEFaceValues<dim>          fe_face_values(space.mapping(),
                                     fe,
                                     face_quadrature,
                                     update_values | update_quadrature_points |
                                       update_JxW_values);
    const std::string         &c     = constant_names[j];
    const std::vector<double> &times = problem.state.time_grid().times();
    const std::size_t          L     = times.size();
    std::vector<Point<dim>>    x;
    std::vector<double>        weights; // (point, level), the level fastest
    std::vector<double>        mu_q(face_quadrature.size());
    for (const auto &cell : space.dof_handler().active_cell_iterators())
      if (cell->is_locally_owned())
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->at_boundary() &&
              model.dirichlet_boundary_ids().count(
                cell->face(f)->boundary_id()) == 0)
            {
              fe_face_values.reinit(cell, f);
              const std::size_t first = x.size();
              x.insert(x.end(),
                       fe_face_values.get_quadrature_points().begin(),
                       fe_face_values.get_quadrature_points().end());
              weights.resize(x.size() * L);
              for (unsigned int n = 0; n < L; ++n)
                {
                  fe_face_values.get_function_values(mu[n], mu_q);
                  for (unsigned int q = 0; q < mu_q.size(); ++q)
                    weights[(first + q) * L + n] =
                      mu_q[q] * fe_face_values.JxW(q);
                }
            }
    const std::vector<double> d =
      model.derivatives(c, x.size() * L, [&](const std::size_t k) {
        return model.neumann_flux(times[k % L], x[k / L]);
      });
    double sum = 0.;
    for (std::size_t k = 0; k < d.size(); ++k)
      sum += weights[k] * d[k];
    return sum;
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



  template <int dim>
  std::vector<double>
  PhysicalConstants<dim>::values() const
  {
    std::vector<double> p;
    for (unsigned int j = 0; j < constant_names.size(); ++j)
      p.push_back(value(j, theta[j]));
    return p;
  }



  template <int dim>
  const std::vector<std::string> &
  PhysicalConstants<dim>::names() const
  {
    return constant_names;
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
