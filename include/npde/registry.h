// ---------------------------------------------------------------------------
// npde: registries of implementations by name (ASPECT's plugin habit).
//
// A family of choices — optimisers, misfits, parametric terms, activations —
// has one abstract interface and any number of implementations, each in a
// file pair of its own. An implementation makes itself known with one
// static registration object in its .cc file:
//
//   namespace
//   {
//     const Registration<OptimizerParameters::MethodParameters,
//                        ParameterHandler &>
//       adam("adam", "Adam with ... (the paper's experiments).",
//            [](ParameterHandler &prm) {
//              auto parameters = std::make_unique<AdamParameters>();
//              parameters->parse_parameters(prm);
//              return parameters;
//            },
//            &AdamParameters::declare_parameters);
//   }
//
// (Here the interface is that of a method's parameters, which then create
// the optimiser: so a method's entries are parsed by its own file into a
// value that OptimizerParameters holds.)
//
// and the registry does the rest: it builds the Patterns::Selection of the
// parameter that chooses among the implementations, its documentation (one
// sentence per implementation), the parameters each implementation declares
// for itself, and creates the implementation a parameter file names.
//
// The registry of an interface is a function-local static (constructed on
// first use, so registrations in other translation units of the library may
// run in any order). Entries are kept sorted by name, so the Selection and
// the documentation do not depend on the order in which the linker placed
// the files.
// ---------------------------------------------------------------------------
#ifndef npde_registry_h
#define npde_registry_h

#include <deal.II/base/parameter_handler.h>

#include <npde/expression.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace npde
{
  using namespace dealii;

  template <typename Interface, typename... Arguments>
  class Registry
  {
  public:
    using Factory =
      std::function<std::unique_ptr<Interface>(Arguments... arguments)>;
    using Declaration = std::function<void(ParameterHandler &)>;

    /// The one registry of this interface and constructor signature.
    static Registry &
    instance()
    {
      static Registry registry;
      return registry;
    }

    /// Make @p name known. Called by Registration's constructor.
    void
    add(const std::string &name,
        const std::string &description,
        const Factory     &factory,
        const Declaration &declaration)
    {
      entries[name] = {description, factory, declaration};
    }

    /// "a|b|c": the pattern of the parameter that chooses an implementation.
    Patterns::Selection
    selection() const
    {
      std::string names;
      for (const auto &[name, entry] : entries)
        names += (names.empty() ? "" : "|") + name;
      return Patterns::Selection(names);
    }

    /// One sentence per implementation: "name: description" in name order.
    std::string
    documentation() const
    {
      std::string text;
      for (const auto &[name, entry] : entries)
        text += (text.empty() ? "" : " ") + name + ": " + entry.description;
      return text;
    }

    /// Let every implementation declare its own parameters (inside the
    /// subsection the caller has entered).
    void
    declare_parameters(ParameterHandler &prm) const
    {
      for (const auto &[name, entry] : entries)
        if (entry.declaration)
          entry.declaration(prm);
    }

    /// The registered names, in name order (for messages that list them).
    std::vector<std::string>
    names() const
    {
      std::vector<std::string> result;
      for (const auto &[name, entry] : entries)
        result.push_back(name);
      return result;
    }

    bool
    has(const std::string &name) const
    {
      return entries.count(name) != 0;
    }

    /// The implementation called @p name. The parameter's Selection has
    /// checked the name already; a name that is not registered is a bug.
    std::unique_ptr<Interface>
    create(const std::string &name, Arguments... arguments) const
    {
      const auto entry = entries.find(name);
      if (entry == entries.end())
        throw InputError("npde knows no implementation called '" + name +
                         "' here; the choices are: " + documentation());
      return entry->second.factory(arguments...);
    }

    /// What every implementation's factory makes of @p arguments, in name
    /// order, leaving out the factories that return nullptr (families
    /// whose members are all present at once, as parametric terms are).
    std::vector<std::unique_ptr<Interface>>
    create_each(Arguments... arguments) const
    {
      std::vector<std::unique_ptr<Interface>> result;
      for (const auto &[name, entry] : entries)
        if (std::unique_ptr<Interface> made = entry.factory(arguments...))
          result.push_back(std::move(made));
      return result;
    }

  private:
    struct Entry
    {
      std::string description;
      Factory     factory;
      Declaration declaration;
    };
    std::map<std::string, Entry> entries;
  };



  /// A static object of this type registers one implementation.
  template <typename Interface, typename... Arguments>
  struct Registration
  {
    Registration(
      const std::string                                         &name,
      const std::string                                         &description,
      const typename Registry<Interface, Arguments...>::Factory &factory,
      const typename Registry<Interface, Arguments...>::Declaration
        &declaration = {})
    {
      Registry<Interface, Arguments...>::instance().add(name,
                                                        description,
                                                        factory,
                                                        declaration);
    }
  };
} // namespace npde

#endif
