// BpfSession: one loaded BPF object, its uprobe links and the ring-buffer thread feeding JavaScript.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

struct bpf_object;
struct bpf_link;
struct ring_buffer;

namespace medic {

// Records of one batch: each is a u32 length, 4 bytes of zero, then the record itself.
struct Batch {
  std::vector<uint8_t> bytes;
  uint32_t count = 0;
};

class BpfSession : public Napi::ObjectWrap<BpfSession> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit BpfSession(const Napi::CallbackInfo& info);
  ~BpfSession() override;

 private:
  Napi::Value Load(const Napi::CallbackInfo& info);
  Napi::Value UpdateMap(const Napi::CallbackInfo& info);
  Napi::Value AttachUprobe(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void PollLoop();
  void Flush();
  void Teardown();
  static int OnRecord(void* self, void* data, size_t size);

  bpf_object* obj_ = nullptr;
  bool loaded_ = false;
  std::vector<bpf_link*> links_;
  ring_buffer* rb_ = nullptr;
  std::thread thread_;
  std::atomic<bool> running_{false};
  bool started_ = false;
  Napi::ThreadSafeFunction tsfn_;
  std::unique_ptr<Napi::Promise::Deferred> stopped_;
  // Records of the current batch, owned by the poll thread until handed to JavaScript.
  Batch* batch_ = nullptr;
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> batches_{0};
};

}  // namespace medic
