// ---------------------------------------------------------------------------
// npde: the training loop (DESIGN.md section 5).
//
// Every iteration: one trial θ from the optimiser, one forward sweep, one
// backward sweep (the exact gradient), and the decision:
// - a trial whose forward solve fails (Newton does not converge, values are
//   not finite) or whose loss explodes (more than `Divergence factor` times
//   the current loss) is rejected, the learning rate cut, and training goes
//   on — nothing is clamped to hide a blow-up;
// - L-BFGS may also ask for a shorter step (Armijo backtracking);
// - otherwise the trial becomes the new θ.
// Every iteration gets a row in the history (iteration, loss, relative RMSE,
// gradient norm, learning rate, wall time, accepted), printed every k
// iterations and written to history.csv. Every m iterations a checkpoint
// (θ, the optimiser's state, the iteration count and the history) is written
// to a temporary file and renamed. Training is deterministic for a fixed
// number of ranks and threads, so a run resumed from a checkpoint produces
// the same history as one that was never stopped.
// ---------------------------------------------------------------------------
#ifndef npde_trainer_h
#define npde_trainer_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <npde/objective.h>
#include <npde/optimizer.h>

#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Trainer`.
  struct TrainerParameters
  {
    unsigned int n_iterations      = 100;
    unsigned int print_every       = 1;
    unsigned int checkpoint_every  = 50;
    bool         resume            = false;
    double       divergence_factor = 10.;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class Trainer
  {
  public:
    /// One row of the training history.
    struct Record
    {
      unsigned int iteration;
      double       loss;
      double       relative_rmse;
      double       gradient_norm;
      double       learning_rate;
      double       wall_time;
      bool         accepted;
    };

    Trainer(const TrainerParameters   &parameters,
            const OptimizerParameters &optimizer_parameters,
            Objective<dim>            &objective,
            Network                   &network,
            const std::string         &output_directory,
            const MPI_Comm             communicator,
            ConditionalOStream        &pcout);

    /**
     * Train until `Number of iterations`. With `Resume = true` and a
     * checkpoint in the output directory, continue from it. @p stop_after
     * ends the run after that iteration without a final checkpoint, as a kill
     * would (for tests).
     */
    void
    run(const unsigned int stop_after = numbers::invalid_unsigned_int);

    const std::vector<Record> &
    history() const;

  private:
    void
    write_checkpoint(const Vector<double> &theta) const;
    bool
    read_checkpoint(Vector<double> &theta);
    void
    write_history() const;
    void
    print(const Record &record) const;

    const TrainerParameters parameters;
    Objective<dim>         &objective;
    Network                &network;
    const std::string       directory;
    const MPI_Comm          communicator;
    ConditionalOStream     &pcout;
    Optimizer               optimizer;
    unsigned int            iteration = 0;
    std::vector<Record>     records;
  };

  /// The mean-field factor N^{2β−1} of the learning rate.
  double
  mean_field_scale(const Network &network);
} // namespace npde

#endif
