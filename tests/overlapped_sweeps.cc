// ---------------------------------------------------------------------------
// The overlapped sweeps (Objective::forward, value_and_gradient): on one rank
// with two threads and a linear problem, a second thread computes the misfit
// level by level while the forward sweep runs, and the network's weights
// while the adjoint sweep runs. J and ∇J must be bitwise those of the plain
// order (misfit after the sweep, weights after the adjoint), on the paper's
// heat setting with backward Euler and with Crank–Nicolson (where μ^n needs
// Λ^n and Λ^{n+1}). Also, the gradient must agree with a central finite
// difference (1e-6 relative), so that "bitwise the same" is not the same
// wrong thing twice.
// ---------------------------------------------------------------------------
#include <deal.II/base/multithread_info.h>

#include <npde/objective.h>

#include "tests.h"

#include <limits>

using namespace npde;

void
check(const std::string &name, const std::string &extra)
{
  testing::Fit<2> fit(testing::paper_setting() + extra + R"(
subsection Network
  set Number of neurons = 20
  set Beta = 0.6666666666666667
  set Random seed = 3
end
)");
  auto &objective = fit.fitting.objective;
  AssertThrow(MultithreadInfo::n_threads() > 1,
              ExcMessage("this test needs two threads"));

  Vector<double> theta = fit.fitting.network.parameters();
  Vector<double> plain_gradient, overlapped_gradient;
  objective.allow_overlapped_sweeps(false);
  AssertThrow(!objective.overlap_sweeps(), ExcInternalError());
  const double plain = objective.value_and_gradient(theta, plain_gradient);
  objective.allow_overlapped_sweeps(true);
  AssertThrow(objective.overlap_sweeps(), ExcInternalError());
  // Twice: the second call reuses r^n and the weights from the first.
  double overlapped = 0;
  for (unsigned int repeat = 0; repeat < 2; ++repeat)
    {
      overlapped = objective.value_and_gradient(theta, overlapped_gradient);
      Vector<double> difference = overlapped_gradient;
      difference -= plain_gradient;
      std::cout << (overlapped == plain && difference.linfty_norm() == 0. ?
                      "PASS: " :
                      "FAIL: ")
                << name << ", call " << repeat + 1
                << ": J and grad J are bitwise those of the plain order"
                << std::endl;
      if (overlapped != plain || difference.linfty_norm() != 0.)
        std::cout << "   J difference " << overlapped - plain
                  << ", largest gradient difference "
                  << difference.linfty_norm() << std::endl;
    }

  // A forward sweep that fails (here: a θ with a NaN, so Newton's residual
  // is not finite at step 1) while the second thread waits for level 1:
  // the second thread must be stopped and the error passed on, and the
  // next call must give the same result as before.
  {
    Vector<double> broken = theta, unused;
    broken[0]             = std::numeric_limits<double>::quiet_NaN();
    bool thrown           = false;
    try
      {
        objective.value_and_gradient(broken, unused);
      }
    catch (const InputError &)
      {
        thrown = true;
      }
    const double again = objective.value_and_gradient(theta, unused);
    std::cout << (thrown && again == plain ? "PASS: " : "FAIL: ") << name
              << ": a failed sweep stops the second thread, is reported, "
                 "and the next call is unaffected"
              << std::endl;
  }

  // The gradient against a central difference in a fixed direction.
  Vector<double> direction(theta.size());
  for (unsigned int i = 0; i < direction.size(); ++i)
    direction[i] = std::sin(1.7 * i + 0.3);
  const double         h         = 1e-4 * theta.l2_norm() / direction.l2_norm();
  Vector<double>       plus = theta, minus = theta, unused;
  plus.add(h, direction);
  minus.add(-h, direction);
  const double central = (objective.value_and_gradient(plus, unused) -
                          objective.value_and_gradient(minus, unused)) /
                         (2 * h);
  const double derivative = overlapped_gradient * direction;
  const double relative = std::abs(central - derivative) / std::abs(central);
  std::cout << (relative < 1e-6 ? "PASS: " : "FAIL: ") << name
            << ": the overlapped gradient matches a central difference to "
               "1e-6 relative"
            << std::endl;
  if (relative >= 1e-6)
    std::cout << "   relative difference " << relative << std::endl;
}

int
main(int argc, char **argv)
{
  // Two threads: the overlap needs a second one.
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 2);
  check("heat, paper setting", "");
  check("heat, Crank-Nicolson", R"(
subsection Time
  set Theta = 0.5
end
)");
  return 0;
}
