// ---------------------------------------------------------------------------
// npde: a table of measurements read from a CSV file (doc/design.md
// section 9, doc/observations.md).
//
// The file has a header line naming its columns, in any order:
//
//   t,x[,y[,z]],value[,sigma]
//
// (the coordinates of the problem's dimension; `value` only where values
// are measured, not in a file of sample points; σ = 1 where `sigma` is
// absent), then one measurement per line. Empty lines and lines whose first
// non-blank character is `#` are comments. Every error names the file, the
// line and what to do: a missing, unknown or repeated column, a line with
// too few or too many fields, a field that is not a number, a value that is
// not finite, σ ≤ 0, a time outside [0, T], an empty file, a file that does
// not exist. (Whether a point lies in the domain is for the mesh to say:
// observation_operator.h.)
// ---------------------------------------------------------------------------
#ifndef npde_observation_table_h
#define npde_observation_table_h

#include <string>
#include <vector>

namespace npde
{
  struct ObservationTable
  {
    /// The file, as given, for messages.
    std::string  file;
    unsigned int dim = 0;
    /// Per row k: t_k, x_k (dim numbers from x[k·dim]), h_k, σ_k, and the
    /// line of the file it came from.
    std::vector<double>       t;
    std::vector<double>       x;
    std::vector<double>       value;
    std::vector<double>       sigma;
    std::vector<unsigned int> line;

    unsigned int
    size() const
    {
      return t.size();
    }

    /// "file 'f', line l" for row @p k.
    std::string
    where(const unsigned int k) const;
  };

  /// What a table must hold.
  struct ObservationTableFormat
  {
    unsigned int dim;
    /// Whether the file has a `value` column (measurements) or must not
    /// (sample points).
    bool with_values;
    /// The times must lie in [0, end_time].
    double end_time;
    /// The parameter that named the file, for messages.
    std::string parameter;
  };

  /// Read @p file in the format @p format; throws an InputError that names
  /// the file and the line otherwise.
  ObservationTable
  read_observation_table(const std::string            &file,
                         const ObservationTableFormat &format);
} // namespace npde

#endif
