// ---------------------------------------------------------------------------
// npde: checks of the input that every MPI rank takes part in.
//
// A mistake in the input is reported as an InputError (expression.h), which
// main() prints once, from rank 0. That works only if every rank throws it:
// a rank that throws alone leaves the others waiting in the next collective
// call for ever. Many checks, however, look at data that only one rank has:
// the quadrature points of its own cells (a diffusion a(x) ≤ 0 there), the
// file that only rank 0 writes (a full disk). The functions here turn such a
// local finding into an error of all ranks: each rank says what it found
// (nothing, or a message), and if any rank found something, every rank
// throws the message of the lowest such rank.
//
// The other helpers estimate sizes before anything is allocated, so that a
// value that would need more memory than the machine has is an error that
// names the parameter, not a std::bad_alloc (or a swapping machine) later.
// ---------------------------------------------------------------------------
#ifndef npde_input_check_h
#define npde_input_check_h

#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>

#include <npde/expression.h>

#include <functional>
#include <sstream>
#include <string>

namespace npde
{
  /**
   * Collective: if @p local_message is not empty on some rank, every rank
   * throws an InputError with the message of the lowest such rank.
   */
  void
  throw_if_any(const MPI_Comm comm, const std::string &local_message);

  /**
   * Collective: run @p action on rank 0 only (writing a file, say) and, if
   * it throws there, throw an InputError with its message on every rank.
   */
  void
  on_rank_0(const MPI_Comm comm, const std::function<void()> &action);

  /**
   * Collective: the memory a process may use, in bytes: the machine's
   * physical memory, or the address-space limit (`ulimit -v`) if that is
   * lower; the smallest over the ranks of @p comm.
   */
  double
  available_memory(const MPI_Comm comm);

  /// @p bytes as "12.3 GB", "4.5 MB".
  std::string
  memory_string(const double bytes);

  /**
   * Whether @p name can name a constant in a muparser expression: a letter
   * or '_' first, then letters, digits and '_'.
   */
  bool
  is_identifier(const std::string &name);
  /**
   * The first input value that makes no sense, as a message naming the
   * parameter and the point (and t, if t >= 0): each rank keeps the first it
   * meets in @p message, and throw_if_any() then reports it on all ranks.
   */
  template <int dim>
  void
  note_bad_value(std::string              &message,
                 const std::string        &parameter,
                 const std::string        &formula,
                 const double              value,
                 const dealii::Point<dim> &x,
                 const double              t,
                 const std::string        &what)
  {
    if (!message.empty())
      return;
    std::ostringstream out;
    out << "Parameter '" << parameter << "' = \"" << formula << "\" gives "
        << value << " at x = (" << x << ")";
    if (t >= 0)
      out << ", t = " << t;
    out << ": " << what;
    message = out.str();
  }

  /// The end of note_bad_value()'s message for a value that is not finite.
  inline const std::string not_finite_value =
    "the value is not finite. Change the expression so that it is "
    "defined everywhere in the domain (and for all times in [0, T]).";
} // namespace npde

#endif
