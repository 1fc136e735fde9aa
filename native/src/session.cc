// BpfSession: open/load a BPF object, write its config map, attach uprobes, drain its ring buffer on a
// native thread and hand batches of raw records to JavaScript through a ThreadSafeFunction.
#include "session.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "libbpf_log.h"
#include "medic.h"

namespace medic {
namespace {
constexpr uint32_t kBatchRecords = 4096;
// Bounded so a slow JavaScript side blocks the poll thread, the ring fills and the
// kernel side counts drops, instead of this process growing without bound.
constexpr size_t kQueuedBatches = 64;
constexpr int kPollMs = 50;

[[noreturn]] void Fail(Napi::Env env, const std::string& what, int err) {
  std::string message = what;
  if (err != 0) message += ": " + std::string(strerror(err < 0 ? -err : err));
  std::string log = LibbpfLogTail();
  if (!log.empty()) message += "\n" + log;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, err < 0 ? -err : err));
  throw error;
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  }
  return info[i].As<Napi::String>().Utf8Value();
}
}  // namespace

Napi::Function BpfSession::Define(Napi::Env env) {
  return DefineClass(env, "BpfSession",
                     {
                         InstanceMethod("load", &BpfSession::Load),
                         InstanceMethod("updateMap", &BpfSession::UpdateMap),
                         InstanceMethod("attachUprobe", &BpfSession::AttachUprobe),
                         InstanceMethod("start", &BpfSession::Start),
                         InstanceMethod("stop", &BpfSession::Stop),
                         InstanceMethod("stats", &BpfSession::Stats),
                         InstanceMethod("close", &BpfSession::Close),
                     });
}

BpfSession::BpfSession(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfSession>(info) {
  InstallLibbpfLog();
  std::string path = StringArg(info, 0, "objectPath");
  ClearLibbpfLog();
  obj_ = bpf_object__open_file(path.c_str(), nullptr);
  if (obj_ == nullptr) Fail(info.Env(), "cannot open BPF object " + path, errno);
}

BpfSession::~BpfSession() { Teardown(); }

Napi::Value BpfSession::Load(const Napi::CallbackInfo& info) {
  if (obj_ == nullptr) Fail(info.Env(), "session is closed", 0);
  if (loaded_) return info.Env().Undefined();
  ClearLibbpfLog();
  int err = bpf_object__load(obj_);
  if (err != 0) Fail(info.Env(), "the kernel refused to load the BPF programs", err);
  loaded_ = true;
  return info.Env().Undefined();
}

Napi::Value BpfSession::UpdateMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = StringArg(info, 0, "map");
  if (info.Length() < 3 || !info[1].IsBuffer() || !info[2].IsBuffer()) {
    throw Napi::TypeError::New(env, "key and value must be Buffers");
  }
  if (!loaded_) Fail(env, "load() before updateMap()", 0);
  bpf_map* map = bpf_object__find_map_by_name(obj_, name.c_str());
  if (map == nullptr) Fail(env, "no map named " + name, 0);
  auto key = info[1].As<Napi::Buffer<uint8_t>>();
  auto value = info[2].As<Napi::Buffer<uint8_t>>();
  ClearLibbpfLog();
  int err = bpf_map__update_elem(map, key.Data(), key.Length(), value.Data(), value.Length(), BPF_ANY);
  if (err != 0) Fail(env, "cannot update map " + name, err);
  return env.Undefined();
}

Napi::Value BpfSession::AttachUprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  Napi::Object opts = info[0].As<Napi::Object>();
  auto str = [&](const char* key) {
    Napi::Value v = opts.Get(key);
    if (!v.IsString()) throw Napi::TypeError::New(env, std::string(key) + " must be a string");
    return v.As<Napi::String>().Utf8Value();
  };
  std::string program = str("program");
  std::string binary = str("binary");
  std::string symbol = str("symbol");
  Napi::Value pidValue = opts.Get("pid");
  int pid = pidValue.IsNumber() ? pidValue.As<Napi::Number>().Int32Value() : -1;
  Napi::Value cookieValue = opts.Get("cookie");
  uint64_t cookie = cookieValue.IsNumber() ? cookieValue.As<Napi::Number>().Int64Value() : 0;
  Napi::Value offsetValue = opts.Get("offset");
  size_t offset = offsetValue.IsNumber() ? static_cast<size_t>(offsetValue.As<Napi::Number>().Int64Value()) : 0;
  if (!loaded_) Fail(env, "load() before attachUprobe()", 0);
  bpf_program* prog = bpf_object__find_program_by_name(obj_, program.c_str());
  if (prog == nullptr) Fail(env, "no BPF program named " + program, 0);

  LIBBPF_OPTS(bpf_uprobe_opts, uopts);
  uopts.func_name = symbol.c_str();
  uopts.retprobe = false;  // never: uretprobes corrupt Go stacks
  uopts.bpf_cookie = cookie;
  ClearLibbpfLog();
  bpf_link* link = bpf_program__attach_uprobe_opts(prog, pid, binary.c_str(), offset, &uopts);
  if (link == nullptr) {
    Fail(env, "cannot attach uprobe to " + symbol + "+" + std::to_string(offset) + " in " + binary, errno);
  }
  links_.push_back(link);
  return Napi::Number::New(env, static_cast<double>(links_.size()));
}

