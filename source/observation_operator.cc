// ---------------------------------------------------------------------------
// npde: the prediction of point measurements, and its adjoint (see
// observation_operator.h).
// ---------------------------------------------------------------------------
#include <npde/cell_locator.h>
#include <npde/expression.h>
#include <npde/observation_operator.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <sstream>
#include <unordered_map>

#include <boost/functional/hash.hpp>

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



  // Each point is located by CellLocator; the same point given on several
  // rows (a fixed sensor's measurements) is located once.
  template <int dim>
  std::vector<typename ObservationOperator<dim>::LocatedPoint>
  ObservationOperator<dim>::locate(const ObservationTable &table,
                                   std::vector<bool>      &owned) const
  {
    const Discretization<dim> &discretization = state.discretization();
    const CellLocator<dim>     locator(discretization);
    const auto                 hash = [](const std::array<double, dim> &x) {
      return boost::hash_range(x.begin(), x.end());
    };
    std::unordered_map<std::array<double, dim>, int, decltype(hash)> known(
      table.size(), hash);
    std::vector<LocatedPoint> points(table.size());
    std::vector<unsigned int> found(table.size(), 0);
    for (unsigned int k = 0; k < table.size(); ++k)
      {
        const Point<dim>        p = table_point<dim>(table, k);
        std::array<double, dim> key;
        for (unsigned int d = 0; d < dim; ++d)
          key[d] = p[d];
        const auto [it, is_new] = known.emplace(key, int(k));
        if (!is_new)
          {
            points[k] = points[it->second];
            found[k]  = found[it->second];
            continue;
          }
        found[k] = locator.locate(p, points[k]) ? 1 : 0;
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

    std::vector<std::vector<unsigned int>> rows_of(K);
    for (unsigned int k = 0; k < table.size(); ++k)
      if (owned[k])
        {
          const auto after =
            std::upper_bound(times.begin(), times.end(), table.t[k]);
          const int n = int(after - times.begin()) - 1;
          rows_of[std::min<int>(std::max(n, 0), int(K) - 1)].push_back(k);
        }
    std::vector<unsigned int> local_counts(K), counts(K);
    for (unsigned int n = 0; n < K; ++n)
      local_counts[n] = rows_of[n].size();
    Utilities::MPI::sum(ArrayView<const unsigned int>(local_counts),
                        state.discretization().communicator(),
                        ArrayView<unsigned int>(counts));

    local_rows.clear();
    s.clear();
    intervals.clear();
    std::vector<LocatedPoint> sorted_points;
    for (unsigned int n = 0; n < K; ++n)
      {
        if (counts[n] == 0)
          continue;
        intervals.push_back({n, unsigned(local_rows.size()), 0});
        for (const unsigned int k : rows_of[n])
          {
            local_rows.push_back(k);
            s.push_back(std::clamp(
              (table.t[k] - times[n]) / (times[n + 1] - times[n]), 0., 1.));
            sorted_points.push_back(points[k]);
          }
        intervals.back().end = local_rows.size();
      }
    evaluation.setup(sorted_points);
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
