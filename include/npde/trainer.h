// ---------------------------------------------------------------------------
// npde: the training loop (doc/design.md section 5).
//
// Every iteration: one trial θ from the optimiser, one forward sweep, one
// backward sweep (the exact gradient), and the decision:
// - a trial whose forward solve fails (Newton does not converge, values are
//   not finite) or whose loss explodes (more than `Divergence factor` times
//   the current loss) is rejected, the learning rate cut, and training goes
//   on — nothing is clamped to hide a blow-up;
// - L-BFGS may also ask for a shorter step (Armijo backtracking);
// - otherwise the trial becomes the new θ.
// Every iteration gets a row in the history (iteration, loss, the columns
// the reduced functional contributes — the relative RMSE, the number of
// dofs —, gradient norm, learning rate, wall time, accepted), printed every
// k iterations and written to history.csv. Every m iterations a checkpoint
// (θ, the optimiser's state, the iteration count and the history) is written
// to a temporary file and renamed. Training is deterministic for a fixed
// number of ranks and threads, so a run resumed from a checkpoint produces
// the same history as one that was never stopped.
//
// With mesh adaptation (MeshAdaptation), a round may follow an iteration:
// the mesh changes, θ stays, the loss and gradient are evaluated again at θ
// on the new mesh (a history row with the same iteration number and the new
// number of dofs), and the optimiser restarts (Optimizer::restart()).
// ---------------------------------------------------------------------------
#ifndef npde_trainer_h
#define npde_trainer_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <npde/adaptation_rounds.h>
#include <npde/optimizer.h>
#include <npde/reduced_functional.h>
#include <npde/trainer_parameters.h>
#include <npde/training_history.h>

#include <functional>
#include <iosfwd>

#include <string>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  /**
   * The training loop. It sees the reduced functional J(θ) over a vector θ
   * (reduced_functional.h) and, if asked to, the rounds of mesh adaptation
   * (adaptation_rounds.h): no mesh, no network, no dimension.
   */
  class Trainer
  {
  public:
    /// One row of the training history.
    using Record = TrainingHistory::Record;

    Trainer(const TrainerParameters   &parameters,
            const OptimizerParameters &optimizer_parameters,
            ReducedFunctional         &objective,
            const std::string         &output_directory,
            const MPI_Comm             communicator,
            ConditionalOStream        &pcout);

    /**
     * Adapt the mesh during training, in the rounds @p adaptation asks for.
     * Before each round, at the current θ, @p before_round(r) is called with
     * the number r of rounds so far (the output of the mesh that is about
     * to change). Resuming from a checkpoint is not supported with mesh
     * adaptation (the checkpoint holds no mesh).
     */
    void
    set_mesh_adaptation(AdaptationRounds                        &adaptation,
                        const std::function<void(unsigned int)> &before_round);

    /**
     * Train until `Number of iterations`. With `Resume = true` and a
     * checkpoint in the output directory, continue from it. @p stop_after
     * ends the run after that iteration without a final checkpoint, as a kill
     * would (for tests).
     */
    void
    run(const unsigned int stop_after = numbers::invalid_unsigned_int);

    /**
     * What a checkpoint belongs to, as (name, value) pairs without spaces:
     * the checkpoint records them, and resuming from a checkpoint whose
     * fields differ is an error that names the field.
     */
    void
    set_fingerprint(
      const std::vector<std::pair<std::string, std::string>> &fields);

    /// Empty if every checkpoint was written; otherwise what went wrong.
    std::string
    checkpoint_failures() const;

    const std::vector<Record> &
    history() const;

  private:
    void
    write_checkpoint(const Vector<double> &theta);
    std::vector<std::pair<std::string, std::string>>
    current_fingerprint() const;
    bool
    resume(Vector<double> &theta);
    bool
    evaluate_trial(const Vector<double> &trial,
                   const double          J,
                   double               &trial_J,
                   Vector<double>       &trial_gradient,
                   std::string          &why);
    [[noreturn]] void
    stop_after_rejections(const unsigned int rejections,
                          const std::string &why) const;
    bool
    read_checkpoint(Vector<double> &theta);
    Record
    make_record(const double loss,
                const double gradient_norm,
                const double wall_time,
                const bool   accepted,
                const bool   evaluated) const;
    void
    record_point(const double          J,
                 const Vector<double> &gradient,
                 const Timer          &clock);
    void
    adapt_mesh(const Vector<double> &theta,
               double               &J,
               Vector<double>       &gradient,
               const Timer          &clock);

    const TrainerParameters           parameters;
    ReducedFunctional                &objective;
    const std::string                 directory;
    const MPI_Comm                    communicator;
    ConditionalOStream               &pcout;
    std::unique_ptr<Optimizer>        optimizer;
    unsigned int                      iteration = 0;
    TrainingHistory                   history_;
    AdaptationRounds                 *adaptation = nullptr;
    std::function<void(unsigned int)> before_round;
    // The losses of the accepted iterations since the last round.
    std::vector<double> round_losses;
    // What a checkpoint belongs to (set_fingerprint()), and the checkpoints
    // that could not be written.
    std::vector<std::pair<std::string, std::string>> fingerprint;
    unsigned int                                     failed_checkpoints = 0;
    std::string                                      checkpoint_failure;
    // The wall time of the checkpoint a resumed run started from.
    double time_offset = 0.;
  };

} // namespace npde

#endif
