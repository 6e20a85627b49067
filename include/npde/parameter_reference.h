// ---------------------------------------------------------------------------
// npde: the parameter reference, doc/parameters.md.
//
// `npde --print-parameters markdown` writes every declared parameter as
// Markdown, so the manual is generated from the same declarations that the
// program reads and can never disagree with them (the test
// `program/parameter_reference` compares the two).
// ---------------------------------------------------------------------------
#ifndef npde_parameter_reference_h
#define npde_parameter_reference_h

#include <deal.II/base/parameter_handler.h>

#include <ostream>

namespace npde
{
  using namespace dealii;

  /**
   * Write the reference of every parameter (name, default, allowed values,
   * documentation), one Markdown table per subsection, in declaration order:
   * doc/parameters.md is this output (`npde --print-parameters markdown`).
   */
  void
  print_parameter_reference(const ParameterHandler &prm, std::ostream &out);
} // namespace npde

#endif
