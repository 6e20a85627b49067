// ---------------------------------------------------------------------------
// npde: the fields a run writes at its output levels (see output_fields.h).
// ---------------------------------------------------------------------------
#include <deal.II/numerics/vector_tools.h>

#include <npde/output_fields.h>

#include <string>
#include <utility>
#include <vector>

namespace npde
{
  namespace
  {
    // g_θ(t, ·) as a Function, for the `g_theta` field that ParaView shows.
    // This interpolation is for display only: the state solver uses the
    // network's values at the source quadrature points.
    template <int dim>
    class NetworkFunction : public Function<dim>
    {
    public:
      NetworkFunction(const Network &network, const double t)
        : Function<dim>(1, t)
        , network(network)
      {
      }

      double
      value(const Point<dim> &p, const unsigned int = 0) const override
      {
        return network.value(this->get_time(), &p[0]);
      }

    private:
      const Network &network;
    };



    // @p f interpolated into the state's finite-element space, on the
    // locally owned dofs.
    template <int dim>
    Output::VectorType
    interpolated(const StateSolver<dim> &state, const Function<dim> &f)
    {
      auto v = state.discretization().new_vector();
      VectorTools::interpolate(state.discretization().mapping(),
                               state.discretization().dof_handler(),
                               f,
                               v);
      return v;
    }



    // One output field: its name in the VTU files, whether a run has what
    // it needs, and its values at time level n on the locally owned dofs
    // (writing adds the ghost entries).
    template <int dim>
    struct OutputField
    {
      const char *name;
      bool (*available)(const FieldSources<dim> &);
      Output::VectorType (*values)(const FieldSources<dim> &,
                                   const unsigned int n);
    };



    // g_θ and g* at time level n, interpolated (the two source fields and
    // their difference).
    template <int dim>
    Output::VectorType
    network_values(const FieldSources<dim> &s, const unsigned int n)
    {
      return interpolated(s.state,
                          NetworkFunction<dim>(*s.network,
                                               s.state.time_grid().times()[n]));
    }

    template <int dim>
    Output::VectorType
    g_star_values(const FieldSources<dim> &s, const unsigned int n)
    {
      return interpolated(
        s.state,
        ExpressionFunction<dim>(*s.g_star, s.state.time_grid().times()[n]));
    }



    // The fields, in the order in which they appear in the VTU files. A new
    // field is one more entry here (and, if it needs an object no run has
    // handed over yet, one more member of FieldSources).
    template <int dim>
    const std::vector<OutputField<dim>> &
    output_fields()
    {
      using S = FieldSources<dim>;

      static const std::vector<OutputField<dim>> fields = {
        {"u",
         [](const S &) { return true; },
         [](const S &s, const unsigned int n) { return s.state.state(n); }},
        {"h",
         [](const S &s) {
           return s.target != nullptr && s.target->field(0) != nullptr;
         },
         [](const S &s, const unsigned int n) { return *s.target->field(n); }},
        {"u_minus_h",
         [](const S &s) {
           return s.target != nullptr && s.target->field(0) != nullptr;
         },
         [](const S &s, const unsigned int n) {
           auto difference = s.state.state(n);
           difference -= *s.target->field(n);
           return difference;
         }},
        {"adjoint",
         [](const S &s) { return s.objective != nullptr; },
         [](const S &s, const unsigned int n) {
           return s.objective->adjoint().adjoint(n);
         }},
        {"g_theta",
         [](const S &s) { return s.network != nullptr; },
         &network_values<dim>},
        {"g_star",
         [](const S &s) { return s.g_star != nullptr; },
         &g_star_values<dim>},
        {"g_theta_minus_g_star",
         [](const S &s) { return s.network != nullptr && s.g_star != nullptr; },
         [](const S &s, const unsigned int n) {
           auto difference = network_values(s, n);
           difference -= g_star_values(s, n);
           return difference;
         }}};
      return fields;
    }
  } // namespace



  template <int dim>
  void
  write_output_fields(Output                  &output,
                      const FieldSources<dim> &sources,
                      const unsigned int       n)
  {
    const StateSolver<dim> &state = sources.state;
    // The ghosted vectors live until the level is written; `named` points
    // into them (reserve: no reallocation moves them).
    std::vector<Output::VectorType> ghosted;
    ghosted.reserve(output_fields<dim>().size());
    std::vector<std::pair<std::string, const Output::VectorType *>> named;
    for (const OutputField<dim> &field : output_fields<dim>())
      if (field.available(sources))
        {
          ghosted.push_back(
            state.discretization().ghosted(field.values(sources, n)));
          named.emplace_back(field.name, &ghosted.back());
        }
    output.write_time_level(state.discretization().dof_handler(),
                            state.discretization().mapping(),
                            n,
                            state.time_grid().times()[n],
                            named);
  }



  template <int dim>
  void
  write_fitted_fields(Output                    &output,
                      const ForwardProblem<dim> &problem,
                      const Misfit<dim>         &target,
                      const Objective<dim>      &objective,
                      const Network             &network,
                      const Expression          *g_star)
  {
    FieldSources<dim> sources(problem.state);
    sources.target    = &target;
    sources.objective = &objective;
    sources.network   = &network;
    sources.g_star    = g_star;
    for (unsigned int n = 0; n <= problem.state.time_grid().n_steps(); ++n)
      if (output.is_output_level(n, problem.state.time_grid().n_steps()))
        write_output_fields(output, sources, n);
  }



  template void
  write_output_fields(Output &, const FieldSources<1> &, const unsigned int);
  template void
  write_output_fields(Output &, const FieldSources<2> &, const unsigned int);
  template void
  write_output_fields(Output &, const FieldSources<3> &, const unsigned int);
  template void
  write_fitted_fields(Output &,
                      const ForwardProblem<1> &,
                      const Misfit<1> &,
                      const Objective<1> &,
                      const Network &,
                      const Expression *);
  template void
  write_fitted_fields(Output &,
                      const ForwardProblem<2> &,
                      const Misfit<2> &,
                      const Objective<2> &,
                      const Network &,
                      const Expression *);
  template void
  write_fitted_fields(Output &,
                      const ForwardProblem<3> &,
                      const Misfit<3> &,
                      const Objective<3> &,
                      const Network &,
                      const Expression *);
} // namespace npde
