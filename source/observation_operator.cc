// ---------------------------------------------------------------------------
// npde: the prediction of point measurements, and its adjoint (see
// observation_operator.h).
// ---------------------------------------------------------------------------
#include <npde/cell_locator.h>
#include <npde/expression.h>
#include <npde/observation_operator.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <sstream>

namespace npde
{
  template <int dim>
  ObservationOperator<dim>::ObservationOperator(const StateSolver<dim> &state)
    : state(state)
    , evaluation(state.discretization())
  {
  }



  namespace
  {
    template <int dim>
    Point<dim>
    table_point(const ObservationTable &table, const unsigned int k)
    {
      Point<dim> p;
      for (unsigned int d = 0; d < dim; ++d)
        p[d] = table.x[k * dim + d];
      return p;
    }
  } // namespace



  namespace
  {
    // A hash of a point's coordinates by their bits (equal points are equal
    // bit for bit: they come from the same text).
    template <int dim>
    std::uint64_t
    point_hash(const double *x)
    {
      std::uint64_t h = 0x9E3779B97F4A7C15ull;
      for (unsigned int d = 0; d < dim; ++d)
        {
          std::uint64_t bits;
          std::memcpy(&bits, x + d, sizeof(bits));
          h = (h ^ bits) * 0xBF58476D1CE4E5B9ull;
          h ^= h >> 31;
        }
      return h;
    }



    // The interval [t_n, t_{n+1}] of @p t (the last one for t = T): guessed
    // as if the steps were uniform, then corrected (a binary search costs
    // more than the rest of a row's set-up).
    unsigned int
    interval(const std::vector<double> &times,
             const double               steps_per_unit,
             const double               t)
    {
      const int K = int(times.size()) - 1;
      int       n = std::clamp(int((t - times[0]) * steps_per_unit), 0, K - 1);
      while (n > 0 && t < times[n])
        --n;
      while (n < K - 1 && t >= times[n + 1])
        ++n;
      return n;
    }
  } // namespace



  // Each point is located by CellLocator; the same point given on several
  // rows (a fixed sensor's measurements) is located once. The rows met so
  // far are found through an open-addressing table of row indices (linear
  // probing, at most half full): one probe into one array per row, where a
  // node-based std::unordered_map costs a cache miss or two per row, more
  // than locating the point.
  template <int dim>
  std::vector<typename ObservationOperator<dim>::LocatedPoint>
  ObservationOperator<dim>::locate(const ObservationTable &table,
                                   std::vector<bool>      &owned) const
  {
    const Discretization<dim> &discretization = state.discretization();
    const CellLocator<dim>     locator(discretization);
    std::size_t                capacity = 16;
    while (capacity < 2 * table.size())
      capacity *= 2;
    std::vector<int>          first_row(capacity, -1);
    std::vector<LocatedPoint> points(table.size());
    std::vector<unsigned int> found(table.size(), 0);
    for (unsigned int k = 0; k < table.size(); ++k)
      {
        const double *x    = &table.x[k * dim];
        std::size_t   slot = point_hash<dim>(x) & (capacity - 1);
        for (; first_row[slot] >= 0; slot = (slot + 1) & (capacity - 1))
          if (std::equal(x, x + dim, &table.x[first_row[slot] * dim]))
            break;
        if (first_row[slot] >= 0)
          {
            points[k] = points[first_row[slot]];
            found[k]  = found[first_row[slot]];
            continue;
          }
        first_row[slot] = int(k);
        found[k] =
          locator.locate(table_point<dim>(table, k), points[k]) ? 1 : 0;
      }

    // Every point has exactly one owner, or lies outside the domain.
    std::vector<unsigned int> owners(table.size());
    Utilities::MPI::sum(ArrayView<const unsigned int>(found),
                        discretization.communicator(),
                        ArrayView<unsigned int>(owners));
    for (unsigned int k = 0; k < table.size(); ++k)
      if (owners[k] == 0)
        {
          std::ostringstream message;
          message << table.where(k) << ": the point ("
                  << table_point<dim>(table, k)
                  << ") lies outside the domain (of the mesh with its "
                     "mapping). Remove the line, or move the point into "
                     "the domain.";
          throw InputError(message.str());
        }

    owned.assign(table.size(), false);
    for (unsigned int k = 0; k < table.size(); ++k)
      owned[k] = found[k] == 1;
    return points;
  }



