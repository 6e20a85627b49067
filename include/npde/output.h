// ---------------------------------------------------------------------------
// npde: what a run leaves behind.
//
// Into the output directory go
// - `parameters.prm`: every parameter as used, so the run can be repeated;
// - `provenance.txt`: git revision, deal.II version, ranks, threads, seeds,
//   command line, host and date;
// - `solution-NNNN.vtu` (or `.pvtu` + pieces on several ranks) every m-th time
//   level, and `solution.pvd`, which ParaView opens as a time series with the
//   physical times; with mesh adaptation during training, also one series
//   `round-RR.pvd` for each mesh before a round changed it.
// Every file that summarises the run is written to a temporary name and then
// renamed, so a run killed at any moment leaves no half-written file.
// ---------------------------------------------------------------------------
#ifndef npde_output_h
#define npde_output_h

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <deal.II/dofs/dof_handler.h>

#include <deal.II/fe/mapping.h>

#include <deal.II/lac/trilinos_vector.h>

#include <string>
#include <utility>
#include <vector>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Output`.
  struct OutputParameters
  {
    std::string  directory      = "npde-output";
    unsigned int output_every   = 8;
    bool         write_vtu      = true;
    bool         timing_summary = true;

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  /// Write @p content to @p path through a temporary file and a rename.
  void
  write_file_atomically(const std::string &path, const std::string &content);

  /// The revision of the npde sources this program was built from.
  const char *
  git_revision();

  class Output
  {
  public:
    using VectorType = TrilinosWrappers::MPI::Vector;

    Output(const OutputParameters &parameters, const MPI_Comm communicator);

    /**
     * Create the directory and write `parameters.prm` and `provenance.txt`.
     * @p seeds names the random seeds of the run (empty if none).
     */
    void
    write_run_record(const ParameterHandler &prm,
                     const std::string      &command_line,
                     const std::string      &seeds) const;

    /// Whether time level @p n of 0..@p n_steps is written.
    bool
    is_output_level(const unsigned int n, const unsigned int n_steps) const;

    /**
     * Write the named ghosted finite-element fields at time level @p n and
     * time @p t, and update the `.pvd` record.
     */
    template <int dim>
    void
    write_time_level(
      const DoFHandler<dim> &dof_handler,
      const Mapping<dim>    &mapping,
      const unsigned int     n,
      const double           t,
      const std::vector<std::pair<std::string, const VectorType *>> &fields);

    /**
     * Start a new time series @p name: the following time levels go to
     * `name-NNNN.vtu` and `name.pvd` (the default series is `solution`).
     * Training with mesh adaptation writes one series per mesh.
     */
    void
    start_series(const std::string &name);

    const std::string &
    directory() const;

  private:
    void
    remove_level_files(const unsigned int n) const;

    const OutputParameters                      parameters;
    const MPI_Comm                              communicator;
    std::vector<std::pair<double, std::string>> times_and_files;
    std::string                                 series = "solution";
  };
} // namespace npde

#endif
