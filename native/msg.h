// Shared by the advanced I/O files: msg.cc (readv, writev, sendmsg,
// recvmsg), cmsg.cc (ancillary data in and out) and mmsg.cc (recvmmsg,
// sendmmsg, interface names).
#ifndef POSIX_SOCKETS_MSG_H_
#define POSIX_SOCKETS_MSG_H_

#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common.h"

namespace ps {

// The most buffers one call takes: IOV_MAX iovecs for readv/writev/sendmsg/
// recvmsg (the kernel's UIO_MAXIOV, EINVAL beyond), and as many messages
// for recvmmsg/sendmmsg (the kernel silently caps vlen there; a RangeError
// here says so instead).
constexpr uint32_t kMaxBuffers = IOV_MAX;

// The largest control buffer accepted, sent or received. The kernel refuses
// more than net.core.optmem_max (128 KiB on current kernels) with ENOBUFS
// on send; a bound here keeps a typo from allocating gigabytes.
constexpr size_t kMaxControl = 1 << 20;

// Reads a JS array of ArrayBufferViews into `iov` (room for kMaxBuffers).
// Two phases, so that no JS runs between checking a view and the system
// call: first every element is fetched (an accessor on the array may run
// JS, even detach a buffer), then every view is checked (detached, type)
// without running any. `handles` is scratch space of kMaxBuffers entries.
// Throws a TypeError/RangeError naming `name[i]` and returns false on bad
// input.
bool ArgIovecs(napi_env env, napi_value array, const char* name, iovec* iov,
               napi_value* handles, uint32_t* count);
// The two phases of ArgIovecs for an array of `count` elements whose length
// the caller has read (and made room for) itself.
bool FillIovecs(napi_env env, napi_value array, const char* name,
                uint32_t count, iovec* iov, napi_value* handles);

// The length of a JS array `v` (a TypeError naming `name` when it is not
// one), bounded by `max` (a RangeError).
bool ArgArrayLength(napi_env env, napi_value v, const char* name, uint32_t max,
                    uint32_t* length);

// Outgoing ancillary data: the caller's array of control entries
// ({ level, type, data } or a decoded form: fds, credentials, pktinfo)
// encoded as the kernel expects, each cmsghdr aligned with CMSG_SPACE.
// Owns a heap buffer when the encoding does not fit inline.
class ControlOut {
 public:
  ControlOut() = default;
  ~ControlOut();
  ControlOut(const ControlOut&) = delete;
  ControlOut& operator=(const ControlOut&) = delete;
  // Checks and encodes `array`. Throws and returns false on bad input.
  bool Parse(napi_env env, napi_value array, const char* name);
  void* data() { return length_ ? buffer_ : nullptr; }
  size_t length() const { return length_; }

 private:
  bool Reserve(napi_env env, size_t bytes);
  alignas(cmsghdr) uint8_t inline_[256];
  uint8_t* buffer_ = inline_;
  size_t capacity_ = sizeof inline_;
  size_t length_ = 0;
};

// Calls f(cmsghdr*, data, size) for each control message of a received
// message. CMSG_NXTHDR stops when the next header would not fit; the data of
// the current one is clamped to the end of the buffer as well, so a
// cut-short message (MSG_CTRUNC) is never read past msg_controllen, whatever
// cmsg_len claims.
template <typename F>
void EachControlMessage(const msghdr* msg, F f) {
  if (msg->msg_control == nullptr) return;
  const uint8_t* end =
      static_cast<const uint8_t*>(msg->msg_control) + msg->msg_controllen;
  for (cmsghdr* c = CMSG_FIRSTHDR(msg); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(msg), c)) {
    if (c->cmsg_len < CMSG_LEN(0)) break;
    const uint8_t* data = CMSG_DATA(c);
    if (data > end) break;
    size_t size = c->cmsg_len - CMSG_LEN(0);
    if (size > static_cast<size_t>(end - data)) size = end - data;
    f(c, data, size);
  }
}

// Closes every fd that SCM_RIGHTS delivered in `msg`: for when the result
// that would have handed them to the caller could not be built (a throwing
// setter on Object.prototype, say), so that none leaks.
void CloseReceivedFds(const msghdr* msg);

// Incoming ancillary data: decodes the control buffer of a received
// message into an array of { level, type, data, ...decoded } and collects
// every fd that SCM_RIGHTS delivered into `fds` (a JS array the caller
// returns), so that none is ever lost. Walks with CMSG_FIRSTHDR/CMSG_NXTHDR
// and never reads past msg->msg_controllen, whatever cmsg_len claims.
napi_value ControlToJs(napi_env env, const msghdr* msg, napi_value fds);

}  // namespace ps

#endif  // POSIX_SOCKETS_MSG_H_
