#ifndef CRM_COMMON_PERIODIC_H_
#define CRM_COMMON_PERIODIC_H_

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace crm {

// Runs `task` every `interval` on its own thread until destroyed (a zero
// interval never runs it). The destructor waits for a running task.
class Periodic {
 public:
  Periodic(absl::Duration interval, std::function<void()> task)
      : interval_(interval), task_(std::move(task)) {
    if (interval_ > absl::ZeroDuration()) thread_ = std::thread([this] { Loop(); });
  }
  ~Periodic() {
    stop_.Notify();
    if (thread_.joinable()) thread_.join();
  }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  void Loop() {
    while (!stop_.WaitForNotificationWithTimeout(interval_)) task_();
  }

  absl::Duration interval_;
  std::function<void()> task_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace crm

#endif  // CRM_COMMON_PERIODIC_H_
