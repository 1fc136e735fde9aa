// libbpf's log captured per process so that errors thrown to JavaScript carry the verifier/attach log.
#pragma once
#include <string>

namespace medic {
// Installs the print callback (idempotent).
void InstallLibbpfLog();
// Forgets what was logged so far; call before an operation whose log matters.
void ClearLibbpfLog();
// The last few KiB libbpf printed since ClearLibbpfLog().
std::string LibbpfLogTail();
}  // namespace medic
