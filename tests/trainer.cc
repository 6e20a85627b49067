// ---------------------------------------------------------------------------
// The trainer and its optimisers on a small heat problem.
//
// - Gradient descent, Adam and L-BFGS each reduce the loss by 10% or more in
//   15 iterations.
// - Gradient descent follows the gradient flow: one step of size 2α and two
//   of size α differ by O(α²), so halving α quarters the difference.
// - Random-feature mode leaves w^t, w and η bitwise untouched.
// - A run killed between checkpoints and resumed reproduces the history of an
//   uninterrupted run bitwise (loss, RMSE, gradient norm, learning rate).
// - A divergent learning rate is caught (steps rejected, rate cut) and
//   training recovers.
// - On 2 ranks (trainer.mpirun=2.output): the first 20 gradient-descent
//   iterations equal those on 1 rank to 1e-10 relative.
// ---------------------------------------------------------------------------
#include <npde/trainer.h>

#include "tests.h"

#include <cstring>
#include <filesystem>

using namespace npde;

const std::string problem_text = testing::small_heat_problem() + R"(
subsection Trainer
  set Print every = 1000
  set Checkpoint every = 5
end
)";

// Everything a training run needs, built from parameter text: a network
// of 6 neurons (β = 1, seed 2) and the small heat problem.
struct Training : testing::Fit<2>
{
  Training(const std::string &extra, const MPI_Comm comm = MPI_COMM_WORLD)
    : testing::Fit<2>(problem_text +
                        "subsection Network\n set Number of neurons = 6\n"
                        " set Beta = 1\n set Random seed = 2\nend\n" +
                        extra,
                      comm)
    , network(fitting.network)
    , objective(fitting.objective)
  {}

  std::vector<Trainer::Record>
  train(const std::string &directory,
        const unsigned int stop_after = numbers::invalid_unsigned_int)
  {
    std::filesystem::create_directories(directory);
    Trainer trainer(parsed<TrainerParameters>(run.prm),
                    parsed<OptimizerParameters>(run.prm),
                    objective,
                    directory,
                    fitting.problem.domain.triangulation().get_communicator(),
                    run.pcout);
    trainer.run(stop_after);
    return trainer.history();
  }

  Network      &network;
  Objective<2> &objective;
};

std::string
optimizer(const std::string &method, const double rate, const unsigned int n)
{
  return "subsection Optimizer\n set Method = " + method +
         "\n set Learning rate = " + std::to_string(rate) +
         "\nend\nsubsection Trainer\n set Number of iterations = " +
         std::to_string(n) + "\nend\n";
}

