// ---------------------------------------------------------------------------
// npde's small equivalent of deal.II's tests/tests.h (which deal.II does not
// install).
//
// deal.II's test harness compares a test's output with a stored file by
// numdiff at fixed tolerances, which cannot express "the rate is 2 ± 0.15" or
// "these agree to 1e-10". So every precise check is made here, in the test
// program: it prints a PASS or FAIL line with rounded figures (which numdiff
// then compares), and the program exits non-zero if any check failed.
// ---------------------------------------------------------------------------
#ifndef npde_tests_h
#define npde_tests_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <npde/field_data.h>
#include <npde/fitting_problem.h>
#include <npde/forward_problem.h>
#include <npde/objective.h>
#include <npde/program.h>
#include <npde/taylor_test.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

namespace npde
{
  namespace testing
  {
    inline unsigned int &
    failures()
    {
      static unsigned int n = 0;
      return n;
    }

    /// Print "PASS: what" or "FAIL: what" on rank 0 and count failures.
    inline void
    check(const bool ok, const std::string &what)
    {
      if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
        std::cout << (ok ? "PASS: " : "FAIL: ") << what << std::endl;
      if (!ok)
        ++failures();
    }

    /// Print "ranks: n" on rank 0 (the first line of a test's output).
    inline void
    print_ranks()
    {
      if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
        std::cout << "ranks: "
                  << Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD)
                  << std::endl;
    }

    /// The exit code of a test: non-zero if any check failed.
    inline int
    exit_code()
    {
      return failures() == 0 ? 0 : 1;
    }

    /// Convergence rate between two errors whose mesh sizes differ by @p ratio.
    inline double
    rate(const double coarse, const double fine, const double ratio = 2.)
    {
      return std::log(coarse / fine) / std::log(ratio);
    }

    /// A number rounded to @p digits decimals, as text (stable under numdiff).
    inline std::string
    rounded(const double x, const unsigned int digits = 2)
    {
      std::ostringstream s;
      s << std::fixed << std::setprecision(digits) << x;
      return s.str();
    }

    /// Check that @p measured lies within @p tolerance of @p expected.
    inline void
    check_rate(const double       measured,
               const double       expected,
               const double       tolerance,
               const std::string &what)
    {
      check(std::abs(measured - expected) <= tolerance,
            what + ": rate " + rounded(measured) + " (expected " +
              rounded(expected) + " +- " + rounded(tolerance) + ")");
    }

    /**
     * The Taylor test of @p objective at @p theta in a random direction
     * (seed 7), ε = 1e-2 ... 1e-2/32: the first-order remainder's rates must
     * lie in [1.9, 2.1], the zeroth-order one's in [0.9, 1.1], and ∇J·δθ
     * must equal a central difference to 1e-6 relative.
     */
    template <int dim>
    void
    check_taylor_test(Objective<dim>      &objective,
                      const Vector<double> theta, // a copy: J(θ+εδ) changes
                                                  // the network's own θ
                      const std::string &name)
    {
      Vector<double>                             direction(theta.size());
      boost::random::mt19937                     gen(7);
      boost::random::normal_distribution<double> normal;
      for (auto &d : direction)
        d = normal(gen);

      const TaylorTestResult result =
        taylor_test(objective, theta, direction, 1e-2, 5, 1e-5);
      const auto range = [](const std::vector<double> &rates) {
        return std::make_pair(*std::min_element(rates.begin(), rates.end()),
                              *std::max_element(rates.begin(), rates.end()));
      };
      const auto [min1, max1] = range(result.rates(result.first_order));
      const auto [min0, max0] = range(result.rates(result.zeroth_order));
      check(min1 >= 1.9 && max1 <= 2.1,
            name + ": first-order remainder rates in [" + rounded(min1) + ", " +
              rounded(max1) + "], within [1.9, 2.1]");
      check(min0 >= 0.9 && max0 <= 1.1,
            name + ": zeroth-order remainder rates in [" + rounded(min0) +
              ", " + rounded(max0) + "], within [0.9, 1.1]");
      const double fd_error =
        std::abs(result.directional_derivative - result.central_difference) /
        std::abs(result.central_difference);
      check(fd_error < 1e-6,
            name + ": gradient . direction equals a central difference "
                   "to 1e-6 relative");
    }

    /// The wall time of the fastest of @p repeats runs of @p f (benchmarks).
    template <typename F>
    double
    best_time(const unsigned int repeats, const F &f)
    {
      double best = 1e300;
      for (unsigned int r = 0; r < repeats; ++r)
        {
          Timer timer;
          f();
          timer.stop();
          best = std::min(best, timer.wall_time());
        }
      return best;
    }

