{
  "targets": [
    {
      "target_name": "posix_sockets",
      "sources": [
        "native/addon.cc",
        "native/cmsg.cc",
        "native/common.cc",
        "native/constants.cc",
        "native/constants_libc.cc",
        "native/constants_uapi.cc",
        "native/epoll.cc",
        "native/errors.cc",
        "native/fd.cc",
        "native/inet.cc",
        "native/io.cc",
        "native/loop.cc",
        "native/mmsg.cc",
        "native/msg.cc",
        "native/netdb.cc",
        "native/object.cc",
        "native/select.cc",
        "native/signalfd.cc",
        "native/sockaddr.cc",
        "native/sockaddr_c.cc",
        "native/socket.cc",
        "native/sockopt.cc",
        "native/sockopt_table.cc",
        "native/sockopt_value.cc",
        "native/tcp_info.cc",
        "native/timerfd.cc",
        "native/uring.cc",
        "native/uring_bufring.cc",
        "native/uring_fixed.cc",
        "native/uring_loop.cc",
        "native/uring_msghdr.cc",
        "native/uring_ring.cc",
        "native/uring_submit.cc",
        "native/zerocopy.cc"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "_GNU_SOURCE"
      ],
      "cflags": [
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-O2"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fno-exceptions",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-Wno-missing-field-initializers",
        "-O2"
      ]
    }
  ]
}
