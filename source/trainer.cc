// ---------------------------------------------------------------------------
// npde: the training loop.
// ---------------------------------------------------------------------------
#include <npde/checkpoint.h>
#include <npde/input_check.h>
#include <npde/output.h>
#include <npde/trainer.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>


namespace npde
{
  Trainer::Trainer(const TrainerParameters   &parameters,
                   const OptimizerParameters &optimizer_parameters,
                   ReducedFunctional         &objective,
                   const std::string         &output_directory,
                   const MPI_Comm             communicator,
                   ConditionalOStream        &pcout)
    : parameters(parameters)
    , objective(objective)
    , directory(output_directory)
    , communicator(communicator)
    , pcout(pcout)
    , optimizer(create_optimizer(optimizer_parameters,
                                 objective.learning_rate_scales(),
                                 objective.trainable(
                                   optimizer_parameters.random_features)))
    , history_(objective.history_columns())
  {
  }



  // The functional's columns of the current state; for a trial that failed,
  // its measures of the fit are not defined.
  Trainer::Record
  Trainer::make_record(const double loss,
                       const double gradient_norm,
                       const double wall_time,
                       const bool   accepted,
                       const bool   evaluated) const
  {
    Record                            record{iteration,
                  loss,
                  gradient_norm,
                  optimizer->learning_rate(),
                  wall_time,
                  accepted,
                  {}};
    const std::vector<double>         values  = objective.history_values();
    const std::vector<HistoryColumn> &columns = history_.columns();
    for (unsigned int c = 0; c < columns.size(); ++c)
      record.columns.emplace_back(columns[c].name,
                                  evaluated || !columns[c].measures_fit ?
                                    values[c] :
                                    std::numeric_limits<double>::quiet_NaN());
    return record;
  }



  void
  Trainer::set_mesh_adaptation(
    AdaptationRounds                        &adaptation,
    const std::function<void(unsigned int)> &before_round)
  {
    this->adaptation   = &adaptation;
    this->before_round = before_round;
  }



  void
  Trainer::set_fingerprint(
    const std::vector<std::pair<std::string, std::string>> &fields)
  {
    fingerprint = fields;
  }



  namespace
  {
    bool
    all_finite(const Vector<double> &v)
    {
      return std::all_of(v.begin(), v.end(), [](const double x) {
        return std::isfinite(x);
      });
    }
  } // namespace



  // The training loop. Each iteration asks the optimiser for a trial
  // point, evaluates J and ∇J there, and either accepts it (the optimiser
  // decides: always for gradient descent and Adam, the Armijo condition for
  // L-BFGS) or rejects it (not finite, exploded, Newton failed: the
  // learning rate is cut, and too many rejections in a row stop the run).
  // Every iteration, accepted or not, is a row of the history. Then, in
  // this order: a mesh adaptation round if one is due (the objective must
  // be at θ for its indicators), a checkpoint every 'Checkpoint every'
  // iterations, and the test of the target RMSE, which waits for the last
  // adaptation round. At the end the objective is left at the trained θ.
  void
  Trainer::run(const unsigned int stop_after)
  {
    Timer          clock;
    Vector<double> theta   = objective.parameters();
    const bool     resumed = resume(theta);

    Vector<double> gradient;
    double         J = objective.value_and_gradient(theta, gradient);
    if (!std::isfinite(J))
      throw InputError("The loss at the initial parameters is not finite: "
                       "check the model, the data and the network's "
                       "initialisation.");

    history_.print_header(pcout);
    if (!resumed)
      record_point(J, gradient, clock);
    round_losses.assign(1, J);

    unsigned int rejections_in_a_row = 0;
    while (iteration < parameters.n_iterations)
      {
        ++iteration;
        objective.begin_trial();
        const Vector<double> trial = optimizer->propose(theta, J, gradient);
        Vector<double>       trial_gradient;
        double               trial_J = std::numeric_limits<double>::quiet_NaN();
        std::string          why;
        const bool ok = evaluate_trial(trial, J, trial_J, trial_gradient, why);

        bool accepted = false;
        if (!ok)
          {
            optimizer->reject();
            ++rejections_in_a_row;
            if (rejections_in_a_row >= parameters.max_rejections ||
                !(optimizer->learning_rate() > 0.))
              stop_after_rejections(rejections_in_a_row, why);
            if (iteration % parameters.print_every == 0)
              pcout << "   iteration " << iteration << ": step rejected ("
                    << why << "); learning rate cut to "
                    << optimizer->learning_rate() << std::endl;
          }
        else
          {
            rejections_in_a_row = 0;
            accepted = optimizer->accept(trial, trial_J, trial_gradient);
          }
        objective.end_trial(accepted);

        if (accepted)
          {
            theta    = trial;
            J        = trial_J;
            gradient = trial_gradient;
            optimizer->end_iteration(J);
          }
        history_.records().push_back(
          make_record(ok ? trial_J : std::numeric_limits<double>::quiet_NaN(),
                      accepted ? optimizer->masked(gradient).l2_norm() :
                                 std::numeric_limits<double>::quiet_NaN(),
                      time_offset + clock.wall_time(),
                      accepted,
                      ok));
        if (iteration % parameters.print_every == 0 ||
            iteration == parameters.n_iterations)
          history_.print(pcout, history_.records().back());
        if (accepted)
          round_losses.push_back(J);
        if (adaptation && iteration < parameters.n_iterations &&
            adaptation->due(iteration, round_losses))
          {
            if (!accepted)
              J = objective.value_and_gradient(theta, gradient);
            adapt_mesh(theta, J, gradient, clock);
          }
        if (iteration % parameters.checkpoint_every == 0)
          write_checkpoint(theta);
        if (iteration == stop_after)
          return;
        // After an accepted step (and a round, if one came) the objective's
        // last evaluation is at θ: its RMSE is θ's.
        if (accepted && objective.relative_rmse() <= parameters.target_rmse &&
            (!adaptation ||
             adaptation->finished(iteration, parameters.n_iterations)))
          {
            pcout << "   Reached the target relative RMSE "
                  << parameters.target_rmse << " at iteration " << iteration
                  << std::endl;
            break;
          }
      }

    // The trained network, and the objective (state, adjoint) at it: the
    // last evaluation was at θ unless the last trial was rejected.
    objective.set_parameters(theta);
    if (!history_.records().back().accepted)
      objective.value_and_gradient(theta, gradient);
    write_checkpoint(theta);
  }



