// libbpf print callback: keeps the tail of the log for error messages instead of writing to stderr.
#include "libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace medic {
namespace {
std::mutex log_mutex;
std::string log_text;
constexpr size_t kMaxLog = 16 * 1024;

int Print(enum libbpf_print_level level, const char* format, va_list args) {
  // Debug output is the whole verifier trace: too much for an error message.
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = vsnprintf(line, sizeof line, format, args);
  if (n < 0) return 0;
  std::lock_guard<std::mutex> lock(log_mutex);
  log_text.append(line);
  if (log_text.size() > kMaxLog) log_text.erase(0, log_text.size() - kMaxLog);
  return n;
}
}  // namespace

void InstallLibbpfLog() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(Print); });
}

void ClearLibbpfLog() {
  std::lock_guard<std::mutex> lock(log_mutex);
  log_text.clear();
}

std::string LibbpfLogTail() {
  std::lock_guard<std::mutex> lock(log_mutex);
  constexpr size_t kTail = 4096;
  return log_text.size() > kTail ? log_text.substr(log_text.size() - kTail) : log_text;
}
}  // namespace medic
