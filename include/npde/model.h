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

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Model`.
  struct ModelParameters
  {
    std::string constants;
    std::string trainable_constants;
    std::string log_scaled_constants;
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

    /// The terms of the PDE in which a trainable constant may appear.
    enum class Term
    {
      diffusion,
      advection,
      reaction,
      reaction_derivative,
      source,
      neumann_flux
    };

    /// The names of `Model/Trainable constants`, in the order given.
    const std::vector<std::string> &
    trainable_constants() const;

    /// Whether the trainable constant @p name is trained as log p.
    bool
    is_log_scaled(const std::string &name) const;

    /// The current value of the trainable constant @p name.
    double
    constant(const std::string &name) const;

    /**
     * Give the trainable constant @p name the value @p value in every
     * expression. The discrete operators built from the model (A, S^n, a
     * factorised Jacobian) are the caller's to rebuild:
     * StateSolver::model_changed().
     */
    void
    set_constant(const std::string &name, const double value);

    /// Whether the expression(s) of @p term use the constant @p name.
    bool
    uses(const Term term, const std::string &name) const;

    /**
     * ∂/∂p of @p value(i), functions of the model evaluated with the current
     * constants, for i = 0..@p count−1 and the trainable constant
     * p = @p name: a 4-point central difference in p (doc/design.md section
     * 10), (−v(p+2h) + 8v(p+h) − 8v(p−h) + v(p−2h))/(12h) with
     * h = 1e-3·|p| (1e-6 for p = 0): relative to p, so that a small positive
     * constant stays positive at p − 2h (√D, log D), and with an error far
     * below what the Taylor test resolves. All @p count values are taken at
     * each of the four shifted p, so that p is set five times in all, and
     * restored after.
     */
    template <typename Value>
    auto
    derivatives(const std::string &name,
                const std::size_t  count,
                const Value       &value)
    {
      using T          = std::decay_t<decltype(value(std::size_t(0)))>;
      const double   p = constant(name);
      const double   h = (p != 0. ? 1e-3 * std::abs(p) : 1e-6);
      std::vector<T> result(count, T());
      const std::array<std::pair<double, double>, 4> stencil = {
        {{2., -1.}, {1., 8.}, {-1., -8.}, {-2., 1.}}};
      for (const auto &[shift, weight] : stencil)
        {
          set_constant(name, p + shift * h);
          for (std::size_t i = 0; i < count; ++i)
            result[i] += (weight / (12. * h)) * value(i);
        }
      set_constant(name, p);
      return result;
    }

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
    void
    parse_trainable_constants(const ModelParameters               &parameters,
                              const std::map<std::string, double> &constants);

    Expression                    diffusion_expression;
    std::vector<Expression>       advection_expressions;
    Expression                    reaction_expression;
    Expression                    reaction_derivative_expression;
    Expression                    source_expression;
    Expression                    initial_value_expression;
    Expression                    dirichlet_value_expression;
    Expression                    neumann_flux_expression;
    std::string                   advection_formula;
    std::vector<std::string>      trainable;
    std::set<std::string>         log_scaled;
    std::map<std::string, double> constant_values;
    bool                          derivative_check_enabled;
    std::set<types::boundary_id>  dirichlet_ids;
    bool                          advection_is_zero;
  };
} // namespace npde

#endif
