// ---------------------------------------------------------------------------
// npde: the forward problem, θ-scheme + Newton (DESIGN.md section 2).
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <deal.II/dofs/dof_tools.h>

#include <deal.II/fe/fe_values.h>

#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/sparsity_tools.h>

#include <deal.II/numerics/rtree.h>
#include <deal.II/numerics/vector_tools.h>

#include <npde/input_check.h>
#include <npde/state_solver.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>

namespace npde
{
  void
  TimeParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Time");
    {
      prm.declare_entry("End time",
                        "1",
                        Patterns::Double(0.,
                                         Patterns::Double::max_double_value),
                        "T: the problem is solved on (0, T].");
      prm.declare_entry("Number of steps",
                        "64",
                        Patterns::Integer(1),
                        "K: the number of time steps; there are K+1 time "
                        "levels t_n = nT/K.");
      prm.declare_entry("Theta",
                        "1",
                        Patterns::Double(0.5, 1.),
                        "The theta-scheme's parameter: 1 is backward Euler, "
                        "0.5 is Crank-Nicolson.");
    }
    prm.leave_subsection();
  }



  void
  TimeParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Time");
    {
      end_time = prm.get_double("End time");
      n_steps  = prm.get_integer("Number of steps");
      theta    = prm.get_double("Theta");
      // (The pattern cannot say "greater than 0".)
      if (!(end_time > 0.))
        throw InputError("'Time/End time' = " + prm.get("End time") +
                         ": the end time T must be greater than 0 (the "
                         "problem is solved on (0, T]).");
    }
    prm.leave_subsection();
  }



  void
  StateSolverParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("State solver");
    {
      prm.declare_entry("Finite element degree",
                        "1",
                        Patterns::Integer(1, 3),
                        "p of the continuous Q_p elements; the mapping is "
                        "MappingQ(p).");
      prm.declare_entry(
        "Source quadrature points",
        "0",
        Patterns::Integer(0, 10),
        "Points per direction of the quadrature Q_g at which the network "
        "source is evaluated; 0 means p+1.");
      prm.declare_entry(
        "Source quadrature rule",
        "gauss",
        Patterns::Selection("gauss|gauss-lobatto"),
        "gauss: Gauss points, inside the cells; with p+1 points exact for a "
        "source in Q_p times a test function on affine cells. "
        "gauss-lobatto: Gauss-Lobatto points, which include the cells' "
        "vertices, and a point that neighbouring cells share is evaluated "
        "once. With p+1 points they are the nodes of the Q_p element, so the "
        "network is evaluated at the mesh's nodes, as in finite-difference "
        "codes (for Q1 this lumps the source's mass matrix: not exact for a "
        "Q1 source, but of the order of the Q1 solution). It needs at least "
        "2 points per direction.");
      prm.declare_entry("Maximum Newton iterations",
                        "20",
                        Patterns::Integer(1),
                        "Newton's iteration limit per time step.");
      prm.declare_entry("Newton relative tolerance",
                        "1e-12",
                        Patterns::Double(0.),
                        "Newton stops when ‖R^n‖ <= max(relative tolerance "
                        "* ‖R^n(initial guess)‖, absolute tolerance).");
      prm.declare_entry("Newton absolute tolerance",
                        "1e-14",
                        Patterns::Double(0.),
                        "The absolute floor of Newton's test: R^n at the "
                        "initial guess can already be tiny.");
      prm.declare_entry("Memory limit (MB)",
                        "8192",
                        Patterns::Double(0.),
                        "The trajectory U^0..U^K is kept in memory; a run "
                        "that would need more than this stops at start-up.");
      LinearSolverParameters::declare_parameters(prm);
    }
    prm.leave_subsection();
  }



  void
  StateSolverParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("State solver");
    {
      degree                    = prm.get_integer("Finite element degree");
      source_quadrature_points  = prm.get_integer("Source quadrature points");
      source_gauss_lobatto =
        (prm.get("Source quadrature rule") == "gauss-lobatto");
      if (source_gauss_lobatto && source_quadrature_points == 1)
        throw InputError(
          "'State solver/Source quadrature points' = 1 does not work with "
          "'State solver/Source quadrature rule' = gauss-lobatto, whose "
          "points include both ends of each cell: set 2 or more (or 0 for "
          "p+1), or use the rule gauss.");
      max_newton_iterations     = prm.get_integer("Maximum Newton iterations");
      newton_relative_tolerance = prm.get_double("Newton relative tolerance");
      newton_absolute_tolerance = prm.get_double("Newton absolute tolerance");
      memory_limit_mb           = prm.get_double("Memory limit (MB)");
      linear_solver.parse_parameters(prm);
    }
    prm.leave_subsection();
  }



  namespace
  {
    // Q_g as the parameters say: n points per direction (0 means p+1), Gauss
    // or Gauss–Lobatto.
    template <int dim>
    Quadrature<dim>
    source_rule(const StateSolverParameters &parameters)
    {
      const unsigned int n = (parameters.source_quadrature_points > 0 ?
                                parameters.source_quadrature_points :
                                parameters.degree + 1);
      if (parameters.source_gauss_lobatto)
        return QGaussLobatto<dim>(n);
      return QGauss<dim>(n);
    }
  } // namespace



  namespace
  {
    // The first input value that makes no sense, as a message naming the
    // parameter and the point: each rank keeps the first it meets, and
    // throw_if_any() then reports it on all ranks.
    template <int dim>
    void
    note_bad_value(std::string       &message,
                   const std::string &parameter,
                   const std::string &formula,
                   const double       value,
                   const Point<dim>  &x,
                   const double       t,
                   const std::string &what)
    {
      if (!message.empty())
        return;
      std::ostringstream out;
      out << "Parameter '" << parameter << "' = \"" << formula << "\" gives "
          << value << " at x = (" << x << ")";
      if (t >= 0)
        out << ", t = " << t;
      out << ": " << what;
      message = out.str();
    }

    const std::string not_finite =
      "the value is not finite. Change the expression so that it is "
      "defined everywhere in the domain (and for all times in [0, T]).";
  } // namespace



  template <int dim>
  StateSolver<dim>::StateSolver(
    const StateSolverParameters            &parameters,
    const TimeParameters                   &time_parameters,
    const Model<dim>                       &model,
    const parallel::TriangulationBase<dim> &triangulation,
    TimerOutput                            &timer,
    ConditionalOStream                     &pcout)
    : parameters(parameters)
    , time_parameters(time_parameters)
    , model(model)
    , triangulation(triangulation)
    , communicator(triangulation.get_communicator())
    , timer(timer)
    , pcout(pcout)
    , fe(parameters.degree)
    , mapping_q(parameters.degree)
    , quadrature(parameters.degree + 1)
    , source_quadrature(source_rule<dim>(parameters))
    , dofs(triangulation)
    , linear_solver(parameters.linear_solver)
  {
  }



  template <int dim>
  void
  StateSolver<dim>::setup()
  {
    TimerOutput::Scope t(timer, "state: setup");

    // Uniform steps: every step uses the very same k (not t_n − t_{n−1},
    // which differs in the last bits), so that "the matrix has not changed"
    // is an exact statement.
    const double k = time_parameters.end_time / time_parameters.n_steps;
    time_levels.resize(time_parameters.n_steps + 1);
    step_sizes.assign(time_parameters.n_steps + 1, k);
    for (unsigned int n = 0; n <= time_parameters.n_steps; ++n)
      time_levels[n] =
        (n == time_parameters.n_steps ? time_parameters.end_time : n * k);

    setup_dofs_and_constraints();
    product_buffer.reinit(locally_owned_dofs, communicator);
    newton_residual.reinit(locally_owned_dofs, communicator);
    newton_update.reinit(locally_owned_dofs, communicator);

    // The trajectory is the big memory item of npde: say how big it is
    // before allocating it, and stop if it exceeds the limit.
    const double megabytes = trajectory_memory() / 1048576.;
    pcout << "   Trajectory: " << time_levels.size() << " time levels x "
          << dofs.n_dofs() << " dofs = " << megabytes << " MB" << std::endl;
    if (megabytes > parameters.memory_limit_mb)
      throw InputError(
        "The trajectory U^0..U^K needs " + std::to_string(megabytes) +
        " MB, more than 'State solver/Memory limit (MB)' = " +
        std::to_string(parameters.memory_limit_mb) +
        ". Use fewer time steps or a coarser mesh, or raise the limit.");

    setup_cell_data();
    setup_point_coupling(source_quadrature,
                         false,
                         parameters.source_gauss_lobatto,
                         source_coupling);
    setup_point_coupling(quadrature, true, false, misfit_coupling);
    operators.clear();
    mass_operator = &operator_matrix(1., 0., false);
    setup_known_sources_and_boundary_values();

    trajectory.assign(time_levels.size(),
                      VectorType(locally_owned_dofs, communicator));

    // U^0 interpolates u_0, then takes the Dirichlet values at t_0 and
    // conforming hanging-node values. It does not depend on θ, so it is
    // computed once per mesh rather than in every forward sweep.
    initial_state.reinit(locally_owned_dofs, communicator);
    VectorTools::interpolate(mapping_q,
                             dofs,
                             model.initial_value(),
                             initial_state);
    {
      std::string bad_value;
      for (const auto i : locally_owned_dofs)
        if (!std::isfinite(initial_state(i)))
          {
            note_bad_value(bad_value,
                           "Model/Initial value",
                           model.formula("Model/Initial value"),
                           initial_state(i),
                           support_point(i),
                           0.,
                           not_finite);
            break;
          }
      throw_if_any(communicator, bad_value);
    }
    apply_constraints(0, initial_state);
    jacobian_is_constant = model.reaction_derivative_is_constant();
    jacobian_step        = -1.;
  }



  template <int dim>
  void
  StateSolver<dim>::setup_dofs_and_constraints()
  {
    // A Dirichlet id that no boundary face carries would silently make the
    // problem a Neumann problem there. (get_boundary_ids() is collective.)
    const std::vector<types::boundary_id> mesh_ids =
      triangulation.get_boundary_ids();
    for (const types::boundary_id id : model.dirichlet_boundary_ids())
      if (std::find(mesh_ids.begin(), mesh_ids.end(), id) == mesh_ids.end())
        {
          std::string list;
          for (const types::boundary_id m : mesh_ids)
            list += (list.empty() ? "" : ", ") + std::to_string(m);
          throw InputError(
            "Parameter 'Model/Dirichlet boundary ids' names the boundary id " +
            std::to_string(id) + ", but the mesh has no boundary face with " +
            "that id. Its boundary ids are: " + list +
            ". Give ids from this list (a generator numbers the boundary "
            "parts only with 'colorize = true'; a Gmsh file takes them from "
            "its physical groups), or leave the list empty for a pure "
            "Neumann problem.");
        }

    dofs.distribute_dofs(fe);
    locally_owned_dofs = dofs.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dofs, locally_relevant_dofs);

    hanging_node_constraints.clear();
    hanging_node_constraints.reinit(locally_relevant_dofs);
    DoFTools::make_hanging_node_constraints(dofs, hanging_node_constraints);
    hanging_node_constraints.close();
    // distribute() is collective (it imports ghost values): every rank must
    // call it if any has a hanging node.
    has_hanging_nodes =
      Utilities::MPI::max(hanging_node_constraints.n_constraints() > 0 ? 1u :
                                                                         0u,
                          communicator) > 0;

    homogeneous_constraints.clear();
    homogeneous_constraints.reinit(locally_relevant_dofs);
    DoFTools::make_hanging_node_constraints(dofs, homogeneous_constraints);
    for (const types::boundary_id id : model.dirichlet_boundary_ids())
      VectorTools::interpolate_boundary_values(mapping_q,
                                               dofs,
                                               id,
                                               Functions::ZeroFunction<dim>(),
                                               homogeneous_constraints);
    homogeneous_constraints.close();
    no_constraints.clear();
    no_constraints.close();

    DynamicSparsityPattern dsp(locally_relevant_dofs);
    DoFTools::make_sparsity_pattern(dofs, dsp, homogeneous_constraints, false);
    SparsityTools::distribute_sparsity_pattern(dsp,
                                               locally_owned_dofs,
                                               communicator,
                                               locally_relevant_dofs);
    jacobian.reinit(locally_owned_dofs, locally_owned_dofs, dsp, communicator);

    // The pattern of Cᵀ L: rows condensed, columns not.
    operator_sparsity.reinit(dofs.n_dofs(), dofs.n_dofs(), locally_relevant_dofs);
    std::vector<types::global_dof_index> local_dofs(fe.n_dofs_per_cell());
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          cell->get_dof_indices(local_dofs);
          homogeneous_constraints.add_entries_local_to_global(
            local_dofs, no_constraints, local_dofs, operator_sparsity, false);
        }
    SparsityTools::distribute_sparsity_pattern(operator_sparsity,
                                               locally_owned_dofs,
                                               communicator,
                                               locally_relevant_dofs);
  }



  // The support point of the locally owned dof @p i, for messages: found by
  // a search over the cells, which is slow but runs only when an input value
  // is wrong.
  template <int dim>
  Point<dim>
  StateSolver<dim>::support_point(const types::global_dof_index i) const
  {
    std::map<types::global_dof_index, Point<dim>> points;
    DoFTools::map_dofs_to_support_points(mapping_q, dofs, points);
    const auto it = points.find(i);
    return it == points.end() ? Point<dim>() : it->second;
  }



  // The local mass and operator matrices of every locally owned cell are
  // computed once per mesh. Newton's loop then never runs FEValues again
  // (DESIGN.md section 8); the reaction term takes its points and JxW values
  // from misfit_coupling, which uses the same quadrature.
  template <int dim>
  void
  StateSolver<dim>::setup_cell_data()
  {
    const unsigned int dpc = fe.n_dofs_per_cell();
    const unsigned int nq  = quadrature.size();
    FEValues<dim>      fe_values(mapping_q,
                            fe,
                            quadrature,
                            update_values | update_gradients |
                              update_quadrature_points | update_JxW_values);

    shape_values.reinit(nq, dpc);
    for (unsigned int q = 0; q < nq; ++q)
      for (unsigned int i = 0; i < dpc; ++i)
        shape_values(q, i) = fe.shape_value(i, quadrature.point(q));

    cell_dof_indices.clear();
    cell_mass.clear();
    cell_operator.clear();
    n_local_cells = 0;

    std::vector<types::global_dof_index> local_dofs(dpc);
    FullMatrix<double>                   mass(dpc, dpc), op(dpc, dpc);
    std::string                          bad_value;
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          cell->get_dof_indices(local_dofs);
          mass = 0.;
          op   = 0.;
          for (unsigned int q = 0; q < nq; ++q)
            {
              const Point<dim>    &x   = fe_values.quadrature_point(q);
              const double         JxW = fe_values.JxW(q);
              const double         a   = model.diffusion(x);
              const Tensor<1, dim> b   = model.advection(x);
              // A zero or negative diffusion is not a parabolic problem: the
              // backward heat equation "trains" to a loss of 1e21.
              if (!(a > 0.))
                note_bad_value(bad_value,
                               "Model/Diffusion",
                               model.formula("Model/Diffusion"),
                               a,
                               x,
                               -1.,
                               std::isfinite(a) ?
                                 "the diffusion must be positive everywhere "
                                 "in the domain (a(x) <= 0 is not a "
                                 "parabolic problem)." :
                                 not_finite);
              if (!std::isfinite(b.norm_square()))
                note_bad_value(bad_value,
                               "Model/Advection",
                               model.formula("Model/Advection"),
                               b.norm(),
                               x,
                               -1.,
                               not_finite);
              for (unsigned int i = 0; i < dpc; ++i)
                {
                  const double          phi_i = fe_values.shape_value(i, q);
                  const Tensor<1, dim> &grad_phi_i = fe_values.shape_grad(i, q);
                  for (unsigned int j = 0; j < dpc; ++j)
                    {
                      const Tensor<1, dim> &grad_phi_j =
                        fe_values.shape_grad(j, q);
                      mass(i, j) += phi_i * fe_values.shape_value(j, q) * JxW;
                      op(i, j) += (a * grad_phi_j * grad_phi_i +
                                   (b * grad_phi_j) * phi_i) *
                                  JxW;
                    }
                }
            }
          cell_dof_indices.insert(cell_dof_indices.end(),
                                  local_dofs.begin(),
                                  local_dofs.end());
          cell_mass.push_back(mass);
          cell_operator.push_back(op);
          ++n_local_cells;
        }
    throw_if_any(communicator, bad_value);
  }



  // For the points x_q of a quadrature on the locally owned cells, numbered
  // rank by rank: B_{i,q} = φ_i(x_q) JxW_q with rows condensed (Cᵀ B) through
  // distribute_local_to_global with "no constraints" on the columns, so
  // B v is a condensed vector, and Bᵀ μ, for μ with zero constrained
  // entries, equals the point values of the distributed μ_h times JxW; and,
  // if asked for, Φ_{q,i} = φ_i(x_q) without any constraints, so Φ u are
  // the point values of u_h. Both replace cell loops in the time loop by
  // one sparse product each.
  //
  // With @p merge_shared_points, a point that several locally owned cells
  // share (a Gauss–Lobatto point on a vertex, an edge or a face) is one
  // column, whose entries are the sums of the cells' φ_i(x_q) JxW_q: the
  // network is evaluated there once, G^n = B g^n is the same vector, and
  // the weight Bᵀ μ of the shared point is the sum of the cells' weights, so
  // the gradient Σ_q w_q ∂g(x_q)/∂θ is the same too. Points are numbered in
  // the order in which the cell loop meets them first. (A point on the
  // boundary between two ranks' cells stays one point on each rank, with
  // that rank's part of the sums.)
  template <int dim>
  void
  StateSolver<dim>::setup_point_coupling(const Quadrature<dim> &q_rule,
                                         const bool with_interpolation,
                                         const bool merge_shared_points,
                                         PointCoupling &coupling) const
  {
    // Φ has one row per cell and point: interpolation.add() below would add
    // the rows of two cells at a shared point, and the reaction terms index
    // the misfit's points by cell.
    Assert(!(with_interpolation && merge_shared_points),
           ExcMessage("Only the source coupling can merge shared points"));
    const unsigned int dpc = fe.n_dofs_per_cell();
    const unsigned int nq  = q_rule.size();

    // The points, and the index of the cell loop's (c, q) among them. Two
    // points of different cells are taken to be the same if they lie within
    // a tolerance of each other: 1e-8 times the shortest edge of a cell,
    // which is far below the distance between distinct points of the rule,
    // but at least 100 ulp of the largest coordinate, which is above the
    // round-off in the points that the mapping computes. The points met so
    // far are kept in Boost's R-tree (deal.II's RTree), which finds the
    // nearest one.
    FEValues<dim> fe_values(mapping_q,
                            fe,
                            q_rule,
                            update_values | update_quadrature_points |
                              update_JxW_values);
    double tolerance = 0;
    if (merge_shared_points)
      {
        double shortest_edge = std::numeric_limits<double>::max(), largest = 0;
        for (const auto &cell : dofs.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              shortest_edge =
                std::min(shortest_edge, cell->minimum_vertex_distance());
              for (const unsigned int v : cell->vertex_indices())
                largest = std::max(largest, cell->vertex(v).norm());
            }
        tolerance =
          std::max(1e-8 * shortest_edge,
                   100. * std::numeric_limits<double>::epsilon() * largest);
      }
    RTree<std::pair<Point<dim>, unsigned int>> met;
    // The index of a point met before within the tolerance of x, or else
    // that of a new point.
    const auto index_of = [&](const Point<dim> &x) {
      std::vector<std::pair<Point<dim>, unsigned int>> nearest;
      met.query(boost::geometry::index::nearest(x, 1),
                std::back_inserter(nearest));
      if (!nearest.empty() && nearest[0].first.distance(x) <= tolerance)
        return nearest[0].second;
      const unsigned int p = coupling.points.size();
      met.insert({x, p});
      return p;
    };
    std::vector<unsigned int> point_index(n_local_cells * nq);
    coupling.points.clear();
    coupling.coordinates.clear();
    coupling.JxW.clear();
    {
      unsigned int c = 0;
      for (const auto &cell : dofs.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            for (unsigned int q = 0; q < nq; ++q)
              {
                const Point<dim> &x = fe_values.quadrature_point(q);
                unsigned int      p = coupling.points.size();
                if (merge_shared_points)
                  p = index_of(x);
                if (p == coupling.points.size())
                  {
                    coupling.points.push_back(x);
                    for (unsigned int d = 0; d < dim; ++d)
                      coupling.coordinates.push_back(x[d]);
                    coupling.JxW.push_back(0.);
                  }
                coupling.JxW[p] += fe_values.JxW(q);
                point_index[c * nq + q] = p;
              }
            ++c;
          }
    }

    const std::vector<IndexSet> partition =
      Utilities::MPI::create_ascending_partitioning(communicator,
                                                    coupling.points.size());
    coupling.owned_points =
      partition[Utilities::MPI::this_mpi_process(communicator)];
    const types::global_dof_index n_points    = coupling.owned_points.size();
    const types::global_dof_index first_point =
      (coupling.owned_points.n_elements() > 0 ?
         *coupling.owned_points.begin() :
         0);

    DynamicSparsityPattern integration_dsp(dofs.n_dofs(),
                                           n_points,
                                           locally_relevant_dofs);
    DynamicSparsityPattern interpolation_dsp(n_points,
                                             dofs.n_dofs(),
                                             coupling.owned_points);
    std::vector<types::global_dof_index> columns(nq);
    std::vector<types::global_dof_index> local_dofs(dpc);
    const auto cell_columns = [&](const unsigned int c) {
      for (unsigned int q = 0; q < nq; ++q)
        columns[q] = first_point + point_index[c * nq + q];
    };
    for (unsigned int c = 0; c < n_local_cells; ++c)
      {
        cell_dofs(c, local_dofs);
        cell_columns(c);
        homogeneous_constraints.add_entries_local_to_global(
          local_dofs, no_constraints, columns, integration_dsp, false);
        if (with_interpolation)
          for (const auto point : columns)
            interpolation_dsp.add_entries(point,
                                          local_dofs.begin(),
                                          local_dofs.end());
      }
    SparsityTools::distribute_sparsity_pattern(integration_dsp,
                                               locally_owned_dofs,
                                               communicator,
                                               locally_relevant_dofs);
    coupling.integration.reinit(locally_owned_dofs,
                                coupling.owned_points,
                                integration_dsp,
                                communicator);
    if (with_interpolation)
      coupling.interpolation.reinit(coupling.owned_points,
                                    locally_owned_dofs,
                                    interpolation_dsp,
                                    communicator);

    FullMatrix<double>  local(dpc, nq);
    std::vector<double> phi(dpc);
    unsigned int        c = 0;
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          cell->get_dof_indices(local_dofs);
          cell_columns(c);
          for (unsigned int q = 0; q < nq; ++q)
            {
              for (unsigned int i = 0; i < dpc; ++i)
                {
                  phi[i]      = fe_values.shape_value(i, q);
                  local(i, q) = phi[i] * fe_values.JxW(q);
                }
              if (with_interpolation)
                coupling.interpolation.add(columns[q], local_dofs, phi);
            }
          homogeneous_constraints.distribute_local_to_global(
            local, local_dofs, no_constraints, columns, coupling.integration);
          ++c;
        }
    coupling.integration.compress(VectorOperation::add);
    if (with_interpolation)
      coupling.interpolation.compress(VectorOperation::add);
    coupling.buffer.reinit(coupling.owned_points, communicator);
    coupling.local_integration.reinit(coupling.integration);
    coupling.local_interpolation.reinit(coupling.interpolation);
  }



  template <int dim>
  const typename StateSolver<dim>::VectorType &
  StateSolver<dim>::PointCoupling::to_buffer(const Vector<double> &values) const
  {
    AssertDimension(values.size(), points.size());
    std::copy(values.begin(), values.end(), buffer.begin());
    return buffer;
  }



  template <int dim>
  void
  StateSolver<dim>::PointCoupling::from_buffer(Vector<double> &values) const
  {
    values.reinit(points.size());
    std::copy(buffer.begin(), buffer.end(), values.begin());
  }



  template <int dim>
  void
  StateSolver<dim>::cell_dofs(
    const unsigned int                    c,
    std::vector<types::global_dof_index> &local_dofs) const
  {
    const unsigned int dpc = fe.n_dofs_per_cell();
    local_dofs.assign(cell_dof_indices.begin() + c * dpc,
                      cell_dof_indices.begin() + (c + 1) * dpc);
  }



  template <int dim>
  void
  StateSolver<dim>::cell_matrix(const unsigned int  c,
                                const double        c_mass,
                                const double        c_op,
                                const bool          transpose,
                                FullMatrix<double> &local) const
  {
    const unsigned int dpc = fe.n_dofs_per_cell();
    for (unsigned int i = 0; i < dpc; ++i)
      for (unsigned int j = 0; j < dpc; ++j)
        local(i, j) = c_mass * cell_mass[c](i, j) +
                      c_op * (transpose ? cell_operator[c](j, i) :
                                          cell_operator[c](i, j));
  }



  template <int dim>
  const typename StateSolver<dim>::OperatorMatrix &
  StateSolver<dim>::operator_matrix(const double c_mass,
                                    const double c_op,
                                    const bool   transpose) const
  {
    // M and the diffusion part of A are symmetric: only advection makes the
    // transpose a different matrix.
    const bool transposed = transpose && model.has_advection();
    OperatorMatrix &result = operators[std::make_tuple(c_mass, c_op, transposed)];
    std::unique_ptr<MatrixType> &matrix = result.matrix;
    if (matrix)
      return result;

    TimerOutput::Scope scope(timer, "state: operator matrices");
    matrix = std::make_unique<MatrixType>();
    matrix->reinit(locally_owned_dofs,
                   locally_owned_dofs,
                   operator_sparsity,
                   communicator);
    const unsigned int                   dpc = fe.n_dofs_per_cell();
    FullMatrix<double>                   local(dpc, dpc);
    std::vector<types::global_dof_index> local_dofs(dpc);
    for (unsigned int c = 0; c < n_local_cells; ++c)
      {
        cell_dofs(c, local_dofs);
        cell_matrix(c, c_mass, c_op, transposed, local);
        homogeneous_constraints.distribute_local_to_global(
          local, local_dofs, no_constraints, local_dofs, *matrix);
      }
    matrix->compress(VectorOperation::add);
    result.local.reinit(*matrix);
    return result;
  }



  template <int dim>
  void
  StateSolver<dim>::add_operator_product(const double      c_mass,
                                         const double      c_op,
                                         const bool        transpose,
                                         const VectorType &src,
                                         VectorType       &dst) const
  {
    const OperatorMatrix &op = operator_matrix(c_mass, c_op, transpose);
    if (!op.local.empty())
      op.local.vmult(dst.begin(), src.begin(), true);
    else
      add_product(*op.matrix, src, dst);
  }



  // The known source S^n = ∫ s(t_n) φ_i + ∫_{Γ_N} q_N(t_n) φ_i and the
  // Dirichlet values u_D(t_n) do not depend on θ, so they are computed once
  // per mesh for every time level rather than in every training iteration.
  template <int dim>
  void
  StateSolver<dim>::setup_known_sources_and_boundary_values()
  {
    std::string bad_value;
    boundary_values.assign(time_levels.size(), {});
    for (unsigned int n = 0; n < time_levels.size(); ++n)
      {
        std::map<types::global_dof_index, double> values;
        const ExpressionFunction<dim>             u_D =
          model.dirichlet_value(time_levels[n]);
        for (const types::boundary_id id : model.dirichlet_boundary_ids())
          VectorTools::interpolate_boundary_values(
            mapping_q, dofs, id, u_D, values);
        // Stored by local index: the sweeps write them straight into the
        // owned part of a vector (no Trilinos index lookup, no compress).
        for (const auto &v : values)
          if (locally_owned_dofs.is_element(v.first))
            {
              if (!std::isfinite(v.second) && bad_value.empty())
                note_bad_value(bad_value,
                               "Model/Dirichlet value",
                               model.formula("Model/Dirichlet value"),
                               v.second,
                               support_point(v.first),
                               time_levels[n],
                               not_finite);
              boundary_values[n].emplace_back(
                locally_owned_dofs.index_within_set(v.first), v.second);
            }
      }
    throw_if_any(communicator, bad_value);
    // On all ranks: the sweep's path through a step (see solve()) depends on
    // it, and the paths make different collective calls.
    std::vector<unsigned int> same(time_levels.size(), 0);
    for (unsigned int n = 1; n < time_levels.size(); ++n)
      same[n] = (boundary_values[n] == boundary_values[n - 1]);
    Utilities::MPI::min(same, communicator, same);
    same_boundary_values.assign(same.begin(), same.end());

    known_sources.clear();
    if (!model.has_source() && !model.has_neumann_flux())
      return;

    // ∫ s φ_i is B s with the misfit quadrature's B (same points, same
    // weights); only q_N needs a loop, over the Neumann faces.
    known_sources.assign(time_levels.size(),
                         VectorType(locally_owned_dofs, communicator));
    const auto    &points = misfit_coupling.points;
    Vector<double> s(points.size());
    for (unsigned int n = 0; n < time_levels.size() && model.has_source(); ++n)
      {
        for (unsigned int q = 0; q < points.size(); ++q)
          {
            s[q] = model.source(time_levels[n], points[q]);
            if (!std::isfinite(s[q]))
              note_bad_value(bad_value,
                             "Model/Source",
                             model.formula("Model/Source"),
                             s[q],
                             points[q],
                             time_levels[n],
                             not_finite);
          }
        add_test_function_integrals(s, known_sources[n]);
      }
    throw_if_any(communicator, bad_value);
    if (!model.has_neumann_flux())
      return;

    const unsigned int                   dpc = fe.n_dofs_per_cell();
    const QGauss<dim - 1>                face_quadrature(fe.degree + 1);
    FEFaceValues<dim>                    fe_face_values(mapping_q,
                                     fe,
                                     face_quadrature,
                                     update_values | update_quadrature_points |
                                       update_JxW_values);
    Vector<double>                       local(dpc);
    std::vector<types::global_dof_index> local_dofs(dpc);
    for (unsigned int n = 0; n < time_levels.size(); ++n)
      {
        const double t = time_levels[n];
        for (const auto &cell : dofs.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              local = 0.;
              for (const unsigned int f : cell->face_indices())
                if (cell->face(f)->at_boundary() &&
                    model.dirichlet_boundary_ids().count(
                      cell->face(f)->boundary_id()) == 0)
                  {
                    fe_face_values.reinit(cell, f);
                    for (unsigned int q = 0; q < face_quadrature.size(); ++q)
                      {
                        const Point<dim> &x =
                          fe_face_values.quadrature_point(q);
                        const double q_N = model.neumann_flux(t, x);
                        if (!std::isfinite(q_N))
                          note_bad_value(bad_value,
                                         "Model/Neumann flux",
                                         model.formula("Model/Neumann flux"),
                                         q_N,
                                         x,
                                         t,
                                         not_finite);
                        const double g = q_N * fe_face_values.JxW(q);
                        for (unsigned int i = 0; i < dpc; ++i)
                          local(i) += g * fe_face_values.shape_value(i, q);
                      }
                  }
              cell->get_dof_indices(local_dofs);
              homogeneous_constraints.distribute_local_to_global(
                local, local_dofs, known_sources[n]);
            }
        known_sources[n].compress(VectorOperation::add);
      }
    throw_if_any(communicator, bad_value);
  }



  template <int dim>
  void
  StateSolver<dim>::assemble_operator(const VectorType &u,
                                      const double      t,
                                      const double      c_mass,
                                      const double      c_op,
                                      VectorType       &residual) const
  {
    add_operator_product(c_mass, c_op, false, u, residual);
    if (!model.has_reaction() || c_op == 0.)
      return;

    Vector<double> values;
    values_at_quadrature_points(u, values);
    const auto &points = misfit_coupling.points;
    for (unsigned int q = 0; q < values.size(); ++q)
      values[q] = c_op * model.reaction(t, points[q], values[q]);
    add_test_function_integrals(values, residual);
  }



  template <int dim>
  double
  StateSolver<dim>::reaction_derivative_at_points(const VectorType &u,
                                                  const double      t,
                                                  Vector<double> &dfdu) const
  {
    double min_dfdu = std::numeric_limits<double>::infinity();
    if (!model.has_reaction())
      {
        dfdu.reinit(0);
        return min_dfdu;
      }
    values_at_quadrature_points(u, dfdu);
    for (unsigned int q = 0; q < dfdu.size(); ++q)
      {
        dfdu[q] =
          model.reaction_derivative(t, misfit_coupling.points[q], dfdu[q]);
        min_dfdu = std::min(min_dfdu, dfdu[q]);
      }
    return Utilities::MPI::min(min_dfdu, communicator);
  }



  template <int dim>
  void
  StateSolver<dim>::assemble_linearization(const Vector<double> &dfdu,
                                           const double          c_mass,
                                           const double          c_op,
                                           const bool            transpose,
                                           const VectorType     *v,
                                           VectorType           *product,
                                           MatrixType           *matrix) const
  {
    // F' is a weighted mass matrix, symmetric: the same transposed.
    const bool reaction = model.has_reaction() && c_op != 0.;
    Assert(!reaction || dfdu.size() == misfit_coupling.points.size(),
           ExcMessage("dfdu must come from reaction_derivative_at_points()"));

    if (product)
      {
        add_operator_product(c_mass, c_op, transpose, *v, *product);
        if (reaction)
          {
            Vector<double> w;
            values_at_quadrature_points(*v, w);
            for (unsigned int q = 0; q < w.size(); ++q)
              w[q] *= c_op * dfdu[q];
            add_test_function_integrals(w, *product);
          }
      }

    if (matrix)
      {
        const unsigned int                   dpc = fe.n_dofs_per_cell();
        const unsigned int                   nq  = quadrature.size();
        const auto                          &JxW = misfit_coupling.JxW;
        FullMatrix<double>                   local(dpc, dpc);
        std::vector<types::global_dof_index> local_dofs(dpc);
        for (unsigned int c = 0; c < n_local_cells; ++c)
          {
            cell_dofs(c, local_dofs);
            cell_matrix(c, c_mass, c_op, transpose, local);
            if (reaction)
              for (unsigned int q = 0; q < nq; ++q)
                {
                  const double w = c_op * dfdu[c * nq + q] * JxW[c * nq + q];
                  for (unsigned int i = 0; i < dpc; ++i)
                    for (unsigned int j = 0; j < dpc; ++j)
                      local(i, j) += w * shape_values(q, i) * shape_values(q, j);
                }
            homogeneous_constraints.distribute_local_to_global(local,
                                                               local_dofs,
                                                               *matrix);
          }
        matrix->compress(VectorOperation::add);
      }
  }



  template <int dim>
  void
  StateSolver<dim>::assemble_jacobian(const VectorType &u,
                                      const double      t,
                                      const double      k)
  {
    const double k_theta = k * time_parameters.theta;
    double       min_dfdu;
    {
      TimerOutput::Scope scope(timer, "state: Jacobian assembly");
      jacobian = 0.;
      Vector<double> dfdu;
      min_dfdu = reaction_derivative_at_points(u, t, dfdu);
      assemble_linearization(
        dfdu, 1., k_theta, false, nullptr, nullptr, &jacobian);
      ++stats.n_jacobian_assemblies;
    }
    // J is SPD without advection as long as kϑ·max(−∂f/∂u) < 1.
    const bool spd =
      !model.has_advection() &&
      (!std::isfinite(min_dfdu) || k_theta * std::max(0., -min_dfdu) < 1.);
    TimerOutput::Scope scope(timer, "state: linear solver setup");
    linear_solver.initialize(jacobian,
                             spd,
                             fe.degree > 1,
                             prefers_direct_solver(),
                             jacobian_is_constant);
    ++stats.n_solver_setups;
    jacobian_step = k;
  }



  template <int dim>
  void
  StateSolver<dim>::apply_constraints(const unsigned int n, VectorType &u) const
  {
    double *const values = u.begin();
    for (const auto &[i, value] : boundary_values[n])
      values[i] = value;
    distribute_hanging_node_values(u);
  }



  template <int dim>
  void
  StateSolver<dim>::distribute_homogeneous_constraints(VectorType &v) const
  {
    // The Dirichlet dofs are the same at every level; their values are 0.
    double *const values = v.begin();
    for (const auto &entry : boundary_values[0])
      values[entry.first] = 0.;
    distribute_hanging_node_values(v);
  }



  template <int dim>
  void
  StateSolver<dim>::distribute_hanging_node_values(VectorType &v) const
  {
    // distribute() imports ghost values even when there is nothing to do.
    if (has_hanging_nodes)
      hanging_node_constraints.distribute(v);
  }



  template <int dim>
  typename StateSolver<dim>::VectorType
  StateSolver<dim>::ghosted(const VectorType &v) const
  {
    VectorType g(locally_owned_dofs, locally_relevant_dofs, communicator);
    g = v;
    return g;
  }



  template <int dim>
  void
  StateSolver<dim>::solve(const std::vector<Vector<double>> *source_at_points,
                          const std::function<void(unsigned int)> &level_done)
  {
    AssertThrow(source_at_points == nullptr ||
                  source_at_points->size() == time_levels.size(),
                ExcDimensionMismatch(source_at_points->size(),
                                     time_levels.size()));
    stats = Statistics();

    // One timer section for the whole sweep: a section per step would cost
    // a getrusage() call each time, more than some of the steps' kernels.
    TimerOutput::Scope scope(timer, "state: time stepping");
    trajectory[0] = initial_state;
    if (level_done)
      level_done(0);

    // The sweep's vector operations work on the locally owned entries
    // directly (every vector here has the same owned layout): an Epetra
    // assignment or update costs more than the arithmetic on a 1000-dof
    // level, and this loop runs K times per forward solve.
    const unsigned int n_owned = initial_state.locally_owned_size();

    // S^n + G^n of one level, computed once: step n uses levels n−1 and n.
    const auto level_sources = [&](const unsigned int n, VectorType &out) {
      if (!known_sources.empty())
        std::copy_n(known_sources[n].begin(), n_owned, out.begin());
      else
        std::fill_n(out.begin(), n_owned, 0.);
      if (source_at_points != nullptr)
        add_source_vector((*source_at_points)[n], out);
    };
    VectorType sources_old(locally_owned_dofs, communicator);
    VectorType sources_new(locally_owned_dofs, communicator);
    level_sources(0, sources_old);

    // A Jacobian that is the same at every step is factorised before the
    // first one, so that every call of solve() takes the same path through
    // every step (and gives the same bits): see linear_step below.
    if (jacobian_is_constant && time_levels.size() > 1 &&
        jacobian_step != step_sizes[1])
      assemble_jacobian(trajectory[0], time_levels[1], step_sizes[1]);

    const double theta = time_parameters.theta;
    VectorType   known(locally_owned_dofs, communicator);
    for (unsigned int n = 1; n < time_levels.size(); ++n)
      {
        const double k = step_sizes[n];
        // The part of R^n that does not depend on U^n:
        //   −M U^{n−1} + k(1−ϑ)[A U^{n−1} + F^{n−1}(U^{n−1}) − G^{n−1} −
        //   S^{n−1}] − kϑ(G^n + S^n).
        level_sources(n, sources_new);

        // A problem affine in u whose Jacobian is factorised already, with
        // the Dirichlet values of t_{n−1}: Newton starts from U^{n−1}
        // itself, and its first residual
        //   R^n(U^{n−1}) = known + (M + kϑA) U^{n−1}
        //                = kA U^{n−1} − kϑ(G^n + S^n) − k(1−ϑ)(G^{n−1} + S^{n−1})
        // takes one product (with kA) instead of two. Its one exact Newton
        // step is then the whole time step.
        const bool linear_step =
          !model.has_reaction() && jacobian_is_constant &&
          jacobian_step == k && linear_solver.is_exact() &&
          same_boundary_values[n];
        VectorType &sum = (linear_step ? newton_residual : known);
        {
          const double  a = -k * (1. - theta), b = -k * theta;
          const double *old_values = sources_old.begin();
          const double *new_values = sources_new.begin();
          double *const out        = sum.begin();
          for (unsigned int i = 0; i < n_owned; ++i)
            out[i] = a * old_values[i] + b * new_values[i];
        }
        if (linear_step)
          add_operator_product(0., k, false, trajectory[n - 1], sum);
        else
          assemble_operator(trajectory[n - 1],
                            time_levels[n - 1],
                            -1.,
                            k * (1. - theta),
                            known);
        sources_old.swap(sources_new);

        // Newton starts from U^{n−1} with the Dirichlet values of t_n.
        std::copy_n(trajectory[n - 1].begin(), n_owned, trajectory[n].begin());
        if (!linear_step)
          apply_constraints(n, trajectory[n]);
        newton_solve(n, known, trajectory[n], linear_step);
        if (level_done)
          level_done(n);
      }
    stats.linear_solver_method = linear_solver.method();
  }



  template <int dim>
  void
  StateSolver<dim>::newton_solve(const unsigned int n,
                                 const VectorType  &known,
                                 VectorType        &u,
                                 const bool         residual_given)
  {
    const double t       = time_levels[n];
    const double k       = step_sizes[n];
    const double k_theta = k * time_parameters.theta;

    // The work vectors are members, so that a step allocates nothing.
    VectorType         &residual = newton_residual;
    VectorType         &update   = newton_update;
    std::vector<double> history;
    double              target = 0;

    // R^n(v) = known + Cᵀ[M v + kϑ(A v + F(t_n, v))], and its norm.
    const auto evaluate_residual = [&](const VectorType &v) {
      std::copy_n(known.begin(), known.locally_owned_size(), residual.begin());
      assemble_operator(v, t, 1., k_theta, residual);
      return residual.l2_norm();
    };

    double norm =
      (residual_given ? residual.l2_norm() : evaluate_residual(u));
    history.push_back(norm);
    target = std::max(parameters.newton_relative_tolerance * norm,
                      parameters.newton_absolute_tolerance);

    const auto not_converged = [&](const unsigned int iteration) {
      std::ostringstream message;
      message << "Newton's method did not converge at time step " << n
              << " (t = " << t << "): the residual is " << norm << " after "
              << iteration << " iterations, but the target "
              << "is " << target << ". Residual history:";
      for (const double r : history)
        message << ' ' << r;
      if (!std::isfinite(norm) && model.has_reaction())
        message << ". The residual is not finite: 'Model/Reaction' = \""
                << model.formula("Model/Reaction")
                << "\" or its derivative is not finite at the iterate (is "
                   "f defined for every value u takes?), or the network "
                   "source is. Check where they are defined, or use a "
                   "smaller time step ('Time/Number of steps')";
      else if (!std::isfinite(norm))
        message << ". The residual is not finite: the network source is "
                   "not finite (the known inputs were checked at start-up)";
      else
        message << ". Use a smaller time step ('Time/Number of steps'), "
                   "raise 'State solver/Maximum Newton iterations', or "
                   "check 'Model/Reaction' and 'Model/Reaction "
                   "derivative'";
      message << '.';
      return InputError(message.str());
    };

    // (A non-finite residual compares false with everything: without this
    // check, the loop below would take it for converged.)
    if (!std::isfinite(norm))
      throw not_converged(0);

    unsigned int iteration = 0;
    for (; norm > target; ++iteration)
      {
        if (!std::isfinite(norm) ||
            iteration == parameters.max_newton_iterations)
          throw not_converged(iteration);

        if (!jacobian_is_constant || jacobian_step != k)
          assemble_jacobian(u, t, k);

        residual *= -1.;
        // The linear solve is ten times tighter than Newton's target, so
        // that Newton's quadratic convergence is not spoiled by it.
        stats.n_linear_iterations +=
          linear_solver.solve(update, residual, 0.1 * target);
        ++stats.n_linear_solves;

        // Backtracking: a full step is taken whenever it reduces ‖R^n‖
        // sufficiently (always, close to the solution, so the quadratic
        // convergence is kept); otherwise the step is halved. Far from the
        // solution, e.g. Allen–Cahn with kϑ·max(−∂f/∂u) > 1, a full Newton
        // step can overshoot into a region where u³ explodes. Damping changes
        // the path, not the solution Newton converges to.
        double       step     = 1.;
        const double old_norm = norm;
        u.add(step, update);

        // A problem affine in u (J constant) with an exact solve (a
        // factorisation): the full step is the root of R^n to round-off.
        // Evaluating the residual again would only confirm it, at a third
        // of the step's cost; a non-finite update is still caught.
        if (jacobian_is_constant && linear_solver.is_exact())
          {
            apply_constraints(n, u);
            if (const double size = update.l2_norm(); !std::isfinite(size))
              {
                norm = size;
                throw not_converged(iteration + 1);
              }
            ++iteration;
            break;
          }
        for (unsigned int halving = 0;; ++halving)
          {
            apply_constraints(n, u);
            norm = evaluate_residual(u);
            if (norm <= (1. - 1e-4 * step) * old_norm || norm <= target ||
                halving == 10)
              break;
            step *= 0.5;
            u.add(-step, update); // (constrained entries are set again)
          }
        history.push_back(norm);
      }

    stats.newton_iterations.push_back(iteration);
    stats.newton_residuals.push_back(history);
  }



  template <int dim>
  double
  StateSolver<dim>::l2_error(const unsigned int n, Function<dim> &exact) const
  {
    exact.set_time(time_levels[n]);
    Vector<double> cellwise(triangulation.n_active_cells());
    VectorTools::integrate_difference(mapping_q,
                                      dofs,
                                      ghosted(trajectory[n]),
                                      exact,
                                      cellwise,
                                      QGauss<dim>(fe.degree + 2),
                                      VectorTools::L2_norm);
    return VectorTools::compute_global_error(triangulation,
                                             cellwise,
                                             VectorTools::L2_norm);
  }



  template <int dim>
  const std::vector<double> &
  StateSolver<dim>::times() const
  {
    return time_levels;
  }



  template <int dim>
  unsigned int
  StateSolver<dim>::n_steps() const
  {
    return time_levels.size() - 1;
  }



  template <int dim>
  const typename StateSolver<dim>::VectorType &
  StateSolver<dim>::state(const unsigned int n) const
  {
    return trajectory[n];
  }



  template <int dim>
  const std::vector<Point<dim>> &
  StateSolver<dim>::source_points() const
  {
    return source_coupling.points;
  }



  template <int dim>
  const std::vector<double> &
  StateSolver<dim>::source_point_coordinates() const
  {
    return source_coupling.coordinates;
  }



  template <int dim>
  const std::vector<double> &
  StateSolver<dim>::source_point_weights() const
  {
    return source_coupling.JxW;
  }



  template <int dim>
  void
  StateSolver<dim>::add_source_vector(const Vector<double> &g,
                                      VectorType           &G) const
  {
    if (!source_coupling.local_integration.empty())
      source_coupling.local_integration.vmult(G.begin(), g.begin(), true);
    else
      add_product(source_coupling.integration,
                  source_coupling.to_buffer(g),
                  G);
  }



  template <int dim>
  unsigned int
  StateSolver<dim>::solve_with_jacobian(VectorType       &x,
                                        const VectorType &b,
                                        const double      tolerance) const
  {
    return linear_solver.solve(x, b, tolerance);
  }



  template <int dim>
  bool
  StateSolver<dim>::prefers_direct_solver() const
  {
    return jacobian_is_constant ||
           (dim < 3 &&
            dofs.n_dofs() <= parameters.linear_solver.direct_limit / 10);
  }



  template <int dim>
  bool
  StateSolver<dim>::has_jacobian_solver() const
  {
    return jacobian_step > 0;
  }



  template <int dim>
  const typename StateSolver<dim>::MatrixType &
  StateSolver<dim>::jacobian_matrix() const
  {
    return jacobian;
  }



  template <int dim>
  double
  StateSolver<dim>::step_size(const unsigned int n) const
  {
    return step_sizes[std::max(n, 1u)];
  }



  template <int dim>
  double
  StateSolver<dim>::theta() const
  {
    return time_parameters.theta;
  }



  template <int dim>
  bool
  StateSolver<dim>::jacobian_is_constant_in_time() const
  {
    return jacobian_is_constant;
  }



  template <int dim>
  bool
  StateSolver<dim>::has_advection() const
  {
    return model.has_advection();
  }



  template <int dim>
  bool
  StateSolver<dim>::has_reaction() const
  {
    return model.has_reaction();
  }



  template <int dim>
  const LinearSolverParameters &
  StateSolver<dim>::linear_solver_parameters() const
  {
    return parameters.linear_solver;
  }



  template <int dim>
  typename StateSolver<dim>::VectorType
  StateSolver<dim>::new_vector() const
  {
    return VectorType(locally_owned_dofs, communicator);
  }



  template <int dim>
  const std::vector<Point<dim>> &
  StateSolver<dim>::quadrature_points() const
  {
    return misfit_coupling.points;
  }



  template <int dim>
  const std::vector<double> &
  StateSolver<dim>::quadrature_weights() const
  {
    return misfit_coupling.JxW;
  }



  template <int dim>
  void
  StateSolver<dim>::values_at_quadrature_points(const VectorType &u,
                                                Vector<double>   &values) const
  {
    if (!misfit_coupling.local_interpolation.empty())
      {
        values.reinit(misfit_coupling.points.size(), true);
        misfit_coupling.local_interpolation.vmult(values.begin(), u.begin());
        return;
      }
    misfit_coupling.interpolation.vmult(misfit_coupling.buffer, u);
    misfit_coupling.from_buffer(values);
  }



  template <int dim>
  void
  StateSolver<dim>::add_test_function_integrals(const Vector<double> &values,
                                                VectorType           &out) const
  {
    if (!misfit_coupling.local_integration.empty())
      misfit_coupling.local_integration.vmult(out.begin(),
                                              values.begin(),
                                              true);
    else
      add_product(misfit_coupling.integration,
                  misfit_coupling.to_buffer(values),
                  out);
  }



  template <int dim>
  void
  StateSolver<dim>::mass_product(const VectorType &u, VectorType &out) const
  {
    if (!mass_operator->local.empty())
      mass_operator->local.vmult(out.begin(), u.begin());
    else
      mass_operator->matrix->vmult(out, u);
  }



  template <int dim>
  void
  StateSolver<dim>::add_product(const MatrixType &A,
                                const VectorType &src,
                                VectorType       &dst) const
  {
    A.vmult(product_buffer, src);
    dst += product_buffer;
  }



  template <int dim>
  void
  StateSolver<dim>::source_weights(const VectorType &mu,
                                   Vector<double>   &w) const
  {
    if (!source_coupling.local_integration.empty())
      {
        w.reinit(source_coupling.points.size(), true);
        source_coupling.local_integration.Tvmult(w.begin(), mu.begin());
        return;
      }
    source_coupling.integration.Tvmult(source_coupling.buffer, mu);
    source_coupling.from_buffer(w);
  }



  template <int dim>
  const AffineConstraints<double> &
  StateSolver<dim>::constraints() const
  {
    return homogeneous_constraints;
  }



  template <int dim>
  const DoFHandler<dim> &
  StateSolver<dim>::dof_handler() const
  {
    return dofs;
  }



  template <int dim>
  const Mapping<dim> &
  StateSolver<dim>::mapping() const
  {
    return mapping_q;
  }



  template <int dim>
  const typename StateSolver<dim>::Statistics &
  StateSolver<dim>::statistics() const
  {
    return stats;
  }



  template <int dim>
  double
  StateSolver<dim>::trajectory_memory() const
  {
    return 8. * time_levels.size() * dofs.n_dofs();
  }



  template class StateSolver<1>;
  template class StateSolver<2>;
  template class StateSolver<3>;
} // namespace npde
