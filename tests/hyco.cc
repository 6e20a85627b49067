// ---------------------------------------------------------------------------
// HYCO (doc/design.md section 11): the exact gradients of both models and
// the epochs.
//
// A small heat problem whose physical model has trainable constants in a,
// b and s (and, in the second case, the network in the source as well),
// fitted to a table of sensors; the synthetic model a small network:
// - J_P equals w_d J_obs + (λ_P/2)⟨(u_P − u_S)²⟩_G evaluated directly (J_obs
//   from a plain training set-up of the same data) to 1e-12;
// - a trial that the trainer rejects leaves θ_S and J_P bitwise as they
//   were; an accepted one starts the next epoch (θ_S moved);
// - the Taylor test of J_P in θ_P with u_S fixed (rates 2 and 1, a central
//   difference to 1e-6), and of J_S in θ_S with u_P fixed;
// - on 2 ranks, J_P, ∇J_P and J_S equal those of one rank to 1e-10.
// ---------------------------------------------------------------------------
#include <npde/fitting_problem.h>
#include <npde/interaction_misfit.h>
#include <npde/taylor_test.h>

#include "tests.h"

#include <boost/random/normal_distribution.hpp>

#include <fstream>

using namespace npde;



// Sensors at pseudo-random points of the unit square, at 9 common times in
// [0, 1], h = sin(2x)cos(y)(1+t); written on rank 0.
void
write_sensors(const std::string &file, const unsigned int n, double a)
{
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    {
      std::ofstream out(file);
      out << std::setprecision(17) << "t,x,y,value\n";
      std::vector<double> x(2 * n);
      for (double &v : x)
        {
          a = std::fmod(a * 97.31 + 0.4142, 1.);
          v = 0.02 + 0.96 * a;
        }
      for (unsigned int k = 0; k <= 8; ++k)
        for (unsigned int i = 0; i < n; ++i)
          {
            const double t = k / 8.;
            out << t << ',' << x[2 * i] << ',' << x[2 * i + 1] << ','
                << std::sin(2 * x[2 * i]) * std::cos(x[2 * i + 1]) * (1 + t)
                << '\n';
          }
    }
  MPI_Barrier(MPI_COMM_WORLD);
}



std::string
setting(const std::string &mode, const bool network)
{
  return R"(
set Dimension = 2
set Mode = )" + mode +
         R"(
subsection Domain
  set Generator name      = hyper_cube
  set Generator arguments = 0 : 1 : false
  set Global refinements  = 3
end
subsection Model
  set Constants              = D=0.05, A=1.5, c=0.3
  set Trainable constants    = D, A, c
  set Diffusion              = D*(1 + 0.5*x)
  set Advection              = c; 0.1
  set Source                 = A*sin(pi*x)*sin(pi*y)
  set Initial value          = sin(pi*x)*sin(pi*y)
  set Dirichlet boundary ids = 0
  set Dirichlet value        = 0
end
subsection Time
  set End time        = 1
  set Number of steps = 6
  set Theta           = 0.5
end
subsection Target data
  set Source           = observations
  set Observation file = hyco_sensors.csv
  set Validation file  = hyco_validation.csv
  set True constants   = D=0.1, A=2, c=0
end
subsection Network
  set Add to source        = )" +
         (network ? "true" : "false") + R"(
  set Number of neurons    = 6
  set Map inputs to [-1,1] = true
end
subsection HYCO
  set Data weight                  = 2
  set Physical interaction weight  = 3
  set Synthetic interaction weight = 5
  set Synthetic regularization     = 1e-3
  set Interaction points           = 7
  set Interaction region           = 0,0 : 0.6,1
  subsection Synthetic network
    set Number of neurons    = 12
    set Map inputs to [-1,1] = true
    set Random seed          = 3
  end
  subsection Synthetic optimizer
    set Learning rate = 0.05
  end
end
)";
}



// J_S's Taylor test in θ_S, u_P fixed (the one of J_P is the objective's).
template <int dim>
void
check_synthetic_taylor(SyntheticModel<dim> &model, const std::string &name)
{
  const Vector<double> theta = model.network().parameters();
  Vector<double>       gradient, direction(theta.size());
  boost::random::mt19937                     gen(11);
  boost::random::normal_distribution<double> normal;
  for (auto &d : direction)
    d = normal(gen);
  const double J = model.value(theta, &gradient);
  const double dJ = gradient * direction;
  std::vector<double> first;
  for (double eps = 1e-2; eps > 1e-2 / 40; eps /= 2)
    {
      Vector<double> moved = theta;
      moved.add(eps, direction);
      first.push_back(std::abs(model.value(moved) - J - eps * dJ));
    }
  double min_rate = 1e9, max_rate = 0;
  for (unsigned int i = 1; i < first.size(); ++i)
    {
      const double r = std::log2(first[i - 1] / first[i]);
      min_rate = std::min(min_rate, r);
      max_rate = std::max(max_rate, r);
    }
  model.value(theta);
  testing::check(min_rate >= 1.9 && max_rate <= 2.1,
                 name + ": J_S's first-order remainder rates in [" +
                   testing::rounded(min_rate) + ", " +
                   testing::rounded(max_rate) + "], within [1.9, 2.1]");
}



