// ---------------------------------------------------------------------------
// npde: the program. Everything happens in the library; see program.h.
// ---------------------------------------------------------------------------
#include <deal.II/base/mpi.h>

#include <npde/expression.h>
#include <npde/program.h>

#include <iostream>

// An exception that is not an InputError may have been thrown on one rank
// only, while the others wait in a collective call for ever: with more than
// one rank, stop them all.
namespace
{
  void
  abort_other_ranks()
  {
    if (dealii::Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD) > 1)
      MPI_Abort(MPI_COMM_WORLD, 1);
  }
} // namespace



int
main(int argc, char *argv[])
{
  // Threads: as many as there are cores per MPI rank (the network uses
  // them). MPI lives until the end of main(), so that the error handlers
  // below still know which rank they are on.
  dealii::Utilities::MPI::MPI_InitFinalize mpi(
    argc, argv, dealii::numbers::invalid_unsigned_int);
  const bool rank_0 =
    (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0);
  try
    {
      return npde::run_program(argc, argv);
    }
  catch (const npde::InputError &exc)
    {
      // Mistakes in the input: a message for the user, no stack trace. Every
      // rank throws the same InputError (see input_check.h), and rank 0
      // alone prints it.
      if (rank_0)
        std::cerr << std::endl
                  << "npde: error: " << exc.what() << std::endl
                  << "Aborting!" << std::endl;
      return 1;
    }
  catch (const std::exception &exc)
    {
      std::cerr << std::endl
                << std::endl
                << "----------------------------------------------------"
                << std::endl;
      std::cerr << "Exception on processing: " << std::endl
                << exc.what() << std::endl
                << "Aborting!" << std::endl
                << "----------------------------------------------------"
                << std::endl;
      abort_other_ranks();
      return 1;
    }
  catch (...)
    {
      std::cerr << std::endl
                << std::endl
                << "----------------------------------------------------"
                << std::endl;
      std::cerr << "Unknown exception!" << std::endl
                << "Aborting!" << std::endl
                << "----------------------------------------------------"
                << std::endl;
      abort_other_ranks();
      return 1;
    }
}
