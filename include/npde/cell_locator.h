// ---------------------------------------------------------------------------
// npde: which cell of the mesh holds a point, and which rank evaluates it
// (doc/design.md section 9).
//
// For a point x, the locally owned cell that holds it, with x's
// coordinates in the reference cell, if this rank is the point's owner: of
// all cells that hold x (several on a face, an edge or a vertex, also
// across hanging nodes) the one with the smallest CellId, which every rank
// that sees those cells picks alike, so that each point is evaluated by
// exactly one rank.
//
// Locating many points must be cheap (a mesh change locates them all
// again): the locally owned cells are binned once into a uniform grid of
// buckets by their bounding boxes (widened a little, since a curved cell
// may bulge out of the box of its vertices), so a point's candidates are
// the few cells of its bucket; and a cell that the mapping maps affinely (a
// parallelogram or parallelepiped with flat manifolds, as most cells of a
// generated mesh are) takes a point into its reference cell by one
// precomputed affine inverse, without the MappingQ's Newton iteration. Any
// other cell, and a point that no bucket's cell holds, go through the
// MappingQ and deal.II's R-tree of the cells.
// ---------------------------------------------------------------------------
#ifndef npde_cell_locator_h
#define npde_cell_locator_h

#include <deal.II/grid/grid_tools_cache.h>

#include <npde/point_evaluation.h>

#include <vector>

namespace npde
{
  using namespace dealii;

  template <int dim>
  class CellLocator
  {
  public:
    using LocatedPoint = typename PointEvaluation<dim>::LocatedPoint;

    /// Bin the locally owned cells of @p discretization's current mesh.
    explicit CellLocator(const Discretization<dim> &discretization);

    /**
     * Whether this rank owns @p p; if so, its cell and reference point
     * into @p located. (A point that no rank owns lies outside the domain.)
     */
    bool
    locate(const Point<dim> &p, LocatedPoint &located) const;

  private:
    using TriaCell = typename Triangulation<dim>::active_cell_iterator;

    /// A locally owned cell: its widened box, and its affine inverse if it
    /// has one (x̂ = inverse·(x − origin)).
    struct Cell
    {
      TriaCell         cell;
      BoundingBox<dim> box;
      bool             affine;
      Tensor<2, dim>   inverse;
      Point<dim>       origin;
    };

    /// Whether the mapping takes @p p into @p cell's reference cell (with
    /// the reference coordinates into @p reference).
    bool
    inside(const TriaCell   &cell,
           const Point<dim> &p,
           Point<dim>       &reference) const;
    bool
    inside(const Cell &cell, const Point<dim> &p, Point<dim> &reference) const;

    /// A first locally owned cell that holds @p p.
    bool
    first_cell(const Point<dim>                &p,
               std::pair<TriaCell, Point<dim>> &first) const;

    const Discretization<dim>  &discretization;
    const GridTools::Cache<dim> cache;
    std::vector<Cell>           cells;
    // The buckets: the box of all cells, n per direction, and the cells
    // (indices into cells) whose box meets each bucket.
    Point<dim>                lower, upper;
    unsigned int              n = 1;
    Tensor<1, dim>            buckets_per_unit; // n / (upper − lower)
    std::vector<unsigned int> bucket_start, bucket_cells;
    // The index in `cells` of each active cell (invalid if not owned).
    std::vector<unsigned int> local_index;
  };
} // namespace npde

#endif
