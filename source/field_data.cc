// ---------------------------------------------------------------------------
// npde: field data h and their misfit.
// ---------------------------------------------------------------------------
#include <deal.II/dofs/dof_tools.h>

#include <deal.II/numerics/vector_tools_interpolate.h>

#include <npde/field_data.h>
#include <npde/input_check.h>
#include <npde/noise.h>
#include <npde/reference_simulation.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace npde
{
  void
  TargetDataParameters::declare_parameters(ParameterHandler &prm)
  {
    // (Inside subsection "Target data", entered by the registry's caller.)
    {
      prm.declare_entry("Target source",
                        "0",
                        Patterns::Anything(),
                        "g*(t, x): the source the network should learn; the "
                        "reference simulation uses s + g*. Variables x, y, "
                        "z, t and the constants of 'Model/Constants'.");
      prm.declare_entry("True constants",
                        "",
                        Patterns::Anything(),
                        "The true values of some of 'Model/Constants', e.g. "
                        "'D=0.01, eps=0.32', for the reference simulation "
                        "(which uses them instead of the values there, the "
                        "initial guesses of 'Model/Trainable constants') and "
                        "for the relative errors of the trained constants at "
                        "the end of a training run.");
      prm.declare_entry("Expression",
                        "0",
                        Patterns::Anything(),
                        "h(t, x) for 'Source = expression'.");
      prm.declare_entry("Reference extra refinements",
                        "0",
                        Patterns::Integer(0, 6),
                        "The reference simulation runs on the training mesh "
                        "refined this many more times; its solution is "
                        "evaluated at the training mesh's quadrature points.");
      prm.declare_entry("Reference time refinement",
                        "1",
                        Patterns::Integer(1, 64),
                        "The reference simulation takes this many steps per "
                        "training step (so its time grid contains every t_n).");
      prm.declare_entry("Noise level",
                        "0",
                        Patterns::Double(0.),
                        "Relative level nu of Gaussian noise added to h: "
                        "h + nu*max|h|*xi(t,x), xi a standard normal that is a "
                        "deterministic function of (t, x, seed).");
      prm.declare_entry("Noise seed", "1", Patterns::Integer(0), "");
    }
  }



  void
  TargetDataParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Target data");
    {
      source =
        (prm.get("Source") == "expression" ? Source::expression :
                                             Source::reference_simulation);
      target_source         = prm.get("Target source");
      true_constants        = prm.get("True constants");
      expression            = prm.get("Expression");
      reference_refinements = prm.get_integer("Reference extra refinements");
      reference_time_refinement = prm.get_integer("Reference time refinement");
      noise_level               = prm.get_double("Noise level");
      noise_seed                = prm.get_integer("Noise seed");
    }
    prm.leave_subsection();
  }



  template <int dim>
  FieldData<dim>::FieldData(const TargetDataParameters &parameters,
                            const ForwardProblem<dim>  &problem,
                            TimerOutput                &timer,
                            ConditionalOStream         &pcout)
    : Misfit<dim>(problem.domain.triangulation().get_communicator())
    , parameters(parameters)
    , problem(problem)
    , timer(timer)
    , pcout(pcout)
  {
    // g*, parsed once here so that its errors name the right parameter.
    if (parameters.source == TargetDataParameters::Source::reference_simulation)
      {
        std::vector<std::string> variables = coordinate_names(dim);
        variables.push_back("t");
        g_star = std::make_unique<Expression>(
          "Target data/Target source",
          parameters.target_source,
          variables,
          parse_constants(problem.model_parameters.constants,
                          "Model/Constants",
                          dim));
      }
    mesh_change = problem.mesh_change_hooks.connect([this]() { setup(); });
  }



  template <int dim>
  const Expression *
  FieldData<dim>::target_source() const
  {
    return g_star.get();
  }



  template <int dim>
  void
  FieldData<dim>::setup()
  {
    TimerOutput::Scope      t(timer, "target data");
    const StateSolver<dim> &state = problem.state;
    h.assign(state.time_grid().n_steps() + 1, Vector<double>());

    if (parameters.source == TargetDataParameters::Source::expression)
      compute_expression_data();
    else
      compute_reference_simulation();

    // (Each entry is tested: a maximum with std::max can lose a NaN.)
    double local_max = 0;
    for (const auto &v : h)
      for (const double x : v)
        local_max = std::isfinite(x) ? std::max(local_max, std::abs(x)) :
                                       std::numeric_limits<double>::infinity();
    h_max =
      Utilities::MPI::max(local_max,
                          problem.domain.triangulation().get_communicator());
    if (!std::isfinite(h_max))
      throw InputError(
        "Target data: the data h are not finite. If they come from a "
        "reference simulation, it failed: check the model, the time step "
        "and the mesh (deal.II's 3D hyper_ball with a spherical manifold on "
        "the whole boundary cells distorts after a few refinements).");
    if (parameters.noise_level > 0)
      add_noise();

    // The displayed h is a finite-element field like u: its hanging dofs
    // take their constrained values (the Kelly indicators of h, with
    // 'Mesh adaptation/Include data', would otherwise see jumps there).
    for (auto &v : h_nodal)
      state.discretization().distribute_hanging_node_values(v);

    setup_interpolant();
  }



  // h(t, x) at the quadrature points, and interpolated for the displayed
  // field, at every time level; a value that is not finite is named.
  template <int dim>
  void
  FieldData<dim>::compute_expression_data()
  {
    const StateSolver<dim>  &state     = problem.state;
    std::vector<std::string> variables = coordinate_names(dim);
    variables.push_back("t");
    const Expression expression(
      "Target data/Expression",
      parameters.expression,
      variables,
      parse_constants(problem.model_parameters.constants,
                      "Model/Constants",
                      dim));
    const auto &points = state.quadrature_operators().points();
    h_nodal.assign(state.time_grid().n_steps() + 1,
                   state.discretization().new_vector());
    std::string bad_value;
    for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
      {
        h[n].reinit(points.size());
        for (unsigned int q = 0; q < points.size(); ++q)
          {
            double xt[dim + 1];
            for (unsigned int d = 0; d < dim; ++d)
              xt[d] = points[q][d];
            xt[dim] = state.time_grid().times()[n];
            h[n][q] = expression(xt);
            if (!std::isfinite(h[n][q]) && bad_value.empty())
              {
                std::ostringstream message;
                message << "Parameter 'Target data/Expression' = \""
                        << parameters.expression << "\" gives " << h[n][q]
                        << " at x = (" << points[q]
                        << "), t = " << state.time_grid().times()[n]
                        << ": the data must be finite. Change the "
                           "expression so that it is defined everywhere "
                           "in the domain and for all times in [0, T].";
                bad_value = message.str();
              }
          }
        VectorTools::interpolate(
          state.discretization().mapping(),
          state.discretization().dof_handler(),
          ExpressionFunction<dim>(expression, state.time_grid().times()[n]),
          h_nodal[n]);
      }
    throw_if_any(problem.domain.triangulation().get_communicator(), bad_value);
  }



  // The misfit of level n, Σ_q JxW_q (Φ U − h)_q², costs two sparse
  // products over all quadrature points when written that way: Φ U, and
  // B_Q = CᵀΦᵀW applied to the weighted differences for r^n (3200 points per
  // level in the paper's setting). Written through a vector P of the same
  // space, with M = ΦᵀWΦ the mass matrix of the same quadrature and d = U − P,
  //
  //   Σ_q JxW_q (Φ U − h)_q² = dᵀ M d + 2 dᵀ (M P − ΦᵀWh)
  //                            + Σ_q JxW_q (Φ P − h)_q²,
  //
  // an identity for every P: only the product M d (one per level, over the
  // dofs) depends on U, and r^n = ω_n Cᵀ(M U − ΦᵀWh) = ω_n (Cᵀ M d + s^n)
  // with s^n = Cᵀ(M P − ΦᵀWh). If U and P satisfy the same constraints
  // (Dirichlet values of t_n, hanging nodes), d is zero at the Dirichlet dofs
  // and a combination of its masters at hanging ones, so dᵀ M d = dᵀ(Cᵀ M d)
  // and dᵀ(M P − ΦᵀWh) = dᵀ s^n: condensed vectors throughout, zero at the
  // constrained dofs.
  //
  // P matters for round-off only. The three terms add up to the misfit,
  // which is small after training; if they were much larger than it, their
  // sum would lose digits. The last term is the misfit of P itself, and no U
  // of the space fits h much better than the interpolant of h (the displayed
  // field h_nodal, constrained) does, so that is P: the terms stay within a
  // small factor of the misfit, and the result is about as accurate as the
  // plain sum over the points.
  template <int dim>
  void
  FieldData<dim>::setup_interpolant()
  {
    const StateSolver<dim> &state = problem.state;
    const auto             &JxW   = state.quadrature_operators().JxW();
    const unsigned int      K     = state.time_grid().n_steps();
    interpolant.assign(K + 1, state.discretization().new_vector());
    interpolant_residual.assign(K + 1, state.discretization().new_vector());
    interpolant_misfit.assign(K + 1, 0.);
    Vector<double> values;
    for (unsigned int n = 0; n <= K; ++n)
      {
        interpolant[n] = h_nodal[n];
        state.known_terms().apply_constraints(n, interpolant[n]);
        // Φ P − h gives both δ^n and s^n = CᵀΦᵀW(Φ P − h) (CᵀM = CᵀΦᵀWΦ;
        // add_test_function_integrals() applies CᵀΦᵀW): no difference of
        // data-sized vectors.
        state.quadrature_operators().values(interpolant[n], values);
        values -= h[n];
        for (unsigned int q = 0; q < values.size(); ++q)
          interpolant_misfit[n] += values[q] * values[q] * JxW[q];
        state.quadrature_operators().add_integrals(values,
                                                   interpolant_residual[n]);
      }
    difference = state.discretization().new_vector();
    product    = state.discretization().new_vector();
  }



  template <int dim>
  void
  FieldData<dim>::release()
  {
    reference.reset();
  }



  template <int dim>
  FieldData<dim>::~FieldData() = default;



  // The reference run is made once and kept while its data can be
  // re-evaluated on a new mesh (reference_simulation.h).
  template <int dim>
  void
  FieldData<dim>::compute_reference_simulation()
  {
    if (!reference)
      reference = std::make_unique<ReferenceSimulation<dim>>(parameters,
                                                             *g_star,
                                                             problem,
                                                             pcout);
    reference->evaluate(problem, h, h_nodal);
    // Data from the training mesh itself belong to this mesh only.
    if (reference->on_training_mesh())
      reference.reset();
  }



  template <int dim>
  void
  FieldData<dim>::add_noise()
  {
    const StateSolver<dim> &state  = problem.state;
    const auto             &points = state.quadrature_operators().points();
    std::map<types::global_dof_index, Point<dim>> support;
    DoFTools::map_dofs_to_support_points(state.discretization().mapping(),
                                         state.discretization().dof_handler(),
                                         support);
    for (unsigned int n = 0; n < h.size(); ++n)
      {
        const double t = state.time_grid().times()[n];
        for (unsigned int q = 0; q < points.size(); ++q)
          h[n][q] += parameters.noise_level * h_max *
                     hashed_normal(t, points[q], parameters.noise_seed);
        for (const auto &p : support)
          if (state.discretization()
                .dof_handler()
                .locally_owned_dofs()
                .is_element(p.first))
            h_nodal[n](p.first) +=
              parameters.noise_level * h_max *
              hashed_normal(t, p.second, parameters.noise_seed);
        h_nodal[n].compress(VectorOperation::add);
      }
  }



  template <int dim>
  double
  FieldData<dim>::local_value(
    std::vector<VectorType>                 *r,
    const std::function<void(unsigned int)> &wait_for_level) const
  {
    const StateSolver<dim> &state = problem.state;
    if (r && r->size() != state.time_grid().n_steps() + 1)
      r->assign(state.time_grid().n_steps() + 1,
                state.discretization().new_vector());
    // Through the interpolant (setup_interpolant()): per level one product
    // with M over the owned dofs and sums over them.
    const unsigned int n_owned =
      state.discretization().dof_handler().n_locally_owned_dofs();
    double J = 0;
    for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
      {
        if (wait_for_level)
          wait_for_level(n);
        const double *const u = state.state(n).begin();
        const double *const p = interpolant[n].begin();
        const double *const s = interpolant_residual[n].begin();
        double *const       d = difference.begin();
        for (unsigned int i = 0; i < n_owned; ++i)
          d[i] = u[i] - p[i];
        VectorType &Md = r ? (*r)[n] : product;
        AssertDimension(Md.locally_owned_size(), n_owned);
        state.discretization().operators().mass_product(difference, Md);
        double *const m   = Md.begin();
        double        sum = 0;
        for (unsigned int i = 0; i < n_owned; ++i)
          sum += d[i] * (m[i] + 2. * s[i]);
        const double omega = state.time_grid().time_weight(n);
        J += 0.5 * omega * (sum + interpolant_misfit[n]);
        if (r)
          for (unsigned int i = 0; i < n_owned; ++i)
            m[i] = omega * (m[i] + s[i]);
      }
    return J;
  }



  template <int dim>
  const Vector<double> &
  FieldData<dim>::quadrature_values(const unsigned int n) const
  {
    return h[n];
  }



  template <int dim>
  double
  FieldData<dim>::max_abs() const
  {
    return h_max;
  }



  template <int dim>
  const typename FieldData<dim>::VectorType &
  FieldData<dim>::nodal_values(const unsigned int n) const
  {
    return h_nodal[n];
  }



  template <int dim>
  double
  FieldData<dim>::data_scale() const
  {
    return h_max;
  }



  template <int dim>
  const typename FieldData<dim>::VectorType *
  FieldData<dim>::field(const unsigned int n) const
  {
    return &h_nodal[n];
  }



  template <int dim>
  const Expression *
  FieldData<dim>::true_source() const
  {
    return target_source();
  }



  namespace
  {
    // Field data serve two sources, which share their entries: only one
    // registration declares them.
    const MisfitRegistration<FieldData, TargetDataParameters>
      reference_simulation(
        "reference simulation",
        "a simulation of the model driven by the 'Target source' g* (on the "
        "training mesh or a finer one).",
        &TargetDataParameters::declare_parameters);
    const MisfitRegistration<FieldData, TargetDataParameters>
      expression("expression", "the expression 'Expression' h(t, x).");
  } // namespace



  template class FieldData<1>;
  template class FieldData<2>;
  template class FieldData<3>;
} // namespace npde
