// ---------------------------------------------------------------------------
// npde: checks of the input that every MPI rank takes part in.
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <npde/input_check.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

namespace npde
{
  void
  throw_if_any(const MPI_Comm comm, const std::string &local_message)
  {
    const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(comm);
    if (n_ranks == 1)
      {
        if (!local_message.empty())
          throw InputError(local_message);
        return;
      }
    const unsigned int rank = Utilities::MPI::this_mpi_process(comm);
    const unsigned int first =
      Utilities::MPI::min(local_message.empty() ? n_ranks : rank, comm);
    if (first == n_ranks)
      return;
    throw InputError(Utilities::MPI::broadcast(comm, local_message, first));
  }



  void
  on_rank_0(const MPI_Comm comm, const std::function<void()> &action)
  {
    std::string failure;
    if (Utilities::MPI::this_mpi_process(comm) == 0)
      try
        {
          action();
        }
      catch (const std::exception &e)
        {
          // (Any exception: one that passed by would leave the other ranks
          // waiting in throw_if_any.)
          failure = user_message(e);
        }
    throw_if_any(comm, failure);
  }



  double
  available_memory(const MPI_Comm comm)
  {
    const long pages    = ::sysconf(_SC_PHYS_PAGES),
               page     = ::sysconf(_SC_PAGESIZE);
    double        bytes = (pages > 0 && page > 0) ?
                            double(pages) * double(page) :
                            std::numeric_limits<double>::infinity();
    struct rlimit limit;
    if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
      bytes = std::min(bytes, double(limit.rlim_cur));
    // The same figure on every rank, so that every rank decides alike.
    return Utilities::MPI::min(bytes, comm);
  }



  std::string
  memory_string(const double bytes)
  {
    char text[64];
    if (bytes >= 1e9)
      std::snprintf(text, sizeof(text), "%.3g GB", bytes / 1e9);
    else
      std::snprintf(text, sizeof(text), "%.3g MB", bytes / 1e6);
    return text;
  }



  bool
  is_identifier(const std::string &name)
  {
    if (name.empty() ||
        !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
      return false;
    return std::all_of(name.begin(), name.end(), [](const char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
  }
} // namespace npde
