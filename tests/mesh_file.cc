// ---------------------------------------------------------------------------
// Domains from mesh files, with a manifold attached by parameter.
//
// The coarse mesh of an annulus (hyper_shell, 0.5 < r < 1) is written as a
// Gmsh .msh and as a UCD .inp file; npde reads each through
// `Mesh source = file`, attaches `Manifolds = 0 : spherical : 0, 0`, and
// refines. Checked:
// - every boundary vertex of the refined mesh lies on r = 0.5 or r = 1
//   (to 1e-12): the manifold from the parameter is in effect; without it
//   the refined boundary stays polygonal, which the test also confirms;
// - a manufactured solution converges with rate 2 ± 0.15 for Q1 on the mesh
//   read from the file.
// ---------------------------------------------------------------------------
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_out.h>

#include "tests.h"

#include <fstream>

using namespace npde;

double
max_distance_from_circles(const parallel::TriangulationBase<2> &tria)
{
  double d = 0;
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const unsigned int f : cell->face_indices())
        if (cell->face(f)->at_boundary())
          for (const unsigned int v : cell->face(f)->vertex_indices())
            {
              const double r = cell->face(f)->vertex(v).norm();
              d = std::max(d, std::min(std::abs(r - 0.5), std::abs(r - 1.)));
            }
  return Utilities::MPI::max(d, tria.get_communicator());
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);

  {
    Triangulation<2> coarse;
    GridGenerator::hyper_shell(coarse, Point<2>(), 0.5, 1., 8);
    GridOut       grid_out;
    std::ofstream msh("annulus.msh");
    msh.precision(17);
    grid_out.write_msh(coarse, msh);
    std::ofstream ucd("annulus.inp");
    ucd.precision(17);
    grid_out.write_ucd(coarse, ucd);
  }

  const std::string u       = "(1+t)*sin(x)*cos(y)";
  const std::string problem = R"(
set Dimension = 2
subsection Model
  set Source = sin(x)*cos(y) + (1+t)*2*sin(x)*cos(y)
  set Dirichlet value = )" + u +
                              R"(
  set Initial value = )" + u + R"(
end
subsection Time
  set End time = 0.5
  set Number of steps = 2
end
)";

  for (const std::string file : {"annulus.msh", "annulus.inp"})
    {
      const std::string from_file = problem +
                                    "subsection Domain\n set Mesh source = "
                                    "file\n set Mesh file = " +
                                    file + "\n";
      {
        testing::Forward<2> with(from_file +
                                 " set Manifolds = 0 : spherical : 0, 0\n"
                                 " set Global refinements = 3\nend\n");
        with.problem->domain.create_mesh();
        testing::Forward<2> without(from_file +
                                    " set Global refinements = 3\nend\n");
        without.problem->domain.create_mesh();
        testing::check(max_distance_from_circles(
                         with.problem->domain.triangulation()) < 1e-12,
                       file + ": with the manifold, refined boundary vertices "
                              "lie on the circles");
        testing::check(max_distance_from_circles(
                         without.problem->domain.triangulation()) > 1e-3,
                       file + ": without it, they do not");
      }

      std::vector<double> errors;
      for (const unsigned int r : {2, 3, 4})
        {
          testing::Forward<2> run(from_file +
                                  " set Manifolds = 0 : spherical : 0, 0\n"
                                  " set Global refinements = " +
                                  std::to_string(r) + "\nend\n");
          run.problem->setup();
          run.problem->state.solve();
          ExpressionFunction<2> exact(
            Expression("exact solution", u, {"x", "y", "t"}, {}));
          errors.push_back(run.problem->state.l2_error(2, exact));
        }
      for (unsigned int i = 1; i < errors.size(); ++i)
        testing::check_rate(testing::rate(errors[i - 1], errors[i]),
                            2.,
                            0.15,
                            file + ", Q1, refinement " + std::to_string(i + 1) +
                              " -> " + std::to_string(i + 2));
    }
  return testing::exit_code();
}