  // The rows are grouped by interval (the interval of t_k = T is the last
  // one, with s = 1); an interval that no rank has a row of gets no
  // evaluation, and every rank keeps the same list of intervals, since
  // their products are collective.
  template <int dim>
  void
  ObservationOperator<dim>::setup(const ObservationTable &table)
  {
    std::vector<bool>               owned;
    const std::vector<LocatedPoint> points = locate(table, owned);
    const std::vector<double>      &times  = state.time_grid().times();
    const unsigned int              K      = state.time_grid().n_steps();

    // A counting sort of this rank's rows by interval: the interval of
    // each, the number in each, and then the rows in order.
    const double              steps_per_unit = K / (times[K] - times[0]);
    std::vector<unsigned int> interval_of(table.size());
    std::vector<unsigned int> local_counts(K, 0), counts(K);
    for (unsigned int k = 0; k < table.size(); ++k)
      if (owned[k])
        {
          interval_of[k] = interval(times, steps_per_unit, table.t[k]);
          ++local_counts[interval_of[k]];
        }
    Utilities::MPI::sum(ArrayView<const unsigned int>(local_counts),
                        state.discretization().communicator(),
                        ArrayView<unsigned int>(counts));

    // Every rank keeps the intervals that any rank has rows of.
    std::vector<unsigned int> position(K + 1, 0);
    intervals.clear();
    for (unsigned int n = 0; n < K; ++n)
      {
        position[n + 1] = position[n] + local_counts[n];
        if (counts[n] > 0)
          intervals.push_back({n, position[n], position[n + 1]});
      }
    local_rows.resize(position[K]);
    s.resize(position[K]);
    for (unsigned int k = 0; k < table.size(); ++k)
      if (owned[k])
        {
          const unsigned int n = interval_of[k];
          const unsigned int j = position[n]++;
          local_rows[j]        = k;
          s[j] = std::clamp((table.t[k] - times[n]) / (times[n + 1] - times[n]),
                            0.,
                            1.);
        }
    evaluation.setup(points, local_rows);
  }



  template <int dim>
  const std::vector<unsigned int> &
  ObservationOperator<dim>::rows() const
  {
    return local_rows;
  }



  // Level n ends the interval before it (weight s) and starts its own
  // (weight 1 − s). Their rows are next to each other, so each level needs
  // one product over [begin, end), whose rows from @p start on are those
  // of the interval that starts at n. Returns false if no interval touches
  // level n; @p next is the first interval not yet started.
  template <int dim>
  bool
  ObservationOperator<dim>::rows_at_level(const unsigned int n,
                                          unsigned int      &next,
                                          unsigned int      &begin,
                                          unsigned int      &start,
                                          unsigned int      &end) const
  {
    const bool ending   = next > 0 && intervals[next - 1].n + 1 == n;
    const bool starting = next < intervals.size() && intervals[next].n == n;
    begin               = ending ? intervals[next - 1].begin : 0;
    start =
      starting ? intervals[next].begin : (ending ? intervals[next - 1].end : 0);
    end = starting ? intervals[next].end : start;
    if (!ending)
      begin = start;
    if (starting)
      ++next;
    return ending || starting;
  }



  template <int dim>
  void
  ObservationOperator<dim>::predict(
    std::vector<double>                     &y,
    const std::function<void(unsigned int)> &wait_for_level) const
  {
    y.assign(local_rows.size(), 0.);
    unsigned int next = 0, begin, start, end;
    for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
      {
        if (wait_for_level)
          wait_for_level(n);
        if (!rows_at_level(n, next, begin, start, end))
          continue;
        evaluation.values(state.state(n), buffer, begin, end);
        for (unsigned int j = begin; j < start; ++j)
          y[j] += s[j] * buffer[j];
        for (unsigned int j = start; j < end; ++j)
          y[j] = (1. - s[j]) * buffer[j];
      }
  }



  template <int dim>
  void
  ObservationOperator<dim>::add_adjoint_sources(
    const std::vector<double> &v,
    std::vector<VectorType>   &r) const
  {
    AssertDimension(v.size(), local_rows.size());
    weights.reinit(local_rows.size(), true);
    unsigned int next = 0, begin, start, end;
    for (unsigned int n = 0; n <= state.time_grid().n_steps(); ++n)
      {
        if (!rows_at_level(n, next, begin, start, end))
          continue;
        for (unsigned int j = begin; j < start; ++j)
          weights[j] = s[j] * v[j];
        for (unsigned int j = start; j < end; ++j)
          weights[j] = (1. - s[j]) * v[j];
        evaluation.add_integrals(weights, r[n], begin, end);
      }
  }



  template class ObservationOperator<1>;
  template class ObservationOperator<2>;
  template class ObservationOperator<3>;
} // namespace npde
