// ---------------------------------------------------------------------------
// npde: the known physics.
// ---------------------------------------------------------------------------
#include <deal.II/base/geometry_info.h>
#include <deal.II/base/utilities.h>

#include <npde/model.h>

#include <cmath>
#include <sstream>

namespace npde
{
  void
  ModelParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Model");
    {
      prm.declare_entry("Constants",
                        "",
                        Patterns::Anything(),
                        "Named constants for all expressions of this "
                        "subsection, e.g. 'eps=0.32, D=0.01'. 'pi' is "
                        "always defined.");
      prm.declare_entry("Trainable constants",
                        "",
                        Patterns::Anything(),
                        "Constants of 'Constants' that a training run "
                        "identifies from the data, e.g. 'D, eps': their "
                        "values in 'Constants' are the initial guesses. They "
                        "may appear in Diffusion, Advection, Reaction, "
                        "Reaction derivative, Source and Neumann flux, not in "
                        "Initial value or Dirichlet value.");
      prm.declare_entry("Log-scaled constants",
                        "",
                        Patterns::Anything(),
                        "Those of 'Trainable constants' that are trained as "
                        "q = log p: they start positive and stay positive, "
                        "and a step changes them by a factor rather than by "
                        "an amount.");
      prm.declare_entry("Diffusion",
                        "1",
                        Patterns::Anything(),
                        "The diffusion coefficient a(x) > 0; variables x, y, "
                        "z.");
      prm.declare_entry("Advection",
                        "0",
                        Patterns::Anything(),
                        "The advection field b(x): one expression per "
                        "component, separated by ';' (a single '0' means "
                        "none); variables x, y, z.");
      prm.declare_entry("Reaction",
                        "0",
                        Patterns::Anything(),
                        "The reaction term f(t, x, u), e.g. Allen-Cahn "
                        "'(u^3-u)/eps^2'; variables x, y, z, t, u.");
      prm.declare_entry("Reaction derivative",
                        "0",
                        Patterns::Anything(),
                        "∂f/∂u, e.g. '(3*u^2-1)/eps^2'; it is checked "
                        "against a finite difference of 'Reaction' at "
                        "start-up (see 'Check reaction derivative'). "
                        "Variables x, y, z, t, u.");
      prm.declare_entry("Check reaction derivative",
                        "true",
                        Patterns::Bool(),
                        "Compare 'Reaction derivative' with a central "
                        "difference of 'Reaction' at start-up, at sample "
                        "points around the domain, t in {0, T/2, T} and u in "
                        "{-2, -1, -0.3, 0, 0.4, 1, 2.5}; samples where f is "
                        "not finite (u^1.5 at u < 0) are skipped. A wrong "
                        "derivative makes Newton slow and the gradient "
                        "wrong: turn the check off only for a derivative "
                        "you have checked otherwise.");
      prm.declare_entry("Source",
                        "0",
                        Patterns::Anything(),
                        "The known source s(t, x), added to the network's "
                        "g_theta; variables x, y, z, t.");
      prm.declare_entry("Initial value",
                        "0",
                        Patterns::Anything(),
                        "u_0(x); variables x, y, z, and t, which is 0 here "
                        "(so an exact solution u(t, x) can be given as it "
                        "is).");
      prm.declare_entry("Dirichlet boundary ids",
                        "0",
                        Patterns::List(Patterns::Integer(0, 255)),
                        "The boundary ids where u = u_D; every other boundary "
                        "id carries the Neumann flux. Empty: pure Neumann.");
      prm.declare_entry("Dirichlet value",
                        "0",
                        Patterns::Anything(),
                        "u_D(t, x); variables x, y, z, t.");
      prm.declare_entry("Neumann flux",
                        "0",
                        Patterns::Anything(),
                        "q_N(t, x) = a ∂u/∂n on the non-Dirichlet boundary; "
                        "variables x, y, z, t.");
    }
    prm.leave_subsection();
  }



  void
  ModelParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Model");
    {
      constants                 = prm.get("Constants");
      trainable_constants       = prm.get("Trainable constants");
      log_scaled_constants      = prm.get("Log-scaled constants");
      diffusion                 = prm.get("Diffusion");
      advection                 = prm.get("Advection");
      reaction                  = prm.get("Reaction");
      reaction_derivative       = prm.get("Reaction derivative");
      source                    = prm.get("Source");
      initial_value             = prm.get("Initial value");
      dirichlet_boundary_ids    = prm.get("Dirichlet boundary ids");
      dirichlet_value           = prm.get("Dirichlet value");
      neumann_flux              = prm.get("Neumann flux");
      check_reaction_derivative = prm.get_bool("Check reaction derivative");
    }
    prm.leave_subsection();
  }



  namespace
  {
    std::vector<std::string>
    with(std::vector<std::string> names, const std::vector<std::string> &more)
    {
      names.insert(names.end(), more.begin(), more.end());
      return names;
    }
  } // namespace



  template <int dim>
  Model<dim>::Model(const ModelParameters &p)
    : derivative_check_enabled(p.check_reaction_derivative)
  {
    const auto constants = parse_constants(p.constants, "Model/Constants", dim);
    parse_trainable_constants(p, constants);
    const std::vector<std::string>  x   = coordinate_names(dim);
    const std::vector<std::string>  xt  = with(x, {"t"});
    const std::vector<std::string>  xtu = with(x, {"t", "u"});
    const std::vector<std::string> &c   = trainable;

    diffusion_expression =
      Expression("Model/Diffusion", p.diffusion, x, constants, c);
    reaction_expression =
      Expression("Model/Reaction", p.reaction, xtu, constants, c);
    reaction_derivative_expression = Expression(
      "Model/Reaction derivative", p.reaction_derivative, xtu, constants, c);
    source_expression = Expression("Model/Source", p.source, xt, constants, c);
    initial_value_expression =
      Expression("Model/Initial value", p.initial_value, xt, constants, c);
    dirichlet_value_expression =
      Expression("Model/Dirichlet value", p.dirichlet_value, xt, constants, c);
    neumann_flux_expression =
      Expression("Model/Neumann flux", p.neumann_flux, xt, constants, c);
    // u_0 and u_D fix U^0 and the constraints, which the adjoint takes as
    // given (Λ^0 := 0, zero Dirichlet rows): a trained constant there would
    // need a gradient term that npde does not have.
    for (const std::string &name : trainable)
      for (const Expression *e :
           {&initial_value_expression, &dirichlet_value_expression})
        if (e->uses(name))
          throw InputError(
            "Parameter 'Model/Trainable constants': the constant '" + name +
            "' appears in '" + e->parameter_name() +
            "', where a constant cannot be trained (only in Diffusion, "
            "Advection, Reaction, Reaction derivative, Source and Neumann "
            "flux). Use a fixed constant of another name there.");

    advection_formula = p.advection;
    const std::vector<std::string> components =
      Utilities::split_string_list(p.advection, ';');
    advection_is_zero =
      (components.size() == 1 &&
       Expression("Model/Advection", components[0], x, constants, c).is_zero());
    if (!advection_is_zero)
      {
        if (components.size() != dim)
          throw InputError("Parameter 'Model/Advection' has " +
                           std::to_string(components.size()) +
                           " components, but the problem is " +
                           std::to_string(dim) +
                           "D: give one expression per component, separated "
                           "by ';', or '0' for no advection.");
        for (unsigned int d = 0; d < dim; ++d)
          advection_expressions.emplace_back("Model/Advection (component " +
                                               std::to_string(d) + ")",
                                             components[d],
                                             x,
                                             constants,
                                             c);
        advection_is_zero = true;
        for (const auto &e : advection_expressions)
          advection_is_zero = advection_is_zero && e.is_zero();
      }

    for (const std::string &id :
         Utilities::split_string_list(p.dirichlet_boundary_ids, ','))
      dirichlet_ids.insert(Utilities::string_to_int(id));
  }



  // The trainable constants must be constants of 'Model/Constants', each
  // given once; the log-scaled ones among them, and positive.
  template <int dim>
  void
  Model<dim>::parse_trainable_constants(
    const ModelParameters               &p,
    const std::map<std::string, double> &constants)
  {
    for (const std::string &name :
         Utilities::split_string_list(p.trainable_constants, ','))
      {
        if (constants.count(name) == 0 || name == "pi" || name == "Pi")
          throw InputError("Parameter 'Model/Trainable constants': '" + name +
                           "' is not a constant of 'Model/Constants' = \"" +
                           p.constants +
                           "\". Define it there; its value is the initial "
                           "guess.");
        if (std::find(trainable.begin(), trainable.end(), name) !=
            trainable.end())
          throw InputError("Parameter 'Model/Trainable constants': '" + name +
                           "' is named twice. Name each constant once.");
        trainable.push_back(name);
        constant_values[name] = constants.at(name);
      }
    for (const std::string &name :
         Utilities::split_string_list(p.log_scaled_constants, ','))
      {
        if (constant_values.count(name) == 0)
          throw InputError("Parameter 'Model/Log-scaled constants': '" + name +
                           "' is not one of 'Model/Trainable constants' = \"" +
                           p.trainable_constants + "\". Add it there.");
        if (!(constant_values[name] > 0.))
          throw InputError(
            "Parameter 'Model/Log-scaled constants': '" + name +
            "' starts at " + std::to_string(constant_values[name]) +
            " in 'Model/Constants', but a constant trained as log p must "
            "start positive. Give a positive initial guess, or train it "
            "without log-scaling.");
        log_scaled.insert(name);
      }
  }



  template <int dim>
  const std::vector<std::string> &
  Model<dim>::trainable_constants() const
  {
    return trainable;
  }



  template <int dim>
  bool
  Model<dim>::is_log_scaled(const std::string &name) const
  {
    return log_scaled.count(name) > 0;
  }



  template <int dim>
  double
  Model<dim>::constant(const std::string &name) const
  {
    return constant_values.at(name);
  }



  template <int dim>
  void
  Model<dim>::set_constant(const std::string &name, const double value)
  {
    constant_values.at(name) = value;
    for (Expression *e : {&diffusion_expression,
                          &reaction_expression,
                          &reaction_derivative_expression,
                          &source_expression,
                          &initial_value_expression,
                          &dirichlet_value_expression,
                          &neumann_flux_expression})
      e->set_constant(name, value);
    for (Expression &e : advection_expressions)
      e.set_constant(name, value);
  }



  template <int dim>
  bool
  Model<dim>::uses(const Term term, const std::string &name) const
  {
    switch (term)
      {
        case Term::diffusion:
          return diffusion_expression.uses(name);
        case Term::advection:
          return std::any_of(advection_expressions.begin(),
                             advection_expressions.end(),
                             [&](const Expression &e) { return e.uses(name); });
        case Term::reaction:
          return reaction_expression.uses(name);
        case Term::reaction_derivative:
          return reaction_derivative_expression.uses(name);
        case Term::source:
          return source_expression.uses(name);
        case Term::neumann_flux:
          return neumann_flux_expression.uses(name);
      }
    return false;
  }



  template <int dim>
  double
  Model<dim>::diffusion(const Point<dim> &x) const
  {
    return diffusion_expression(&x[0]);
  }



  template <int dim>
  Tensor<1, dim>
  Model<dim>::advection(const Point<dim> &x) const
  {
    Tensor<1, dim> b;
    if (!advection_is_zero)
      for (unsigned int d = 0; d < dim; ++d)
        b[d] = advection_expressions[d](&x[0]);
    return b;
  }



  namespace
  {
    template <int dim>
    std::array<double, dim + 2>
    pack(const Point<dim> &x, const double t, const double u = 0.)
    {
      std::array<double, dim + 2> values;
      for (unsigned int d = 0; d < dim; ++d)
        values[d] = x[d];
      values[dim]     = t;
      values[dim + 1] = u;
      return values;
    }
  } // namespace



  template <int dim>
  double
  Model<dim>::reaction(const double      t,
                       const Point<dim> &x,
                       const double      u) const
  {
    return reaction_expression(pack(x, t, u).data());
  }



  template <int dim>
  double
  Model<dim>::reaction_derivative(const double      t,
                                  const Point<dim> &x,
                                  const double      u) const
  {
    return reaction_derivative_expression(pack(x, t, u).data());
  }



  template <int dim>
  double
  Model<dim>::source(const double t, const Point<dim> &x) const
  {
    return source_expression(pack(x, t).data());
  }



  template <int dim>
  double
  Model<dim>::neumann_flux(const double t, const Point<dim> &x) const
  {
    return neumann_flux_expression(pack(x, t).data());
  }



  template <int dim>
  ExpressionFunction<dim>
  Model<dim>::initial_value() const
  {
    return ExpressionFunction<dim>(initial_value_expression);
  }



  template <int dim>
  ExpressionFunction<dim>
  Model<dim>::dirichlet_value(const double t) const
  {
    return ExpressionFunction<dim>(dirichlet_value_expression, t);
  }



  template <int dim>
  const std::set<types::boundary_id> &
  Model<dim>::dirichlet_boundary_ids() const
  {
    return dirichlet_ids;
  }



  template <int dim>
  bool
  Model<dim>::has_advection() const
  {
    return !advection_is_zero;
  }



  template <int dim>
  bool
  Model<dim>::has_reaction() const
  {
    return !reaction_expression.is_zero() ||
           !reaction_derivative_expression.is_zero();
  }



  template <int dim>
  bool
  Model<dim>::has_source() const
  {
    return !source_expression.is_zero();
  }



  template <int dim>
  bool
  Model<dim>::has_neumann_flux() const
  {
    return !neumann_flux_expression.is_zero();
  }



  template <int dim>
  std::string
  Model<dim>::formula(const std::string &name) const
  {
    const std::map<std::string, const Expression *> expressions = {
      {"Model/Diffusion", &diffusion_expression},
      {"Model/Reaction", &reaction_expression},
      {"Model/Reaction derivative", &reaction_derivative_expression},
      {"Model/Source", &source_expression},
      {"Model/Initial value", &initial_value_expression},
      {"Model/Dirichlet value", &dirichlet_value_expression},
      {"Model/Neumann flux", &neumann_flux_expression}};
    const auto it = expressions.find(name);
    return it != expressions.end() ? it->second->formula() : advection_formula;
  }



  template <int dim>
  bool
  Model<dim>::reaction_derivative_is_constant() const
  {
    return !reaction_derivative_expression.uses("t") &&
           !reaction_derivative_expression.uses("u");
  }



  // A central difference has error h²|f'''|/6 + ε|f|/h; with h = 1e-5(1+|u|)
  // both are far below the relative tolerance 1e-5 for any formula a user
  // means, while a wrong sign, factor or power is caught at once.
  template <int dim>
  void
  Model<dim>::check_reaction_derivative(const BoundingBox<dim> &box,
                                        const double            end_time) const
  {
    if (!derivative_check_enabled)
      return;
    const std::vector<double> u_samples = {-2., -1., -0.3, 0., 0.4, 1., 2.5};
    const std::vector<double> t_samples = {0., 0.5 * end_time, end_time};
    std::vector<Point<dim>>   x_samples = {box.center()};
    for (unsigned int v = 0; v < GeometryInfo<dim>::vertices_per_cell; ++v)
      x_samples.push_back(box.center() + 0.8 * (box.vertex(v) - box.center()));

    unsigned int compared = 0;
    for (const Point<dim> &x : x_samples)
      for (const double t : t_samples)
        for (const double u : u_samples)
          {
            const double h       = 1e-5 * (1. + std::abs(u));
            const double f_plus  = reaction(t, x, u + h),
                         f_minus = reaction(t, x, u - h);
            // f need not be defined for every u (u^1.5 for u < 0): there
            // is nothing to compare with.
            if (!std::isfinite(f_plus) || !std::isfinite(f_minus))
              continue;
            const double fd = (f_plus - f_minus) / (2. * h);
            ++compared;
            const double given = reaction_derivative(t, x, u);
            const double scale = std::max({1., std::abs(given), std::abs(fd)});
            if (!(std::abs(fd - given) <= 1e-5 * scale))
              {
                std::ostringstream message;
                message << "Parameter 'Model/Reaction derivative' = \""
                        << reaction_derivative_expression.formula()
                        << "\" is not the derivative of 'Model/Reaction' = \""
                        << reaction_expression.formula()
                        << "\" with respect to u: at t = " << t << ", x = ("
                        << x << "), u = " << u << " it gives " << given
                        << " but a finite difference of f gives " << fd
                        << ". Fix one of the two expressions.";
                throw InputError(message.str());
              }
          }
    if (compared == 0 && has_reaction())
      throw InputError(
        "Parameter 'Model/Reaction' = \"" + reaction_expression.formula() +
        "\" is not finite at any of the points where 'Model/Reaction "
        "derivative' is checked (u in {-2, -1, -0.3, 0, 0.4, 1, 2.5}), so the "
        "derivative cannot be checked. If f is meant for other values of u "
        "only, check the derivative yourself and set 'Model/Check reaction "
        "derivative = false'.");
  }



  template class Model<1>;
  template class Model<2>;
  template class Model<3>;
} // namespace npde
