#include <string>

#include <Eigen/Core>

#include <pybind11/typing.h>

#include "pybind.hpp"

namespace {

// CPU features relevant to the instruction-set levels the portable wheels ship.
py::typing::Dict<py::str, bool> cpu_features() {
  py::typing::Dict<py::str, bool> out;
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

// Instruction sets this module was compiled to use (what -march enabled), in x86-64 level order.
py::typing::List<py::str> compiled_features() {
  py::typing::List<py::str> out;
#ifdef __SSE4_2__
  out.append("sse4.2");
#endif
#ifdef __AVX__
  out.append("avx");
#endif
#ifdef __AVX2__
  out.append("avx2");
#endif
#ifdef __FMA__
  out.append("fma");
#endif
#ifdef __BMI2__
  out.append("bmi2");
#endif
#ifdef __AVX512F__
  out.append("avx512f");
#endif
#ifdef __AVX512BW__
  out.append("avx512bw");
#endif
#ifdef __AVX512DQ__
  out.append("avx512dq");
#endif
#ifdef __AVX512VL__
  out.append("avx512vl");
#endif
  return out;
}

}  // namespace

void bind_build(py::module_& m) {
  m.def("build_info", [] {
    py::typing::Dict<py::str, py::object> d;
    d["version"] = AMTUNE_VERSION;
    d["isa_level"] = AMTUNE_ISA_LEVEL;
    d["simd"] = std::string(Eigen::SimdInstructionSetsInUse());
    d["compiled_features"] = compiled_features();
    d["eigen"] = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                 std::to_string(EIGEN_MINOR_VERSION);
#ifdef NDEBUG
    d["build_type"] = "Release";
#else
    d["build_type"] = "Debug";
#endif
    return d;
  }, "How this module was built: version, isa_level, simd, compiled_features, eigen, build_type");
  m.def("cpu_features", &cpu_features, "x86-64 instruction sets this CPU supports");
}
