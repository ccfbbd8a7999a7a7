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
  // Logarithmic integer ranges encode through a table of their cell centres (two logs per value
  // otherwise), filled by encode_value itself so both give the same bits.
  centres_.resize(dims_.size());
  for (std::size_t j = 0; j < dims_.size(); ++j) {
    const Dimension& d = dims_[j];
    if (d.kind != Kind::Integer || d.scale != Scale::Logarithmic || d.high - d.low >= kMaxTable) continue;
    const auto k = static_cast<std::size_t>(d.high - d.low) + 1;
    centres_[j].resize(k);
    for (std::size_t v = 0; v < k; ++v)
      centres_[j][v] = encode_value(static_cast<int>(j), d.low + static_cast<double>(v));
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
  // the ends of the encoded interval are the bounds exactly (exp(log(a)) may differ from a by an ulp)
  if (u == 0.0) return d.low;
  if (u == 1.0) return d.high;
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

// Vectorized forms of to_scaled/from_scaled. ReverseLogarithmic uses log(1 - x) and 1 - exp(-s)
// (Eigen vectorizes log and exp, not log1p and expm1): 1 - x is exact near 1, where the scale is
// dense, and the absolute error stays ~1e-16 near 0.
Array scaled(Scale scale, const Array& x) {
  switch (scale) {
    case Scale::Logarithmic: return x.log();
    case Scale::ReverseLogarithmic: return -(1.0 - x).log();
    default: return x;
  }
}

Array unscaled(Scale scale, const Array& s) {
  switch (scale) {
    case Scale::Logarithmic: return s.exp();
    case Scale::ReverseLogarithmic: return 1.0 - (-s).exp();
    default: return s;
  }
}

}  // namespace

// Rows are processed in blocks that stay in cache. Within a block, continuous columns run through
// Eigen's vectorized log/exp; discrete columns use the scalar encode_value/decode_value so that a
// value's encoding is bit-identical wherever it is computed (canonical points are compared exactly
// to find repeats).
namespace {
constexpr Eigen::Index kBlockRows = 512;
}

RowMatrix Space::encode(const Eigen::Ref<const RowMatrix>& raw) const {
  if (raw.cols() != dim()) throw std::invalid_argument("encode: expected " + std::to_string(dim()) + " columns");
  const Eigen::Index n = raw.rows();
  RowMatrix out(n, raw.cols());
  for (Eigen::Index r0 = 0; r0 < n; r0 += kBlockRows) {
    const Eigen::Index m = std::min(kBlockRows, n - r0);
    for (int j = 0; j < dim(); ++j) {
      const Dimension& d = dims_[j];
      if (!centres_[j].empty()) {  // a table of encode_value results
        const std::vector<double>& table = centres_[j];
        const double last = static_cast<double>(table.size() - 1);
        for (Eigen::Index i = r0; i < r0 + m; ++i) {
          const double k = std::clamp(raw(i, j) - d.low, 0.0, last);
          out(i, j) = table[static_cast<std::size_t>(k)];
        }
        continue;
      }
      const double width = s_high_[j] - s_low_[j];
      const Array x = raw.block(r0, j, m, 1).array();
      if (d.kind == Kind::Categorical) {
        out.block(r0, j, m, 1) = ((x + 0.5) / d.high).matrix();
      } else if (d.kind == Kind::Integer && d.scale == Scale::Linear) {
        // the operations of encode_value in the same order, so the same bits
        const Array a = ((x - 0.5) - s_low_[j]) / width;
        const Array b = ((x + 0.5) - s_low_[j]) / width;
        out.block(r0, j, m, 1) = (0.5 * (a + b)).max(0.0).min(1.0).matrix();
      } else if (d.kind == Kind::Integer) {
        for (Eigen::Index i = r0; i < r0 + m; ++i) out(i, j) = encode_value(j, raw(i, j));
      } else if (width == 0.0) {  // min_value == max_value: the one value is the centre
        out.block(r0, j, m, 1).setConstant(0.5);
      } else {
        out.block(r0, j, m, 1) = ((scaled(d.scale, x) - s_low_[j]) / width).max(0.0).min(1.0).matrix();
      }
    }
  }
  return out;
}

RowMatrix Space::decode(const Eigen::Ref<const RowMatrix>& unit) const {
  if (unit.cols() != dim()) throw std::invalid_argument("decode: expected " + std::to_string(dim()) + " columns");
  const Eigen::Index n = unit.rows();
  RowMatrix out(n, unit.cols());
  for (Eigen::Index r0 = 0; r0 < n; r0 += kBlockRows) {
    const Eigen::Index m = std::min(kBlockRows, n - r0);
    for (int j = 0; j < dim(); ++j) {
      const Dimension& d = dims_[j];
      const Array u = unit.block(r0, j, m, 1).array().max(0.0).min(1.0);
      if (d.kind == Kind::Categorical) {
        out.block(r0, j, m, 1) = (u * d.high).floor().min(d.high - 1.0).matrix();
        continue;
      }
      const Array x = unscaled(d.scale, s_low_[j] + u * (s_high_[j] - s_low_[j]));
      if (d.kind == Kind::Integer) {
        out.block(r0, j, m, 1) = (x + 0.5).floor().max(d.low).min(d.high).matrix();
      } else {
        // the ends of the encoded interval are the bounds exactly (exp(log(a)) may be off by an ulp)
        out.block(r0, j, m, 1) =
            (u == 0.0).select(d.low, (u == 1.0).select(d.high, x.max(d.low).min(d.high))).matrix();
      }
    }
  }
  return out;
}

RowMatrix Space::canonicalize(const Eigen::Ref<const RowMatrix>& unit) const {
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
