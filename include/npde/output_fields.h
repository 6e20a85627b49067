// ---------------------------------------------------------------------------
// npde: the fields a run writes at its output levels.
//
// Every run mode writes the same kind of picture: the state u and, as far as
// the run has them, the data h, the misfit u − h, the adjoint Λ, the network
// g_θ, the true source g* and g_θ − g*. output_fields.cc lists these fields
// once, each with the objects it needs and how its values at a time level
// are computed. A forward run without network writes u alone; training
// writes all of them. A new field is one entry of that list.
// ---------------------------------------------------------------------------
#ifndef npde_output_fields_h
#define npde_output_fields_h

#include <npde/expression.h>
#include <npde/forward_problem.h>
#include <npde/network.h>
#include <npde/objective.h>
#include <npde/output.h>
#include <npde/state_solver.h>
#include <npde/misfit.h>

namespace npde
{
  /**
   * What the output fields are computed from. The state is always there;
   * every other member is null if the run does not have it, and the fields
   * that need it are then left out.
   */
  template <int dim>
  struct FieldSources
  {
    explicit FieldSources(const StateSolver<dim> &state)
      : state(state)
    {
    }

    const StateSolver<dim> &state;
    const Misfit<dim>  *target    = nullptr;
    const Objective<dim>   *objective = nullptr;
    const Network          *network   = nullptr;
    const Expression       *g_star    = nullptr;
  };

  /**
   * Write, at time level @p n, every field that @p sources allow, in the
   * order of the list in output_fields.cc. g_θ and g* are interpolations for
   * display only.
   */
  template <int dim>
  void
  write_output_fields(Output                  &output,
                      const FieldSources<dim> &sources,
                      const unsigned int       n);

  /**
   * Write u, h, u − h, the adjoint Λ and g_θ (and, if @p g_star is given,
   * g* and g_θ − g*) at the output levels, as a run that fits the network
   * leaves them.
   */
  template <int dim>
  void
  write_fitted_fields(Output                    &output,
                      const ForwardProblem<dim> &problem,
                      const Misfit<dim>     &target,
                      const Objective<dim>      &objective,
                      const Network             &network,
                      const Expression          *g_star);
} // namespace npde

#endif
