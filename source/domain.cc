// ---------------------------------------------------------------------------
// npde: the domain D and its mesh.
// ---------------------------------------------------------------------------
#include <deal.II/base/utilities.h>

#include <deal.II/distributed/shared_tria.h>
#include <deal.II/distributed/tria.h>

#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_in.h>
#include <deal.II/grid/manifold_lib.h>

#include <npde/domain.h>
#include <npde/expression.h>
#include <npde/input_check.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

namespace npde
{
  void
  DomainParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Domain");
    {
      prm.declare_entry("Mesh source",
                        "generator",
                        Patterns::Selection("generator|file"),
                        "Where the coarse mesh comes from: one of deal.II's "
                        "named generators, or a mesh file.");
      prm.declare_entry(
        "Generator name",
        "hyper_cube",
        Patterns::Anything(),
        "The name of a function in deal.II's GridGenerator namespace, e.g. "
        "hyper_cube, subdivided_hyper_rectangle, hyper_rectangle, hyper_L, "
        "hyper_ball, hyper_shell, hyper_ball_balanced, quarter_hyper_ball, "
        "cheese, plate_with_a_hole, channel_with_cylinder.");
      prm.declare_entry(
        "Generator arguments",
        "0 : 1 : false",
        Patterns::Anything(),
        "The generator's arguments, ALL of them (optional ones included), "
        "separated by ':'; the coordinates of a point are separated by ','. "
        "Example for subdivided_hyper_rectangle in 2D: "
        "'20, 40 : 0, 0 : 0.5, 1 : false'.");
      prm.declare_entry("Mesh file",
                        "",
                        Patterns::Anything(),
                        "A mesh file for 'Mesh source = file'; the format "
                        "follows from the extension (.msh, .vtk, .inp, ...). "
                        "Relative paths are relative to the working "
                        "directory.");
      prm.declare_entry(
        "Manifolds",
        "",
        Patterns::Anything(),
        "Curved boundaries of a mesh read from a file: a ';'-separated list "
        "of 'boundary id : spherical : center', e.g. '1 : spherical : 0, 0'. "
        "The faces with that boundary id follow a circle (sphere) around "
        "the center when the mesh is refined.");
      prm.declare_entry("Global refinements",
                        "3",
                        Patterns::Integer(0, 20),
                        "How often the coarse mesh is refined globally.");
    }
    prm.leave_subsection();
  }



  void
  DomainParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Domain");
    {
      mesh_source    = (prm.get("Mesh source") == "file" ? MeshSource::file :
                                                           MeshSource::generator);
      generator_name = prm.get("Generator name");
      generator_arguments = prm.get("Generator arguments");
      mesh_file           = prm.get("Mesh file");
      manifolds           = prm.get("Manifolds");
      global_refinements  = prm.get_integer("Global refinements");
    }
    prm.leave_subsection();
  }



  // deal.II's generate_from_name_and_arguments() wants every argument of the
  // generator, optional ones included, and its own error message does not say
  // which. This table gives the formats of the generators users ask for most.
  std::string
  generator_argument_format(const std::string &name, const unsigned int dim)
  {
    const std::string point = (dim == 1 ? "x" : dim == 2 ? "x, y" : "x, y, z");
    const std::string reps  = (dim == 1 ? "n1" :
                               dim == 2 ? "n1, n2" :
                                          "n1, n2, n3");
    const std::map<std::string, std::pair<std::string, std::string>> formats = {
      {"hyper_cube", {"left : right : colorize", "0 : 1 : false"}},
      {"subdivided_hyper_cube",
       {"repetitions : left : right : colorize", "4 : 0 : 1 : false"}},
      {"hyper_rectangle", {"p1 : p2 : colorize", "0, 0 : 0.5, 1 : false"}},
      {"subdivided_hyper_rectangle",
       {"repetitions (" + reps + ") : p1 (" + point + ") : p2 (" + point +
          ") : colorize",
        "20, 40 : 0, 0 : 0.5, 1 : false"}},
      {"hyper_L", {"left : right : colorize", "-1 : 1 : false"}},
      {"hyper_ball",
       {"center (" + point +
          ") : radius : attach_spherical_manifold_on_"
          "boundary_cells",
        "0, 0 : 1 : false"}},
      {"hyper_ball_balanced", {"center : radius", "0, 0 : 1"}},
      {"quarter_hyper_ball", {"center : radius", "0, 0 : 1"}},
      {"half_hyper_ball", {"center : radius", "0, 0 : 1"}},
      {"hyper_shell",
       {"center : inner_radius : outer_radius : n_cells : colorize",
        "0, 0 : 0.5 : 1 : 0 : false"}},
      {"cheese", {"holes (" + reps + ")", "3, 2"}},
      {"plate_with_a_hole",
       {"inner_radius : outer_radius : pad_bottom : pad_top : pad_left : "
        "pad_right : center : polar_manifold_id : tfi_manifold_id : L : "
        "n_slices : colorize",
        "0.4 : 1 : 2 : 2 : 1 : 1 : 0, 0 : 0 : 1 : 1 : 2 : false"}},
      {"channel_with_cylinder",
       {"shell_region_width : n_shells : skewness : colorize",
        "0.03 : 2 : 2 : false"}}};
    const auto it = formats.find(name);
    if (it == formats.end())
      return "see the documentation of GridGenerator::" + name +
             " in deal.II 9.4: every argument in order, separated by ':'";
    return "'" + it->second.first + "', for example '" + it->second.second +
           "' (the example is for 2D)";
  }



  template <int dim>
  Domain<dim>::Domain(const DomainParameters &parameters,
                      const MPI_Comm          communicator)
    : parameters(parameters)
  {
    // p4est has no 1D: a p::d::Triangulation<1> constructs silently in
    // Release mode and fails later, so 1D uses a shared triangulation.
    if (dim == 1)
      tria = std::make_unique<parallel::shared::Triangulation<dim>>(
        communicator, Triangulation<dim>::none, false);
    else
      tria = std::make_unique<parallel::distributed::Triangulation<dim>>(
        communicator,
        typename Triangulation<dim>::MeshSmoothing(
          Triangulation<dim>::smoothing_on_refinement |
          Triangulation<dim>::smoothing_on_coarsening));
  }



  template <int dim>
  void
  Domain<dim>::create_mesh()
  {
    tria->clear();
    if (parameters.mesh_source == DomainParameters::MeshSource::generator)
      create_from_generator();
    else
      create_from_file();

    if (tria->n_global_active_cells() == 0)
      throw InputError("Domain: the mesh has no cells. Check 'Domain/"
                       "Generator arguments' or 'Domain/Mesh file'.");

    attach_boundary_manifolds();
    check_refined_size();
    tria->refine_global(parameters.global_refinements);
  }



  // Each global refinement multiplies the number of cells by 2^dim, so a
  // value of 'Global refinements' a few too high asks for more memory than
  // any machine has, and deal.II would stop with a bare std::bad_alloc (or
  // the machine swap) long after start-up. A cell of the refined mesh costs
  // at least about 1 kB in all (the triangulation and p4est's copy, the
  // dofs, the sparsity pattern and matrices, the cell matrices npde keeps):
  // the estimate is a lower bound, checked before refining.
  template <int dim>
  void
  Domain<dim>::check_refined_size() const
  {
    const double bytes_per_cell = 1000.;
    const double cells          = double(tria->n_global_active_cells()) *
                         std::pow(2., dim * parameters.global_refinements);
    const double ranks =
      Utilities::MPI::n_mpi_processes(tria->get_communicator());
    const double needed    = cells * bytes_per_cell / ranks;
    const double available = available_memory(tria->get_communicator());
    if (needed > available)
      throw InputError(
        parameters.refinements_parameter + " = " +
        std::to_string(parameters.global_refinements) + " refines the " +
        std::to_string(tria->n_global_active_cells()) +
        " cells of the coarse mesh into " + Utilities::to_string(cells) +
        " cells, which need at least " + memory_string(needed) +
        " per MPI rank, but this process may use " + memory_string(available) +
        ". Use fewer global refinements (each one multiplies the number of "
        "cells by " +
        std::to_string(1 << dim) + "), a coarser mesh, or more MPI ranks.");
  }



  template <int dim>
  void
  Domain<dim>::create_from_generator()
  {
    try
      {
        GridGenerator::generate_from_name_and_arguments(
          *tria, parameters.generator_name, parameters.generator_arguments);
      }
    catch (const std::exception &e)
      {
        // deal.II's message does not say what the arguments should be: keep
        // it and add the format.
        const std::string what = user_message(e);
        throw InputError(
          "Domain: 'Generator name = " + parameters.generator_name +
          "' with 'Generator arguments = " + parameters.generator_arguments +
          "' did not make a mesh in " + std::to_string(dim) +
          "D. deal.II says: " + what +
          "\nThe generator wants all its arguments, optional ones included, "
          "in this format: " +
          generator_argument_format(parameters.generator_name, dim) + ".");
      }
  }



  template <int dim>
  void
  Domain<dim>::create_from_file()
  {
    const std::string &file = parameters.mesh_file;
    if (file.empty() || !std::filesystem::exists(file))
      throw InputError(
        "Domain: the mesh file '" + file + "' given in 'Domain/Mesh file' " +
        (file.empty() ? "is empty" : "does not exist") + " (looked in '" +
        std::filesystem::current_path().string() +
        "'). Give a path to a .msh, .vtk or .inp file relative to the working "
        "directory, or use 'Mesh source = generator'.");
    // The file is read into a serial Triangulation first: that one takes
    // any cell type, so that a mesh of triangles or tetrahedra can be
    // recognised and reported here, where p4est would crash on it.
    // (copy_triangulation() copies the mesh smoothing too: keep ours.)
    Triangulation<dim> serial(tria->get_mesh_smoothing());
    GridIn<dim>        grid_in(serial);
    try
      {
        grid_in.read(file);
      }
    catch (const std::exception &e)
      {
        throw InputError("Domain: could not read the mesh file '" + file +
                         "' given in 'Domain/Mesh file' as a " +
                         std::to_string(dim) + "D mesh: " + user_message(e));
      }
    if (!serial.all_reference_cells_are_hyper_cube())
      throw InputError(
        "Domain: the mesh file '" + file + "' given in 'Domain/Mesh file' " +
        "holds " +
        (serial.all_reference_cells_are_simplex() ?
           std::string(dim == 2 ? "triangles" : "tetrahedra") :
           std::string("cells of mixed types")) +
        ", but npde needs " +
        (dim == 2 ? "quadrilaterals" :
         dim == 3 ? "hexahedra" :
                    "lines") +
        ". In Gmsh, " +
        (dim == 2 ? "recombine the triangles into quadrilaterals with "
                    "'Recombine Surface{...};' (or 'Mesh.RecombineAll = 1;', "
                    "best with 'Mesh.Algorithm = 8;'), or subdivide every "
                    "cell into quadrilaterals with "
                    "'Mesh.SubdivisionAlgorithm = 1;'" :
                    "subdivide every tetrahedron into hexahedra with "
                    "'Mesh.SubdivisionAlgorithm = 2;', or mesh with "
                    "recombined, extruded or transfinite volumes") +
        "; then mesh again and save the .msh file.");
    tria->copy_triangulation(serial);
  }



  // "1 : spherical : 0, 0 ; 3 : spherical : 1, 1" attaches a SphericalManifold
  // to the faces of each boundary id. Manifold ids are chosen above those a
  // file may already use.
  template <int dim>
  void
  Domain<dim>::attach_boundary_manifolds()
  {
    types::manifold_id next_id = 1000;
    for (const std::string &entry :
         Utilities::split_string_list(parameters.manifolds, ';'))
      {
        const std::vector<std::string> parts =
          Utilities::split_string_list(entry, ':');
        const std::vector<std::string> center_text =
          (parts.size() == 3 ? Utilities::split_string_list(parts[2], ',') :
                               std::vector<std::string>());
        if (parts.size() != 3 || parts[1] != "spherical" ||
            center_text.size() != dim)
          throw InputError("Domain/Manifolds: the entry '" + entry +
                           "' is not of the form 'boundary id : spherical : "
                           "center' with a center of " +
                           std::to_string(dim) + " coordinates.");
        types::boundary_id boundary_id;
        Point<dim>         center;
        try
          {
            const int id = Utilities::string_to_int(parts[0]);
            if (id < 0 || id > 255)
              throw std::out_of_range(parts[0]);
            boundary_id = id;
            for (unsigned int d = 0; d < dim; ++d)
              {
                center[d] = Utilities::string_to_double(center_text[d]);
                if (!std::isfinite(center[d]))
                  throw std::out_of_range(center_text[d]);
              }
          }
        catch (const std::exception &)
          {
            throw InputError("Domain/Manifolds: in the entry '" + entry +
                             "', the boundary id must be an integer in "
                             "[0, 255] and the center " +
                             std::to_string(dim) +
                             " numbers separated by ',', as in "
                             "'1 : spherical : 0, 0'.");
          }

        if constexpr (dim == 1)
          throw InputError("Domain/Manifolds: a 1D domain has no curved "
                           "boundary; leave 'Manifolds' empty.");
        else
          {
            for (const auto &cell : tria->active_cell_iterators())
              for (const unsigned int f : cell->face_indices())
                if (cell->face(f)->at_boundary() &&
                    cell->face(f)->boundary_id() == boundary_id)
                  cell->face(f)->set_all_manifold_ids(next_id);
            tria->set_manifold(next_id, SphericalManifold<dim>(center));
          }
        ++next_id;
      }
  }



  template <int dim>
  parallel::TriangulationBase<dim> &
  Domain<dim>::triangulation()
  {
    return *tria;
  }



  template <int dim>
  const parallel::TriangulationBase<dim> &
  Domain<dim>::triangulation() const
  {
    return *tria;
  }



  template <int dim>
  std::string
  Domain<dim>::description() const
  {
    const std::string source =
      (parameters.mesh_source == DomainParameters::MeshSource::generator ?
         parameters.generator_name + "(" + parameters.generator_arguments +
           ")" :
         "file " + parameters.mesh_file);
    return source + ", " + std::to_string(parameters.global_refinements) +
           " global refinements, " +
           std::to_string(tria->n_global_active_cells()) + " cells";
  }



  template class Domain<1>;
  template class Domain<2>;
  template class Domain<3>;
} // namespace npde
