// ---------------------------------------------------------------------------
// npde: mesh adaptation rounds during training (doc/design.md section 2).
//
// The network's parameters θ do not depend on the mesh, so the mesh may
// change between training iterations while training goes on with the same
// θ. A round
// 1. computes one indicator per cell from the whole trajectory (the state
//    solver holds all of U^0..U^K, and the adjoint all of Λ^1..Λ^K):
//    - `state`:         η_K² = Σ_n ω_n ρ_K(u^n)²,
//    - `dual weighted`: η_K  = Σ_n ω_n ρ_K(u^n) ρ_K(Λ^n),
//    where ρ_K is the Kelly indicator (the jump of the normal derivative
//    across the faces of K) and ω_n the trapezoid weights of the misfit. The
//    dual-weighted choice refines where the state is badly resolved *and*
//    the misfit is sensitive to it, as in the dual-weighted residual method
//    of step-14; with `Include data`, ρ_K(u^n) becomes ρ_K(u^n) + ρ_K(h^n), so
//    that features of the data the state does not show yet are resolved too;
// 2. marks a fixed fraction of the indicators' sum for refinement and for
//    coarsening (parallel::distributed::GridRefinement, as in step-40), or
//    every cell (`global`, a coarse-to-fine schedule), and keeps every cell
//    between the minimum and the maximum level;
// 3. refines, and tells the problem that the mesh has changed
//    (ForwardProblem::mesh_changed()), which sets the state solver up and
//    calls the mesh-change hooks of the components: the misfit (field data
//    are re-evaluated at the new points: exact for either data source) and
//    the objective.
// The trainer asks `due()` after every iteration. A round is due after every
// m iterations (`every`), when the loss has stalled (`stall`: the best loss
// improved by less than a relative tolerance over the last m iterations), or
// at listed iterations (`schedule`), until the maximum number of rounds.
// ---------------------------------------------------------------------------
#ifndef npde_mesh_adaptation_h
#define npde_mesh_adaptation_h

#include <deal.II/base/parameter_handler.h>

#include <deal.II/lac/vector.h>

#include <npde/adaptation_rounds.h>
#include <npde/objective.h>

#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Mesh adaptation`.
  struct MeshAdaptationParameters
  {
    enum class Trigger
    {
      none,
      every,
      stall,
      schedule
    };
    enum class Indicator
    {
      state,
      dual_weighted
    };
    enum class Refinement
    {
      fixed_fraction,
      global
    };
    Trigger                   trigger         = Trigger::none;
    unsigned int              interval        = 100;
    double                    stall_tolerance = 1e-2;
    std::vector<unsigned int> schedule;
    unsigned int              max_rounds      = 1;
    Indicator                 indicator       = Indicator::state;
    bool                      include_data    = false;
    Refinement                refinement      = Refinement::fixed_fraction;
    double                    refine_fraction = 0.3;
    double                    coarsen_fraction = 0.;
    unsigned int              min_level        = 0;
    unsigned int              max_level        = 10;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class MeshAdaptation : public AdaptationRounds
  {
  public:
    MeshAdaptation(const MeshAdaptationParameters &parameters,
                   ForwardProblem<dim>            &problem,
                   Misfit<dim>                    &misfit,
                   Objective<dim>                 &objective,
                   ConditionalOStream             &pcout);

    /// Whether adaptation is on at all.
    bool
    enabled() const override;

    /**
     * Whether a round is due after @p iteration, given the losses of the
     * accepted iterations since the last round (or the start).
     */
    bool
    due(const unsigned int         iteration,
        const std::vector<double> &losses) const override;

    /**
     * The indicators η_K (one per active cell; zero on cells this rank does
     * not own) of the trajectory and adjoint the objective holds: call after
     * value_and_gradient() at the current θ.
     */
    Vector<float>
    indicators() const;

    /**
     * One round: mark cells by the indicators, refine and coarsen, and set
     * up the state solver, the target data and the objective on the new mesh.
     * Afterwards the objective must be evaluated again. Returns false, and
     * changes nothing, if no cell may be refined or coarsened (all marked
     * cells are at a level limit).
     */
    bool
    refine() override;

    unsigned int
    rounds() const override;

    /**
     * Whether no more rounds will come after @p iteration in a run that
     * ends at @p last_iteration (adaptation off, all rounds done, or none
     * due before the end; a stall may always come).
     */
    bool
    finished(const unsigned int iteration,
             const unsigned int last_iteration) const override;

  private:
    const MeshAdaptationParameters parameters;
    ForwardProblem<dim>           &problem;
    Misfit<dim>                   &misfit;
    Objective<dim>                &objective;
    ConditionalOStream            &pcout;
    // Whether the mesh is a parallel::shared one (1D), whose ranks all hold
    // every cell.
    const bool         shared;
    const unsigned int max_rounds;
    unsigned int       n_rounds = 0;
  };
} // namespace npde

#endif
