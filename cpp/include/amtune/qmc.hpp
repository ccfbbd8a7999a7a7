// Quasi-random points and small deterministic random-number helpers.
//
// Scrambled Halton sequence: coordinate j uses the j-th prime base, and each digit position of each
// coordinate goes through its own uniformly random permutation of the digits (random-permutation
// scrambling; Mascagni & Chi 2004, Owen 2017 "A randomized Halton algorithm in R"). Scrambling
// removes the strong correlations of plain Halton between high coordinates, so it serves the 100
// ranges a space may have. The sequence is extensible: point i is the same whatever the number of
// points drawn, which the initial design relies on. All randomness is from splitmix64, so results
// are identical on every platform (std::shuffle and std distributions are implementation-defined).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace amtune {

// splitmix64 (Steele, Lea & Flood 2014)
struct SplitMix64 {
  std::uint64_t state;
  explicit SplitMix64(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  int below(int n) { return static_cast<int>(uniform() * n); }
  double normal() {  // Box-Muller
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

class ScrambledHalton {
 public:
  ScrambledHalton(int dim, std::uint64_t seed);
  int dim() const { return static_cast<int>(base_.size()); }
  // Point `index` of the sequence into out[0..dim).
  void point(std::uint64_t index, double* out) const;

 private:
  std::vector<int> base_, ndigits_;
  std::vector<std::vector<std::uint16_t>> perm_;  // per dimension: ndigits * base entries
};

}  // namespace amtune
