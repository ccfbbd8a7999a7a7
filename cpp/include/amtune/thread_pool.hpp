// Parallel loops over independent tasks on std::thread.
//
// Results never depend on scheduling: task i writes only its own output slot and draws its random
// numbers from its own seed. An exception thrown by a task is captured (std::exception_ptr) and the
// one of the lowest-numbered failing task is rethrown in the caller after all threads joined.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <thread>
#include <vector>

namespace amtune {

// Threads to use: `requested` if positive, else the environment variable AMTUNE_NUM_THREADS, else
// std::thread::hardware_concurrency().
inline int resolve_num_threads(int requested) {
  if (requested > 0) return requested;
  if (const char* env = std::getenv("AMTUNE_NUM_THREADS")) {
    const int v = std::atoi(env);
    if (v > 0) return v;
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

template <class F>
void parallel_for(int n, int threads, F&& fn) {
  threads = std::max(1, std::min(threads, n));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max(n, 0)));
  std::atomic<int> next{0};
  auto worker = [&] {
    for (;;) {
      const int i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace amtune
