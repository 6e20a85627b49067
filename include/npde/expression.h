// ---------------------------------------------------------------------------
// npde: user-given formulas.
//
// Every piece of known physics (a, b, f, ∂f/∂u, s, u_0, u_D, q_N) is a
// muparser expression read from the parameter file. This file holds the one
// class that compiles such an expression and evaluates it, and a small
// adaptor that makes it a dealii::Function for the deal.II functions that
// want one (interpolation, boundary values, error norms).
//
// Why not dealii::FunctionParser? It is not instantiated for the four
// variables of f(t, x, y, z, u) in 3D, and deal.II 9.4 reports some syntax
// errors only at the first evaluation, deep inside an assembly loop. Here
// every expression is evaluated once when it is created, so a typo is
// reported at start-up together with the name of the parameter it came from.
// ---------------------------------------------------------------------------
#ifndef npde_expression_h
#define npde_expression_h

#include <deal.II/base/function.h>
#include <deal.II/base/point.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mu
{
  class Parser;
}

namespace npde
{
  using namespace dealii;

  /**
   * The exception for everything a user can get wrong: parameter files,
   * expressions, mesh files, a Newton solve that does not converge. Its
   * message is written for the user and says what to change; main() prints it
   * and exits with a non-zero status.
   */
  class InputError : public std::runtime_error
  {
  public:
    using std::runtime_error::runtime_error;
  };

  /**
   * Parse a list of named constants, "eps=0.32, D=0.01", as given in the
   * parameter @p parameter_name, for expressions in dimension @p dim. `pi`
   * is always defined. A name must be an identifier, may be given once, and
   * cannot be a variable of the expressions (x, y, z up to @p dim, t, u).
   */
  std::map<std::string, double>
  parse_constants(const std::string &text,
                  const std::string &parameter_name,
                  const unsigned int dim);

  /**
   * The names of the spatial coordinates in dimension @p dim: x, y, z.
   */
  std::vector<std::string>
  coordinate_names(const unsigned int dim);

  /**
   * A scalar formula in named variables, compiled once by muparser.
   *
   * Not thread-safe: muparser evaluates through variables bound by address.
   * npde evaluates known physics in its (MPI-parallel, single-threaded)
   * assembly loops only.
   */
  class Expression
  {
  public:
    Expression();

    /**
     * Compile @p formula in the variables @p variables and the constants
     * @p constants, and evaluate it once with all variables set to 0.5 so
     * that every syntax error shows now. Errors throw an InputError that
     * names @p parameter_name. The constants named in @p variable_constants
     * (trainable ones) are bound by address, so that set_constant() can
     * change them without compiling again; muparser folds the others into
     * the bytecode.
     */
    Expression(const std::string                   &parameter_name,
               const std::string                   &formula,
               const std::vector<std::string>      &variables,
               const std::map<std::string, double> &constants,
               const std::vector<std::string>      &variable_constants = {});

    Expression(const Expression &other);
    Expression &
    operator=(const Expression &other);
    ~Expression();

    /// Evaluate with the variables given in the order of the constructor.
    double
    operator()(const double *variable_values) const;

    /// Give the variable constant @p constant_name the value @p value.
    void
    set_constant(const std::string &constant_name, const double value);

    /// Whether the formula refers to the variable @p name.
    bool
    uses(const std::string &name) const;

    /// Whether the formula is the constant 0 (by value: "0.00" is zero).
    bool
    is_zero() const;

    const std::string &
    formula() const;

    /// The parameter the formula was read from, e.g. "Model/Diffusion".
    const std::string &
    parameter_name() const;


  private:
    void
    compile();

    std::string                   name;
    std::string                   text;
    std::vector<std::string>      variable_names;
    std::map<std::string, double> constant_values;
    std::vector<std::string>      variable_constant_names;
    std::vector<std::string>      used_variables;
    bool                          zero = false;

    mutable std::vector<double> variable_storage;
    std::vector<double>         constant_storage; // of the variable constants
    std::unique_ptr<mu::Parser> parser;
  };

  /**
   * An Expression in (x, [y, [z,]] t) seen as a dealii::Function<dim>; the
   * time is the Function's time.
   */
  template <int dim>
  class ExpressionFunction : public Function<dim>
  {
  public:
    explicit ExpressionFunction(const Expression &expression,
                                const double      time = 0.);

    double
    value(const Point<dim> &p, const unsigned int component = 0) const override;

  private:
    Expression expression;
  };
} // namespace npde

#endif

namespace npde
{
  /**
   * The part of an exception's message meant for a user: for deal.II's
   * exceptions the text after "Additional information:", otherwise what().
   */
  std::string
  user_message(const std::exception &e);
} // namespace npde
