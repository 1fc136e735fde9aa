// Module entry of the medic_bpf addon: the BpfSession class, the event layout and libbpf's version.
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <napi.h>

#include <cstddef>

#include "medic.h"
#include "session.h"

namespace {

// The real offsets of struct medic_event, so JavaScript can check its decoder against the C layout.
Napi::Value EventLayout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object offsets = Napi::Object::New(env);
#define MEDIC_FIELD(name) offsets.Set(#name, Napi::Number::New(env, offsetof(struct medic_event, name)))
  MEDIC_FIELD(kind);
  MEDIC_FIELD(cookie);
  MEDIC_FIELD(pid);
  MEDIC_FIELD(tid);
  MEDIC_FIELD(time_ns);
  MEDIC_FIELD(goid);
  MEDIC_FIELD(parent_goid);
  MEDIC_FIELD(ip);
  MEDIC_FIELD(sp);
  MEDIC_FIELD(caller);
  MEDIC_FIELD(aux0);
  MEDIC_FIELD(aux1);
  MEDIC_FIELD(stack_n);
  MEDIC_FIELD(str_len);
  MEDIC_FIELD(str_total);
  MEDIC_FIELD(stack);
#undef MEDIC_FIELD
  offsets.Set("raw", Napi::Number::New(env, offsetof(struct medic_panic_event, raw)));
  offsets.Set("str", Napi::Number::New(env, offsetof(struct medic_panic_event, str)));
  Napi::Object out = Napi::Object::New(env);
  out.Set("size", Napi::Number::New(env, sizeof(struct medic_event)));
  out.Set("panicSize", Napi::Number::New(env, sizeof(struct medic_panic_event)));
  out.Set("configSize", Napi::Number::New(env, sizeof(struct medic_config)));
  out.Set("stackDepth", Napi::Number::New(env, MEDIC_STACK_DEPTH));
  out.Set("strMax", Napi::Number::New(env, MEDIC_STR_MAX));
  out.Set("rawMax", Napi::Number::New(env, MEDIC_RAW_MAX));
  out.Set("offsets", offsets);
  return out;
}

Napi::Value LibbpfVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), libbpf_version_string());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static_assert(sizeof(struct medic_event) == MEDIC_EVENT_SIZE, "medic_event size drifted from the contract");
  static_assert(sizeof(struct medic_panic_event) == MEDIC_PANIC_EVENT_SIZE, "medic_panic_event size drifted");
  exports.Set("BpfSession", medic::BpfSession::Define(env));
  exports.Set("eventLayout", Napi::Function::New(env, EventLayout));
  exports.Set("libbpfVersion", Napi::Function::New(env, LibbpfVersion));
  return exports;
}

}  // namespace

NODE_API_MODULE(medic_bpf, Init)
