// ---------------------------------------------------------------------------
// npde: what a run that fits the network works on (see fitting_problem.h).
// ---------------------------------------------------------------------------
#include <npde/fitting_problem.h>
#include <npde/interaction_misfit.h>

#include <vector>

namespace npde
{
  // The members are constructed in the order of their declaration; the
  // network's initialiser sets up the problem and the data on the way, so
  // that the objective finds all three ready. The objective's blocks are
  // the parametric terms the parameters ask for (parametric_term.h).
  template <int dim>
  FittingProblem<dim>::FittingProblem(
    ParameterHandler        &prm,
    const NetworkParameters &network_parameters,
    const MPI_Comm           comm,
    TimerOutput             &timer,
    ConditionalOStream      &pcout)
    : problem(prm, comm, timer, pcout)
    , misfit(create_fitting_misfit(prm, problem, timer, pcout))
    , network(setup_and_create_network(network_parameters, pcout))
    , objective(problem,
                create_parametric_terms(
                  ParametricTermContext<dim>{prm, problem, network}),
                *misfit,
                timer,
                parsed<ObjectiveParameters>(prm))
  {
    objective.setup();
  }



  // In `Mode = hyco` the misfit is J_P's (interaction_misfit.h), around the
  // observations that `Target data` names; otherwise it is those data.
  template <int dim>
  std::unique_ptr<Misfit<dim>>
  FittingProblem<dim>::create_fitting_misfit(ParameterHandler          &prm,
                                             const ForwardProblem<dim> &problem,
                                             TimerOutput               &timer,
                                             ConditionalOStream        &pcout)
  {
    std::unique_ptr<Misfit<dim>> data =
      create_misfit<dim>(prm, problem, timer, pcout);
    if (prm.get("Mode") != "hyco")
      return data;
    return std::make_unique<InteractionMisfit<dim>>(
      prm, std::move(data), problem, timer, pcout);
  }



  template <int dim>
  Network
  FittingProblem<dim>::setup_and_create_network(
    const NetworkParameters &network_parameters,
    ConditionalOStream      &pcout)
  {
    problem.setup();
    pcout << "   Mesh: " << problem.domain.description() << ", "
          << problem.state.discretization().dof_handler().n_dofs() << " dofs, "
          << problem.state.time_grid().n_steps() << " steps" << std::endl;
    misfit->setup();
    Network created = create_network(network_parameters, problem);
    if (!network_in_source(network_parameters.add_to_source,
                           !problem.model.trainable_constants().empty()))
      pcout << "   Network: not in the source; the constants "
               "'Model/Trainable constants' are trained alone"
            << std::endl;
    else
      pcout << "   Network: N = " << created.n_neurons()
            << ", beta = " << created.beta() << ", "
            << activation_name(created.activation()) << ", "
            << created.n_parameters() << " parameters" << std::endl;
    return created;
  }



  // A network drawn at random gets, if asked for, the affine map of
  // [0, T] × (the domain's bounding box) onto [−1, 1]^(d+1); a network read
  // from a file keeps the input map it was saved with.
  template <int dim>
  Network
  create_network(const NetworkParameters   &parameters,
                 const ForwardProblem<dim> &problem)
  {
    Network network =
      Network::create(dim,
                      parameters,
                      problem.domain.triangulation().get_communicator());
    if (parameters.map_inputs && parameters.initial_file.empty())
      {
        const BoundingBox<dim> box = problem.bounding_box();
        std::vector<double>    lower(dim), upper(dim);
        for (unsigned int d = 0; d < dim; ++d)
          {
            lower[d] = box.get_boundary_points().first[d];
            upper[d] = box.get_boundary_points().second[d];
          }
        network.set_input_map(0.,
                              problem.time_parameters.end_time,
                              lower,
                              upper);
      }
    return network;
  }



  template Network
  create_network(const NetworkParameters &, const ForwardProblem<1> &);
  template Network
  create_network(const NetworkParameters &, const ForwardProblem<2> &);
  template Network
  create_network(const NetworkParameters &, const ForwardProblem<3> &);
  template struct FittingProblem<1>;
  template struct FittingProblem<2>;
  template struct FittingProblem<3>;
} // namespace npde
