#include "amtune/qmc.hpp"

#include <stdexcept>

namespace amtune {

namespace {
std::vector<int> first_primes(int n) {
  std::vector<int> p;
  for (int c = 2; static_cast<int>(p.size()) < n; ++c) {
    bool prime = true;
    for (int q : p) {
      if (q * q > c) break;
      if (c % q == 0) { prime = false; break; }
    }
    if (prime) p.push_back(c);
  }
  return p;
}
}  // namespace

ScrambledHalton::ScrambledHalton(int dim, std::uint64_t seed) {
  if (dim < 0 || dim > 2000) throw std::invalid_argument("ScrambledHalton: dim must be in [0, 2000]");
  base_ = first_primes(dim);
  ndigits_.resize(dim);
  perm_.resize(dim);
  SplitMix64 rng(seed ^ 0x5DEECE66Dull);
  for (int j = 0; j < dim; ++j) {
    const int b = base_[j];
    // enough digits that b^-k is below double resolution
    int k = 0;
    for (double scale = 1.0; scale > 1e-16; scale /= b) ++k;
    ndigits_[j] = k;
    perm_[j].resize(static_cast<std::size_t>(k) * b);
    for (int t = 0; t < k; ++t) {
      std::uint16_t* p = perm_[j].data() + static_cast<std::size_t>(t) * b;
      for (int i = 0; i < b; ++i) p[i] = static_cast<std::uint16_t>(i);
      for (int i = b - 1; i > 0; --i) {  // Fisher-Yates
        const int r = static_cast<int>(rng.next() % static_cast<std::uint64_t>(i + 1));
        std::swap(p[i], p[r]);
      }
    }
  }
}

void ScrambledHalton::point(std::uint64_t index, double* out) const {
  for (int j = 0; j < dim(); ++j) {
    const int b = base_[j];
    const std::uint16_t* p = perm_[j].data();
    std::uint64_t i = index;
    double inv = 1.0 / b, v = 0.0;
    for (int t = 0; t < ndigits_[j]; ++t) {
      const int digit = static_cast<int>(i % b);
      i /= b;
      v += p[static_cast<std::size_t>(t) * b + digit] * inv;
      inv /= b;
    }
    out[j] = v < 1.0 ? v : std::nextafter(1.0, 0.0);
  }
}

}  // namespace amtune