    /**
     * A small heat problem on the unit square (8×8 cells, 8 steps), data
     * from a reference simulation driven by a known g*: the setting of the
     * gradient tests (taylor, mesh_adaptation), without "set Dimension".
     */
    inline const std::string unit_square_setting = R"(
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
  set Global refinements = 3
end
subsection Model
  set Constants = eps=0.4
  set Diffusion = 0.05
  set Initial value = 0.3*sin(pi*x)*sin(pi*y)
end
subsection Time
  set End time = 0.5
  set Number of steps = 8
end
subsection Target data
  set Target source = 5*sin(pi*x)*(1-y)*y*(0.5+t)
end
)";

    /// The reference paper's g*, the moving bump on (0,0.5)×(0,1).
    inline const std::string paper_source =
      "800*(1-y)^2*(0.2+0.6*t-y)^2*y^2*(1-2*x)*(2*x)";

    /**
     * The reference paper's setting (the heat equation on a 20×40 Q1 mesh of
     * (0,0.5)×(0,1), 64 steps, data from g*) with the linear solver
     * @p solver, and the Allen–Cahn reaction term to add to it.
     */
    inline std::string
    paper_setting(const std::string &solver = "automatic")
    {
      return R"(
set Dimension = 2
subsection Domain
  set Generator name = subdivided_hyper_rectangle
  set Generator arguments = 20, 40 : 0, 0 : 0.5, 1 : false
  set Global refinements = 0
end
subsection Model
  set Constants = eps=0.32
  set Diffusion = 0.01
  set Initial value = 0.2*sin(2*pi*x/0.5)*sin(2*pi*y)
end
subsection Time
  set End time = 1
  set Number of steps = 64
end
subsection Target data
  set Target source = )" +
             paper_source + R"(
end
subsection State solver
  set Linear solver = )" +
             solver + "\nend\n";
    }

    inline const std::string paper_allen_cahn = R"(
subsection Model
  set Reaction = (u^3 - u)/eps^2
  set Reaction derivative = (3*u^2 - 1)/eps^2
end
)";

    /// The same with inhomogeneous Dirichlet data, so that the constraints
    /// carry values (the Taylor tests).
    inline const std::string allen_cahn_dirichlet =
      paper_allen_cahn + "subsection Model\n"
                         "  set Dirichlet value = 0.1*x*(1+t)\n"
                         "end\n";

    /**
     * A small version of the paper's heat setting for training tests: an
     * 8×8 mesh of (0,0.5)×(0,1), 8 steps, data from g*.
     */
    inline std::string
    small_heat_problem()
    {
      return R"(
set Dimension = 2
subsection Domain
  set Generator name = hyper_rectangle
  set Generator arguments = 0, 0 : 0.5, 1 : false
  set Global refinements = 3
end
subsection Model
  set Diffusion = 0.01
  set Initial value = 0.2*sin(2*pi*x/0.5)*sin(2*pi*y)
end
subsection Time
  set End time = 1
  set Number of steps = 8
end
subsection Target data
  set Target source = )" +
             paper_source + "\nend\n";
    }

    /// A ParameterHandler with every npde parameter, read from @p text.
    inline void
    read_parameters(ParameterHandler &prm, const std::string &text)
    {
      declare_parameters(prm);
      parse_parameter_text(prm, text);
    }

    /**
     * A forward problem built from parameter text, with a silent TimerOutput
     * and screen output, on communicator @p comm.
     */
    template <int dim>
    struct Forward
    {
      Forward(const std::string &text, const MPI_Comm comm = MPI_COMM_WORLD)
        : pcout(std::cout, false)
        , timer(comm, pcout, TimerOutput::never, TimerOutput::wall_times)
      {
        read_parameters(prm, text);
        problem =
          std::make_unique<ForwardProblem<dim>>(prm, comm, timer, pcout);
      }

      ParameterHandler                     prm;
      ConditionalOStream                   pcout;
      TimerOutput                          timer;
      std::unique_ptr<ForwardProblem<dim>> problem;
    };

    /**
     * Create @p problem's mesh, refine once the cells whose centres lie left
     * of x = @p x (hanging nodes; none if no centre lies left of @p x), and
     * set up the state solver. For distributed triangulations (2D, 3D): each
     * rank flags its own cells.
     */
    template <int dim>
    void
    setup_with_hanging_nodes(ForwardProblem<dim> &problem, const double x)
    {
      problem.domain.create_mesh();
      auto &tria = problem.domain.triangulation();
      for (const auto &cell : tria.active_cell_iterators())
        if (cell->is_locally_owned() && cell->center()[0] < x)
          cell->set_refine_flag();
      tria.execute_coarsening_and_refinement();
      problem.setup_state();
    }

    /// The subsection that sets the θ-scheme's ϑ.
    inline std::string
    theta_scheme(const double theta)
    {
      return "subsection Time\n set Theta = " + std::to_string(theta) +
             "\nend\n";
    }

    /**
     * The setting of the gradient tests: the forward problem of @p text,
     * with hanging nodes if asked (the cells left of x = 0.4 refined once),
     * and field data from its reference simulation.
     */
    template <int dim>
    struct GradientCase
    {
      GradientCase(const std::string &text, const bool hanging_nodes)
        : run(text)
      {
        setup_with_hanging_nodes(*run.problem,
                                 hanging_nodes ?
                                   0.4 :
                                   -std::numeric_limits<double>::infinity());
        TargetDataParameters parameters;
        parameters.parse_parameters(run.prm);
        target = std::make_unique<FieldData<dim>>(parameters,
                                                  *run.problem,
                                                  run.timer,
                                                  run.pcout);
        target->setup();
      }

      Forward<dim>                    run;
      std::unique_ptr<FieldData<dim>> target;
    };

    /**
     * What `npde` in training mode sets up (FittingProblem: the forward
     * problem, its data, the network, the objective) from parameter text,
     * silently.
     */
    template <int dim>
    struct Fit
    {
      Fit(const std::string &text, const MPI_Comm comm = MPI_COMM_WORLD)
        : run(text, comm)
        , fitting(run.prm,
                  parsed<NetworkParameters>(run.prm),
                  comm,
                  run.timer,
                  run.pcout)
      {
      }

      Forward<dim>        run;
      FittingProblem<dim> fitting;
    };
  } // namespace testing
} // namespace npde

#endif
