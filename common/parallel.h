#ifndef CRM_COMMON_PARALLEL_H_
#define CRM_COMMON_PARALLEL_H_

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace crm {

// Calls fn(i) for every i in [0, n) on `threads` threads, each taking the
// next index as it finishes one (blocking calls such as RPCs overlap).
template <typename Fn>
void ParallelFor(size_t n, int threads, Fn fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& w : workers) w.join();
}

}  // namespace crm

#endif  // CRM_COMMON_PARALLEL_H_
