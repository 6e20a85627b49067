// ---------------------------------------------------------------------------
// npde: Newton's method with a backtracking line search.
// ---------------------------------------------------------------------------
#include <npde/newton_solver.h>

#include <algorithm>
#include <cmath>

namespace npde
{
  NewtonSolver::NewtonSolver(const Settings &settings)
    : settings(settings)
  {
  }



  // An iterative linear solver need not solve each Newton step to the final
  // tolerance: far from the root, Newton's own error is larger than a loose
  // linear solve's. The forcing term η = min(1e-4, (‖R‖/‖R_ref‖)²) shrinks with
  // ‖R‖ fast enough that the error it leaves, η‖R‖ ~ ‖R‖³/‖R_ref‖², is of
  // third order: the convergence stays quadratic. The last step is solved
  // ten times tighter than Newton's target. A direct solver ignores the
  // tolerance.
  double
  NewtonSolver::linear_tolerance(const double norm,
                                 const double reference,
                                 const double target)
  {
    const double ratio   = norm / std::max(reference, target);
    const double forcing = std::min(1e-4, ratio * ratio);
    return std::max(0.1 * target, forcing * norm);
  }



  // A non-finite residual compares false with everything: without the
  // checks below, the loop would take it for converged.
  //
  // Backtracking: a full step is taken whenever it reduces ‖R‖ sufficiently
  // (always, close to the solution, so the quadratic convergence is kept);
  // otherwise the step is halved, at most ten times. Far from the solution,
  // e.g. Allen–Cahn with kϑ·max(−∂f/∂u) > 1, a full Newton step can
  // overshoot into a region where u³ explodes. Damping changes the path,
  // not the solution Newton converges to. The linear solves are inexact
  // (linear_tolerance() above) without spoiling the quadratic convergence.
  NewtonSolver::Result
  NewtonSolver::solve(const Callbacks &callbacks,
                      VectorType      &u,
                      VectorType      &residual,
                      VectorType      &update,
                      const double     reference_norm) const
  {
    Result result;
    double norm = residual.l2_norm();
    result.residuals.push_back(norm);
    const double reference = (reference_norm >= 0. ? reference_norm : norm);
    result.target          = std::max(settings.relative_tolerance * reference,
                             settings.absolute_tolerance);
    const auto failed = [&](const unsigned int iterations) {
      result.norm       = norm;
      result.iterations = iterations;
      return result;
    };
    if (!std::isfinite(norm))
      return failed(0);

    unsigned int iteration = 0;
    for (; norm > result.target; ++iteration)
      {
        if (!std::isfinite(norm) || iteration == settings.max_iterations)
          return failed(iteration);

        callbacks.setup_jacobian(u);
        residual *= -1.;
        result.linear_iterations += callbacks.solve_with_jacobian(
          update, residual, linear_tolerance(norm, reference, result.target));
        ++result.linear_solves;

        double       step     = 1.;
        const double old_norm = norm;
        u.add(step, update);

        // One exact step: the full step is the root of R to round-off.
        // Evaluating the residual again would only confirm it, at a third
        // of the step's cost; a non-finite update is still caught.
        if (callbacks.step_is_exact())
          {
            callbacks.apply_constraints(u);
            if (const double size = update.l2_norm(); !std::isfinite(size))
              {
                norm = size;
                return failed(iteration + 1);
              }
            ++iteration;
            break;
          }
        for (unsigned int halving = 0;; ++halving)
          {
            callbacks.apply_constraints(u);
            norm = callbacks.residual(u, residual);
            if (norm <= (1. - 1e-4 * step) * old_norm ||
                norm <= result.target || halving == 10)
              break;
            step *= 0.5;
            u.add(-step, update); // (constrained entries are set again)
          }
        result.residuals.push_back(norm);
      }

    result.converged  = true;
    result.iterations = iteration;
    result.norm       = norm;
    return result;
  }
} // namespace npde
