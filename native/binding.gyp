{
  "targets": [
    {
      "target_name": "medic_bpf",
      "sources": ["src/addon.cc", "src/session.cc", "src/libbpf_log.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "../bpf"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "libraries": ["<!@(pkg-config --libs libbpf)", "-lelf", "-lz"]
    }
  ]
}
