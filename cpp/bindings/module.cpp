#include "pybind.hpp"

#ifndef AMTUNE_MODULE_NAME
#define AMTUNE_MODULE_NAME _core
#endif

PYBIND11_MODULE(AMTUNE_MODULE_NAME, m) {
  m.doc() = "amtune's compiled core (private: use the amtune package)";
  bind_build(m);
  bind_space(m);
  bind_acquisition(m);
  bind_warping(m);
  bind_qmc(m);
  bind_lbfgsb(m);
  bind_gp(m);
  bind_local_model(m);
  bind_batch(m);
  bind_engine(m);
}
