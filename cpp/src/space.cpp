#include "amtune/space.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace amtune {

Space::Space(std::vector<Dimension> dims) : dims_(std::move(dims)) {
  s_low_.resize(dims_.size());
  s_high_.resize(dims_.size());
  for (std::size_t j = 0; j < dims_.size(); ++j) {
    const Dimension& d = dims_[j];
    const std::string where = "dimension " + std::to_string(j);
    if (!std::isfinite(d.low) || !std::isfinite(d.high)) {
      throw std::invalid_argument(where + ": bounds must be finite");
    }
    if (d.kind == Kind::Categorical) {
      if (d.high < 1) throw std::invalid_argument(where + ": a categorical needs >= 1 value");
      s_low_[j] = 0.0;
      s_high_[j] = d.high;
      continue;
    }
    if (!(d.low <= d.high)) throw std::invalid_argument(where + ": low must be <= high");
    if (d.scale == Scale::Logarithmic && d.low <= 0) {
      throw std::invalid_argument(where + ": Logarithmic scaling needs low > 0");
    }
    if (d.scale == Scale::ReverseLogarithmic && (d.kind != Kind::Continuous || d.low < 0 || d.high >= 1)) {
      throw std::invalid_argument(where + ": ReverseLogarithmic needs a continuous range in [0, 1)");
    }
    const double lo = d.kind == Kind::Integer ? d.low - 0.5 : d.low;
    const double hi = d.kind == Kind::Integer ? d.high + 0.5 : d.high;
    s_low_[j] = to_scaled(d, lo);
    s_high_[j] = to_scaled(d, hi);
  }
}

double Space::to_scaled(const Dimension& d, double x) const {
  switch (d.scale) {
    case Scale::Logarithmic: return std::log(x);
    case Scale::ReverseLogarithmic: return -std::log1p(-x);
    default: return x;
  }
}

double Space::from_scaled(const Dimension& d, double s) const {
  switch (d.scale) {
    case Scale::Logarithmic: return std::exp(s);
    case Scale::ReverseLogarithmic: return -std::expm1(-s);
    default: return s;
  }
}

double Space::cardinality(int j) const {
  const Dimension& d = dims_[j];
  if (d.kind == Kind::Categorical) return d.high;
  if (d.kind == Kind::Integer) return d.high - d.low + 1.0;
  return 0.0;
}

double Space::encode_value(int j, double x) const {
  const Dimension& d = dims_[j];
  const double width = s_high_[j] - s_low_[j];
  if (d.kind == Kind::Categorical) return (x + 0.5) / d.high;
  if (d.kind == Kind::Integer) {
    // centre of the cell of value x under the scale
    const double a = (to_scaled(d, x - 0.5) - s_low_[j]) / width;
    const double b = (to_scaled(d, x + 0.5) - s_low_[j]) / width;
    return std::clamp(0.5 * (a + b), 0.0, 1.0);
  }
  if (width == 0.0) return 0.5;
  return std::clamp((to_scaled(d, x) - s_low_[j]) / width, 0.0, 1.0);
}

double Space::decode_value(int j, double u) const {
  const Dimension& d = dims_[j];
  u = std::clamp(u, 0.0, 1.0);
  if (d.kind == Kind::Categorical) {
    return std::min(std::floor(u * d.high), d.high - 1.0);
  }
  const double x = from_scaled(d, s_low_[j] + u * (s_high_[j] - s_low_[j]));
  if (d.kind == Kind::Integer) {
    // the value whose cell holds x: cells are [v - 1/2, v + 1/2) in raw units
    return std::clamp(std::floor(x + 0.5), d.low, d.high);
  }
  return std::clamp(x, d.low, d.high);
}

namespace {

using Array = Eigen::ArrayXd;

// xoshiro256++ (Blackman & Vigna, 2019), seeded through splitmix64: fast, and the same stream on
// every platform and compiler (std::uniform_real_distribution is not).
class Xoshiro256pp {
 public:
  explicit Xoshiro256pp(std::uint64_t seed) {
    for (auto& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;  // splitmix64
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  std::uint64_t operator()() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

Array scaled(Scale scale, const Array& x) {
  switch (scale) {
    case Scale::Logarithmic: return x.log();
    case Scale::ReverseLogarithmic: return -(-x).log1p();
    default: return x;
  }
}

Array unscaled(Scale scale, const Array& s) {
  switch (scale) {
    case Scale::Logarithmic: return s.exp();
    case Scale::ReverseLogarithmic: return -(-s).expm1();
    default: return s;
  }
}

}  // namespace

// Continuous columns run through Eigen's vectorized log/exp, a whole column at a time. Discrete
// columns use the scalar encode_value/decode_value so that a value's encoding is bit-identical
// wherever it is computed (canonical points are compared exactly to find repeats).
RowMatrix Space::encode(const RowMatrix& raw) const {
  if (raw.cols() != dim()) throw std::invalid_argument("encode: expected " + std::to_string(dim()) + " columns");
  const Eigen::Index n = raw.rows();
  RowMatrix out(n, raw.cols());
  for (int j = 0; j < dim(); ++j) {
    const Dimension& d = dims_[j];
    if (d.kind != Kind::Continuous) {
      for (Eigen::Index i = 0; i < n; ++i) out(i, j) = encode_value(j, raw(i, j));
      continue;
    }
    const double width = s_high_[j] - s_low_[j];
    if (width == 0.0) {
      out.col(j).setConstant(0.5);
      continue;
    }
    const Array x = raw.col(j).array();
    out.col(j) = ((scaled(d.scale, x) - s_low_[j]) / width).max(0.0).min(1.0).matrix();
  }
  return out;
}

RowMatrix Space::decode(const RowMatrix& unit) const {
  if (unit.cols() != dim()) throw std::invalid_argument("decode: expected " + std::to_string(dim()) + " columns");
  const Eigen::Index n = unit.rows();
  RowMatrix out(n, unit.cols());
  for (int j = 0; j < dim(); ++j) {
    const Dimension& d = dims_[j];
    if (d.kind != Kind::Continuous) {
      for (Eigen::Index i = 0; i < n; ++i) out(i, j) = decode_value(j, unit(i, j));
      continue;
    }
    const Array u = unit.col(j).array().max(0.0).min(1.0);
    const Array s = s_low_[j] + u * (s_high_[j] - s_low_[j]);
    out.col(j) = unscaled(d.scale, s).max(d.low).min(d.high).matrix();
  }
  return out;
}

RowMatrix Space::canonicalize(const RowMatrix& unit) const {
  RowMatrix out = unit;
  for (int j = 0; j < dim(); ++j) {
    if (dims_[j].kind == Kind::Continuous) continue;
    for (Eigen::Index i = 0; i < unit.rows(); ++i) out(i, j) = encode_value(j, decode_value(j, unit(i, j)));
  }
  return out;
}

RowMatrix Space::sample_unit(int n, std::uint64_t seed) const {
  if (n < 0) throw std::invalid_argument("sample: n must be >= 0");
  Xoshiro256pp rng(seed);
  // 53-bit uniform doubles in [0, 1)
  RowMatrix out(n, dim());
  double* p = out.data();
  const Eigen::Index size = out.size();
  for (Eigen::Index k = 0; k < size; ++k) p[k] = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return out;
}

}  // namespace amtune
