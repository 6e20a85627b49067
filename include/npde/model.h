// ---------------------------------------------------------------------------
// npde: the known physics.
//
//   ∂_t u − ∇·(a(x)∇u) + b(x)·∇u + f(t,x,u) = g_θ(t,x) + s(t,x)   in D×(0,T]
//   u = u_D(t,x) on the Dirichlet boundary ids, a ∂_n u = q_N(t,x) elsewhere,
//   u(0,x) = u_0(x).
//
// Everything but the network g_θ is read from subsection `Model` as muparser
// expressions with named constants. The user gives ∂f/∂u as well as f;
// Newton needs it and the adjoint needs it, so it is checked against a
// central finite difference of f when the model is created.
// ---------------------------------------------------------------------------
#ifndef npde_model_h
#define npde_model_h

#include <deal.II/base/bounding_box.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/tensor.h>

#include <npde/expression.h>

#include <set>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Model`.
  struct ModelParameters
  {
    std::string constants;
    std::string diffusion;
    std::string advection;
    std::string reaction;
    std::string reaction_derivative;
    std::string source;
    std::string initial_value;
    std::string dirichlet_boundary_ids;
    std::string dirichlet_value;
    std::string neumann_flux;
    bool        check_reaction_derivative = true;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class Model
  {
  public:
    explicit Model(const ModelParameters &parameters);

    double
    diffusion(const Point<dim> &x) const;
    Tensor<1, dim>
    advection(const Point<dim> &x) const;
    double
    reaction(const double t, const Point<dim> &x, const double u) const;
    double
    reaction_derivative(const double      t,
                        const Point<dim> &x,
                        const double      u) const;
    double
    source(const double t, const Point<dim> &x) const;
    double
    neumann_flux(const double t, const Point<dim> &x) const;

    /// u_0 as a Function, for interpolation.
    ExpressionFunction<dim>
    initial_value() const;
    /// u_D(t, ·) as a Function, for boundary values.
    ExpressionFunction<dim>
    dirichlet_value(const double t) const;

    const std::set<types::boundary_id> &
    dirichlet_boundary_ids() const;

    bool
    has_advection() const;
    bool
    has_reaction() const;
    bool
    has_source() const;
    bool
    has_neumann_flux() const;

    /**
     * The formula given for the parameter @p name ("Model/Diffusion", ...),
     * for messages; the components of 'Model/Advection' as given.
     */
    std::string
    formula(const std::string &name) const;

    /**
     * Whether ∂f/∂u depends on neither t nor u. Then the Jacobian
     * M + kϑ(A + F') is the same at every Newton iteration and every step
     * (for a constant step), and it is built and preconditioned once.
     */
    bool
    reaction_derivative_is_constant() const;

    /**
     * Compare ∂f/∂u with a central difference of f at sample points of
     * @p box × [0, @p end_time] × u ∈ [−2, 2.5]. A mismatch is an InputError
     * naming both parameters and the point where they disagree.
     */
    void
    check_reaction_derivative(const BoundingBox<dim> &box,
                              const double            end_time) const;

  private:
    Expression                   diffusion_expression;
    std::vector<Expression>      advection_expressions;
    Expression                   reaction_expression;
    Expression                   reaction_derivative_expression;
    Expression                   source_expression;
    Expression                   initial_value_expression;
    Expression                   dirichlet_value_expression;
    Expression                   neumann_flux_expression;
    std::string                  advection_formula;
    bool                         derivative_check_enabled;
    std::set<types::boundary_id> dirichlet_ids;
    bool                         advection_is_zero;
  };
} // namespace npde

#endif