struct Figures
{
  double         J_P, J_S;
  Vector<double> gradient;
};



template <int dim>
Figures
run_case(const std::string &name,
         const bool         network,
         const MPI_Comm     comm,
         const bool         checks)
{
  testing::Fit<dim> hyco(setting("hyco", network), comm);
  auto             &objective = hyco.fitting.objective;
  auto &misfit = dynamic_cast<InteractionMisfit<dim> &>(*hyco.fitting.misfit);
  const Vector<double> theta = objective.parameters();
  Vector<double>       gradient;
  double               J_P = objective.value_and_gradient(theta, gradient);

  if (checks)
    {
      // J_P against its definition: J_obs from plain training of the same
      // data, ⟨(u_P − u_S)²⟩ from the two models at the points.
      testing::Fit<dim> plain(setting("train", network), comm);
      const double      J_obs = plain.fitting.objective.value(theta);
      const std::vector<double> u_P = misfit.physical_at_interaction_points();
      const std::vector<double> u_S = misfit.synthetic().interaction_values();
      double                    mean = 0.;
      for (unsigned int i = 0; i < u_P.size(); ++i)
        mean += (u_P[i] - u_S[i]) * (u_P[i] - u_S[i]) / u_P.size();
      const double direct = 2. * J_obs + 0.5 * 3. * mean;
      testing::check(std::abs(J_P - direct) <= 1e-12 * direct &&
                       u_P.size() == 6 * 7,
                     name + ": J_P equals w_d J_obs + (lambda_P/2) <(u_P - "
                            "u_S)^2>_G to 1e-12");
    }

  // A rejected trial takes its synthetic steps back; an accepted one
  // begins the next epoch.
  const Vector<double> theta_S = misfit.synthetic().network().parameters();
  Vector<double>       trial   = theta;
  trial.add(0.01, gradient);
  objective.begin_trial();
  objective.value(trial);
  const bool moved = misfit.synthetic().network().parameters() != theta_S;
  objective.end_trial(false);
  const bool restored = misfit.synthetic().network().parameters() == theta_S &&
                        objective.value(theta) == J_P && misfit.epoch() == 0;
  objective.begin_trial();
  objective.value(trial);
  objective.end_trial(true);
  if (checks)
    {
      testing::check(moved && restored,
                     name + ": a rejected trial leaves theta_S and J_P "
                            "bitwise as they were");
      testing::check(misfit.epoch() == 1 &&
                       misfit.synthetic().network().parameters() != theta_S,
                     name + ": an accepted trial begins epoch 1");
      testing::check_taylor_test(objective, theta, name + ", J_P");
      check_synthetic_taylor(misfit.synthetic(), name);
    }
  objective.value_and_gradient(theta, gradient);
  return {J_P,
          misfit.synthetic().value(misfit.synthetic().network().parameters()),
          gradient};
}



template <int dim>
void
run(const std::string &name, const bool network)
{
  const Figures all = run_case<dim>(name, network, MPI_COMM_WORLD, true);
  Figures       one = all;
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    one = run_case<dim>(name, network, MPI_COMM_SELF, false);
  double difference = std::abs(all.J_P - one.J_P) / std::abs(one.J_P) +
                      std::abs(all.J_S - one.J_S) / std::abs(one.J_S);
  Vector<double> d = all.gradient;
  d -= one.gradient;
  difference += d.l2_norm() / one.gradient.l2_norm();
  difference = Utilities::MPI::max(difference, MPI_COMM_WORLD);
  testing::check(difference <= 1e-10,
                 name + ": J_P, grad J_P and J_S on all ranks equal those "
                        "on one rank to 1e-10");
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  testing::print_ranks();
  write_sensors("hyco_sensors.csv", 12, 0.1234);
  write_sensors("hyco_validation.csv", 5, 0.777);
  run<2>("constants", false);
  run<2>("constants and network", true);
  return testing::exit_code();
}
