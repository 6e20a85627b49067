// ---------------------------------------------------------------------------
// npde: field data h and their misfit (doc/design.md sections 1 and 3):
// the misfit "reference simulation" and "expression" of misfit.h.
//
//   J(θ) = Σ_{n=0..K} ω_n · ½ ∫_D (u_h^n − h^n)² dx + (λ/2)‖θ‖²,
//
// with trapezoid weights ω_n = (k_n + k_{n+1})/2 (k/2 at both ends) and the
// space integral by the (p+1)-point Gauss rule, exact for u_h² on affine
// cells. h^n is stored at those quadrature points of the training mesh, for
// every time level, and comes from
// - a reference simulation driven by a known source g*(t, x) (plus the known
//   source s), on the training mesh or on a finer one (more refinements
//   and/or a time step divided by an integer, so that the fine time grid
//   contains every t_n); on a finer mesh h is evaluated at the training
//   points with Utilities::MPI::RemotePointEvaluation;
// - an analytic expression h(t, x).
// Optional noise of relative level ν: h ← h + ν·max|h|·ξ(t, x), where ξ is a
// standard normal computed from a hash of (t, x, seed). It is a function of
// the point, not of the mesh or of the partition into ranks.
//
// The "relative RMSE" reported by the reference paper's code is
// sqrt(J_data)/max|h|, with J_data the misfit without the λ term; npde reports
// the same number under the same name.
// ---------------------------------------------------------------------------
#ifndef npde_field_data_h
#define npde_field_data_h

#include <deal.II/base/parameter_handler.h>

#include <npde/forward_problem.h>
#include <npde/misfit.h>

#include <functional>
#include <memory>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class ReferenceSimulation;

  /// The parameters of subsection `Target data` that field data use
  /// (`Source` is the misfit registry's, misfit.cc).
  struct TargetDataParameters
  {
    enum class Source
    {
      reference_simulation,
      expression
    };
    Source       source = Source::reference_simulation;
    std::string  target_source;
    std::string  true_constants;
    std::string  expression;
    unsigned int reference_refinements     = 0;
    unsigned int reference_time_refinement = 1;
    double       noise_level               = 0.;
    unsigned int noise_seed                = 1;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class FieldData : public Misfit<dim>
  {
  public:
    using VectorType = typename StateSolver<dim>::VectorType;

    FieldData(const TargetDataParameters &parameters,
              const ForwardProblem<dim>  &problem,
              TimerOutput                &timer,
              ConditionalOStream         &pcout);
    ~FieldData() override;

    /**
     * Compute h^n at the quadrature points of the problem's current mesh.
     * Call again after the mesh has changed: a reference simulation on a
     * mesh of its own is kept and only re-evaluated at the new points.
     */
    void
    setup() override;

    /**
     * Free the reference simulation kept for later setup() calls (its whole
     * trajectory): call when the mesh will not change again.
     */
    void
    release() override;

    /**
     * J_data = Σ_n ω_n ½∫(u_h^n − h^n)², this rank's part, and, if @p r is
     * given, r^n = ∂J_data/∂U^n = ω_n Cᵀ∫(u_h^n − h^n)φ_i; value() sums it
     * over the ranks.
     */
    double
    local_value(
      std::vector<VectorType>                 *r,
      const std::function<void(unsigned int)> &wait_for_level) const override;

    /// max |h| (the paper's relative RMSE).
    double
    data_scale() const override;

    /// nodal_values(n).
    const VectorType *
    field(const unsigned int n) const override;

    /// target_source().
    const Expression *
    true_source() const override;

    /// h^n at the state solver's quadrature_operators().points() (this
    /// rank's).
    const Vector<double> &
    quadrature_values(const unsigned int n) const;

    /// max |h| over all levels and points (for the relative RMSE).
    double
    max_abs() const;

    /**
     * h^n at the support points of the state's finite-element space: the
     * field `h` of the VTU output, for display only (the misfit uses the
     * values at the quadrature points).
     */
    const VectorType &
    nodal_values(const unsigned int n) const;

    /// The true source g*(x, t) when the data come from a reference
    /// simulation, else nullptr.
    const Expression *
    target_source() const;

  private:
    void
    compute_expression_data();
    void
    compute_reference_simulation();
    void
    add_noise();
    void
    setup_interpolant();

    const TargetDataParameters  parameters;
    const ForwardProblem<dim>  &problem;
    TimerOutput                &timer;
    ConditionalOStream         &pcout;
    std::vector<Vector<double>> h;
    std::vector<VectorType>     h_nodal;
    // The misfit through a vector P^n of the finite-element space (see
    // setup_interpolant()): P^n, s^n = Cᵀ(M P^n − ΦᵀWh^n) and the misfit
    // Σ_q JxW_q (Φ P^n − h^n)_q² of P^n on this rank.
    std::vector<VectorType> interpolant;
    std::vector<VectorType> interpolant_residual;
    std::vector<double>     interpolant_misfit;
    mutable VectorType      difference, product; // work space of the misfit
    double                  h_max = 0.;
    std::unique_ptr<ReferenceSimulation<dim>> reference;
    std::unique_ptr<Expression>               g_star;
    boost::signals2::scoped_connection        mesh_change;
  };
} // namespace npde

#endif
