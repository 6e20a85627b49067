// ---------------------------------------------------------------------------
// npde: the parameters of subsection `Trainer` (see trainer_parameters.h).
// ---------------------------------------------------------------------------
#include <npde/expression.h>
#include <npde/trainer_parameters.h>

namespace npde
{
  void
  TrainerParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Trainer");
    {
      prm.declare_entry("Number of iterations",
                        "100",
                        Patterns::Integer(0),
                        "Training iterations (each one forward and one "
                        "adjoint sweep; rejected trials count too).");
      prm.declare_entry("Print every",
                        "1",
                        Patterns::Integer(1),
                        "Print a progress line every k iterations.");
      prm.declare_entry("Checkpoint every",
                        "50",
                        Patterns::Integer(1),
                        "Write checkpoint.txt and history.csv every m "
                        "iterations (atomically).");
      prm.declare_entry("Resume",
                        "false",
                        Patterns::Bool(),
                        "Continue from the checkpoint in the output directory "
                        "if there is one.");
      prm.declare_entry("Divergence factor",
                        "10",
                        Patterns::Double(1.),
                        "A trial whose loss exceeds this factor times the "
                        "current loss is rejected like a failed solve.");
      prm.declare_entry("Target relative RMSE",
                        "0",
                        Patterns::Double(0.),
                        "Stop early once an accepted iterate's relative RMSE "
                        "is at most this, on the final mesh (after every "
                        "mesh adaptation round). 0: run all iterations.");
      prm.declare_entry("Maximum consecutive rejections",
                        "30",
                        Patterns::Integer(1),
                        "Stop with an error after this many trial steps in a "
                        "row were rejected (each one cuts the learning rate "
                        "by 'Optimizer/Rejection factor'): training makes no "
                        "progress, and something is to be changed.");
    }
    prm.leave_subsection();
  }



  void
  TrainerParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Trainer");
    {
      n_iterations      = prm.get_integer("Number of iterations");
      print_every       = prm.get_integer("Print every");
      checkpoint_every  = prm.get_integer("Checkpoint every");
      resume            = prm.get_bool("Resume");
      divergence_factor = prm.get_double("Divergence factor");
      target_rmse       = prm.get_double("Target relative RMSE");
      max_rejections    = prm.get_integer("Maximum consecutive rejections");
    }
    prm.leave_subsection();
  }
} // namespace npde
