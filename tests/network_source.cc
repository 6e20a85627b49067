// ---------------------------------------------------------------------------
// The network's source G^n = B g^n against a plain FEValues assembly.
//
// On a mesh with hanging nodes (cells left of x = 0.3 refined once more),
// Q1 and Q2, with the input map on: G^n from the state solver's coupling
// matrix B and the batched network values must equal the textbook assembly
//   G^n_i = Σ_cells Σ_q g_θ(t_n, x_q) φ_i(x_q) JxW_q,
// condensed through the same constraints, with g_θ from the plain formula,
// to round-off (1e-13 relative) at the first, a middle and the last level.
// The same in 3D with Q1, and with Gauss-Lobatto points, where a point that
// neighbouring cells share is evaluated once: for Q1 the network is then
// evaluated at exactly the vertices of the (locally owned) cells, hanging
// ones included.
// The test runs on 1 and on 2 MPI ranks.
// ---------------------------------------------------------------------------
#include <deal.II/fe/fe_values.h>

#include <npde/network.h>

#include <array>
#include <set>

#include "tests.h"

using namespace npde;

template <int dim>
void
check(const unsigned int degree, const bool lobatto)
{
  // (0,0.5)×(0,1), or (0,0.5)×(0,1)×(0,1) refined less in 3D.
  const std::string box =
    (dim == 2 ? "0, 0 : 0.5, 1" : "0, 0, 0 : 0.5, 1, 1");
  testing::Forward<dim> run("set Dimension = " + std::to_string(dim) + R"(
subsection Domain
  set Generator name = hyper_rectangle
  set Generator arguments = )" + box + R"( : false
  set Global refinements = )" + (dim == 2 ? "3" : "2") + R"(
end
subsection Time
  set Number of steps = 8
end
subsection State solver
  set Finite element degree = )" + std::to_string(degree) + R"(
  set Source quadrature rule = )" + (lobatto ? "gauss-lobatto" : "gauss") +
                            "\nend\n");
  testing::setup_with_hanging_nodes(*run.problem, 0.3);
  const auto &state = run.problem->state;

  Network network(dim, 30, 0.8, "tanh");
  network.initialize_randomly(1., 1., 4);
  network.set_input_map(0.,
                        1.,
                        std::vector<double>(dim, 0.),
                        (dim == 2 ? std::vector<double>{0.5, 1.} :
                                    std::vector<double>{0.5, 1., 1.}));
  std::vector<Vector<double>> g;
  network.evaluate(state.time_grid().times(),
                   state.source_operators().coordinates(),
                   g);

  const auto           &fe = state.discretization().dof_handler().get_fe();
  const Quadrature<dim> quadrature =
    (lobatto ? Quadrature<dim>(QGaussLobatto<dim>(degree + 1)) :
               Quadrature<dim>(QGauss<dim>(degree + 1)));
  const std::string rule = std::to_string(dim) + "D Q" +
                           std::to_string(degree) + ", " +
                           (lobatto ? "Gauss-Lobatto" : "Gauss");
  FEValues<dim> fe_values(state.discretization().mapping(),
                          fe,
                          quadrature,
                          update_values | update_quadrature_points |
                            update_JxW_values);
  std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
  Vector<double>                       local(fe.n_dofs_per_cell());

  double worst = 0;
  for (const unsigned int n : {0u, 4u, 8u})
    {
      typename StateSolver<dim>::VectorType G(
        state.discretization().dof_handler().locally_owned_dofs(),
        MPI_COMM_WORLD),
        G_reference(state.discretization().dof_handler().locally_owned_dofs(),
                    MPI_COMM_WORLD);
      G = 0.;
      state.source_operators().add_integrals(g[n], G);
      for (const auto &cell :
           state.discretization().dof_handler().active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            local = 0;
            for (unsigned int q = 0; q < quadrature.size(); ++q)
              {
                const Point<dim> x = fe_values.quadrature_point(q);
                const double     v =
                  network.value(state.time_grid().times()[n], &x[0]);
                for (unsigned int i = 0; i < fe.n_dofs_per_cell(); ++i)
                  local(i) += v * fe_values.shape_value(i, q) * fe_values.JxW(q);
              }
            cell->get_dof_indices(dofs);
            state.discretization().constraints().distribute_local_to_global(
              local, dofs, G_reference);
          }
      G_reference.compress(VectorOperation::add);
      const double norm = G_reference.l2_norm();
      G -= G_reference;
      const double error = G.l2_norm() / norm;
      if (!(error <= worst)) // (a NaN makes worst NaN, and the check fail)
        worst = error;
    }
  testing::check(worst < 1e-13,
                 rule + ", hanging nodes: G^n = B g^n equals the FEValues "
                        "assembly to 1e-13 relative");

  // How many points the network is evaluated at: for Gauss, every cell's
  // own; for Gauss-Lobatto, the distinct ones among all cells' points,
  // counted here by exact comparison (on these dyadic meshes the points are
  // exact binary fractions), and for Q1 these are the distinct vertices,
  // hanging ones included. Every rank checks its own points.
  std::set<std::array<double, dim>> distinct;
  std::set<unsigned int>            vertices;
  unsigned int                      n_cells = 0;
  for (const auto &cell :
       state.discretization().dof_handler().active_cell_iterators())
    if (cell->is_locally_owned())
      {
        ++n_cells;
        fe_values.reinit(cell);
        for (unsigned int q = 0; q < quadrature.size(); ++q)
          {
            std::array<double, dim> x;
            for (unsigned int d = 0; d < dim; ++d)
              x[d] = fe_values.quadrature_point(q)[d];
            distinct.insert(x);
          }
        for (const unsigned int v : cell->vertex_indices())
          vertices.insert(cell->vertex_index(v));
      }
  const std::size_t n_points     = state.source_operators().points().size();
  const auto        on_all_ranks = [](const bool ok) {
    return Utilities::MPI::min(ok ? 1 : 0, MPI_COMM_WORLD) == 1;
  };
  if (!lobatto)
    testing::check(on_all_ranks(n_points == n_cells * quadrature.size()),
                   rule + ": the network is evaluated at every cell's points");
  else
    testing::check(on_all_ranks(n_points == distinct.size() &&
                                n_points < n_cells * quadrature.size() &&
                                (degree > 1 || n_points == vertices.size())),
                   rule + ": the network is evaluated once at each distinct "
                          "point" +
                     (degree == 1 ? " (the vertices)" : ""));
}



int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  testing::print_ranks();
  for (const bool lobatto : {false, true})
    {
      check<2>(1, lobatto);
      check<2>(2, lobatto);
      check<3>(1, lobatto);
    }
  return Utilities::MPI::broadcast(MPI_COMM_WORLD, testing::exit_code(), 0);
}