  // A mesh adaptation round at θ, whose state and adjoint the objective
  // holds: output of the old mesh, refinement, and J and ∇J at the same θ
  // on the new mesh, recorded as a row of its own.
  // Training that makes no progress ends with an error that says why. The
  // history so far is written (the last checkpoint stays as it was: it
  // holds the last accepted network).
  // With 'Resume', the state of the checkpoint, if there is one; the clock
  // then goes on from the checkpoint's time.
  bool
  Trainer::resume(Vector<double> &theta)
  {
    if (!parameters.resume)
      return false;
    if (!read_checkpoint(theta))
      {
        pcout << "   'Trainer/Resume = true', but there is no checkpoint "
              << directory << "/checkpoint.txt: starting afresh" << std::endl;
        return false;
      }
    time_offset =
      history_.records().empty() ? 0. : history_.records().back().wall_time;
    pcout << "   Resuming from " << directory << "/checkpoint.txt at iteration "
          << iteration << std::endl;
    return true;
  }



  // A trial is good if its loss is finite and has not exploded; a forward
  // solve that fails (an InputError: Newton did not converge) rejects the
  // step, and nothing is lost. θ is the same on every rank, so every rank
  // decides alike.
  bool
  Trainer::evaluate_trial(const Vector<double> &trial,
                          const double          J,
                          double               &trial_J,
                          Vector<double>       &trial_gradient,
                          std::string          &why)
  {
    if (!all_finite(trial))
      {
        why = "the optimiser proposed a non-finite theta: check the "
              "'Optimizer' parameters";
        return false;
      }
    try
      {
        trial_J = objective.value_and_gradient(trial, trial_gradient);
      }
    catch (const InputError &e)
      {
        why = std::string(e.what()).substr(0, 60) + "...";
        return false;
      }
    if (std::isfinite(trial_J) && trial_J <= parameters.divergence_factor * J)
      return true;
    why =
      std::isfinite(trial_J) ? "the loss exploded" : "the loss is not finite";
    return false;
  }



  void
  Trainer::stop_after_rejections(const unsigned int rejections,
                                 const std::string &why) const
  {
    try
      {
        on_rank_0(communicator, [&]() {
          write_file_atomically(directory + "/history.csv", history_.csv());
        });
      }
    catch (const InputError &)
      {
        // (The error below matters more than the history.)
      }
    const std::string reason =
      optimizer->learning_rate() > 0. ?
        "the last " + std::to_string(rejections) +
          " trial steps were all rejected ('Trainer/Maximum consecutive "
          "rejections' = " +
          std::to_string(parameters.max_rejections) + ")" :
        "the learning rate has been cut to 0 by " + std::to_string(rejections) +
          " rejected trial steps in a row";
    throw InputError(
      "Training stopped at iteration " + std::to_string(iteration) + ": " +
      reason + ", the last one because " + why + ". The learning rate is now " +
      Utilities::to_string(optimizer->learning_rate()) +
      ". Start with a smaller 'Optimizer/Learning rate', "
      "check the 'Optimizer' parameters, or, if the forward "
      "solve fails, the model and 'Time/Number of steps'. "
      "history.csv holds the run so far, and the last "
      "checkpoint (if any) the last accepted network.");
  }



