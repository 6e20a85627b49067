// ---------------------------------------------------------------------------
// The data misfit and its gradient r^n against the plain quadrature sums.
//
// TargetData computes J_data = Σ_n ω_n ½ Σ_q JxW_q (Φ U^n − h^n)_q² and
// r^n = ω_n Cᵀ Φᵀ W (Φ U^n − h^n) through the interpolant P^n of h and the
// mass matrix M = ΦᵀWΦ (one product M(U^n − P^n) per level, see
// TargetData::setup_interpolant()). Here both are computed the plain way,
// point by point, from h^n at the quadrature points, and must agree to
// 1e-12 relative (plus 1e-14 of the size of the terms they are differences
// of, which is what round-off allows either way):
// - 2D Q1 and Q2 on a mesh with hanging nodes, h from an expression whose
//   boundary values differ from the (time-dependent, nonzero) Dirichlet
//   values, with 1% noise; U from a forward solve with a random network
//   source;
// - 3D Q1 with hanging nodes, h from a reference simulation on a finer mesh;
// - a small misfit: h from a reference simulation on the training mesh with
//   0.01% noise and U from a forward solve driven by g* itself, so that
//   J_data is about 1e-7 of ½Σω∫h²: the terms of the identity must not
//   cancel.
// J_data without r^n (Objective::value's path, through a work vector) must
// be the same number.
// The test runs on 1 and on 2 MPI ranks.
// ---------------------------------------------------------------------------
#include <npde/field_data.h>
#include <npde/network.h>

#include "tests.h"

using namespace npde;

