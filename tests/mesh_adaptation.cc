// ---------------------------------------------------------------------------
// Mesh adaptation rounds (MeshAdaptation): the exact gradient on adapted
// meshes, and what a round does to the loss.
//
// For each case (2D heat, Crank–Nicolson, dual-weighted indicators; 2D
// Allen–Cahn, backward Euler, state + data indicators, coarsening too; 3D
// heat, state indicators; 1D heat on a parallel::shared mesh), at a random θ with data from a reference
// simulation on a finer mesh:
// - one round of MeshAdaptation::refine() on the trajectory at θ must add
//   dofs and leave hanging nodes (in 2D and 3D: the mesh is adapted, not
//   uniform) and a maximum level within 'Maximum level';
// - the loss at the same θ changes by no more than the discretisation error
//   of the loss on the starting mesh, estimated as |J_h(θ) − J_{h/2}(θ)|
//   with J_{h/2} on the starting mesh refined once more everywhere; both
//   are printed;
// - the Taylor test on the adapted mesh: remainder rates 2 and 1, and ∇J·δθ
//   equal to a central difference to 1e-6.
// The program runs on 1 and on 2 MPI ranks (mesh_adaptation.mpirun=2.output).
// ---------------------------------------------------------------------------
#include <deal.II/dofs/dof_tools.h>

#include <npde/mesh_adaptation.h>

#include "tests.h"

using namespace npde;

// The Taylor tests' setting, with data from a reference simulation on a
// mesh of its own, and mesh adaptation.
const std::string base = testing::unit_square_setting + R"(
subsection Target data
  set Reference extra refinements = 2
end
subsection Mesh adaptation
  set Trigger = every
  set Refine fraction = 0.3
  set Maximum level = 5
end
)";



// A small network, the same in every case.
const std::string small_network = R"(
subsection Network
  set Number of neurons = 8
  set Beta = 1
  set Random seed = 3
end
)";



template <int dim>
void
run_case(const std::string &name,
         const std::string &text,
         const std::string &finer_text)
{
  testing::Fit<dim>    fit(text + small_network);
  auto                &problem   = fit.fitting.problem;
  auto                &objective = fit.fitting.objective;
  const Vector<double> theta     = fit.fitting.network.parameters();

  const auto parameters =
    parsed<MeshAdaptationParameters>(fit.run.prm);
  MeshAdaptation<dim> adaptation(
    parameters, problem, *fit.fitting.misfit, objective, fit.run.pcout);

  Vector<double> gradient;
  const double   J_before    = objective.value_and_gradient(theta, gradient);
  const auto     dofs_before =
    problem.state.discretization().dof_handler().n_dofs();
  adaptation.refine();
  const double J_after = objective.value(theta);

  // Hanging nodes, summed over the ranks.
  AffineConstraints<double> hanging;
  DoFTools::make_hanging_node_constraints(
    problem.state.discretization().dof_handler(), hanging);
  const unsigned int n_hanging = Utilities::MPI::sum(
    static_cast<unsigned int>(hanging.n_constraints()), MPI_COMM_WORLD);
  const unsigned int levels = problem.domain.triangulation().n_global_levels();
  // (1D meshes have no hanging nodes.)
  testing::check((n_hanging > 0 || dim == 1) &&
                   levels - 1 <= parameters.max_level &&
                   problem.state.discretization().dof_handler().n_dofs() >
                     dofs_before,
                 name + ": the round refined locally (hanging nodes, more "
                        "dofs, levels within the maximum)");

  // The discretisation error of the loss on the starting mesh.
  testing::Fit<dim> finer(text + finer_text + small_network);
  const double J_finer = finer.fitting.objective.value(theta);
  const double change  = std::abs(J_after - J_before) / J_before;
  const double error   = std::abs(J_finer - J_before) / J_before;
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::cout << name << ": loss before " << J_before << ", after "
              << J_after << ", on the finer mesh " << J_finer << std::endl;
  testing::check(change <= error,
                 name + ": the loss at the same theta changed by " +
                   testing::rounded(100 * change, 1) +
                   " %, within the discretisation error estimate " +
                   testing::rounded(100 * error, 1) + " %");

  testing::check_taylor_test(objective, theta, name + " (adapted mesh)");
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  testing::print_ranks();
  std::cout << std::setprecision(4);

  // The finer meshes keep the reference mesh (and so the data) unchanged.
  const std::string finer =
    "subsection Domain\n set Global refinements = 4\nend\n"
    "subsection Target data\n set Reference extra refinements = 1\nend\n";
  run_case<2>("2D heat, Crank-Nicolson, dual weighted",
              "set Dimension = 2\n" + base +
                "subsection Time\n set Theta = 0.5\nend\n"
                "subsection Mesh adaptation\n set Indicator = dual weighted\n"
                "end\n",
              finer);
  run_case<2>("2D Allen-Cahn, backward Euler, state and data, coarsening",
              "set Dimension = 2\n" + base +
                testing::allen_cahn_dirichlet + R"(
subsection Mesh adaptation
  set Include data = true
  set Coarsen fraction = 0.05
  set Minimum level = 2
end
)",
              finer);
  run_case<3>("3D heat, Crank-Nicolson, state",
              "set Dimension = 3\n" + base + R"(
subsection Domain
  set Global refinements = 2
end
subsection Model
  set Initial value = 0.3*sin(pi*x)*sin(pi*y)*z
end
subsection Time
  set Theta = 0.5
end
subsection Target data
  set Reference extra refinements = 1
end
subsection Mesh adaptation
  set Maximum level = 3
end
)",
              "subsection Domain\n set Global refinements = 3\nend\n"
              "subsection Target data\n set Reference extra refinements = 0\n"
              "end\n");
  // 1D: a parallel::shared mesh, whose ranks must all flag the same cells.
  const std::string one_d = R"(
set Dimension = 1
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
  set Global refinements = 4
end
subsection Model
  set Diffusion = 0.01
  set Initial value = sin(pi*x)
  set Dirichlet boundary ids = 0, 1
end
subsection Time
  set End time = 0.5
  set Number of steps = 16
end
subsection Target data
  set Target source = 5*exp(-50*(x-0.3-0.5*t)^2)
  set Reference extra refinements = 3
end
subsection Mesh adaptation
  set Indicator = dual weighted
  set Maximum level = 7
end
)";
  run_case<1>("1D heat, backward Euler, dual weighted",
              one_d,
              "subsection Domain\n set Global refinements = 5\nend\n"
              "subsection Target data\n set Reference extra refinements = 2\n"
              "end\n");
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
