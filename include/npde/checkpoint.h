// ---------------------------------------------------------------------------
// npde: the checkpoint file (format 3).
//
//   npde-checkpoint 3
//   belongs-to <m>            m lines "name value": what the checkpoint
//   <name> <value>            belongs to (the fingerprint)
//   iteration <i>
//   theta <P> θ_1 ... θ_P
//   <the optimiser's state>   (Optimizer::save)
//   <the functional's state>  (ReducedFunctional::save: the misfit's, which
//                             field data do not have)
//   history <R>               R rows of the training history, separated by
//   <row> ...                 spaces (TrainingHistory::write_rows)
//
// written with 17 significant digits, so that a resumed run continues
// bitwise. Format 2 (earlier npde) lacks the belongs-to block and is still
// read, with a warning. The history rows have the columns of the run that
// reads them: a checkpoint of a run with other columns belongs to another
// run, which the fingerprint says first.
// ---------------------------------------------------------------------------
#ifndef npde_checkpoint_h
#define npde_checkpoint_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/lac/vector.h>

#include <npde/optimizer.h>
#include <npde/training_history.h>

#include <string>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  using Fingerprint = std::vector<std::pair<std::string, std::string>>;

  /// The text of a checkpoint.
  std::string
  checkpoint_text(const Fingerprint       &fingerprint,
                  const unsigned int       iteration,
                  const Vector<double>    &theta,
                  const Optimizer         &optimizer,
                  const ReducedFunctional &functional,
                  const TrainingHistory   &history);

  /**
   * Read the checkpoint @p file into @p iteration, @p theta (whose size is
   * that of this run's θ), @p optimizer and @p history. Throws an
   * InputError that says what to do if the file is damaged, of another
   * version, or belongs to another run than @p fingerprint says.
   */
  void
  read_checkpoint_file(const std::string  &file,
                       const Fingerprint  &fingerprint,
                       ConditionalOStream &pcout,
                       unsigned int       &iteration,
                       Vector<double>     &theta,
                       Optimizer          &optimizer,
                       ReducedFunctional  &functional,
                       TrainingHistory    &history);
} // namespace npde

#endif
