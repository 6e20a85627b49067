// ---------------------------------------------------------------------------
// The same forward problem on 2 MPI ranks and on 1 rank.
//
// Allen–Cahn on a mesh with hanging nodes (the cells left of x = 0.3 are
// refined once more), with the source given as values at the source
// quadrature points, the way the network will give it. Checked:
// - ‖u_h^n‖_L2 at every time level agrees between 2 ranks and 1 rank to
//   1e-10 relative;
// - the source given at points equals the same source given as the parsed
//   expression `Source` (both use the same quadrature), to 1e-12 relative.
// ---------------------------------------------------------------------------
#include "tests.h"

using namespace npde;

const std::string problem = R"(
set Dimension = 2
subsection Domain
  set Generator name = hyper_rectangle
  set Generator arguments = 0, 0 : 0.5, 1 : false
  set Global refinements = 4
end
subsection Model
  set Constants = eps=0.32
  set Diffusion = 0.01
  set Reaction = (u^3 - u)/eps^2
  set Reaction derivative = (3*u^2 - 1)/eps^2
  set Initial value = 0.2*sin(2*pi*x/0.5)*sin(2*pi*y)
end
subsection Time
  set End time = 0.25
  set Number of steps = 8
  set Theta = 0.5
end
)";
const std::string source  = "800*(1-y)^2*(0.2+0.6*t-y)^2*y^2*(1-2*x)*(2*x)";



// L2 norms of all time levels, with the source either parsed or at points.
std::vector<double>
norms(const MPI_Comm comm, const bool source_at_points)
{
  testing::Forward<2> run(problem + "subsection Model\n set Source = " +
                            (source_at_points ? std::string("0") : source) +
                            "\nend\n",
                          comm);
  testing::setup_with_hanging_nodes(*run.problem, 0.3);

  auto &state = run.problem->state;
  if (source_at_points)
    {
      const Expression            g("source", source, {"x", "y", "t"}, {});
      std::vector<Vector<double>> values(
        state.time_grid().n_steps() + 1,
        Vector<double>(state.source_operators().points().size()));
      for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
        for (unsigned int q = 0; q < state.source_operators().points().size();
             ++q)
          {
            const Point<2> &x      = state.source_operators().points()[q];
            const double    xyt[3] = {x[0], x[1], state.time_grid().times()[n]};
            values[n][q]           = g(xyt);
          }
      state.solve(&values);
    }
  else
    state.solve();

  std::vector<double>        result;
  Functions::ZeroFunction<2> zero;
  for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
    result.push_back(state.l2_error(n, zero));
  return result;
}



double
max_relative_difference(const std::vector<double> &a,
                        const std::vector<double> &b)
{
  double d = 0;
  for (unsigned int i = 0; i < a.size(); ++i)
    d = std::max(d, std::abs(a[i] - b[i]) / std::abs(b[i]));
  return d;
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const unsigned int rank = Utilities::MPI::this_mpi_process(MPI_COMM_WORLD);

  const std::vector<double> parallel_parsed = norms(MPI_COMM_WORLD, false);
  const std::vector<double> parallel_points = norms(MPI_COMM_WORLD, true);

  // Rank 0 alone, on its own communicator.
  MPI_Comm self;
  MPI_Comm_split(MPI_COMM_WORLD, rank == 0 ? 0 : MPI_UNDEFINED, 0, &self);
  std::vector<double> serial_points;
  if (rank == 0)
    {
      serial_points = norms(self, true);
      MPI_Comm_free(&self);
    }

  if (rank == 0)
    {
      std::cout << "ranks: " << Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD)
                << ", final ||u_h||_L2 = " << std::setprecision(6)
                << parallel_points.back() << std::endl;
      const double d_ranks =
        max_relative_difference(parallel_points, serial_points);
      const double d_source =
        max_relative_difference(parallel_points, parallel_parsed);
      testing::check(d_ranks < 1e-10,
                     "2 ranks and 1 rank agree to 1e-10 relative at every "
                     "time level");
      testing::check(d_source < 1e-12,
                     "source at points equals the parsed source to 1e-12 "
                     "relative");
    }
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
