// ---------------------------------------------------------------------------
// npde: the reference simulation that makes field data h (see
// reference_simulation.h).
// ---------------------------------------------------------------------------
#include <deal.II/base/mpi_remote_point_evaluation.h>

#include <deal.II/dofs/dof_tools.h>

#include <deal.II/numerics/vector_tools_evaluate.h>

#include <npde/input_check.h>
#include <npde/reference_simulation.h>

#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

namespace npde
{
  // The run's own TimerOutput is on MPI_COMM_SELF: its summary is never
  // printed, and a TimerOutput on a communicator prints a warning banner
  // when it is destroyed while an error propagates.
  template <int dim>
  ReferenceSimulation<dim>::ReferenceSimulation(
    const TargetDataParameters &parameters,
    const Expression           &g_star,
    const ForwardProblem<dim>  &problem,
    ConditionalOStream         &pcout)
    : m(parameters.reference_time_refinement)
    , same_mesh(parameters.reference_refinements == 0)
    , model(model_parameters(parameters, problem))
    , domain(domain_parameters(parameters, problem),
             problem.domain.triangulation().get_communicator())
    , quiet(MPI_COMM_SELF, pcout, TimerOutput::never, TimerOutput::wall_times)
    , solver(problem.state_parameters,
             time_parameters(parameters, problem),
             model,
             same_mesh ? problem.domain.triangulation() :
                         domain.triangulation(),
             quiet,
             pcout)
  {
    check_target_source(parameters, g_star, problem);
    if (!same_mesh)
      domain.create_mesh();
    pcout << "   Target data: reference simulation with the target source "
             "on "
          << (same_mesh ? "the training mesh" :
                          "a mesh refined " +
                            std::to_string(parameters.reference_refinements) +
                            " more times")
          << ", " << problem.time_parameters.n_steps * m << " steps"
          << std::endl;
    solver.setup();
    solver.solve();
  }



  template <int dim>
  bool
  ReferenceSimulation<dim>::on_training_mesh() const
  {
    return same_mesh;
  }



  // The model, domain and time grid of the run: the training problem's,
  // with the source s + g*, more refinements and m steps per training step.
  // (g* itself was checked when FieldData was built.)
  template <int dim>
  ModelParameters
  ReferenceSimulation<dim>::model_parameters(
    const TargetDataParameters &parameters,
    const ForwardProblem<dim>  &problem)
  {
    ModelParameters model_parameters = problem.model_parameters;
    model_parameters.source =
      "(" + model_parameters.source + ") + (" + parameters.target_source + ")";
    // The true constants replace the initial guesses of Model/Constants.
    std::map<std::string, double> constants =
      parse_constants(model_parameters.constants, "Model/Constants", dim);
    for (const auto &[name, value] : parse_constants(
           parameters.true_constants, "Target data/True constants", dim))
      {
        if (constants.count(name) == 0)
          throw InputError("Parameter 'Target data/True constants': '" + name +
                           "' is not a constant of 'Model/Constants'. Give "
                           "true values of the model's constants only.");
        constants[name] = value;
      }
    std::ostringstream merged;
    merged << std::setprecision(17);
    for (const auto &[name, value] : constants)
      if (name != "pi" && name != "Pi")
        merged << (merged.tellp() > 0 ? ", " : "") << name << "=" << value;
    model_parameters.constants = merged.str();
    // The reference model trains nothing (its constants are the truth).
    model_parameters.trainable_constants.clear();
    model_parameters.log_scaled_constants.clear();
    return model_parameters;
  }



  template <int dim>
  DomainParameters
  ReferenceSimulation<dim>::domain_parameters(
    const TargetDataParameters &parameters,
    const ForwardProblem<dim>  &problem)
  {
    DomainParameters domain_parameters = problem.domain_parameters;
    domain_parameters.global_refinements += parameters.reference_refinements;
    domain_parameters.refinements_parameter =
      "'Domain/Global refinements' + 'Target data/Reference extra "
      "refinements' (the reference simulation's mesh)";
    return domain_parameters;
  }



  template <int dim>
  TimeParameters
  ReferenceSimulation<dim>::time_parameters(
    const TargetDataParameters &parameters,
    const ForwardProblem<dim>  &problem)
  {
    TimeParameters time_parameters = problem.time_parameters;
    time_parameters.n_steps *= parameters.reference_time_refinement;
    return time_parameters;
  }



