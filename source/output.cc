// ---------------------------------------------------------------------------
// npde: what a run leaves behind.
// ---------------------------------------------------------------------------
#include <deal.II/base/multithread_info.h>
#include <deal.II/base/utilities.h>

#include <deal.II/numerics/data_out.h>

#include <npde/expression.h>
#include <npde/input_check.h>
#include <npde/output.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace npde
{
  void
  OutputParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Output");
    {
      prm.declare_entry("Directory",
                        "npde-output",
                        Patterns::DirectoryName(),
                        "Where a run writes its files; created if missing.");
      prm.declare_entry("Output every",
                        "8",
                        Patterns::Integer(0),
                        "Write VTU output every m-th time level (and always "
                        "the first and the last); 0 writes only those two.");
      prm.declare_entry("Write VTU",
                        "true",
                        Patterns::Bool(),
                        "Whether to write VTU/PVTU files and the .pvd record "
                        "at all.");
      prm.declare_entry("Timing summary",
                        "true",
                        Patterns::Bool(),
                        "Whether to print the TimerOutput summary at the end.");
    }
    prm.leave_subsection();
  }



  void
  OutputParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Output");
    {
      directory      = prm.get("Directory");
      output_every   = prm.get_integer("Output every");
      write_vtu      = prm.get_bool("Write VTU");
      timing_summary = prm.get_bool("Timing summary");
    }
    prm.leave_subsection();
  }



  void
  write_file_atomically(const std::string &path, const std::string &content)
  {
    // A temporary name of this process's own, so that two runs writing into
    // the same directory never rename each other's half-written file.
    // A write that fails (a full disk) removes its temporary file again, so
    // that it neither keeps the disk full nor is left behind, and the file
    // at @p path stays as it was.
    const std::string temporary = path + ".tmp." + std::to_string(::getpid());
    bool              written   = false;
    {
      std::ofstream out(temporary);
      out << content;
      out.flush();
      written = static_cast<bool>(out);
    }
    std::error_code error;
    if (written)
      std::filesystem::rename(temporary, path, error);
    if (!written || error)
      {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw InputError("Could not write the file '" + path +
                         "': check that 'Output/Directory' is writable and "
                         "the disk is not full.");
      }
  }



  Output::Output(const OutputParameters &parameters,
                 const MPI_Comm          communicator)
    : parameters(parameters)
    , communicator(communicator)
  {
  }



  void
  Output::write_run_record(const ParameterHandler &prm,
                           const std::string      &command_line,
                           const std::string      &seeds) const
  {
    // On rank 0, and an error there is an error of all ranks; nobody writes
    // into the directory before rank 0 has created it (on_rank_0() is
    // collective).
    on_rank_0(communicator, [&]() {
      std::error_code error;
      std::filesystem::create_directories(parameters.directory, error);
      if (error)
        throw InputError("Could not create the directory '" +
                         parameters.directory +
                         "' given in 'Output/Directory': " + error.message());

      std::ostringstream used;
      prm.print_parameters(used, ParameterHandler::PRM);
      write_file_atomically(parameters.directory + "/parameters.prm",
                            used.str());

      std::ostringstream p;
      p << "npde revision:   " << git_revision() << '\n'
        << "deal.II version: " << DEAL_II_PACKAGE_VERSION << '\n'
        << "MPI ranks:       " << Utilities::MPI::n_mpi_processes(communicator)
        << '\n'
        << "threads per rank: " << MultithreadInfo::n_threads() << '\n'
        << "random seeds:    " << (seeds.empty() ? "none used" : seeds) << '\n'
        << "command line:    " << command_line << '\n'
        << "host:            " << Utilities::System::get_hostname() << '\n'
        << "date:            " << Utilities::System::get_date() << ' '
        << Utilities::System::get_time() << '\n';
      write_file_atomically(parameters.directory + "/provenance.txt", p.str());
    });
  }



  bool
  Output::is_output_level(const unsigned int n,
                          const unsigned int n_steps) const
  {
    return parameters.write_vtu &&
           (n == 0 || n == n_steps ||
            (parameters.output_every > 0 && n % parameters.output_every == 0));
  }



  template <int dim>
  void
  Output::write_time_level(
    const DoFHandler<dim>                                         &dof_handler,
    const Mapping<dim>                                            &mapping,
    const unsigned int                                             n,
    const double                                                   t,
    const std::vector<std::pair<std::string, const VectorType *>> &fields)
  {
    DataOut<dim> data_out;
    data_out.attach_dof_handler(dof_handler);
    for (const auto &field : fields)
      data_out.add_data_vector(*field.second, field.first);

    // The rank that owns each cell, so that ParaView can show the partition.
    Vector<float> subdomain(dof_handler.get_triangulation().n_active_cells());
    for (const auto &cell : dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
        subdomain(cell->active_cell_index()) = cell->subdomain_id();
    data_out.add_data_vector(subdomain, "subdomain");

    // Curved cells are subdivided so that ParaView shows the mapping's
    // geometry and the Q_p fields, not just their vertex values.
    const unsigned int degree = dof_handler.get_fe().degree;
    data_out.build_patches(mapping, degree, DataOut<dim>::curved_inner_cells);

    // deal.II reports a failed write (a full disk) with ExcIO on the rank
    // that failed; here it becomes an error of all ranks, and the files of
    // this level, which may be empty or cut short, are removed.
    std::string pvtu, failure;
    try
      {
        pvtu = data_out.write_vtu_with_pvtu_record(
          parameters.directory + "/", series, n, communicator, 4);
      }
    catch (const std::exception &)
      {
        failure = "Could not write the VTU output of time level " +
                  std::to_string(n) + " into '" + parameters.directory +
                  "': check that 'Output/Directory' is writable and the "
                  "disk is not full.";
      }
    try
      {
        throw_if_any(communicator, failure);
      }
    catch (const InputError &)
      {
        remove_level_files(n);
        throw;
      }

    times_and_files.emplace_back(t, pvtu);
    on_rank_0(communicator, [&]() {
      std::ostringstream pvd;
      DataOutBase::write_pvd_record(pvd, times_and_files);
      write_file_atomically(parameters.directory + "/" + series + ".pvd",
                            pvd.str());
    });
  }



  // The VTU files of level @p n of the current series,
  // <series>_<nnnn>.<rank>.vtu and <series>_<nnnn>.pvtu, removed by rank 0
  // after every rank has tried to write its piece.
  void
  Output::remove_level_files(const unsigned int n) const
  {
    if (Utilities::MPI::this_mpi_process(communicator) != 0)
      return;
    const std::string prefix =
      series + "_" + Utilities::int_to_string(n, 4) + ".";
    // (No member that throws: this runs on rank 0 alone, in an error path.)
    std::error_code                    ignored;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(parameters.directory, ignored),
         end;
         !ignored && it != end;
         it.increment(ignored))
      {
        const auto &path = it->path();
        if (path.filename().string().rfind(prefix, 0) == 0 &&
            (path.extension() == ".vtu" || path.extension() == ".pvtu"))
          files.push_back(path);
      }
    for (const auto &file : files)
      std::filesystem::remove(file, ignored);
  }



  void
  Output::start_series(const std::string &name)
  {
    series = name;
    times_and_files.clear();
  }



  const std::string &
  Output::directory() const
  {
    return parameters.directory;
  }



  template void
  Output::write_time_level<1>(
    const DoFHandler<1> &,
    const Mapping<1> &,
    const unsigned int,
    const double,
    const std::vector<std::pair<std::string, const VectorType *>> &);
  template void
  Output::write_time_level<2>(
    const DoFHandler<2> &,
    const Mapping<2> &,
    const unsigned int,
    const double,
    const std::vector<std::pair<std::string, const VectorType *>> &);
  template void
  Output::write_time_level<3>(
    const DoFHandler<3> &,
    const Mapping<3> &,
    const unsigned int,
    const double,
    const std::vector<std::pair<std::string, const VectorType *>> &);
} // namespace npde
