// ---------------------------------------------------------------------------
// npde: the domain D and its mesh.
//
// The mesh comes either from one of deal.II's named generators
// (GridGenerator::generate_from_name_and_arguments: hyper_cube, hyper_L,
// hyper_ball, hyper_shell, subdivided_hyper_rectangle, ...) or from a mesh
// file read by GridIn (Gmsh .msh, VTK, UCD, ...), and is then refined
// globally. Curved boundaries keep the manifolds the generator attached; a
// mesh from a file can attach a spherical manifold to a boundary id.
//
// In 2D and 3D the mesh is a parallel::distributed::Triangulation (p4est), as
// in step-40. p4est has no 1D, so 1D uses a parallel::shared::Triangulation:
// every rank holds the whole (small) mesh and owns a part of it.
// ---------------------------------------------------------------------------
#ifndef npde_domain_h
#define npde_domain_h

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <deal.II/distributed/tria_base.h>

#include <memory>
#include <string>

namespace npde
{
  using namespace dealii;

  /// The parameters of subsection `Domain`.
  struct DomainParameters
  {
    enum class MeshSource
    {
      generator,
      file
    };

    MeshSource   mesh_source = MeshSource::generator;
    std::string  generator_name;
    std::string  generator_arguments;
    std::string  mesh_file;
    std::string  manifolds;
    unsigned int global_refinements = 0;
    /// How messages name global_refinements (the reference mesh adds more).
    std::string refinements_parameter = "'Domain/Global refinements'";

    static void
    declare_parameters(ParameterHandler &prm);
    void
    parse_parameters(ParameterHandler &prm);
  };

  template <int dim>
  class Domain
  {
  public:
    Domain(const DomainParameters &parameters, const MPI_Comm communicator);

    /// Build the coarse mesh, attach manifolds and refine globally.
    void
    create_mesh();

    parallel::TriangulationBase<dim> &
    triangulation();

    const parallel::TriangulationBase<dim> &
    triangulation() const;

    /// A one-line description: source, cells, refinements.
    std::string
    description() const;

  private:
    void
    create_from_generator();
    void
    create_from_file();
    void
    attach_boundary_manifolds();
    void
    check_refined_size() const;

    const DomainParameters                            parameters;
    std::unique_ptr<parallel::TriangulationBase<dim>> tria;
  };

  /// The argument format of deal.II's named generators, for error messages.
  std::string
  generator_argument_format(const std::string &generator_name,
                            const unsigned int dim);
} // namespace npde

#endif
