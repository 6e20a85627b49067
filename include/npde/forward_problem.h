// ---------------------------------------------------------------------------
// npde: the forward problem assembled from its parts.
//
// The domain, the known physics and the state solver, each built from its
// own parameter subsection. The `npde` program, the tests and the benchmarks
// all start from this bundle; the trainer will own one too.
// ---------------------------------------------------------------------------
#ifndef npde_forward_problem_h
#define npde_forward_problem_h

#include <boost/signals2.hpp>

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>

#include <npde/domain.h>
#include <npde/model.h>
#include <npde/state_solver.h>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class ForwardProblem
  {
  public:
    static constexpr int dimension = dim;

    /// Parse subsections Domain, Model, Time and State solver of @p prm.
    ForwardProblem(ParameterHandler   &prm,
                   const MPI_Comm      communicator,
                   TimerOutput        &timer,
                   ConditionalOStream &pcout);

    /**
     * Create the mesh, check ∂f/∂u against f on the domain, and set up the
     * state solver. Code that wants to change the mesh first (local
     * refinement, say) calls domain.create_mesh(), refines, and then
     * setup_state().
     */
    void
    setup();

    /// Check ∂f/∂u on the current mesh and set up the state solver.
    void
    setup_state();

    /**
     * The mesh has changed (refined, coarsened, or created again): set up
     * the state solver on it, then call every component's mesh-change hook,
     * in the order in which they were connected (ASPECT's signals, Lethe's
     * post-adaptation step). A component that keeps data of the mesh (a
     * misfit, the objective) connects its setup to mesh_change_hooks in its
     * constructor, with a scoped_connection that ends with it.
     */
    void
    mesh_changed();

    // (mutable: a component with a const view of the problem connects too)
    mutable boost::signals2::signal<void()> mesh_change_hooks;

    /// The smallest box around the mesh, the same on every rank.
    BoundingBox<dim>
    bounding_box() const;

    DomainParameters      domain_parameters;
    ModelParameters       model_parameters;
    TimeParameters        time_parameters;
    StateSolverParameters state_parameters;

    Domain<dim>      domain;
    Model<dim>       model;
    StateSolver<dim> state;
  };

  /// The parameters of type @p Parameters (a component's own
  /// subsection), parsed from @p prm.
  template <typename Parameters>
  Parameters
  parsed(ParameterHandler &prm)
  {
    Parameters p;
    p.parse_parameters(prm);
    return p;
  }

  /// Read a parameter file's text (tests and benchmarks build them inline).
  void
  parse_parameter_text(ParameterHandler &prm, const std::string &text);
} // namespace npde

#endif
