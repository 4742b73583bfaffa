{
  "targets": [
    {
      "target_name": "linux_caps",
      "sources": ["native/addon.cc", "native/creds.cc", "native/broadcast.cc", "native/xattr.cc", "native/launch.cc", "native/accounts.cc", "native/tasks.cc", "native/ids.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    }
  ]
}
