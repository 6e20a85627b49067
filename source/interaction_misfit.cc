// ---------------------------------------------------------------------------
// npde: HYCO's physical functional J_P and the epochs (interaction_misfit.h).
// ---------------------------------------------------------------------------
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/fe/fe_values.h>

#include <npde/cell_locator.h>
#include <npde/input_check.h>
#include <npde/interaction_misfit.h>
#include <npde/point_cloud_output.h>
#include <npde/reference_simulation.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/seed_seq.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <cmath>
#include <iomanip>
#include <sstream>

namespace npde
{
  void
  HycoParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("HYCO");
    {
      prm.declare_entry("Data weight",
                        "1",
                        Patterns::Double(0.),
                        "w_d, the weight of the sensors' misfit in both J_P "
                        "and J_S (the HYCO authors use 100).");
      prm.declare_entry("Physical interaction weight",
                        "1",
                        Patterns::Double(0.),
                        "lambda_P: J_P = w_d J_obs(u_P) + (lambda_P/2) "
                        "<(u_P - u_S)^2>_G. 0 is the physics-only baseline.");
      prm.declare_entry("Synthetic interaction weight",
                        "1",
                        Patterns::Double(0.),
                        "lambda_S: J_S = w_d J_obs(u_S) + (lambda_S/2) "
                        "<(u_S - u_P)^2>_G. 0 is the synthetic-only one.");
      prm.declare_entry("Synthetic regularization",
                        "0",
                        Patterns::Double(0.),
                        "The Tikhonov weight on theta_S in J_S (the physical "
                        "model's is 'Target data/Regularization').");
      prm.declare_entry("Interaction points",
                        "100",
                        Patterns::Integer(1),
                        "M_G, the number of interaction points, used at every "
                        "time level t_1..t_K.");
      prm.declare_entry("Interaction region",
                        "",
                        Patterns::Anything(),
                        "A box 'x0,y0 : x1,y1' (lower and upper corner) where "
                        "the interaction points are drawn uniformly; points "
                        "outside D are dropped and drawn again. Empty: the "
                        "bounding box of D.");
      prm.declare_entry("Redraw interaction points",
                        "true",
                        Patterns::Bool(),
                        "Draw new points every epoch (from the seed and the "
                        "epoch, so a resumed run is the same), or keep the "
                        "first epoch's.");
      prm.declare_entry("Random seed",
                        "1",
                        Patterns::Integer(0),
                        "The seed of the interaction points.");
      prm.declare_entry("Synthetic steps per epoch",
                        "1",
                        Patterns::Integer(1),
                        "Optimiser steps on theta_S (J_S, u_P fixed) at the "
                        "start of each epoch.");
      prm.declare_entry("Physical steps per epoch",
                        "1",
                        Patterns::Integer(1),
                        "Optimiser steps on theta_P (J_P, u_S fixed) in each "
                        "epoch; 'Trainer/Number of iterations' counts them.");
      prm.declare_entry("Parameter groups",
                        "",
                        Patterns::Anything(),
                        "Groups of trained constants, 'A1,A2; x1,x2,y1,y2': "
                        "the reported parameter error is the sum over the "
                        "groups of |p - p*|/|p*| against 'Target data/True "
                        "constants'. Empty: one group of all true constants.");
      prm.declare_entry("Error report every",
                        "1",
                        Patterns::Integer(1),
                        "With the truth known (True constants), the relative "
                        "space-time L2 errors of u_P and u_S are computed "
                        "every this many epochs (NaN in between).");
      NetworkParameters::declare_parameters(prm, "Synthetic network");
      OptimizerParameters::declare_parameters(prm, "Synthetic optimizer");
    }
    prm.leave_subsection();
  }



  void
  HycoParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("HYCO");
    {
      data_weight              = prm.get_double("Data weight");
      physical_interaction     = prm.get_double("Physical interaction weight");
      synthetic_interaction    = prm.get_double("Synthetic interaction weight");
      synthetic_regularization = prm.get_double("Synthetic regularization");
      n_interaction_points     = prm.get_integer("Interaction points");
      interaction_region       = prm.get("Interaction region");
      redraw_points            = prm.get_bool("Redraw interaction points");
      seed                     = prm.get_integer("Random seed");
      synthetic_steps          = prm.get_integer("Synthetic steps per epoch");
      physical_steps           = prm.get_integer("Physical steps per epoch");
      parameter_groups         = prm.get("Parameter groups");
      error_every              = prm.get_integer("Error report every");
      network.parse_parameters(prm, "Synthetic network");
      optimizer.parse_parameters(prm, "Synthetic optimizer");
    }
    prm.leave_subsection();
    if (optimizer.method == "lbfgs")
      throw InputError(
        "'HYCO/Synthetic optimizer/Method = lbfgs': J_S changes with u_P "
        "every epoch, so L-BFGS's line search and curvature pairs do not "
        "hold. Use adam or gradient descent.");
  }



  namespace
  {
    /// The corners of 'Interaction region' ("x0,y0 : x1,y1").
    template <int dim>
    std::pair<Point<dim>, Point<dim>>
    parse_region(const std::string &text, const BoundingBox<dim> &domain)
    {
      if (Utilities::trim(text).empty())
        return domain.get_boundary_points();
      const auto corners = Utilities::split_string_list(text, ':');
      std::pair<Point<dim>, Point<dim>> box;
      bool                              ok = corners.size() == 2;
      for (unsigned int c = 0; ok && c < 2; ++c)
        {
          const auto x = Utilities::split_string_list(corners[c], ',');
          ok           = x.size() == dim;
          for (unsigned int d = 0; ok && d < dim; ++d)
            {
              std::istringstream in(x[d]);
              double             v;
              ok = bool(in >> v) && (in >> std::ws).eof() && std::isfinite(v);
              (c == 0 ? box.first : box.second)[d] = v;
            }
        }
      for (unsigned int d = 0; ok && d < dim; ++d)
        ok = box.first[d] < box.second[d];
      if (!ok)
        throw InputError("'HYCO/Interaction region' = '" + text +
                         "': give a box as its lower and upper corner, " +
                         std::to_string(dim) +
                         " numbers each, lower < upper, e.g. '-3,-3 : 0,0' "
                         "in 2D.");
      return box;
    }
  } // namespace



  // The data misfit must be the sensors': HYCO's two models fit the same
  // measurements. The synthetic model reads the sensor files for itself
  // (the observation misfit keeps its rows located on the mesh).
  template <int dim>
  InteractionMisfit<dim>::InteractionMisfit(ParameterHandler            &prm,
                                            std::unique_ptr<Misfit<dim>> data,
                                            const ForwardProblem<dim> &problem,
                                            TimerOutput               &timer,
                                            ConditionalOStream        &pcout)
    : Misfit<dim>(problem.domain.triangulation().get_communicator())
    , parameters(parsed<HycoParameters>(prm))
    , data(std::move(data))
    , problem(problem)
    , timer(timer)
    , pcout(pcout)
    , output_parameters(parsed<OutputParameters>(prm))
    , true_constants([&]() {
      prm.enter_subsection("Target data");
      const std::string text = prm.get("True constants");
      prm.leave_subsection();
      return parse_constants(text, "Target data/True constants", dim);
    }())
    , interaction(problem.state)
  {
    prm.enter_subsection("Target data");
    const std::string source          = prm.get("Source");
    const std::string observation     = prm.get("Observation file");
    const std::string validation_file = prm.get("Validation file");
    prm.leave_subsection();
    if (source != "observations")
      throw InputError(
        "'Mode = hyco' trains a physical and a synthetic model on the same "
        "sensor data, but 'Target data/Source' = '" +
        source +
        "'. Set 'Target data/Source = observations' and 'Target "
        "data/Observation file' to the sensors' CSV file.");
    const double T = problem.time_parameters.end_time;
    training       = read_observation_table(
      observation, {dim, true, T, "Target data/Observation file"});
    if (!validation_file.empty())
      validation = read_observation_table(
        validation_file, {dim, true, T, "Target data/Validation file"});
    synthetic_model = std::make_unique<SyntheticModel<dim>>(
      parameters.network,
      parameters.optimizer,
      SyntheticWeights{parameters.data_weight,
                       parameters.synthetic_interaction,
                       parameters.synthetic_regularization},
      training,
      validation_file.empty() ? nullptr : &validation);
    prm.enter_subsection("Target data");
    target_source = prm.get("Target source");
    prm.leave_subsection();
    mesh_change = problem.mesh_change_hooks.connect([this]() {
      located = false;
      make_nodal_data();
    });
  }



  // At the first set-up (the mesh exists now): the region, checked against
  // D by drawing the first epoch's points, the synthetic network with the
  // domain's input map, and the truth.
  template <int dim>
  void
  InteractionMisfit<dim>::setup()
  {
    data->setup();
    if (initialized)
      return;
    initialized = true;
    std::tie(lower, upper) =
      parse_region<dim>(parameters.interaction_region, problem.bounding_box());
    synthetic_model->setup(problem);
    draw_points(0);
    make_nodal_data();
    pcout << "   HYCO: synthetic network N = "
          << synthetic_model->network().n_neurons() << ", "
          << parameters.n_interaction_points << " interaction points"
          << (parameters.redraw_points ? " drawn anew every epoch" : "")
          << ", weights w_d = " << parameters.data_weight
          << ", lambda_P = " << parameters.physical_interaction
          << ", lambda_S = " << parameters.synthetic_interaction << std::endl;
  }



  // M_G points uniform in the region, in batches; each is kept if some
  // rank's cells hold it (CellLocator: the mesh with its mapping), so
  // every rank keeps the same points in the same order. A region that
  // misses D is an input error.
  template <int dim>
  std::vector<double>
  InteractionMisfit<dim>::draw_points(const unsigned int e) const
  {
    boost::random::seed_seq          seeds{parameters.seed, e};
    boost::random::mt19937           generator(seeds);
    const CellLocator<dim>           locator(problem.state.discretization());
    const unsigned int               M     = parameters.n_interaction_points;
    const unsigned int               batch = 4 * M;
    std::vector<double>              x;
    typename CellLocator<dim>::LocatedPoint located_point;
    for (unsigned int round = 0; round < 100 && x.size() < M * dim; ++round)
      {
        std::vector<Point<dim>>   candidates(batch);
        std::vector<unsigned int> found(batch), owners(batch);
        for (unsigned int i = 0; i < batch; ++i)
          {
            for (unsigned int d = 0; d < dim; ++d)
              candidates[i][d] = boost::random::uniform_real_distribution<>(
                lower[d], upper[d])(generator);
            found[i] = locator.locate(candidates[i], located_point) ? 1 : 0;
          }
        Utilities::MPI::sum(ArrayView<const unsigned int>(found),
                            problem.state.discretization().communicator(),
                            ArrayView<unsigned int>(owners));
        for (unsigned int i = 0; i < batch && x.size() < M * dim; ++i)
          if (owners[i] > 0)
            for (unsigned int d = 0; d < dim; ++d)
              x.push_back(candidates[i][d]);
      }
    if (x.size() < M * dim)
      {
        std::ostringstream message;
        message << "'HYCO/Interaction region' (" << lower << " : " << upper
                << "): of " << 100 * batch << " points drawn in it, only "
                << x.size() / dim << " lie in the domain D, fewer than the "
                << M
                << " 'HYCO/Interaction points'. Give a region that overlaps "
                   "D (or leave it empty: D's bounding box).";
        throw InputError(message.str());
      }
    return x;
  }



  // The rows (t_n, x_m) for n = 1..K, level by level, located on the
  // current mesh.
  template <int dim>
  void
  InteractionMisfit<dim>::set_points(const std::vector<double> &x) const
  {
    const auto        &times = problem.state.time_grid().times();
    const unsigned int M     = x.size() / dim;
    points               = ObservationTable();
    points.file          = "the interaction points";
    points.dim           = dim;
    for (unsigned int n = 1; n < times.size(); ++n)
      for (unsigned int m = 0; m < M; ++m)
        {
          points.t.push_back(times[n]);
          points.x.insert(points.x.end(), &x[m * dim], &x[m * dim] + dim);
          points.value.push_back(0.);
          points.sigma.push_back(1.);
          points.line.push_back(m + 1);
        }
    interaction.setup(points);
    located = true;
  }



  // The points of epoch e (the first epoch's if they are not redrawn),
  // located as the rows of the interaction term.
  template <int dim>
  std::vector<double>
  InteractionMisfit<dim>::use_points(const unsigned int e) const
  {
    const std::vector<double> x = draw_points(parameters.redraw_points ? e : 0);
    set_points(x);
    return x;
  }



  // t_1, ..., t_K: the levels of the interaction term.
  template <int dim>
  std::vector<double>
  InteractionMisfit<dim>::levels() const
  {
    const auto &times = problem.state.time_grid().times();
    return std::vector<double>(times.begin() + 1, times.end());
  }



  template <int dim>
  std::vector<double>
  InteractionMisfit<dim>::physical_at_interaction_points() const
  {
    std::vector<double> y;
    interaction.predict(y);
    std::vector<double> local(points.size(), 0.), all(points.size());
    for (unsigned int i = 0; i < y.size(); ++i)
      local[interaction.rows()[i]] = y[i];
    Utilities::MPI::sum(ArrayView<const double>(local),
                        problem.state.discretization().communicator(),
                        ArrayView<double>(all));
    return all;
  }



  // The start of epoch e, right after the forward sweep at the trial θ_P:
  // the epoch's points, u_P there, the synthetic steps with u_P fixed, and
  // u_S at the points for the physical step. (The points' first x-values
  // of the table are those of level 1: one copy per point.)
  template <int dim>
  void
  InteractionMisfit<dim>::start_epoch(const unsigned int e) const
  {
    TimerOutput::Scope scope(timer, "hyco: synthetic steps");
    const std::vector<double> x = use_points(e);
    u_P                         = physical_at_interaction_points();
    synthetic_model->set_interaction(levels(), x, u_P);
    synthetic_model->step(parameters.synthetic_steps);
    u_S           = synthetic_model->interaction_values();
    current_epoch = e;
  }



  // J_P: the data part, then the epoch (if one begins with this trial),
  // then the interaction part with its adjoint sources.
  template <int dim>
  double
  InteractionMisfit<dim>::value(std::vector<VectorType> *r) const
  {
    data_part = parameters.data_weight * data->value(r);
    if (r && parameters.data_weight != 1.)
      for (VectorType &rn : *r)
        rn *= parameters.data_weight;

    if (!started)
      {
        // The first evaluation: epoch 0 begins, with nothing to decide.
        start_epoch(0);
        started = true;
        committed_points = points;
        committed_u_S    = u_S;
        committed_epoch  = 0;
      }
    else if (due)
      {
        synthetic_model->begin_tentative();
        start_epoch(committed_epoch + 1);
        tentative = true;
        due       = false;
      }
    else if (!located)
      {
        interaction.setup(points);
        located = true;
      }

    TimerOutput::Scope  scope(timer, "hyco: interaction misfit");
    std::vector<double> y;
    interaction.predict(y);
    const double        n_values = points.size();
    std::vector<double> v(y.size());
    double              squares = 0.;
    for (unsigned int i = 0; i < y.size(); ++i)
      {
        const double e = y[i] - u_S[interaction.rows()[i]];
        squares += e * e;
        v[i] = parameters.physical_interaction * e / n_values;
      }
    if (r && parameters.physical_interaction != 0.)
      interaction.add_adjoint_sources(v, *r);
    interaction_part =
      Utilities::MPI::sum(squares,
                          problem.state.discretization().communicator()) /
      n_values;
    return data_part + 0.5 * parameters.physical_interaction * interaction_part;
  }



  template <int dim>
  double
  InteractionMisfit<dim>::local_value(
    std::vector<VectorType> *,
    const std::function<void(unsigned int)> &) const
  {
    AssertThrow(false,
                ExcMessage("InteractionMisfit needs all ranks in value()."));
    return 0.;
  }



  template <int dim>
  bool
  InteractionMisfit<dim>::allows_overlap() const
  {
    return false;
  }



  // The epochs and the trainer's trials: a trial that follows
  // `Physical steps per epoch` accepted steps of this epoch begins the
  // next one; its synthetic steps stand if the trial is accepted and are
  // taken back (θ_S, the optimiser's state, the points and u_S) if not.
  template <int dim>
  void
  InteractionMisfit<dim>::begin_trial()
  {
    due = started && steps_in_epoch + 1 >= parameters.physical_steps;
  }



  template <int dim>
  void
  InteractionMisfit<dim>::end_trial(const bool accepted)
  {
    due = false;
    if (accepted)
      {
        if (tentative)
          {
            committed_points = points;
            committed_u_S    = u_S;
            committed_epoch  = current_epoch;
            steps_in_epoch   = 0;
          }
        else
          ++steps_in_epoch;
      }
    else if (tentative)
      {
        synthetic_model->rollback();
        points        = committed_points;
        u_S           = committed_u_S;
        current_epoch = committed_epoch;
        located       = false;
      }
    tentative = false;
  }



  template <int dim>
  double
  InteractionMisfit<dim>::data_scale() const
  {
    return data->data_scale();
  }



  template <int dim>
  void
  InteractionMisfit<dim>::finish_evaluation()
  {
    data->finish_evaluation();
    report_errors();
  }



  template <int dim>
  double
  InteractionMisfit<dim>::relative_rmse(const double) const
  {
    return data->relative_rmse(
      parameters.data_weight > 0. ? data_part / parameters.data_weight : 0.);
  }



  // ∫φ_i over D for the owned dofs, and the truth at every level: the same
  // model with the true constants (and g*, if given) on the training mesh.
  template <int dim>
  void
  InteractionMisfit<dim>::make_nodal_data()
  {
    const Discretization<dim> &space = problem.state.discretization();
    nodal_weights                    = space.new_vector();
    FEValues<dim>  fe_values(space.mapping(),
                            space.fe(),
                            space.quadrature(),
                            update_values | update_JxW_values);
    Vector<double> local(space.fe().n_dofs_per_cell());
    std::vector<types::global_dof_index> dofs(local.size());
    for (const auto &cell : space.dof_handler().active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          local = 0.;
          for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
            for (unsigned int i = 0; i < local.size(); ++i)
              local[i] += fe_values.shape_value(i, q) * fe_values.JxW(q);
          cell->get_dof_indices(dofs);
          nodal_weights.add(dofs, local);
        }
    nodal_weights.compress(VectorOperation::add);

    support_points.clear();
    for (const auto i : space.locally_owned_dofs())
      {
        const Point<dim> p = space.support_point(i);
        for (unsigned int d = 0; d < dim; ++d)
          support_points.push_back(p[d]);
      }

    if (true_constants.empty())
      return;
    TargetDataParameters reference;
    reference.target_source =
      Utilities::trim(target_source).empty() ? "0" : target_source;
    std::ostringstream constants;
    constants << std::setprecision(17);
    for (const auto &[name, value] : true_constants)
      constants << (constants.tellp() > 0 ? ", " : "") << name << "="
                << value;
    reference.true_constants            = constants.str();
    reference.reference_refinements     = 0;
    reference.reference_time_refinement = 1;
    std::vector<std::string> variables  = coordinate_names(dim);
    variables.push_back("t");
    const Expression   g_star("Target data/Target source",
                            reference.target_source,
                            variables,
                            parse_constants(problem.model_parameters.constants,
                                            "Model/Constants",
                                            dim));
    ConditionalOStream quiet(std::cout, false);
    const ReferenceSimulation<dim> simulation(reference,
                                              g_star,
                                              problem,
                                              quiet);
    std::vector<Vector<double>> at_points(
      problem.state.time_grid().n_steps() + 1);
    simulation.evaluate(problem, at_points, truth);
  }



  // Σ_n ω_n Σ_i (∫φ_i) e_i^n², the space-time L2 norm of the nodal
  // interpolant of e by the nodal rule (exact for the mass-lumped norm).
  template <int dim>
  void
  InteractionMisfit<dim>::report_errors(const bool always) const
  {
    if (truth.empty() ||
        (!always && current_epoch % parameters.error_every != 0))
      {
        u_P_error = u_S_error = std::nan("");
        return;
      }
    TimerOutput::Scope scope(timer, "hyco: errors against the truth");
    const TimeGrid    &grid = problem.state.time_grid();
    std::vector<Vector<double>> s;
    synthetic_model->network().evaluate(grid.times(), support_points, s);
    double     e_P = 0., e_S = 0., norm = 0.;
    VectorType e(nodal_weights);
    for (unsigned int n = 0; n <= grid.n_steps(); ++n)
      {
        const double w = grid.time_weight(n);
        e              = problem.state.state(n);
        e -= truth[n];
        e.scale(e);
        e_P += w * (e * nodal_weights);
        unsigned int i = 0;
        for (const auto dof : problem.state.discretization().locally_owned_dofs())
          e[dof] = s[n][i++] - truth[n][dof];
        e.compress(VectorOperation::insert);
        e.scale(e);
        e_S += w * (e * nodal_weights);
        e = truth[n];
        e.scale(e);
        norm += w * (e * nodal_weights);
      }
    u_P_error = std::sqrt(e_P / norm);
    u_S_error = std::sqrt(e_S / norm);
  }



  // Σ over the groups of |p − p*|/|p*| (Euclidean norms of the group).
  template <int dim>
  double
  InteractionMisfit<dim>::parameter_error() const
  {
    std::vector<std::vector<std::string>> groups;
    if (Utilities::trim(parameters.parameter_groups).empty())
      {
        groups.emplace_back();
        for (const auto &[name, value] : true_constants)
          groups.back().push_back(name);
      }
    else
      for (const auto &g :
           Utilities::split_string_list(parameters.parameter_groups, ';'))
        groups.push_back(Utilities::split_string_list(g, ','));
    double error = 0.;
    for (const auto &group : groups)
      {
        double d = 0., n = 0.;
        for (const auto &name : group)
          {
            if (true_constants.count(name) == 0)
              throw InputError("'HYCO/Parameter groups' names '" + name +
                               "', which 'Target data/True constants' does "
                               "not give.");
            const double p = problem.model.constant(name),
                         q = true_constants.at(name);
            d += (p - q) * (p - q);
            n += q * q;
          }
        error += std::sqrt(d) / (n > 0. ? std::sqrt(n) : 1.);
      }
    return error;
  }



  template <int dim>
  std::vector<HistoryColumn>
  InteractionMisfit<dim>::history_columns() const
  {
    std::vector<HistoryColumn> columns = data->history_columns();
    columns.push_back({"epoch", "epoch", true});
    columns.push_back({"J_S", "J_S", true});
    columns.push_back({"interaction", "<(uP-uS)^2>", true});
    columns.push_back({"synthetic_rmse", "S rel. RMSE", true});
    if (validation.size() > 0)
      columns.push_back({"synthetic_validation_rmse", "S valid.", true});
    if (!true_constants.empty())
      {
        columns.push_back({"parameter_error", "param. err", true});
        columns.push_back({"u_P_error", "uP L2 err", true});
        columns.push_back({"u_S_error", "uS L2 err", true});
      }
    return columns;
  }



  template <int dim>
  std::vector<double>
  InteractionMisfit<dim>::history_values() const
  {
    std::vector<double> values = data->history_values();
    values.push_back(current_epoch);
    values.push_back(synthetic_model->last_value());
    values.push_back(interaction_part);
    values.push_back(synthetic_model->training_rmse());
    if (validation.size() > 0)
      values.push_back(synthetic_model->validation_rmse());
    if (!true_constants.empty())
      {
        values.push_back(parameter_error());
        values.push_back(u_P_error);
        values.push_back(u_S_error);
      }
    return values;
  }



  // At the end of a run: the data's results (predictions.csv,
  // sensors.pvd), the synthetic network, the fields of both models at the
  // output levels, and the last epoch's interaction points with u_S and
  // u_P there.
  template <int dim>
  void
  InteractionMisfit<dim>::write_results(const std::string &directory) const
  {
    data->write_results(directory);
    const MPI_Comm comm = problem.state.discretization().communicator();
    on_rank_0(comm, [&]() {
      synthetic_model->network().save(directory + "/synthetic_network.txt");
    });

    const Discretization<dim> &space = problem.state.discretization();
    const TimeGrid            &grid  = problem.state.time_grid();
    std::vector<Vector<double>> s;
    synthetic_model->network().evaluate(grid.times(), support_points, s);
    report_errors(true);
    OutputParameters op = output_parameters;
    op.directory        = directory;
    Output output(op, comm);
    output.start_series("hyco");
    if (output_parameters.write_vtu)
      for (unsigned int n = 0; n <= grid.n_steps(); ++n)
        if (output.is_output_level(n, grid.n_steps()))
          {
            VectorType u_s = space.new_vector(), diff = space.new_vector();
            unsigned int i = 0;
            for (const auto dof : space.locally_owned_dofs())
              u_s[dof] = s[n][i++];
            u_s.compress(VectorOperation::insert);
            diff = problem.state.state(n);
            diff -= u_s;
            const VectorType g_P = space.ghosted(problem.state.state(n)),
                             g_S = space.ghosted(u_s), g_D = space.ghosted(diff);
            std::vector<std::pair<std::string, const VectorType *>> fields = {
              {"u_P", &g_P}, {"u_S", &g_S}, {"u_P-u_S", &g_D}};
            VectorType g_T;
            if (!truth.empty())
              {
                g_T = space.ghosted(truth[n]);
                fields.push_back({"u_true", &g_T});
              }
            output.write_time_level(space.dof_handler(),
                                    space.mapping(),
                                    n,
                                    grid.times()[n],
                                    fields);
          }

    // The interaction points: observed = u_S, predicted = u_P.
    ObservationTable table = points;
    table.value            = u_S;
    const std::vector<double> u_P_now = physical_at_interaction_points();
    on_rank_0(comm, [&]() {
      PointCloudTable<dim> cloud;
      cloud.add(table, u_P_now, "interaction");
      cloud.write_series(directory, "interaction_points", grid.times());
    });

    pcout << "   HYCO after " << committed_epoch << " epochs: J_S = "
          << synthetic_model->last_value()
          << ", synthetic relative RMSE " << synthetic_model->training_rmse();
    if (validation.size() > 0)
      pcout << " (validation " << synthetic_model->validation_rmse() << ")";
    pcout << ", <(u_P - u_S)^2>_G = " << interaction_part << std::endl;
    if (!true_constants.empty())
      pcout << "   HYCO against the truth: parameter error "
            << parameter_error() << ", relative L2 error of u_P " << u_P_error
            << ", of u_S " << u_S_error << std::endl;
    pcout << "   Synthetic network: " << directory << "/synthetic_network.txt"
          << ", fields: " << directory << "/hyco.pvd" << std::endl;
  }



  template <int dim>
  const typename InteractionMisfit<dim>::VectorType *
  InteractionMisfit<dim>::field(const unsigned int n) const
  {
    return data->field(n);
  }



  template <int dim>
  const Expression *
  InteractionMisfit<dim>::true_source() const
  {
    return data->true_source();
  }



  template <int dim>
  void
  InteractionMisfit<dim>::release()
  {
    data->release();
  }



  // The committed state only: a checkpoint is written between trials.
  template <int dim>
  void
  InteractionMisfit<dim>::save(std::ostream &out) const
  {
    data->save(out);
    out << "hyco " << committed_epoch << ' ' << steps_in_epoch << '\n';
    synthetic_model->save(out);
  }



  // Reading a checkpoint makes the committed epoch current again: its
  // points are drawn again from the seed, u_S evaluated at them.
  template <int dim>
  bool
  InteractionMisfit<dim>::load(std::istream &in)
  {
    std::string word;
    if (!data->load(in) ||
        !(in >> word >> committed_epoch >> steps_in_epoch) || word != "hyco" ||
        !synthetic_model->load(in))
      return false;
    current_epoch = committed_epoch;
    // (u_P is not needed: the epoch's synthetic steps are behind us.)
    synthetic_model->set_interaction(levels(),
                                     use_points(committed_epoch),
                                     std::vector<double>(points.size(), 0.));
    u_S              = synthetic_model->interaction_values();
    committed_points = points;
    committed_u_S    = u_S;
    started          = true;
    tentative = due = false;
    return true;
  }



  template <int dim>
  SyntheticModel<dim> &
  InteractionMisfit<dim>::synthetic() const
  {
    return *synthetic_model;
  }



  template <int dim>
  unsigned int
  InteractionMisfit<dim>::epoch() const
  {
    return committed_epoch;
  }



  template class InteractionMisfit<1>;
  template class InteractionMisfit<2>;
  template class InteractionMisfit<3>;
} // namespace npde