  void
  Trainer::adapt_mesh(const Vector<double> &theta,
                      double               &J,
                      Vector<double>       &gradient,
                      const Timer          &clock)
  {
    objective.set_parameters(theta);
    if (before_round)
      before_round(adaptation->rounds());
    const double J_before = J;
    // A round that leaves the mesh as it is changes neither J nor the
    // optimiser's state.
    if (!adaptation->refine())
      {
        // (A stall trigger waits for a new stall before the next round.)
        round_losses.assign(1, J);
        return;
      }
    J = objective.value_and_gradient(theta, gradient);
    if (!std::isfinite(J))
      throw InputError("The loss after mesh adaptation round " +
                       std::to_string(adaptation->rounds()) +
                       " is not finite: the forward problem fails on the "
                       "new mesh. Check 'Mesh adaptation/Maximum level'.");
    pcout << "   Loss at the same theta: " << J_before << " before, " << J
          << " after the round; the optimiser restarts" << std::endl;
    optimizer->restart();
    round_losses.assign(1, J);
    record_point(J, gradient, clock);
  }



  // A row for θ itself (not a trial): at the start and after a round.
  void
  Trainer::record_point(const double          J,
                        const Vector<double> &gradient,
                        const Timer          &clock)
  {
    history_.records().push_back(
      make_record(J,
                  optimizer->masked(gradient).l2_norm(),
                  time_offset + clock.wall_time(),
                  true,
                  true));
    history_.print(pcout, history_.records().back());
  }



  // The checkpoint holds everything the loop needs to go on as if it had
  // never stopped: the iteration, θ, the optimiser's state and the history.
  // (Training draws no random numbers, so there is no random state to keep.)
  //
  // A checkpoint that cannot be written (a full disk) is not a reason to
  // throw away the training: the run says so and goes on, the previous
  // checkpoint stays as it was (write_file_atomically() never leaves half a
  // file), and the program reports the failure after the trained network is
  // saved. The checkpoint also says what it belongs to (the fingerprint:
  // network, optimiser, mesh and problem), so that a checkpoint of another
  // run is not resumed.
  void
  Trainer::write_checkpoint(const Vector<double> &theta)
  {
    try
      {
        on_rank_0(communicator, [&]() {
          write_file_atomically(directory + "/history.csv", history_.csv());
          write_file_atomically(directory + "/checkpoint.txt",
                                checkpoint_text(current_fingerprint(),
                                                iteration,
                                                theta,
                                                *optimizer,
                                                objective,
                                                history_));
        });
      }
    catch (const InputError &e)
      {
        ++failed_checkpoints;
        checkpoint_failure = e.what();
        pcout << "   Warning: the checkpoint at iteration " << iteration
              << " could not be written (" << e.what() << "). Training goes on."
              << std::endl;
      }
  }



  // The run's fingerprint, with the mesh as it is now (mesh adaptation
  // changes it during the run).
  std::vector<std::pair<std::string, std::string>>
  Trainer::current_fingerprint() const
  {
    std::vector<std::pair<std::string, std::string>> fields =
      objective.fingerprint();
    fields.insert(fields.end(), fingerprint.begin(), fingerprint.end());
    return fields;
  }



  std::string
  Trainer::checkpoint_failures() const
  {
    if (failed_checkpoints == 0)
      return "";
    return std::to_string(failed_checkpoints) +
           " checkpoint(s) could not be written, the last because: " +
           checkpoint_failure;
  }



  // Resuming needs the mesh of the checkpoint, which it does not hold.
  bool
  Trainer::read_checkpoint(Vector<double> &theta)
  {
    const std::string file = directory + "/checkpoint.txt";
    if (!std::filesystem::exists(file))
      return false;
    if (adaptation && adaptation->enabled())
      throw InputError(
        "'Trainer/Resume = true' with 'Mesh adaptation/Trigger' other than "
        "none is not supported: the checkpoint '" +
        file +
        "' holds no mesh. Set 'Resume = false', or remove the checkpoint to "
        "start afresh.");
    read_checkpoint_file(file,
                         current_fingerprint(),
                         pcout,
                         iteration,
                         theta,
                         *optimizer,
                         objective,
                         history_);
    objective.set_parameters(theta);
    return true;
  }



  const std::vector<Trainer::Record> &
  Trainer::history() const
  {
    return history_.records();
  }
} // namespace npde
