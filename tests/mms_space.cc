// ---------------------------------------------------------------------------
// Spatial convergence of the state solver with manufactured solutions.
//
// Each solution is linear in t, u = (1+t)·ψ(x): its semi-discrete
// counterpart is almost linear in t, so backward Euler adds almost nothing
// and the L2 error at the final time shows the spatial rate p+1. Cases:
// Q1 and Q2 on the unit square (with variable diffusion; Q2 also with
// advection), Q1 on the unit disk (curved boundary, MappingQ), Q1 in 1D and
// Q1 in 3D. Each rate between consecutive refinements must lie within ±0.15
// of p+1.
// ---------------------------------------------------------------------------
#include "tests.h"

using namespace npde;

template <int dim>
void
check_spatial_rates(const std::string               &name,
                    const std::string               &prm_text,
                    const std::string               &exact,
                    const std::vector<unsigned int> &refinements,
                    const double                     expected_rate)
{
  std::vector<double> errors;
  for (const unsigned int r : refinements)
    {
      testing::Forward<dim> run(prm_text +
                                "\nsubsection Domain\n set Global "
                                "refinements = " +
                                std::to_string(r) + "\nend\n");
      run.problem->setup();
      run.problem->state.solve();
      std::vector<std::string> variables = coordinate_names(dim);
      variables.push_back("t");
      ExpressionFunction<dim> u(
        Expression("exact solution", exact, variables, {{"pi", numbers::PI}}));
      errors.push_back(
        run.problem->state.l2_error(run.problem->state.time_grid().n_steps(),
                                    u));
      std::cout << name << ": refinements " << r << ", dofs "
                << run.problem->state.discretization().dof_handler().n_dofs()
                << ", L2 error " << std::scientific << std::setprecision(2)
                << errors.back() << std::defaultfloat << std::endl;
    }
  for (unsigned int i = 1; i < errors.size(); ++i)
    testing::check_rate(testing::rate(errors[i - 1], errors[i]),
                        expected_rate,
                        0.15,
                        name + ", refinements " +
                          std::to_string(refinements[i - 1]) + " -> " +
                          std::to_string(refinements[i]));
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);

  const std::string time = R"(
subsection Time
  set End time = 0.5
  set Number of steps = 2
end
)";

  // The unit square, a = 1 + x/2, u = (1+t)(sin πx sin πy + xy):
  //   s = u_t − ∇·(a∇u) + b·∇u.
  {
    const std::string u  = "(1+t)*(sin(pi*x)*sin(pi*y) + x*y)";
    const std::string ux = "(1+t)*(pi*cos(pi*x)*sin(pi*y) + y)";
    const std::string uy = "(1+t)*(pi*sin(pi*x)*cos(pi*y) + x)";
    const std::string s_diffusion =
      "(sin(pi*x)*sin(pi*y) + x*y) + (1+0.5*x)*(1+t)*2*pi^2*sin(pi*x)*sin(pi*y)"
      " - 0.5*" +
      ux;
    const std::string square = R"(
set Dimension = 2
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
end
subsection Model
  set Diffusion = 1 + 0.5*x
  set Dirichlet value = )" + u +
                               R"(
  set Initial value = )" + u + R"(
end
)" + time;
    check_spatial_rates<2>("2D square, Q1",
                           square + "subsection Model\n set Source = " +
                             s_diffusion + "\nend\n",
                           u,
                           {3, 4, 5, 6},
                           2.);
    check_spatial_rates<2>(
      "2D square, Q2, advection b = (1, 0.5)",
      square + "subsection Model\n set Advection = 1; 0.5\n set Source = " +
        s_diffusion + " + " + ux + " + 0.5*" + uy +
        "\nend\nsubsection State solver\n set Finite element degree = 2\nend\n",
      u,
      {2, 3, 4, 5},
      3.);
  }

  // The unit disk, a curved boundary: u = (1+t) sin x cos y, −Δ(sin x cos y)
  // = 2 sin x cos y.
  {
    const std::string u    = "(1+t)*sin(x)*cos(y)";
    const std::string disk = R"(
set Dimension = 2
subsection Domain
  set Generator name = hyper_ball
  set Generator arguments = 0, 0 : 1 : false
end
subsection Model
  set Source = sin(x)*cos(y) + (1+t)*2*sin(x)*cos(y)
  set Dirichlet value = )" + u +
                             R"(
  set Initial value = )" + u +
                             R"(
end
)" + time;
    check_spatial_rates<2>(
      "2D disk (curved boundary), Q1", disk, u, {2, 3, 4, 5}, 2.);
  }

  // 1D: u = (1+t)(sin πx + x).
  {
    const std::string u    = "(1+t)*(sin(pi*x) + x)";
    const std::string line = R"(
set Dimension = 1
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
end
subsection Model
  set Source = sin(pi*x) + x + (1+t)*pi^2*sin(pi*x)
  # In 1D, deal.II gives the right end of hyper_cube boundary id 1.
  set Dirichlet boundary ids = 0, 1
  set Dirichlet value = )" + u +
                             R"(
  set Initial value = )" + u +
                             R"(
end
)" + time;
    check_spatial_rates<1>("1D, Q1", line, u, {4, 5, 6, 7}, 2.);
  }

  // 3D: u = (1+t)(sin πx sin πy sin πz + xyz).
  {
    const std::string u    = "(1+t)*(sin(pi*x)*sin(pi*y)*sin(pi*z) + x*y*z)";
    const std::string cube = R"(
set Dimension = 3
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
end
subsection Model
  set Source = sin(pi*x)*sin(pi*y)*sin(pi*z) + x*y*z + (1+t)*3*pi^2*sin(pi*x)*sin(pi*y)*sin(pi*z)
  set Dirichlet value = )" + u +
                             R"(
  set Initial value = )" + u +
                             R"(
end
)" + time;
    check_spatial_rates<3>("3D cube, Q1", cube, u, {2, 3, 4}, 2.);
  }

  return testing::exit_code();
}
