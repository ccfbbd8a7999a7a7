// The one header that includes pybind11, so every binding unit sees the same casters.
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "amtune/space.hpp"

namespace py = pybind11;

// Each bind_<topic>.cpp defines one of these; module.cpp only calls them.
void bind_build(py::module_& m);
void bind_space(py::module_& m);
void bind_gp(py::module_& m);
void bind_big(py::module_& m);
