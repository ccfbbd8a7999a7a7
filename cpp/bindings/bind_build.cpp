#include <string>

#include <Eigen/Core>

#include "pybind.hpp"

namespace {

// CPU features relevant to the instruction-set levels the portable wheels ship.
py::dict cpu_features() {
  py::dict out;
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  out["avx2"] = static_cast<bool>(__builtin_cpu_supports("avx2"));
  out["fma"] = static_cast<bool>(__builtin_cpu_supports("fma"));
  out["avx512f"] = static_cast<bool>(__builtin_cpu_supports("avx512f"));
  out["avx512vl"] = static_cast<bool>(__builtin_cpu_supports("avx512vl"));
  out["avx512bw"] = static_cast<bool>(__builtin_cpu_supports("avx512bw"));
  out["avx512dq"] = static_cast<bool>(__builtin_cpu_supports("avx512dq"));
#endif
  return out;
}

}  // namespace

void bind_build(py::module_& m) {
  m.def("build_info", [] {
    py::dict d;
    d["version"] = AMTUNE_VERSION;
    d["isa_level"] = AMTUNE_ISA_LEVEL;
    d["simd"] = std::string(Eigen::SimdInstructionSetsInUse());
    d["eigen"] = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                 std::to_string(EIGEN_MINOR_VERSION);
#ifdef NDEBUG
    d["build_type"] = "Release";
#else
    d["build_type"] = "Debug";
#endif
    return d;
  });
  m.def("cpu_features", &cpu_features);
}
