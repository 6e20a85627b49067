// ---------------------------------------------------------------------------
// npde: the forward problem assembled from its parts.
// ---------------------------------------------------------------------------
#include <npde/forward_problem.h>

#include <limits>

namespace npde
{
  namespace
  {
    // The smallest box around the mesh, the same on every rank.
    template <int dim>
    BoundingBox<dim>
    global_bounding_box(const parallel::TriangulationBase<dim> &tria)
    {
      Point<dim> lower, upper;
      for (unsigned int d = 0; d < dim; ++d)
        {
          lower[d] = std::numeric_limits<double>::max();
          upper[d] = -std::numeric_limits<double>::max();
        }
      for (const auto &cell : tria.active_cell_iterators())
        if (cell->is_locally_owned())
          for (const unsigned int v : cell->vertex_indices())
            for (unsigned int d = 0; d < dim; ++d)
              {
                lower[d] = std::min(lower[d], cell->vertex(v)[d]);
                upper[d] = std::max(upper[d], cell->vertex(v)[d]);
              }
      const MPI_Comm comm = tria.get_communicator();
      for (unsigned int d = 0; d < dim; ++d)
        {
          lower[d] = Utilities::MPI::min(lower[d], comm);
          upper[d] = Utilities::MPI::max(upper[d], comm);
        }
      return BoundingBox<dim>(std::make_pair(lower, upper));
    }
  } // namespace



  template <int dim>
  ForwardProblem<dim>::ForwardProblem(ParameterHandler   &prm,
                                      const MPI_Comm      communicator,
                                      TimerOutput        &timer,
                                      ConditionalOStream &pcout)
    : domain_parameters(parsed<DomainParameters>(prm))
    , model_parameters(parsed<ModelParameters>(prm))
    , time_parameters(parsed<TimeParameters>(prm))
    , state_parameters(parsed<StateSolverParameters>(prm))
    , domain(domain_parameters, communicator)
    , model(model_parameters)
    , state(state_parameters,
            time_parameters,
            model,
            domain.triangulation(),
            timer,
            pcout)
  {
  }



  template <int dim>
  void
  ForwardProblem<dim>::setup()
  {
    domain.create_mesh();
    setup_state();
  }



  template <int dim>
  void
  ForwardProblem<dim>::setup_state()
  {
    model.check_reaction_derivative(global_bounding_box(domain.triangulation()),
                                    time_parameters.end_time);
    state.setup();
  }



  template <int dim>
  void
  ForwardProblem<dim>::mesh_changed()
  {
    setup_state();
    mesh_change_hooks();
  }



  template <int dim>
  BoundingBox<dim>
  ForwardProblem<dim>::bounding_box() const
  {
    return global_bounding_box(domain.triangulation());
  }



  void
  parse_parameter_text(ParameterHandler &prm, const std::string &text)
  {
    prm.parse_input_from_string(text, "(inline parameters)", false);
  }



  template class ForwardProblem<1>;
  template class ForwardProblem<2>;
  template class ForwardProblem<3>;
} // namespace npde
