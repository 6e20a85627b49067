// ---------------------------------------------------------------------------
// npde: the parameters of subsection `Trainer`: the number of iterations,
// the progress line, checkpoints and resume, the divergence guard, the
// target relative RMSE and the limit of rejections in a row.
// ---------------------------------------------------------------------------
#ifndef npde_trainer_parameters_h
#define npde_trainer_parameters_h

#include <deal.II/base/parameter_handler.h>

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
    double       target_rmse       = 0.;
    unsigned int max_rejections    = 30;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };
} // namespace npde

#endif