bool
same_history(const std::vector<Trainer::Record> &a,
             const std::vector<Trainer::Record> &b)
{
  if (a.size() != b.size())
    return false;
  for (unsigned int i = 0; i < a.size(); ++i)
    {
      const double x[4] = {a[i].loss,
                           a[i].column("relative_rmse"),
                           a[i].gradient_norm,
                           a[i].learning_rate};
      const double y[4] = {b[i].loss,
                           b[i].column("relative_rmse"),
                           b[i].gradient_norm,
                           b[i].learning_rate};
      if (a[i].iteration != b[i].iteration || a[i].accepted != b[i].accepted ||
          std::memcmp(x, y, sizeof x) != 0)
        return false;
    }
  return true;
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const unsigned int rank = Utilities::MPI::this_mpi_process(MPI_COMM_WORLD);
  const bool parallel     = Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD) > 1;
  testing::print_ranks();

  if (parallel)
    {
      // 20 gradient-descent iterations on 2 ranks and on rank 0 alone.
      Training   two(optimizer("gradient descent", 2., 20));
      const auto h2 = two.train("npde-output/trainer_two_ranks");
      MPI_Comm   self;
      MPI_Comm_split(MPI_COMM_WORLD, rank == 0 ? 0 : MPI_UNDEFINED, 0, &self);
      if (rank == 0)
        {
          Training   one(optimizer("gradient descent", 2., 20), self);
          const auto h1 = one.train("npde-output/trainer_one_rank");
          double     d  = 0;
          for (unsigned int i = 0; i < h1.size(); ++i)
            d = std::max(d, std::abs(h1[i].loss - h2[i].loss) / h1[i].loss);
          testing::check(h1.size() == 21 && h2.size() == 21 && d < 1e-10,
                         "2 ranks reproduce the 20 gradient-descent "
                         "iterations of 1 rank to 1e-10 relative");
          MPI_Comm_free(&self);
        }
      return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
    }

  // Every optimiser reduces the loss.
  for (const auto &m : {std::make_pair("gradient descent", 2.),
                        std::make_pair("adam", 0.05),
                        std::make_pair("lbfgs", 1.)})
    {
      Training   t(optimizer(m.first, m.second, 15));
      const auto h = t.train(std::string("npde-output/trainer_") + m.first);
      testing::check(h.back().loss < 0.9 * h.front().loss,
                     std::string(m.first) + " reduces the loss by 10% or more "
                                            "in 15 iterations");
    }

  // Gradient descent is the discretised gradient flow.
  {
    Training             t(optimizer("gradient descent", 1., 1));
    const Vector<double> theta0 = t.network.parameters();
    Vector<double>       g0, g1;
    t.objective.value_and_gradient(theta0, g0);
    std::vector<double> differences;
    for (const double alpha : {0.4, 0.2, 0.1})
      {
        Vector<double> one_step = theta0, two_steps = theta0;
        one_step.add(-2. * alpha, g0);
        two_steps.add(-alpha, g0);
        t.objective.value_and_gradient(two_steps, g1);
        two_steps.add(-alpha, g1);
        one_step -= two_steps;
        differences.push_back(one_step.l2_norm());
      }
    const double r1 = differences[0] / differences[1];
    const double r2 = differences[1] / differences[2];
    testing::check(std::abs(r1 - 4.) < 0.4 && std::abs(r2 - 4.) < 0.4,
                   "one step of 2 alpha vs two of alpha: halving alpha divides "
                   "the difference by " +
                     testing::rounded(r1, 1) + ", " + testing::rounded(r2, 1) +
                     " (expected 4)");
  }

  // Random features.
  {
    Training             t(optimizer("adam", 0.05, 5) +
               "subsection Optimizer\n set Random features = true\nend\n");
    const Vector<double> before = t.network.parameters();
    t.train("npde-output/trainer_random_features");
    const Vector<double> &after = t.network.parameters();
    const unsigned int    o     = t.network.block_offset(Network::Block::w_t);
    const bool            hidden_same =
      std::memcmp(before.begin() + o,
                  after.begin() + o,
                  sizeof(double) * (before.size() - o)) == 0;
    bool c_changed = false;
    for (unsigned int i = 0; i < t.network.n_neurons(); ++i)
      c_changed = c_changed || before[i] != after[i];
    testing::check(hidden_same && c_changed,
                   "random features: w^t, w, eta untouched, c trained");
  }

  // Kill and resume.
  {
    std::filesystem::remove_all("npde-output/trainer_resumed");
    Training   uninterrupted(optimizer("adam", 0.05, 12));
    const auto h = uninterrupted.train("npde-output/trainer_uninterrupted");
    Training   killed(optimizer("adam", 0.05, 12));
    killed.train("npde-output/trainer_resumed", 8); // last checkpoint: 5
    Training   resumed(optimizer("adam", 0.05, 12) +
                     "subsection Trainer\n set Resume = true\nend\n");
    const auto h_resumed = resumed.train("npde-output/trainer_resumed");
    testing::check(same_history(h, h_resumed),
                   "a run killed after iteration 8 and resumed from the "
                   "checkpoint of iteration 5 reproduces the uninterrupted "
                   "history bitwise");
  }

  // A divergent learning rate.
  {
    Training     t(optimizer("gradient descent", 1e6, 30));
    const auto   h        = t.train("npde-output/trainer_divergent");
    unsigned int rejected = 0;
    for (const auto &r : h)
      rejected += r.accepted ? 0 : 1;
    double last = h.front().loss;
    for (const auto &r : h)
      if (r.accepted)
        last = r.loss;
    testing::check(rejected > 0 && last < h.front().loss,
                   "a divergent learning rate is rejected, cut, and training "
                   "recovers");
  }
  return testing::exit_code();
}
