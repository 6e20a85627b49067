// ---------------------------------------------------------------------------
// npde: the registry of parametric terms (see parametric_term.h).
// ---------------------------------------------------------------------------
#include <npde/parametric_term.h>

namespace npde
{
  // Each kind declares its entries in the subsections it names itself (the
  // network source has none beyond `Network`, which the network declares).
  void
  declare_parametric_term_parameters(ParameterHandler &prm)
  {
    ParametricTermRegistry<2>::instance().declare_parameters(prm);
  }



  template <int dim>
  std::vector<std::unique_ptr<ParametricTerm>>
  create_parametric_terms(const ParametricTermContext<dim> &context)
  {
    std::vector<std::unique_ptr<ParametricTerm>> terms =
      ParametricTermRegistry<dim>::instance().create_each(context);
    if (terms.empty())
      throw InputError("This run has no parametric term, so there is "
                       "nothing to train: add a network to the source or "
                       "name trainable constants.");
    return terms;
  }



  template std::vector<std::unique_ptr<ParametricTerm>>
  create_parametric_terms(const ParametricTermContext<1> &);
  template std::vector<std::unique_ptr<ParametricTerm>>
  create_parametric_terms(const ParametricTermContext<2> &);
  template std::vector<std::unique_ptr<ParametricTerm>>
  create_parametric_terms(const ParametricTermContext<3> &);
} // namespace npde
