// ---------------------------------------------------------------------------
// Benchmark of multilevel training (issue: adaptive meshes during training).
//
// The reference paper's heat problem (D = (0,0.5)×(0,1), diffusion 0.01, the
// moving-bump g*, 64 time steps, N = 100, β = 2/3) with L-BFGS (history 50, inputs mapped
// to [−1, 1]), data from a reference simulation on a 40×80 Q1 mesh. Two
// runs, one after the other in this process, each until its relative RMSE on
// the 40×80 mesh reaches the target:
// - fine:       training on the 40×80 mesh from the start;
// - multilevel: training on 10×20, refined everywhere (20×40) and again
//               (40×80), 'Mesh adaptation/Refinement = global', once with
//               rounds on a fixed schedule and once with rounds when the
//               loss stalls (the best loss improved by less than 10 % over
//               50 iterations).
// It prints the wall time of each run's training loop (set-up, including
// the reference simulation, excluded from both; it is the same for both),
// their iterations, and the ratio. The issue's target is a ratio of 3 or
// more.
//
//   build/benchmarks/multilevel_benchmark [target RMSE [schedule]]
//   (defaults: 1e-3 and "300, 600")
// ---------------------------------------------------------------------------
#include <npde/mesh_adaptation.h>
#include <npde/trainer.h>

#include "tests.h"

#include <filesystem>

using namespace npde;

struct Result
{
  double       seconds;
  unsigned int iterations, iterations_on_finest;
  double       rmse;
  unsigned int n_dofs;
};

Result
train(const std::string &text)
{
  testing::Fit<2> fit(text);
  auto           &run     = fit.run;
  auto           &fitting = fit.fitting;
  std::filesystem::create_directories("npde-output/multilevel_benchmark");
  Trainer           trainer(parsed<TrainerParameters>(run.prm),
                  parsed<OptimizerParameters>(run.prm),
                  fitting.objective,
                  "npde-output/multilevel_benchmark",
                  MPI_COMM_WORLD,
                  run.pcout);
  MeshAdaptation<2> adaptation(parsed<MeshAdaptationParameters>(run.prm),
                               fitting.problem,
                               *fitting.misfit,
                               fitting.objective,
                               run.pcout);
  trainer.set_mesh_adaptation(adaptation, {});
  trainer.run();

  const auto  &history = trainer.history();
  const auto  &last    = history.back();
  // Iterations on the final mesh: rows whose predecessor was on it too (the
  // row of a round itself is an evaluation, not an iteration).
  unsigned int on_finest = 0;
  for (unsigned int i = 1; i < history.size(); ++i)
    on_finest += (history[i].column("n_dofs") == last.column("n_dofs") &&
                  history[i - 1].column("n_dofs") == last.column("n_dofs"));
  return {last.wall_time,
          last.iteration,
          on_finest,
          last.column("relative_rmse"),
          static_cast<unsigned int>(last.column("n_dofs"))};
}

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, numbers::invalid_unsigned_int);
  const std::string target   = argc > 1 ? argv[1] : "1e-3";
  const std::string schedule = argc > 2 ? argv[2] : "300, 600";

  const std::string common = testing::paper_setting() + R"(
subsection Network
  set Number of neurons    = 100
  set Beta                 = 0.6666666666666667
  set Map inputs to [-1,1] = true
end
subsection Optimizer
  set Method         = lbfgs
  set L-BFGS history = 50
end
subsection Trainer
  set Number of iterations = 3000
  set Print every          = 100000
  set Checkpoint every     = 100000
  set Target relative RMSE = )" + target + R"(
end
subsection Domain
  set Generator arguments = 10, 20 : 0, 0 : 0.5, 1 : false
end
)";
  const Result fine = train(common + R"(
subsection Domain
  set Global refinements = 2
end
)");
  const std::string coarse = common + R"(
subsection Domain
  set Global refinements = 0
end
subsection Target data
  set Reference extra refinements = 2
end
subsection Mesh adaptation
  set Maximum number of rounds = 2
  set Refinement               = global
end
)";
  const Result scheduled = train(coarse + R"(
subsection Mesh adaptation
  set Trigger  = schedule
  set Schedule = )" + schedule + R"(
end
)");
  const Result stalled = train(coarse + R"(
subsection Mesh adaptation
  set Trigger         = stall
  set Interval        = 50
  set Stall tolerance = 0.1
end
)");

  std::cout << "Multilevel training on the paper's heat setting (N = 100, "
               "L-BFGS), until the relative RMSE on the 40x80 mesh is at most "
            << target << "\n\n"
            << std::left << std::setw(44) << "run" << std::setw(12)
            << "seconds" << std::setw(12) << "iterations" << std::setw(20)
            << "on the 40x80 mesh" << std::setw(12) << "rel. RMSE"
            << "dofs\n";
  const auto row = [](const std::string &name, const Result &r) {
    std::cout << std::left << std::setw(44) << name << std::setw(12)
              << testing::rounded(r.seconds) << std::setw(12) << r.iterations
              << std::setw(20) << r.iterations_on_finest << std::setw(12)
              << r.rmse << r.n_dofs << '\n';
  };
  row("fine (40x80 from the start)", fine);
  row("multilevel, rounds after " + schedule, scheduled);
  row("multilevel, rounds when the loss stalls", stalled);
  std::cout << "\nspeed-up: " << testing::rounded(fine.seconds / scheduled.seconds)
            << "x with the schedule, "
            << testing::rounded(fine.seconds / stalled.seconds)
            << "x when the loss stalls (target: 3x)" << std::endl;
  return 0;
}
