// ---------------------------------------------------------------------------
// npde: mesh adaptation rounds during training.
// ---------------------------------------------------------------------------
#include <deal.II/base/quadrature_lib.h>

#include <deal.II/distributed/grid_refinement.h>
#include <deal.II/distributed/tria.h>

#include <deal.II/grid/grid_refinement.h>

#include <deal.II/numerics/error_estimator.h>

#include <npde/mesh_adaptation.h>

#include <algorithm>
#include <map>

namespace npde
{
  void
  MeshAdaptationParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Mesh adaptation");
    {
      prm.declare_entry(
        "Trigger",
        "none",
        Patterns::Selection("none|every|stall|schedule"),
        "When a refinement round happens during training: never; after "
        "every 'Interval' iterations; when the loss has stalled (the best "
        "loss improved by less than 'Stall tolerance', relative, over the "
        "last 'Interval' iterations); or at the iterations listed in "
        "'Schedule'.");
      prm.declare_entry("Interval",
                        "100",
                        Patterns::Integer(1),
                        "The m of 'Trigger = every' and the window of "
                        "'Trigger = stall', in iterations.");
      prm.declare_entry("Stall tolerance",
                        "0.01",
                        Patterns::Double(0.),
                        "'Trigger = stall': the relative improvement of the "
                        "best loss over 'Interval' iterations below which "
                        "the loss counts as stalled.");
      prm.declare_entry("Schedule",
                        "",
                        Patterns::List(Patterns::Integer(1)),
                        "'Trigger = schedule': the iterations after which a "
                        "round happens, e.g. 100, 300.");
      prm.declare_entry("Maximum number of rounds",
                        "1",
                        Patterns::Integer(0),
                        "No more rounds than this.");
      prm.declare_entry(
        "Indicator",
        "state",
        Patterns::Selection("state|dual weighted"),
        "Per cell: 'state' sums the squared Kelly indicators of u^n over the "
        "time levels (trapezoid weights); 'dual weighted' sums the products "
        "of the Kelly indicators of u^n and of the adjoint Lambda^n.");
      prm.declare_entry("Include data",
                        "false",
                        Patterns::Bool(),
                        "Add the Kelly indicator of the data h^n to that of "
                        "u^n.");
      prm.declare_entry("Refinement",
                        "fixed fraction",
                        Patterns::Selection("fixed fraction|global"),
                        "'fixed fraction' refines the cells that hold "
                        "'Refine fraction' of the indicators' sum and "
                        "coarsens those that hold 'Coarsen fraction'; "
                        "'global' refines every cell (a coarse-to-fine "
                        "schedule).");
      prm.declare_entry("Refine fraction",
                        "0.3",
                        Patterns::Double(0., 1.),
                        "The fraction of the indicators' sum to refine.");
      prm.declare_entry("Coarsen fraction",
                        "0",
                        Patterns::Double(0., 1.),
                        "The fraction of the indicators' sum to coarsen.");
      prm.declare_entry("Minimum level",
                        "0",
                        Patterns::Integer(0),
                        "No cell is coarsened below this level (the coarse "
                        "mesh is level 0).");
      prm.declare_entry("Maximum level",
                        "10",
                        Patterns::Integer(0),
                        "No cell is refined beyond this level.");
    }
    prm.leave_subsection();
  }



  void
  MeshAdaptationParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Mesh adaptation");
    {
      const std::string t = prm.get("Trigger");
      trigger             = t == "every"    ? Trigger::every :
                            t == "stall"    ? Trigger::stall :
                            t == "schedule" ? Trigger::schedule :
                                              Trigger::none;
      interval            = prm.get_integer("Interval");
      stall_tolerance     = prm.get_double("Stall tolerance");
      schedule.clear();
      for (const std::string &s :
           Utilities::split_string_list(prm.get("Schedule")))
        schedule.push_back(Utilities::string_to_int(s));
      max_rounds = prm.get_integer("Maximum number of rounds");
      indicator  = prm.get("Indicator") == "dual weighted" ?
                     Indicator::dual_weighted :
                     Indicator::state;
      include_data     = prm.get_bool("Include data");
      refinement       = prm.get("Refinement") == "global" ?
                           Refinement::global :
                           Refinement::fixed_fraction;
      refine_fraction  = prm.get_double("Refine fraction");
      coarsen_fraction = prm.get_double("Coarsen fraction");
      min_level        = prm.get_integer("Minimum level");
      max_level        = prm.get_integer("Maximum level");
      if (trigger == Trigger::schedule && schedule.empty())
        throw InputError("'Mesh adaptation/Trigger = schedule' needs the "
                         "iterations in 'Mesh adaptation/Schedule', e.g. "
                         "'set Schedule = 100, 300'.");
      if (refine_fraction + coarsen_fraction > 1.)
        throw InputError("'Mesh adaptation/Refine fraction' + 'Coarsen "
                         "fraction' must not exceed 1.");
      if (min_level > max_level)
        throw InputError("'Mesh adaptation/Minimum level' exceeds 'Maximum "
                         "level'.");
    }
    prm.leave_subsection();
  }



  template <int dim>
  MeshAdaptation<dim>::MeshAdaptation(
    const MeshAdaptationParameters &parameters,
    ForwardProblem<dim>            &problem,
    Misfit<dim>                    &misfit,
    Objective<dim>                 &objective,
    ConditionalOStream             &pcout)
    : parameters(parameters)
    , problem(problem)
    , misfit(misfit)
    , objective(objective)
    , pcout(pcout)
    , shared(dynamic_cast<const parallel::DistributedTriangulationBase<dim> *>(
               &problem.domain.triangulation()) == nullptr)
    // A schedule brings no more rounds than it lists.
    , max_rounds(parameters.trigger == MeshAdaptationParameters::Trigger::none ?
                   0 :
                 parameters.trigger ==
                     MeshAdaptationParameters::Trigger::schedule ?
                   std::min<unsigned int>(parameters.max_rounds,
                                          parameters.schedule.size()) :
                   parameters.max_rounds)
  {
    // Only data given as a field have a Kelly indicator: say so at once,
    // not at the first round.
    if (enabled() && parameters.include_data && misfit.field(0) == nullptr)
      throw InputError(
        "'Mesh adaptation/Include data = true' needs data that are a "
        "field in the domain, but these data are not ('Target "
        "data/Source'): measurements at points have no Kelly indicator. "
        "Set 'Include data = false' (the dual-weighted indicator already "
        "refines where the data see the solution).");
  }



  template <int dim>
  bool
  MeshAdaptation<dim>::enabled() const
  {
    return max_rounds > 0;
  }



  template <int dim>
  bool
  MeshAdaptation<dim>::due(const unsigned int         iteration,
                           const std::vector<double> &losses) const
  {
    if (n_rounds >= max_rounds)
      return false;
    switch (parameters.trigger)
      {
        case MeshAdaptationParameters::Trigger::every:
          return iteration % parameters.interval == 0;
        case MeshAdaptationParameters::Trigger::schedule:
          return std::find(parameters.schedule.begin(),
                           parameters.schedule.end(),
                           iteration) != parameters.schedule.end();
        case MeshAdaptationParameters::Trigger::stall:
          {
            // The best loss now against the best loss m accepted iterations
            // ago (within this round).
            const unsigned int m = parameters.interval;
            if (losses.size() <= m)
              return false;
            const double best_now =
              *std::min_element(losses.begin(), losses.end());
            const double best_before =
              *std::min_element(losses.begin(), losses.end() - m);
            return best_before - best_now <
                   parameters.stall_tolerance * best_before;
          }
        default:
          return false;
      }
  }



  template <int dim>
  Vector<float>
  MeshAdaptation<dim>::indicators() const
  {
    const StateSolver<dim> &state = problem.state;
    const auto             &tria  = problem.domain.triangulation();
    const QGauss<dim - 1>   face_quadrature(
      state.discretization().dof_handler().get_fe().degree + 1);

    // ρ_K of a (distributed) finite-element vector.
    const auto kelly = [&](const typename StateSolver<dim>::VectorType &v) {
      Vector<float> rho(tria.n_active_cells());
      KellyErrorEstimator<dim>::estimate(
        state.discretization().mapping(),
        state.discretization().dof_handler(),
        face_quadrature,
        std::map<types::boundary_id, const Function<dim> *>(),
        state.discretization().ghosted(v),
        rho,
        ComponentMask(),
        nullptr,
        numbers::invalid_unsigned_int,
        // Only the owned cells: on a parallel::shared mesh (1D) the others
        // have no values in the ghosted vector.
        tria.locally_owned_subdomain());
      return rho;
    };

    const bool dual = parameters.indicator ==
                      MeshAdaptationParameters::Indicator::dual_weighted;
    Vector<float> eta(tria.n_active_cells());
    for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
      {
        // Λ^0 = 0: level 0 adds nothing to the dual-weighted sum.
        if (dual && n == 0)
          continue;
        Vector<float> rho = kelly(state.state(n));
        if (parameters.include_data)
          {
            // Only data given as a field have a Kelly indicator.
            const auto *h = misfit.field(n);
            if (h == nullptr)
              throw InputError(
                "'Mesh adaptation/Include data = true' needs data that are a "
                "field in the domain, but these data are not ('Target "
                "data/Source'). Set 'Include data = false'.");
            rho += kelly(*h);
          }
        const float omega = problem.state.time_grid().time_weight(n);
        if (dual)
          {
            const Vector<float> rho_adjoint =
              kelly(objective.adjoint().adjoint(n));
            for (unsigned int c = 0; c < eta.size(); ++c)
              eta[c] += omega * rho[c] * rho_adjoint[c];
          }
        else
          for (unsigned int c = 0; c < eta.size(); ++c)
            eta[c] += omega * rho[c] * rho[c];
      }
    if (!dual)
      for (float &e : eta)
        e = std::sqrt(e);

    // Each rank has the indicators of its own cells (zero elsewhere); on a
    // parallel::shared mesh (1D) every rank holds every cell, and the sum
    // over the ranks gives all of them.
    if (shared)
      Utilities::MPI::sum(eta, tria.get_communicator(), eta);
    return eta;
  }



  template <int dim>
  bool
  MeshAdaptation<dim>::refine()
  {
    auto              &tria      = problem.domain.triangulation();
    const unsigned int dofs_then =
      problem.state.discretization().dof_handler().n_dofs();
    // On a parallel::shared mesh (1D) every rank flags every cell, the same
    // way; on a distributed one each rank flags the cells it owns.

    if (parameters.refinement == MeshAdaptationParameters::Refinement::global)
      {
        for (const auto &cell : tria.active_cell_iterators())
          if (shared || cell->is_locally_owned())
            cell->set_refine_flag();
      }
    else
      {
        const Vector<float> eta = indicators();
        if (auto *distributed =
              dynamic_cast<parallel::distributed::Triangulation<dim> *>(&tria))
          parallel::distributed::GridRefinement::
            refine_and_coarsen_fixed_fraction(*distributed,
                                              eta,
                                              parameters.refine_fraction,
                                              parameters.coarsen_fraction);
        else
          GridRefinement::refine_and_coarsen_fixed_fraction(
            tria, eta, parameters.refine_fraction, parameters.coarsen_fraction);
      }

    // Keep every cell between the minimum and the maximum level.
    unsigned int flagged = 0;
    for (const auto &cell : tria.active_cell_iterators())
      if (shared || cell->is_locally_owned())
        {
          if (cell->level() >= static_cast<int>(parameters.max_level))
            cell->clear_refine_flag();
          if (cell->level() <= static_cast<int>(parameters.min_level))
            cell->clear_coarsen_flag();
          if (cell->refine_flag_set() || cell->coarsen_flag_set())
            flagged = 1;
        }
    ++n_rounds;

    // A round whose every marked cell is at a level limit leaves the mesh as
    // it is: nothing is rebuilt, and the optimiser need not restart.
    if (Utilities::MPI::max(flagged, tria.get_communicator()) == 0)
      {
        pcout << "   Mesh adaptation round " << n_rounds
              << ": the mesh does not change (the marked cells are at "
                 "'Mesh adaptation/Maximum level' or 'Minimum level'); "
                 "training goes on"
              << std::endl;
        return false;
      }
    tria.execute_coarsening_and_refinement();

    // Everything that lives on the mesh is rebuilt; θ is untouched.
    problem.mesh_changed();
    pcout << "   Mesh adaptation round " << n_rounds << ": "
          << tria.n_global_active_cells() << " cells, " << dofs_then << " -> "
          << problem.state.discretization().dof_handler().n_dofs() << " dofs, "
          << tria.n_global_levels() << " levels" << std::endl;
    return true;
  }



  template <int dim>
  unsigned int
  MeshAdaptation<dim>::rounds() const
  {
    return n_rounds;
  }



  template <int dim>
  bool
  MeshAdaptation<dim>::finished(const unsigned int iteration,
                                const unsigned int last_iteration) const
  {
    if (n_rounds >= max_rounds)
      return true;
    // Rounds happen only before the last iteration: is one still to come?
    switch (parameters.trigger)
      {
        case MeshAdaptationParameters::Trigger::every:
          return (iteration / parameters.interval + 1) * parameters.interval >=
                 last_iteration;
        case MeshAdaptationParameters::Trigger::schedule:
          return std::none_of(parameters.schedule.begin(),
                              parameters.schedule.end(),
                              [&](const unsigned int i) {
                                return i > iteration && i < last_iteration;
                              });
        default:
          return false; // a stall may come at any time
      }
  }



  template class MeshAdaptation<1>;
  template class MeshAdaptation<2>;
  template class MeshAdaptation<3>;
} // namespace npde