int BpfSession::OnRecord(void* ctx, void* data, size_t size) {
  auto* self = static_cast<BpfSession*>(ctx);
  if (size < MEDIC_EVENT_SIZE || size > MEDIC_PANIC_EVENT_SIZE) return 0;  // not ours: the contract fixes sizes
  if (self->batch_ == nullptr) {
    self->batch_ = new Batch();
    self->batch_->bytes.reserve(MEDIC_EVENT_SIZE * 256);
  }
  uint32_t header[2] = {static_cast<uint32_t>(size), 0};
  auto& bytes = self->batch_->bytes;
  bytes.insert(bytes.end(), reinterpret_cast<uint8_t*>(header), reinterpret_cast<uint8_t*>(header) + sizeof header);
  bytes.insert(bytes.end(), static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
  if (++self->batch_->count >= kBatchRecords) self->Flush();
  return 0;
}

void BpfSession::Flush() {
  if (batch_ == nullptr || batch_->count == 0) return;
  Batch* batch = batch_;
  batch_ = nullptr;
  uint32_t count = batch->count;
  auto callJs = [](Napi::Env env, Napi::Function callback, Batch* data) {
    if (env == nullptr || callback.IsEmpty()) {
      delete data;
      return;
    }
    uint32_t n = data->count;
    auto buffer = Napi::Buffer<uint8_t>::New(
        env, data->bytes.data(), data->bytes.size(), [](Napi::Env, uint8_t*, Batch* b) { delete b; }, data);
    try {
      callback.Call({buffer, Napi::Number::New(env, n)});
    } catch (const Napi::Error& error) {
      error.ThrowAsJavaScriptException();
    }
  };
  if (tsfn_.BlockingCall(batch, callJs) != napi_ok) {
    delete batch;
    return;
  }
  delivered_ += count;
  batches_ += 1;
}

void BpfSession::PollLoop() {
  while (running_.load()) {
    int n = ring_buffer__poll(rb_, kPollMs);
    if (n < 0 && n != -EINTR) break;
    // Wake-ups are batched kernel-side; consume whatever is there so no tail stays stuck.
    ring_buffer__consume(rb_);
    Flush();
  }
  ring_buffer__consume(rb_);
  Flush();
  tsfn_.Release();
}

Napi::Value BpfSession::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "onBatch must be a function");
  if (!loaded_) Fail(env, "load() before start()", 0);
  if (started_) Fail(env, "already started", 0);
  bpf_map* events = bpf_object__find_map_by_name(obj_, "medic_events");
  if (events == nullptr) Fail(env, "the BPF object has no medic_events ring buffer", 0);
  ClearLibbpfLog();
  rb_ = ring_buffer__new(bpf_map__fd(events), &BpfSession::OnRecord, this, nullptr);
  if (rb_ == nullptr) Fail(env, "cannot create the ring buffer reader", errno);
  tsfn_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "medic-ringbuf", kQueuedBatches, 1,
                                        [this](Napi::Env finalEnv) {
                                          if (thread_.joinable()) thread_.join();
                                          started_ = false;
                                          if (stopped_) {
                                            stopped_->Resolve(finalEnv.Undefined());
                                            stopped_.reset();
                                          }
                                        });
  running_ = true;
  started_ = true;
  thread_ = std::thread([this] { PollLoop(); });
  return env.Undefined();
}

Napi::Value BpfSession::Stop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  Napi::Promise promise = deferred.Promise();
  if (!started_) {
    deferred.Resolve(env.Undefined());
    return promise;
  }
  if (stopped_) {
    // A second stop() waits for the same drain.
    deferred.Reject(Napi::Error::New(env, "stop() already in progress").Value());
    return promise;
  }
  // Resolved by the ThreadSafeFunction's finalizer: after the last batch reached JavaScript.
  stopped_ = std::make_unique<Napi::Promise::Deferred>(deferred);
  running_ = false;
  return promise;
}

Napi::Value BpfSession::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  uint64_t hits = 0, drops = 0;
  bpf_map* stats = obj_ != nullptr && loaded_ ? bpf_object__find_map_by_name(obj_, "medic_stats") : nullptr;
  int cpus = libbpf_num_possible_cpus();
  if (stats != nullptr && cpus > 0) {
    std::vector<uint64_t> values(static_cast<size_t>(cpus));
    for (uint32_t key = 0; key < 2; key++) {
      if (bpf_map__lookup_elem(stats, &key, sizeof key, values.data(), values.size() * sizeof(uint64_t), 0) != 0)
        continue;
      uint64_t sum = 0;
      for (uint64_t v : values) sum += v;
      (key == 0 ? hits : drops) = sum;
    }
  }
  out.Set("hits", Napi::Number::New(env, static_cast<double>(hits)));
  out.Set("drops", Napi::Number::New(env, static_cast<double>(drops)));
  out.Set("delivered", Napi::Number::New(env, static_cast<double>(delivered_.load())));
  out.Set("batches", Napi::Number::New(env, static_cast<double>(batches_.load())));
  out.Set("links", Napi::Number::New(env, static_cast<double>(links_.size())));
  return out;
}

Napi::Value BpfSession::Close(const Napi::CallbackInfo& info) {
  if (started_ && running_) Fail(info.Env(), "stop() and await it before close()", 0);
  Teardown();
  return info.Env().Undefined();
}

void BpfSession::Teardown() {
  if (thread_.joinable()) {
    // Only reached when the object dies while polling: abort so a blocked BlockingCall returns.
    running_ = false;
    tsfn_.Abort();
    thread_.join();
  }
  for (bpf_link* link : links_) bpf_link__destroy(link);
  links_.clear();
  if (rb_ != nullptr) ring_buffer__free(rb_);
  rb_ = nullptr;
  delete batch_;
  batch_ = nullptr;
  if (obj_ != nullptr) bpf_object__close(obj_);
  obj_ = nullptr;
  loaded_ = false;
}

}  // namespace medic
