// Search-space transforms: raw hyperparameter values <-> the unit hypercube [0, 1]^d.
//
// Every dimension maps to one encoded coordinate. Raw values are numbers: continuous values,
// integers stored as doubles, and categorical values as their index 0..k-1.
//
// Scales (SageMaker's ScalingType, with Auto resolved in Python before reaching here):
//   Linear:             u = (x - a) / (b - a)
//   Logarithmic:        u = (log x - log a) / (log b - log a)            (a > 0)
//   ReverseLogarithmic: u = (log(1 - a) - log(1 - x)) / (log(1 - a) - log(1 - b))   (0 <= a < b < 1)
// Integers [a, b] give every value v the cell [s(v - 1/2), s(v + 1/2)] of the scaled interval
// [s(a - 1/2), s(b + 1/2)], so each value owns an equal share under the chosen scale s; a value
// encodes to the centre of its cell and any point of the cell decodes to it.
// Categoricals with k values give value i the cell [i/k, (i+1)/k) and encode to its centre.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace amtune {

enum class Kind : std::uint8_t { Continuous = 0, Integer = 1, Categorical = 2 };
enum class Scale : std::uint8_t { Linear = 0, Logarithmic = 1, ReverseLogarithmic = 2 };

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Dimension {
  Kind kind = Kind::Continuous;
  Scale scale = Scale::Linear;
  double low = 0.0;   // continuous/integer bound; unused for categoricals
  double high = 1.0;  // continuous/integer bound; for categoricals, the number of values
};

class Space {
 public:
  explicit Space(std::vector<Dimension> dims);

  int dim() const { return static_cast<int>(dims_.size()); }
  const std::vector<Dimension>& dimensions() const { return dims_; }

  // raw (n, d) -> encoded (n, d) in [0, 1]. Raw values must lie in their ranges.
  RowMatrix encode(const Eigen::Ref<const RowMatrix>& raw) const;
  // encoded (n, d) in [0, 1] -> raw (n, d): integers are exact, categoricals are indices.
  RowMatrix decode(const Eigen::Ref<const RowMatrix>& unit) const;
  // encoded -> encoded, snapped to what decode(encode(.)) gives (cell centres for discrete dims).
  RowMatrix canonicalize(const Eigen::Ref<const RowMatrix>& unit) const;
  // n points uniform in [0, 1]^d (so uniform under each dimension's scale), from a seeded
  // xoshiro256++ stream (the same on every platform).
  RowMatrix sample_unit(int n, std::uint64_t seed) const;

  double encode_value(int j, double raw) const;
  double decode_value(int j, double u) const;
  // Number of distinct values of a discrete dimension, 0 for continuous ones.
  double cardinality(int j) const;

 private:
  double to_scaled(const Dimension& d, double x) const;
  double from_scaled(const Dimension& d, double s) const;

  std::vector<Dimension> dims_;
  std::vector<double> s_low_, s_high_;  // scaled bounds (cell edges for integers)
  std::vector<std::vector<double>> centres_;  // per dimension: encoded centre of each value, or empty
  static constexpr double kMaxTable = 65536;
};

}  // namespace amtune
