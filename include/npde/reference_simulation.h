// ---------------------------------------------------------------------------
// npde: the reference simulation that makes field data h (doc/design.md
// section 3).
//
// The same model with the source s + g*, on the training mesh or on a
// refined copy of it, with m steps per training step (so the fine time
// grid contains every t_n). On a mesh of its own it is solved once and
// kept: after a mesh adaptation round h is re-evaluated at the new training
// points with Utilities::MPI::RemotePointEvaluation, exactly the same
// function h as before. On the training mesh itself the data are the
// discrete solution on that mesh, so a changed mesh means a new run.
// ---------------------------------------------------------------------------
#ifndef npde_reference_simulation_h
#define npde_reference_simulation_h

#include <npde/field_data.h>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class ReferenceSimulation
  {
  public:
    using VectorType = typename StateSolver<dim>::VectorType;

    /// Check g* at the training points and time levels, then solve.
    ReferenceSimulation(const TargetDataParameters &parameters,
                        const Expression           &g_star,
                        const ForwardProblem<dim>  &problem,
                        ConditionalOStream         &pcout);

    /**
     * h^n at the training problem's quadrature points (@p h) and at the
     * support points of its owned dofs (@p h_nodal, the displayed field),
     * for every training time level.
     */
    void
    evaluate(const ForwardProblem<dim>   &problem,
             std::vector<Vector<double>> &h,
             std::vector<VectorType>     &h_nodal) const;

    /// Whether the run is on the training mesh (its data then belong to
    /// that mesh only, and the run is not kept).
    bool
    on_training_mesh() const;

  private:
    /// A g* that is not finite somewhere would show only as a failing run:
    /// name it first.
    static void
    check_target_source(const TargetDataParameters &parameters,
                        const Expression           &g_star,
                        const ForwardProblem<dim>  &problem);
    static ModelParameters
    model_parameters(const TargetDataParameters &parameters,
                     const ForwardProblem<dim>  &problem);
    static DomainParameters
    domain_parameters(const TargetDataParameters &parameters,
                      const ForwardProblem<dim>  &problem);
    static TimeParameters
    time_parameters(const TargetDataParameters &parameters,
                    const ForwardProblem<dim>  &problem);

    const unsigned int m;
    const bool         same_mesh;
    const Model<dim>   model;
    Domain<dim>        domain;
    TimerOutput        quiet;
    StateSolver<dim>   solver;
  };
} // namespace npde

#endif
