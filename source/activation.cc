// ---------------------------------------------------------------------------
// npde: the registry of activations, and creating one by name.
//
// The activations themselves live in source/activations/, one file each;
// this file knows none of them.
// ---------------------------------------------------------------------------
#include <npde/activation.h>
#include <npde/expression.h>

namespace npde
{
  Registry<Activation> &
  Activation::registry()
  {
    return Registry<Activation>::instance();
  }



  std::shared_ptr<const Activation>
  Activation::create(const std::string &name)
  {
    if (!registry().has(name))
      throw InputError("npde knows no activation called '" + name + "'; use " +
                       names_in_words() + ".");
    return registry().create(name);
  }



  std::string
  Activation::names_in_words()
  {
    const std::vector<std::string> names = registry().names();
    std::string                    words;
    for (unsigned int j = 0; j < names.size(); ++j)
      words += (j == 0 ? "" : j + 1 == names.size() ? " or " : ", ") + names[j];
    return words;
  }



  std::string
  activation_name(const Activation &activation)
  {
    return activation.name();
  }
} // namespace npde
