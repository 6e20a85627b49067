// ---------------------------------------------------------------------------
// npde: user-given formulas, compiled with muparser.
// ---------------------------------------------------------------------------
#include <deal.II/base/numbers.h>
#include <deal.II/base/utilities.h>

#include <npde/expression.h>
#include <npde/input_check.h>

#include <muParser.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace npde
{
  std::map<std::string, double>
  parse_constants(const std::string &text,
                  const std::string &parameter_name,
                  const unsigned int dim)
  {
    std::map<std::string, double> constants{{"pi", numbers::PI},
                                            {"Pi", numbers::PI}};
    // The names the expressions use as variables cannot also be constants:
    // muparser would take the variable, and the constant would be ignored.
    std::vector<std::string> variables = coordinate_names(dim);
    variables.insert(variables.end(), {"t", "u"});
    std::string variable_list;
    for (const std::string &v : variables)
      variable_list += (variable_list.empty() ? "" : ", ") + v;
    std::set<std::string> given;
    for (const std::string &entry : Utilities::split_string_list(text, ','))
      {
        const std::vector<std::string> parts =
          Utilities::split_string_list(entry, '=');
        if (parts.size() != 2 || parts[0].empty())
          throw InputError("Parameter '" + parameter_name + "': the entry '" +
                           entry +
                           "' is not of the form name=value. Write the "
                           "constants as a comma-separated list, e.g. "
                           "'eps=0.32, D=0.01'.");
        const std::string &name = parts[0];
        if (!is_identifier(name))
          throw InputError("Parameter '" + parameter_name + "': '" + name +
                           "' cannot name a constant: a name starts with a "
                           "letter or '_' and has only letters, digits and "
                           "'_'.");
        if (std::find(variables.begin(), variables.end(), name) !=
            variables.end())
          throw InputError("Parameter '" + parameter_name + "': '" + name +
                           "' is a variable of the expressions (" +
                           variable_list +
                           ") and cannot also be a constant. Choose another "
                           "name.");
        if (!given.insert(name).second)
          throw InputError("Parameter '" + parameter_name +
                           "': the constant '" + name +
                           "' is defined twice. Give each constant once.");
        try
          {
            std::size_t  end   = 0;
            const double value = std::stod(parts[1], &end);
            if (end != parts[1].size() || !std::isfinite(value))
              throw std::invalid_argument(parts[1]);
            constants[name] = value;
          }
        catch (const std::exception &)
          {
            throw InputError("Parameter '" + parameter_name + "': the value '" +
                             parts[1] + "' of the constant '" + name +
                             "' is not a finite number.");
          }
      }
    return constants;
  }



  std::vector<std::string>
  coordinate_names(const unsigned int dim)
  {
    const std::vector<std::string> all = {"x", "y", "z"};
    return std::vector<std::string>(all.begin(), all.begin() + dim);
  }



  Expression::Expression()
    : Expression("(none)", "0", {}, {})
  {
  }



  Expression::Expression(const std::string                   &parameter_name,
                         const std::string                   &formula,
                         const std::vector<std::string>      &variables,
                         const std::map<std::string, double> &constants,
                         const std::vector<std::string> &variable_constants)
    : name(parameter_name)
    , text(formula)
    , variable_names(variables)
    , constant_values(constants)
    , variable_constant_names(variable_constants)
  {
    compile();
  }



  Expression::Expression(const Expression &other)
    : name(other.name)
    , text(other.text)
    , variable_names(other.variable_names)
    , constant_values(other.constant_values)
    , variable_constant_names(other.variable_constant_names)
  {
    compile();
  }



  Expression &
  Expression::operator=(const Expression &other)
  {
    if (this != &other)
      {
        name                    = other.name;
        text                    = other.text;
        variable_names          = other.variable_names;
        constant_values         = other.constant_values;
        variable_constant_names = other.variable_constant_names;
        compile();
      }
    return *this;
  }



  Expression::~Expression() = default;



  // muparser binds each variable to the address of a double. We keep these
  // doubles in `variable_storage`, which is why an Expression recompiles
  // when it is copied: a copied parser would still point at the old storage.
  void
  Expression::compile()
  {
    parser = std::make_unique<mu::Parser>();
    variable_storage.assign(variable_names.size(), 0.5);
    std::string names;
    for (const std::string &v : variable_names)
      names += (names.empty() ? "" : ", ") + v;
    std::string constant_names;
    for (const auto &c : constant_values)
      constant_names += (constant_names.empty() ? "" : ", ") + c.first;

    try
      {
        for (unsigned int i = 0; i < variable_names.size(); ++i)
          parser->DefineVar(variable_names[i], &variable_storage[i]);
        constant_storage.assign(variable_constant_names.size(), 0.);
        for (unsigned int j = 0; j < variable_constant_names.size(); ++j)
          {
            constant_storage[j] =
              constant_values.at(variable_constant_names[j]);
            parser->DefineVar(variable_constant_names[j], &constant_storage[j]);
          }
        for (const auto &c : constant_values)
          if (std::find(variable_names.begin(),
                        variable_names.end(),
                        c.first) == variable_names.end() &&
              std::find(variable_constant_names.begin(),
                        variable_constant_names.end(),
                        c.first) == variable_constant_names.end())
            parser->DefineConst(c.first, c.second);
        parser->SetExpr(text);
        // The first evaluation is where muparser really parses: do it now.
        parser->Eval();
        used_variables.clear();
        for (const auto &v : parser->GetUsedVar())
          used_variables.push_back(v.first);
        // Zero by value, not by spelling: "0.00", "0e0" or "2-2" are zero
        // too. An expression that uses no variable is a constant, and this
        // is its value.
        zero = used_variables.empty() && parser->Eval() == 0.;
      }
    catch (const mu::Parser::exception_type &e)
      {
        std::ostringstream message;
        message << "Parameter '" << name << "': the expression \"" << text
                << "\" does not parse: " << e.GetMsg();
        if (e.GetPos() >= 0 && e.GetPos() <= static_cast<int>(text.size()) &&
            e.GetMsg().find("position") == std::string::npos)
          message << " (at position " << e.GetPos() << ")";
        message << ". The variables allowed here are: "
                << (names.empty() ? "none" : names)
                << "; the constants defined are: " << constant_names
                << " (add more under 'Constants').";
        throw InputError(message.str());
      }
  }



  double
  Expression::operator()(const double *variable_values) const
  {
    std::copy(variable_values,
              variable_values + variable_storage.size(),
              variable_storage.begin());
    return parser->Eval();
  }



  void
  Expression::set_constant(const std::string &constant_name, const double value)
  {
    const auto it = std::find(variable_constant_names.begin(),
                              variable_constant_names.end(),
                              constant_name);
    Assert(it != variable_constant_names.end(),
           ExcMessage("'" + constant_name + "' is not a variable constant."));
    constant_storage[it - variable_constant_names.begin()] = value;
    constant_values[constant_name] = value; // for copies
  }



  bool
  Expression::uses(const std::string &variable) const
  {
    return std::find(used_variables.begin(), used_variables.end(), variable) !=
           used_variables.end();
  }



  bool
  Expression::is_zero() const
  {
    return zero;
  }



  const std::string &
  Expression::formula() const
  {
    return text;
  }



  const std::string &
  Expression::parameter_name() const
  {
    return name;
  }



  template <int dim>
  ExpressionFunction<dim>::ExpressionFunction(const Expression &expression,
                                              const double      time)
    : Function<dim>(1, time)
    , expression(expression)
  {
  }



  template <int dim>
  double
  ExpressionFunction<dim>::value(const Point<dim> &p, const unsigned int) const
  {
    double values[dim + 1];
    for (unsigned int d = 0; d < dim; ++d)
      values[d] = p[d];
    values[dim] = this->get_time();
    return expression(values);
  }



  template class ExpressionFunction<1>;
  template class ExpressionFunction<2>;
  template class ExpressionFunction<3>;
} // namespace npde

namespace npde
{
  std::string
  user_message(const std::exception &e)
  {
    std::string what = e.what();
    const auto  pos  = what.find("Additional information:");
    if (pos != std::string::npos)
      what = what.substr(pos + 23);
    const auto end = what.find("Stacktrace:");
    if (end != std::string::npos)
      what = what.substr(0, end);
    // deal.II wraps long messages over several lines; join them again.
    std::string joined;
    bool        space = false;
    for (const char c : what)
      if (c == '\n' || c == ' ' || c == '\t')
        space = !joined.empty();
      else
        {
          if (space)
            joined += ' ';
          joined += c;
          space = false;
        }
    return joined;
  }
} // namespace npde