  // g* at the training mesh's quadrature points and time levels.
  template <int dim>
  void
  ReferenceSimulation<dim>::check_target_source(
    const TargetDataParameters &parameters,
    const Expression           &g_star,
    const ForwardProblem<dim>  &problem)
  {
    const StateSolver<dim> &state = problem.state;
    std::string             bad_value;
    for (unsigned int n = 0;
         n <= state.time_grid().n_steps() && bad_value.empty();
         ++n)
      for (const Point<dim> &x : state.quadrature_operators().points())
        {
          double xt[dim + 1];
          for (unsigned int d = 0; d < dim; ++d)
            xt[d] = x[d];
          xt[dim]        = state.time_grid().times()[n];
          const double g = g_star(xt);
          if (!std::isfinite(g))
            {
              std::ostringstream message;
              message << "Parameter 'Target data/Target source' = \""
                      << parameters.target_source << "\" gives " << g
                      << " at x = (" << x
                      << "), t = " << state.time_grid().times()[n]
                      << ": g* must be finite. Change the expression so "
                         "that it is defined everywhere in the domain and "
                         "for all times in [0, T].";
              bad_value = message.str();
              break;
            }
        }
    throw_if_any(problem.domain.triangulation().get_communicator(), bad_value);
  }



  // On the training mesh, h^n is the run's U^{nm} itself, read at the
  // quadrature points. On a mesh of its own, the run's solution is
  // evaluated at the training points and at the training space's support
  // points by two RemotePointEvaluations, set up at the first level and
  // reused for the others (the points are the same at every level).
  template <int dim>
  void
  ReferenceSimulation<dim>::evaluate(const ForwardProblem<dim>   &problem,
                                     std::vector<Vector<double>> &h,
                                     std::vector<VectorType>     &h_nodal) const
  {
    const StateSolver<dim> &state = problem.state;
    const StateSolver<dim> &ref   = solver;

    // The support points of the owned dofs of the training space, for the
    // displayed field h.
    std::map<types::global_dof_index, Point<dim>> support;
    DoFTools::map_dofs_to_support_points(state.discretization().mapping(),
                                         state.discretization().dof_handler(),
                                         support);
    std::vector<types::global_dof_index> owned_dofs;
    std::vector<Point<dim>>              owned_points;
    for (const auto &p : support)
      if (state.discretization().dof_handler().locally_owned_dofs().is_element(
            p.first))
        {
          owned_dofs.push_back(p.first);
          owned_points.push_back(p.second);
        }
    h_nodal.assign(state.time_grid().n_steps() + 1,
                   state.discretization().new_vector());

    Utilities::MPI::RemotePointEvaluation<dim> evaluation, nodal_evaluation;
    for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
      {
        if (same_mesh)
          {
            ref.quadrature_operators().values(ref.state(n * m), h[n]);
            h_nodal[n] = ref.state(n * m);
            continue;
          }
        const auto u = ref.discretization().ghosted(ref.state(n * m));
        const std::vector<double> values =
          n == 0 ?
            VectorTools::point_values<1>(ref.discretization().mapping(),
                                         ref.discretization().dof_handler(),
                                         u,
                                         state.quadrature_operators().points(),
                                         evaluation) :
            VectorTools::point_values<1>(evaluation,
                                         ref.discretization().dof_handler(),
                                         u);
        if (!evaluation.all_points_found())
          throw InputError(
            "Target data: some training points lie outside the reference "
            "mesh. On a curved boundary a coarser mesh covers a different "
            "region than a finer one: keep the training mesh no finer "
            "than the reference mesh ('Mesh adaptation/Maximum level' at "
            "most 'Domain/Global refinements' + 'Target data/Reference "
            "extra refinements').");
        h[n].reinit(values.size());
        std::copy(values.begin(), values.end(), h[n].begin());

        const std::vector<double> nodal =
          n == 0 ?
            VectorTools::point_values<1>(ref.discretization().mapping(),
                                         ref.discretization().dof_handler(),
                                         u,
                                         owned_points,
                                         nodal_evaluation) :
            VectorTools::point_values<1>(nodal_evaluation,
                                         ref.discretization().dof_handler(),
                                         u);
        for (unsigned int i = 0; i < owned_dofs.size(); ++i)
          h_nodal[n](owned_dofs[i]) = nodal[i];
        h_nodal[n].compress(VectorOperation::insert);
      }
  }



  template class ReferenceSimulation<1>;
  template class ReferenceSimulation<2>;
  template class ReferenceSimulation<3>;
} // namespace npde