template <int dim>
void
check(const std::string &name, const std::string &text, const bool small_misfit)
{
  testing::Forward<dim> run(text);
  auto                 &problem = *run.problem;
  testing::setup_with_hanging_nodes(problem, 0.2);
  auto &state = problem.state;

  FieldData<dim> target(parsed<TargetDataParameters>(run.prm),
                        problem,
                        run.timer,
                        run.pcout);
  target.setup();

  // The source at the source points: g* itself (for a small misfit), or a
  // random network.
  std::vector<Vector<double>> g;
  if (small_misfit)
    {
      const auto &points = state.source_operators().points();
      g.assign(state.time_grid().n_steps() + 1, Vector<double>(points.size()));
      for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
        for (unsigned int q = 0; q < points.size(); ++q)
          {
            double xt[dim + 1];
            for (unsigned int d = 0; d < dim; ++d)
              xt[d] = points[q][d];
            xt[dim] = state.time_grid().times()[n];
            g[n][q] = (*target.target_source())(xt);
          }
    }
  else
    {
      Network network(dim, 20, 0.8, "tanh");
      network.initialize_randomly(1., 1., 3);
      network.evaluate(state.time_grid().times(),
                       state.source_operators().coordinates(),
                       g);
    }
  state.solve(&g);

  std::vector<typename StateSolver<dim>::VectorType> r;
  const double                                       J = target.value(&r);

  // The plain sums, and ½Σω∫h² for scale.
  const auto &JxW     = state.quadrature_operators().JxW();
  double      J_plain = 0, h_squared = 0, r_difference = 0, r_norm = 0,
         data_norm = 0;
  Vector<double> values;
  for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
    {
      const double omega = problem.state.time_grid().time_weight(n);
      state.quadrature_operators().values(state.state(n), values);
      values -= target.quadrature_values(n);
      for (unsigned int q = 0; q < values.size(); ++q)
        {
          J_plain += 0.5 * omega * values[q] * values[q] * JxW[q];
          h_squared += 0.5 * omega * target.quadrature_values(n)[q] *
                       target.quadrature_values(n)[q] * JxW[q];
        }
      values *= omega;
      auto r_plain = state.discretization().new_vector();
      state.quadrature_operators().add_integrals(values, r_plain);
      r_norm += r_plain.norm_sqr();
      values = target.quadrature_values(n);
      values *= omega;
      auto data_term = state.discretization().new_vector();
      state.quadrature_operators().add_integrals(values, data_term);
      data_norm += data_term.norm_sqr();
      r_plain -= r[n];
      r_difference += r_plain.norm_sqr();
    }
  const MPI_Comm comm = problem.domain.triangulation().get_communicator();
  J_plain             = Utilities::MPI::sum(J_plain, comm);
  h_squared           = Utilities::MPI::sum(h_squared, comm);
  r_difference        = std::sqrt(Utilities::MPI::sum(r_difference, comm));
  r_norm              = std::sqrt(Utilities::MPI::sum(r_norm, comm));
  data_norm           = std::sqrt(Utilities::MPI::sum(data_norm, comm));
  // r^n is a difference of terms of the size of ω_n B_Q h^n, whatever the
  // method: round-off of 1e-16 of those is what it can be held to, and
  // this is much larger than 1e-12 of r^n only when the misfit is small.
  const bool r_ok = r_difference <= 1e-12 * r_norm + 1e-14 * data_norm;

  // Likewise J_data: 1e-12 of itself plus 1e-14 of sqrt(J_data · ½Σω∫h²),
  // the size of the round-off of its cross terms.
  const double J_error = std::abs(J - J_plain) / J_plain;
  const bool   J_ok    = std::abs(J - J_plain) <=
                    1e-12 * J_plain + 1e-14 * std::sqrt(J_plain * h_squared);
  testing::check(J_ok,
                 name + ": J_data equals the plain quadrature sum to 1e-12 "
                        "relative (plus 1e-14 of sqrt(J_data int h^2))");
  testing::check(r_ok,
                 name + ": r^n equal the plain quadrature sums to 1e-12 "
                        "relative (plus 1e-14 of omega_n B_Q h^n)");
  testing::check(target.value() == J,
                 name + ": J_data without r^n is the same number");
  if (small_misfit)
    testing::check(J < 1e-6 * h_squared,
                   name + ": J_data is below 1e-6 of 1/2 sum omega int h^2");
  if (!J_ok || !r_ok)
    if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
      std::cout << "   J relative error " << J_error << ", r relative error "
                << r_difference / r_norm << std::endl;
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  testing::print_ranks();

  // Dirichlet values that move with t, and h with other boundary values.
  const auto expression_data = [](const unsigned int degree) {
    return R"(
set Dimension = 2
subsection Domain
  set Generator name = hyper_rectangle
  set Generator arguments = 0, 0 : 0.5, 1 : false
  set Global refinements = 3
end
subsection Model
  set Diffusion = 0.02
  set Initial value = 0.1*x + 0.2*sin(2*pi*x/0.5)*sin(2*pi*y)
  set Dirichlet value = 0.1*x*(1+t)
end
subsection Time
  set End time = 0.5
  set Number of steps = 8
end
subsection State solver
  set Finite element degree = )" +
           std::to_string(degree) + R"(
end
subsection Target data
  set Source = expression
  set Expression = 0.3*cos(3*x + t)*exp(y) - 0.1
  set Noise level = 0.01
end
)";
  };
  check<2>("2D Q1, expression data", expression_data(1), false);
  check<2>("2D Q2, expression data", expression_data(2), false);

  check<3>("3D Q1, reference on a finer mesh",
           R"(
set Dimension = 3
subsection Domain
  set Generator name = hyper_cube
  set Generator arguments = 0 : 1 : false
  set Global refinements = 2
end
subsection Model
  set Diffusion = 0.05
  set Initial value = sin(pi*x)*sin(pi*y)*sin(pi*z)
end
subsection Time
  set End time = 0.5
  set Number of steps = 4
end
subsection Target data
  set Target source = 3*x*y*(1+t)
  set Reference extra refinements = 1
end
)",
           false);

  check<2>("2D Q1, small misfit",
           testing::small_heat_problem() + R"(
subsection Target data
  set Noise level = 0.0001
end
)",
           true);
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
