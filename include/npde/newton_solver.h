// ---------------------------------------------------------------------------
// npde: Newton's method with a backtracking line search, driven by callbacks
// (deal.II step-77's habit: the physics does not contain Newton).
//
// The caller hands over what its problem is: a residual R(u) (and its
// norm), a way to set up the Jacobian at u and to solve with it, and the
// constraints every iterate must satisfy. Newton owns the iteration, the
// line search and the convergence test
//
//   ‖R(u)‖ <= max(relative tolerance · ‖R(u_0)‖, absolute tolerance),
//
// and says how it went; the caller turns a failure into its message. The
// gradient is exact only for the discrete solution Newton returns, so the
// default tolerance is tight (doc/design.md section 4).
// ---------------------------------------------------------------------------
#ifndef npde_newton_solver_h
#define npde_newton_solver_h

#include <deal.II/lac/trilinos_vector.h>

#include <functional>
#include <vector>

namespace npde
{
  using namespace dealii;

  class NewtonSolver
  {
  public:
    using VectorType = TrilinosWrappers::MPI::Vector;

    struct Settings
    {
      unsigned int max_iterations     = 20;
      double       relative_tolerance = 1e-12;
      double       absolute_tolerance = 1e-14;
    };

    /// What Newton needs to know of the problem.
    struct Callbacks
    {
      /// @p residual = R(u); returns ‖R(u)‖.
      std::function<double(const VectorType &u, VectorType &residual)> residual;
      /// Make the Jacobian at @p u ready for solve_with_jacobian() (the
      /// callback may keep a Jacobian that has not changed).
      std::function<void(const VectorType &u)> setup_jacobian;
      /// Solve J x = b to the residual norm @p tolerance; returns the
      /// linear iterations.
      std::function<
        unsigned int(VectorType &x, const VectorType &b, double tolerance)>
        solve_with_jacobian;
      /// Give @p u its constrained values.
      std::function<void(VectorType &u)> apply_constraints;
      /// Asked after setup_jacobian(): whether one full step solves the
      /// problem to round-off (an affine problem and a factorisation), so
      /// that the residual need not be evaluated again.
      std::function<bool()> step_is_exact;
    };

    /// How a solve went.
    struct Result
    {
      bool                converged  = false;
      unsigned int        iterations = 0;
      std::vector<double> residuals; // ‖R‖ at the start and after each step
      double              norm   = 0; // the last residual (or update) norm
      double              target = 0;
      unsigned int        linear_solves     = 0;
      unsigned int        linear_iterations = 0;
    };

    explicit NewtonSolver(const Settings &settings);

    /**
     * Solve R(u) = 0 from the initial guess @p u (which satisfies the
     * constraints), where @p residual holds R(u) on entry (the caller has
     * evaluated it, e.g. to choose the guess); @p update is a work vector
     * of u's layout. The relative tolerance applies to @p reference_norm if it is given (≥ 0),
     * e.g. the residual at a plainer guess than @p u, so that a better
     * initial guess does not make the test stricter.
     */
    Result
    solve(const Callbacks &callbacks,
          VectorType      &u,
          VectorType      &residual,
          VectorType      &update,
          const double     reference_norm = -1.) const;

  private:
    /// The tolerance of the linear solve at residual norm @p norm.
    static double
    linear_tolerance(const double norm,
                     const double reference,
                     const double target);

    const Settings settings;
  };
} // namespace npde

#endif
